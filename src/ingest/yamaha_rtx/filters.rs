//! `ip filter` (static), `ip filter dynamic` and `ethernet filter` definitions, and the
//! lists that interfaces apply (`ip IF secure filter in|out …`, `ethernet IF filter …`)
//! resolved into first-match ACLs.
//!
//! RTX semantics (command reference, `ip INTERFACE secure filter`): the filters of a
//! list are tried in list order and the first that matches decides; a packet that
//! matches none is discarded; an interface without a list passes everything. `restrict`
//! passes while the line is up: LAN interfaces are always up, so it is a pass here.

use super::lexing::{self, Proto, Why};
use super::Bind;
use crate::model::{AclRule, Action, Mac, Match, Service, Span};

/// One `ip filter N …` line, already in model terms (or why not).
#[derive(Clone, Debug)]
pub struct Static {
    pub line: u32,
    /// The action word alone, known even when the body is not expressible.
    pub action: Option<Action>,
    pub body: Result<(Action, Vec<Match>), Why>,
}

/// One `ip filter dynamic N SRC DST PROTO …` line: the matches that open a session.
#[derive(Clone, Debug)]
pub struct Dynamic {
    pub line: u32,
    pub body: Result<Vec<Match>, Why>,
}

/// One `ethernet filter N pass|reject SRC DST …` line.
#[derive(Clone, Debug)]
pub struct Ether {
    pub line: u32,
    pub body: Result<(Action, Option<Mac>, Option<Mac>), Why>,
}

pub fn action_word(s: &str) -> Option<Action> {
    let base = s
        .strip_suffix("-log")
        .or_else(|| s.strip_suffix("-nolog"))
        .unwrap_or(s);
    match base {
        "pass" | "restrict" => Some(Action::Permit),
        "reject" => Some(Action::Deny),
        _ => None,
    }
}

/// The matches of `SRC DST [PROTO [SPORT [DPORT]]]` (missing fields are `*`).
pub fn matches(f: &[&str]) -> Result<Vec<Match>, Why> {
    let field = |i: usize| f.get(i).copied().unwrap_or("*");
    if f.len() > 5 {
        return Err(format!("unexpected option {}", f[5]));
    }
    let src = lexing::addrs(field(0))?;
    let dst = lexing::addrs(field(1))?;
    let protos = lexing::protos(field(2))?;
    let (sp, dp) = (field(3), field(4));
    let sports = lexing::ports(sp)?;
    let dports = lexing::ports(dp)?;
    let ported = sp != "*" || dp != "*";
    let base = Match {
        src: crate::model::AddrSet { items: src },
        dst: crate::model::AddrSet { items: dst },
        ..Match::any()
    };
    let mut out = vec![];
    for p in protos {
        let mut m = base.clone();
        let num = match p {
            Proto::Any if ported => {
                return Err("ports given for protocol * (ports only apply to TCP and UDP)".into())
            }
            Proto::Any => {
                out.push(m);
                continue;
            }
            Proto::Established => {
                m.established = Some(true);
                crate::model::proto::TCP
            }
            Proto::Num(n) => n,
        };
        let l4 = num == crate::model::proto::TCP || num == crate::model::proto::UDP;
        if ported && !l4 {
            return Err(format!(
                "ports for protocol {num} (ICMP type/code and other fields are not modelled)"
            ));
        }
        for s in &sports {
            for d in &dports {
                m.services.push(Service {
                    proto: Some(num),
                    sport: *s,
                    dport: *d,
                    ..Service::any()
                });
            }
        }
        out.push(m);
    }
    Ok(out)
}

/// `ip filter N ACTION SRC [DST [PROTO [SPORT [DPORT]]]]` (tokens after `ip filter`).
pub fn parse_static(t: &[&str]) -> Result<(Action, Vec<Match>), Why> {
    let a = t
        .get(1)
        .and_then(|a| action_word(a))
        .ok_or_else(|| format!("filter action {}", t.get(1).unwrap_or(&"")))?;
    if t.len() < 3 {
        return Err("filter without source address".into());
    }
    Ok((a, matches(&t[2..])?))
}

/// Services a dynamic filter's protocol names (the application is tracked as a session).
fn dynamic_services(p: &str) -> Result<Vec<Service>, Why> {
    use crate::model::proto::{TCP, UDP};
    let t = |p: u16| Service::tcp_dport(p, p);
    Ok(match p {
        "tcp" => vec![Service::proto(TCP)],
        "udp" => vec![Service::proto(UDP)],
        "domain" => vec![Service::udp_dport(53, 53), t(53)],
        // Dynamic `www` is HTTP and HTTPS (unlike the static mnemonic, port 80 only).
        "www" => vec![t(80), t(443)],
        "http" => vec![t(80)],
        "https" => vec![t(443)],
        "smtp" => vec![t(25)],
        "pop3" => vec![t(110)],
        "submission" => vec![t(587)],
        "telnet" => vec![t(23)],
        _ => {
            return Err(format!(
            "dynamic filter protocol {p}: its helper (data channels, other ports) is not modelled"
        ))
        }
    })
}

/// `ip filter dynamic N SRC DST PROTO [syslog=… timeout=…]` (tokens after `ip filter
/// dynamic`).
pub fn parse_dynamic(t: &[&str]) -> Result<Vec<Match>, Why> {
    if t.len() < 4 {
        return Err("dynamic filter needs SRC DST PROTO".into());
    }
    if t[3] == "filter" {
        return Err(
            "dynamic filter built from static filters (`filter … in … out …`) not modelled".into(),
        );
    }
    for o in &t[4..] {
        let k = o.split('=').next().unwrap_or("");
        if !matches!(k, "syslog" | "timeout") {
            return Err(format!("dynamic filter option {o} not modelled"));
        }
    }
    let src = lexing::addrs(t[1])?;
    let dst = lexing::addrs(t[2])?;
    Ok(vec![Match {
        src: crate::model::AddrSet { items: src },
        dst: crate::model::AddrSet { items: dst },
        services: dynamic_services(t[3])?,
        ..Match::any()
    }])
}

/// `ethernet filter N ACTION SRC_MAC [DST_MAC]` (tokens after `ethernet filter`).
pub fn parse_ether(t: &[&str]) -> Result<(Action, Option<Mac>, Option<Mac>), Why> {
    let a = t
        .get(1)
        .and_then(|a| action_word(a))
        .ok_or_else(|| format!("ethernet filter action {}", t.get(1).unwrap_or(&"")))?;
    let src = lexing::mac(t.get(2).ok_or("ethernet filter without source MAC")?)?;
    let dst = lexing::mac(t.get(3).unwrap_or(&"*"))?;
    if t.len() > 4 {
        return Err("ethernet filter type/offset/byte fields not modelled".into());
    }
    Ok((a, src, dst))
}

/// Whether a static filter matches every packet (`* * * * *`).
pub fn is_catch_all(ms: &[Match]) -> bool {
    ms.iter().any(|m| *m == Match::any())
}

/// The ACL rules of an ethernet list combined with the IP list of the same direction:
/// a packet passes when the first matching ethernet filter passes it and the first
/// matching IP filter passes it. Lexicographic product: rule (i, j) matches when
/// ethernet filter i and IP rule j do; the first matching pair is (first i, first j).
/// A reject ethernet filter needs no IP part.
pub fn product(eth: &[(Action, Option<Mac>, Span)], ip: &[AclRule]) -> Vec<AclRule> {
    let mut out = vec![];
    for (a, src, span) in eth {
        let with_mac = |mut m: Match| {
            m.src_mac = src.map(|x| vec![x]);
            m
        };
        if *a == Action::Deny {
            out.push(AclRule {
                action: Action::Deny,
                m: with_mac(Match::any()),
                span: span.clone(),
            });
            continue;
        }
        for r in ip {
            out.push(AclRule {
                action: r.action,
                m: with_mac(r.m.clone()),
                span: r.span.clone(),
            });
        }
    }
    out
}

use super::{un, Dir, EBind, Out, Parser};
use crate::model::{Acl, AclRef, Scope};
use std::collections::BTreeSet;

impl Parser {
    /// `ethernet filter N …` and `ethernet lanN filter in|out LIST`.
    pub(super) fn ethernet(&mut self, ln: u32, t: &[&str]) -> Out {
        let t1 = t.get(1).copied().unwrap_or("");
        if t1 == "filter" {
            return match t.get(2).and_then(|n| n.parse::<u32>().ok()) {
                Some(n) => {
                    let body = parse_ether(&t[2..]);
                    self.ethers.insert(n, Ether { line: ln, body });
                    Out::Ok
                }
                None => un("ethernet filter form not modelled", Scope::Device),
            };
        }
        if lexing::is_lan(t1) && t.get(2) == Some(&"filter") {
            let name = lexing::ifname(t1);
            let Some(dir) = t.get(3).and_then(|d| Dir::parse(d)) else {
                return un("ethernet filter direction", Scope::Interface(name));
            };
            let list: Result<Vec<u32>, _> = t[4..].iter().map(|x| x.parse::<u32>()).collect();
            let Ok(list) = list else {
                return un("ethernet filter list not modelled", Scope::Interface(name));
            };
            self.iface(&name, ln);
            self.ebinds.retain(|b| !(b.ifname == name && b.dir == dir));
            self.ebinds.push(EBind {
                ifname: name,
                dir,
                list,
                line: ln,
            });
            return Out::Ok;
        }
        un("ethernet command not modelled", Scope::Device)
    }

    /// Filter lists → ACLs named `"<interface> <in|out>"`, bound to the interfaces.
    pub(super) fn resolve_filters(&mut self) {
        let mut used: BTreeSet<u32> = BTreeSet::new();
        for b in std::mem::take(&mut self.binds) {
            let name = format!("{} {}", b.ifname, b.dir.word());
            let scope = Scope::Acl(name.clone());
            let bspan = self.dev.span(b.line);
            let mut rules = vec![];
            let mut decided = false;
            let undefined: Vec<String> = b
                .statics
                .iter()
                .filter(|n| !self.statics.contains_key(n))
                .chain(b.dynamics.iter().filter(|n| !self.dynamics.contains_key(n)))
                .map(|n| n.to_string())
                .collect();
            if !undefined.is_empty() {
                self.unrec(
                    b.line,
                    format!("filters {} are not defined", undefined.join(" ")),
                    scope.clone(),
                );
            }
            for (k, n) in b.statics.iter().enumerate() {
                let Some(f) = self.statics.get(n).cloned() else {
                    continue;
                };
                used.insert(f.line);
                match f.body {
                    Ok((action, ms)) => {
                        decided |= is_catch_all(&ms);
                        let span = self.dev.span(f.line);
                        rules.extend(ms.into_iter().map(|m| AclRule {
                            action,
                            m,
                            span: span.clone(),
                        }));
                    }
                    Err(_) if self.decided_alike(&b, k, f.action) => {}
                    Err(why) => self.unrec(f.line, why, scope.clone()),
                }
            }
            if !b.dynamics.is_empty() {
                // Dynamic filters admit the flow and its replies (stateful).
                self.dev.stateful = true;
                if !decided {
                    self.unrec(
                        b.line,
                        "dynamic filters after static filters that do not decide every packet: \
                         whether an unmatched packet opens a session is not modelled"
                            .into(),
                        scope.clone(),
                    );
                }
            }
            for n in &b.dynamics {
                let Some(f) = self.dynamics.get(n).cloned() else {
                    continue;
                };
                used.insert(f.line);
                match f.body {
                    Ok(ms) => {
                        let span = self.dev.span(f.line);
                        rules.extend(ms.into_iter().map(|m| AclRule {
                            action: Action::Permit,
                            m,
                            span: span.clone(),
                        }));
                    }
                    Err(why) => self.unrec(f.line, why, scope.clone()),
                }
            }
            self.bind_acl(&b.ifname, b.dir, name, rules, bspan);
        }
        for b in std::mem::take(&mut self.ebinds) {
            self.resolve_ether(b, &mut used);
        }
        // Definitions no list applies change nothing; those not understood are listed.
        let idle: Vec<(u32, String)> = self
            .statics
            .values()
            .filter_map(|f| f.body.as_ref().err().map(|w| (f.line, w.clone())))
            .chain(
                self.dynamics
                    .values()
                    .filter_map(|f| f.body.as_ref().err().map(|w| (f.line, w.clone()))),
            )
            .chain(
                self.ethers
                    .values()
                    .filter_map(|f| f.body.as_ref().err().map(|w| (f.line, w.clone()))),
            )
            .filter(|(l, _)| !used.contains(l))
            .collect();
        for (l, why) in idle {
            self.unrec(
                l,
                format!("{why} (not applied to any interface)"),
                Scope::None,
            );
        }
    }

    /// Whether the static filter at position `k` of list `b`, whose match cannot be
    /// expressed, decides nothing: every packet reaching it gets the same verdict whether
    /// it matches or not. True when the filters after it (all defined, no ethernet list
    /// on that interface and direction) have its action up to one that matches every
    /// packet, or, for `reject`, to the end of a list without dynamic filters (a packet
    /// matching none is discarded). Then leaving it out of the ACL is exact.
    fn decided_alike(&self, b: &Bind, k: usize, action: Option<Action>) -> bool {
        let Some(action) = action else {
            return false;
        };
        if self
            .ebinds
            .iter()
            .any(|e| e.ifname == b.ifname && e.dir == b.dir)
        {
            return false;
        }
        for n in &b.statics[k + 1..] {
            let Some(f) = self.statics.get(n) else {
                return false;
            };
            if f.action != Some(action) {
                return false;
            }
            if matches!(&f.body, Ok((_, ms)) if is_catch_all(ms)) {
                return true;
            }
        }
        action == Action::Deny && b.dynamics.is_empty()
    }

    fn bind_acl(&mut self, ifname: &str, dir: Dir, name: String, rules: Vec<AclRule>, span: Span) {
        let i = self.iface(ifname, span.line);
        let r = AclRef {
            name: name.clone(),
            span: span.clone(),
        };
        let itf = &mut self.dev.interfaces[i];
        match dir {
            Dir::In => itf.acl_in = Some(r),
            Dir::Out => itf.acl_out = Some(r),
        }
        self.dev
            .acls
            .insert(name.clone(), Acl { name, rules, span });
    }

    /// An ethernet list: modelled (combined with the IP list of the same direction) when
    /// it is inbound and constrains only source MACs; else reported for the interface.
    fn resolve_ether(&mut self, b: EBind, used: &mut BTreeSet<u32>) {
        let scope = Scope::Interface(b.ifname.clone());
        let mut eth = vec![];
        let mut bad = false;
        for n in &b.list {
            let Some(f) = self.ethers.get(n).cloned() else {
                self.unrec(
                    b.line,
                    format!("ethernet filter {n} is not defined"),
                    scope.clone(),
                );
                bad = true;
                continue;
            };
            used.insert(f.line);
            let span = self.dev.span(f.line);
            match f.body {
                Ok((a, src, None)) if b.dir == Dir::In || src.is_none() => eth.push((a, src, span)),
                Ok(_) => {
                    self.unrec(
                        f.line,
                        format!(
                            "ethernet filter {n}: destination MACs (and outbound source MACs) are not in the header model"
                        ),
                        scope.clone(),
                    );
                    bad = true;
                }
                Err(why) => {
                    self.unrec(f.line, why, scope.clone());
                    bad = true;
                }
            }
        }
        if bad {
            self.unrec(
                b.line,
                "ethernet filter list not modelled (see its filters)".into(),
                scope,
            );
            return;
        }
        let name = format!("{} {}", b.ifname, b.dir.word());
        let bspan = self.dev.span(b.line);
        let ip_rules = match self.dev.acls.get(&name) {
            Some(a) => a.rules.clone(),
            // No IP list: IP passes everything.
            None => vec![AclRule {
                action: Action::Permit,
                m: Match::any(),
                span: bspan.clone(),
            }],
        };
        let rules = product(&eth, &ip_rules);
        let span = self
            .dev
            .acls
            .get(&name)
            .map(|a| a.span.clone())
            .unwrap_or(bspan);
        self.bind_acl(&b.ifname, b.dir, name, rules, span);
    }
}
