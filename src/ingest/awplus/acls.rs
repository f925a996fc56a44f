//! AlliedWare Plus access lists: numbered and named, software and hardware. Entries are
//! rewritten to the IOS entry grammar (prefix lengths → wildcards, `icmp-type N` → `N`,
//! `proto N` → `N`, `ne` → `neq`) and parsed by the shared IOS entry reader; anything the
//! rewrite does not know stays as it is and is reported by that reader.
//!
//! Software ACLs (1-199, 1300-2699, `standard|extended NAME`) deny what no entry matches
//! and are used by routing and management features; hardware ACLs (3000-3699,
//! `hardware NAME`) are attached to ports with `access-group` and permit what no entry
//! matches. MAC hardware ACLs (4000-4699, `permit mac …` entries) are not modelled.

use crate::ingest::cisco_ios::acls::{parse_extended, parse_standard, NO_GROUPS};
use crate::ingest::cisco_ios::lexing::parse_cidr;
use crate::ingest::cisco_ios::{un, AclKind, Ctx, Out, Parser};
use crate::model::Scope;
use std::net::Ipv4Addr;

/// The kind of a numbered ACL, or why it is not modelled.
fn numbered_kind(n: u32) -> Result<AclKind, &'static str> {
    match n {
        1..=99 | 1300..=1999 => Ok(AclKind::Standard),
        100..=199 | 2000..=2699 => Ok(AclKind::Extended),
        3000..=3699 => Ok(AclKind::Hardware),
        4000..=4699 => Err("hardware MAC access-list (not modelled)"),
        _ => Err("access-list number of an unknown type"),
    }
}

/// Rewrite AW+ entry tokens into the IOS grammar.
fn rewrite(t: &[&str]) -> Vec<String> {
    let mut out = vec![];
    let mut i = 0;
    while i < t.len() {
        let tok = t[i];
        let low = tok.to_ascii_lowercase();
        match low.as_str() {
            "proto" | "icmp-type" if i + 1 < t.len() => {}
            "ne" => out.push("neq".into()),
            _ => match tok.contains('/').then(|| parse_cidr(tok)).flatten() {
                Some((a, len)) => {
                    let w = if len == 32 { 0 } else { u32::MAX >> len };
                    let net = u32::from(a) & !w;
                    out.push(Ipv4Addr::from(net).to_string());
                    out.push(Ipv4Addr::from(w).to_string());
                }
                None => out.push(tok.to_string()),
            },
        }
        i += 1;
    }
    out
}

impl Parser {
    fn awp_open_acl(&mut self, name: &str, kind: AclKind, ln: u32) {
        self.ensure_acl(name, ln);
        if kind == AclKind::Hardware {
            self.hw_acls.insert(name.to_string());
        }
    }

    /// Top-level `access-list …`.
    pub(in crate::ingest) fn awp_access_list(
        &mut self,
        ln: u32,
        trimmed: &str,
        t: &[&str],
        kw: &[String],
    ) -> Out {
        let k1 = kw.get(1).map(String::as_str).unwrap_or("");
        let named = match k1 {
            "hardware" => Some(AclKind::Hardware),
            "standard" => Some(AclKind::Standard),
            "extended" => Some(AclKind::Extended),
            _ => None,
        };
        if let Some(kind) = named {
            let Some(name) = t.get(2) else {
                return un("access-list without a name", Scope::Device);
            };
            let name = name.to_string();
            self.awp_open_acl(&name, kind, ln);
            if t.len() == 3 {
                self.ctx = Ctx::AwAcl { name, kind };
                return Out::Ok;
            }
            // Older one-line form: `access-list extended NAME permit …`.
            return self.awp_acl_entry(ln, &name, kind, t.get(3..).unwrap_or(&[]));
        }
        let Some(num) = t.get(1).and_then(|s| s.parse::<u32>().ok()) else {
            return self.unknown_stanza(
                trimmed,
                Scope::Device,
                "unsupported access-list form (not modelled)",
            );
        };
        let name = num.to_string();
        let kind = match numbered_kind(num) {
            Ok(k) => k,
            Err(e) => return self.unknown_stanza(trimmed, Scope::Acl(name), e),
        };
        self.awp_open_acl(&name, kind, ln);
        if t.len() == 2 {
            self.ctx = Ctx::AwAcl { name, kind };
            return Out::Ok;
        }
        self.awp_acl_entry(ln, &name, kind, t.get(2..).unwrap_or(&[]))
    }

    /// One entry: `[SEQ] permit|deny …` or `remark …`.
    pub(in crate::ingest) fn awp_acl_entry(
        &mut self,
        ln: u32,
        name: &str,
        kind: AclKind,
        t: &[&str],
    ) -> Out {
        let scope = Scope::Acl(name.to_string());
        let (seq, t) = match t.first().map(|s| s.parse::<u64>()) {
            Some(Ok(s)) => (Some(s), t.get(1..).unwrap_or(&[])),
            _ => (None, t),
        };
        let toks = rewrite(t);
        let tt: Vec<&str> = toks.iter().map(String::as_str).collect();
        let kw: Vec<String> = tt.iter().map(|s| s.to_ascii_lowercase()).collect();
        match kw.first().map(String::as_str) {
            Some("remark") => Out::Ok,
            Some("permit" | "deny") => {
                if kw.get(1).map(String::as_str) == Some("mac") {
                    return un("MAC filter entry (not modelled)", scope);
                }
                let res = match kind {
                    AclKind::Standard => parse_standard(&tt, &kw),
                    AclKind::Extended | AclKind::Hardware => parse_extended(&tt, &kw, &NO_GROUPS),
                };
                match res {
                    Ok((action, m)) => self
                        .push_rule(name, seq, action, m, ln)
                        .unwrap_or_else(|e| un(e, scope)),
                    Err(e) => un(e, scope),
                }
            }
            Some(
                a @ ("copy-to-cpu" | "send-to-cpu" | "copy-to-mirror" | "send-to-mirror"
                | "send-to-vlan-port"),
            ) => un(format!("hardware ACL action `{a}` (not modelled)"), scope),
            Some(o) => un(format!("unsupported ACL entry `{o}`"), scope),
            None => un("empty ACL entry", scope),
        }
    }

    /// `access-group X` / `ip access-group X` on an interface (ingress).
    pub(in crate::ingest) fn awp_access_group(
        &mut self,
        ln: u32,
        idx: &[usize],
        t: &[&str],
        at: usize,
    ) -> Out {
        let ifs = Scope::Interface(String::new());
        let (Some(name), true) = (t.get(at), t.len() == at + 1) else {
            return un("unsupported access-group form", ifs);
        };
        let svi = idx.iter().any(|&i| {
            self.dev
                .interfaces
                .get(i)
                .is_some_and(|x| x.name.starts_with("vlan"))
        });
        if svi {
            return un(
                "access-group on a VLAN interface filters every port of the VLAN (not modelled)",
                Scope::Device,
            );
        }
        let twice = idx.iter().any(|&i| {
            self.dev
                .interfaces
                .get(i)
                .is_some_and(|x| x.acl_in.is_some())
        });
        if twice {
            return un(
                "a second ACL on the port (checked in attachment order; not modelled)",
                ifs,
            );
        }
        let r = crate::model::AclRef {
            name: name.to_string(),
            span: self.span(ln),
        };
        self.each_if(idx, |itf, _| itf.acl_in = Some(r.clone()));
        Out::Ok
    }

    /// Port bindings of ACLs that are not hardware ACLs (software ACLs do not filter
    /// switched traffic on AW+): reported at the end, when every ACL is known.
    pub(in crate::ingest) fn awp_binding_checks(&self) -> Vec<(u32, String, Scope)> {
        let mut out = vec![];
        for itf in &self.dev.interfaces {
            if let Some(r) = &itf.acl_in {
                if self.dev.acls.contains_key(&r.name) && !self.hw_acls.contains(&r.name) {
                    out.push((
                        r.span.line,
                        format!(
                            "access-group names software ACL `{}` (not a port filter on AW+; not modelled)",
                            r.name
                        ),
                        Scope::Interface(itf.name.clone()),
                    ));
                }
            }
        }
        out
    }
}
