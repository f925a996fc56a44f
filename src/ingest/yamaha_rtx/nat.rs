//! NAT descriptors (`nat descriptor type N masquerade|static|nat`, `… address outer|inner`,
//! `… static`, `… masquerade static|incoming`) and their binding `ip lanN nat descriptor N`.
//!
//! Not modelled as rewrites yet: masquerade also drops unsolicited inbound packets to the
//! outer address unless a static entry forwards them, which the IOS-style router lowering
//! has no shape for. So the binding line and the lines of every descriptor it names are
//! reported with the interface's scope (what crosses that interface is unproven); a
//! descriptor bound to no interface changes nothing.

use super::{un, Out, Parser};
use crate::model::Scope;

impl Parser {
    /// `nat descriptor …` (definition lines, resolved at the end).
    pub(super) fn nat_def(&mut self, ln: u32, t: &[&str]) -> Out {
        if t.get(1) != Some(&"descriptor") {
            return un("nat command not modelled", Scope::Device);
        }
        match t[2..].iter().find_map(|x| x.parse::<u32>().ok()) {
            Some(id) => {
                self.nat_defs.entry(id).or_default().push(ln);
                Out::Ok
            }
            None => Out::Irr("NAT logging / global NAT setting"),
        }
    }

    pub(super) fn resolve_nat(&mut self) {
        let binds = std::mem::take(&mut self.nat_binds);
        let mut bound = std::collections::BTreeSet::new();
        for (ifname, ids, line) in &binds {
            let scope = Scope::Interface(ifname.clone());
            let names: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            self.unrec(
                *line,
                format!(
                    "NAT descriptor {} on {ifname}: address rewriting is not modelled",
                    names.join(" ")
                ),
                scope.clone(),
            );
            for id in ids {
                bound.insert(*id);
                for l in self.nat_defs.get(id).cloned().unwrap_or_default() {
                    self.unrec(
                        l,
                        format!("NAT descriptor {id} (bound to {ifname}) is not modelled"),
                        scope.clone(),
                    );
                }
            }
        }
        let unbound: usize = self
            .nat_defs
            .iter()
            .filter(|(id, _)| !bound.contains(id))
            .map(|(_, v)| v.len())
            .sum();
        for _ in 0..unbound {
            self.dev
                .irrelevant_line("NAT descriptor bound to no interface");
        }
    }
}
