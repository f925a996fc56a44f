//! iptables-save parser (`iptables-save` / `iptables-restore` files).
//!
//! Tables `filter`, `nat`, `mangle`, `raw` and `security` become [`NfChain`]s with the
//! standard hooks and priorities of the iptables built-in chains; user chains have no
//! base. A rule is emitted only when every match and the target are understood exactly;
//! otherwise the line is reported ([`Scope::Policy`]) and the rule left out. An
//! `ip6tables-save` file is recognised and every rule line is reported as out of scope
//! ([`Scope::None`]).

pub mod secrets;

use super::nftables::{ct_state, icmp_code_num, icmp_type_num, ip_atom, port_num, proto_num};
use super::ParseError;
use crate::ingest::redact::FileRedaction;
use crate::model::{
    Action, AddrSet, Device, Dialect, IpMatch, NatTo, Netfilter, NfChain, NfCond, NfHook, NfKind,
    NfMatch, NfRule, NfVerdict, PortRange, Scope, Span, Unrecognized,
};
use std::net::Ipv4Addr;

/// The `iptables` dialect ([`crate::ingest::REGISTRY`]).
pub struct Iptables;
pub const SYNTAX: Iptables = Iptables;
pub const DIALECT: Dialect = Dialect("iptables");

impl super::Syntax for Iptables {
    fn id(&self) -> &'static str {
        "iptables"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }
    fn marker(&self, l: &str) -> super::Marker {
        let decisive = l.starts_with("*filter")
            || l.starts_with("*nat")
            || l.starts_with("*mangle")
            || l.starts_with("*raw")
            || l.starts_with(":INPUT ");
        if decisive {
            super::Marker::Decisive
        } else {
            super::Marker::None
        }
    }
    fn parse(&self, file: &str, text: &str) -> Result<Device, ParseError> {
        parse(file, text)
    }
}

/// Parse one iptables-save file.
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and return the number of understood lines (every other line has exactly one
/// [`Unrecognized`] entry).
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    let mut dev = Device::new(super::stem(file), file, DIALECT);
    dev.stateful = true;
    let lines: Vec<&str> = text.lines().collect();
    dev.lines = lines.len() as u32;
    let v6 = is_ip6tables(&lines);
    let red = FileRedaction::new(lines.iter().copied());
    let mut p = P {
        file: file.to_string(),
        table: None,
        chains: vec![],
        unrec: vec![],
    };
    for (i, raw) in lines.iter().enumerate() {
        let ln = (i + 1) as u32;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let r = if v6 {
            Err(Unk::none("ip6tables-save: IPv6 is out of scope"))
        } else {
            p.line(ln, l)
        };
        if let Err(u) = r {
            p.unrec.push(Unrecognized {
                file: None,
                line: ln,
                text: red.line(ln, l),
                reason: u.reason,
                scope: u.scope,
            });
        }
    }
    let understood = dev.lines - p.unrec.len() as u32;
    dev.unrecognized = p.unrec;
    dev.netfilter = Some(Netfilter {
        ip_forward: true,
        chains: p.chains,
    });
    Ok((dev, understood))
}

/// An `ip6tables-save` dump: by its header, or by IPv6-only syntax and no IPv4 address.
fn is_ip6tables(lines: &[&str]) -> bool {
    let mut v6_marks = false;
    for l in lines {
        if l.starts_with('#') {
            if l.contains("ip6tables-save") {
                return true;
            }
            if l.contains("iptables-save") {
                return false;
            }
            continue;
        }
        for w in l.split_whitespace() {
            if w.contains("::") || w == "ipv6-icmp" || w == "icmpv6" || w.starts_with("icmp6-") {
                v6_marks = true;
            }
            if w.split('/')
                .next()
                .is_some_and(|a| a.parse::<Ipv4Addr>().is_ok())
            {
                return false;
            }
        }
    }
    v6_marks
}

struct Unk {
    reason: String,
    scope: Scope,
}

impl Unk {
    fn policy(r: impl Into<String>) -> Unk {
        Unk {
            reason: r.into(),
            scope: Scope::Policy,
        }
    }
    fn none(r: impl Into<String>) -> Unk {
        Unk {
            reason: r.into(),
            scope: Scope::None,
        }
    }
    fn device(r: impl Into<String>) -> Unk {
        Unk {
            reason: r.into(),
            scope: Scope::Device,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
    Filter,
    Nat,
    Mangle,
    Raw,
    Security,
    /// Unknown table: its lines are reported.
    Other,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Filter => "filter",
            Table::Nat => "nat",
            Table::Mangle => "mangle",
            Table::Raw => "raw",
            Table::Security => "security",
            Table::Other => "?",
        }
    }
}

/// Hook, kind and priority of an iptables built-in chain.
fn builtin(t: Table, chain: &str) -> Option<(NfHook, NfKind, i32)> {
    use NfHook::*;
    let hook = match chain {
        "PREROUTING" => Prerouting,
        "INPUT" => Input,
        "FORWARD" => Forward,
        "OUTPUT" => Output,
        "POSTROUTING" => Postrouting,
        _ => return None,
    };
    Some(match (t, hook) {
        (Table::Filter, Input | Forward | Output) => (hook, NfKind::Filter, 0),
        (Table::Nat, Prerouting | Output) => (hook, NfKind::Nat, -100),
        (Table::Nat, Input | Postrouting) => (hook, NfKind::Nat, 100),
        (Table::Mangle, _) => (hook, NfKind::Filter, -150),
        (Table::Raw, Prerouting | Output) => (hook, NfKind::Filter, -300),
        (Table::Security, Input | Forward | Output) => (hook, NfKind::Filter, 50),
        _ => return None,
    })
}

struct P {
    file: String,
    table: Option<Table>,
    chains: Vec<NfChain>,
    unrec: Vec<Unrecognized>,
}

/// Shell-like split: whitespace separates, double quotes group, `\"` escapes.
fn split_args(l: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let (mut inq, mut any) = (false, false);
    let mut it = l.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' if it.peek() == Some(&'"') => {
                cur.push('"');
                it.next();
                any = true;
            }
            '"' => {
                inq = !inq;
                any = true;
            }
            c if c.is_whitespace() && !inq => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// `A`, `A/len`, `A/dotted-mask` (contiguous masks only).
fn addr(s: &str) -> Option<IpMatch> {
    if let Some((a, m)) = s.split_once('/') {
        if let Ok(mask) = m.parse::<Ipv4Addr>() {
            let mv = u32::from(mask);
            let len = mv.leading_ones();
            if mv.checked_shl(len).unwrap_or(0) != 0 {
                return None;
            }
            return ip_atom(&format!("{a}/{len}"));
        }
    }
    if s.contains('-') {
        return None;
    }
    ip_atom(s)
}

fn ports(s: &str) -> Option<Vec<PortRange>> {
    s.split(',')
        .map(|p| {
            let (lo, hi) = match p.split_once(':') {
                Some((a, b)) => (
                    if a.is_empty() { 0 } else { port_num(a)? },
                    if b.is_empty() { 65535 } else { port_num(b)? },
                ),
                None => {
                    let v = port_num(p)?;
                    (v, v)
                }
            };
            (lo <= hi).then_some(PortRange { lo, hi })
        })
        .collect()
}

/// `--to-source` / `--to-destination`: `A[-B][:P[-Q]]`.
fn nat_to(s: &str) -> Option<NatTo> {
    let (a, p) = match s.split_once(':') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr = if a.is_empty() {
        None
    } else {
        Some(match a.split_once('-') {
            Some((lo, hi)) => (lo.parse().ok()?, hi.parse().ok()?),
            None => {
                let x: Ipv4Addr = a.parse().ok()?;
                (x, x)
            }
        })
    };
    let port = match p {
        None => None,
        Some(p) => Some(port_range_dash(p)?),
    };
    Some(NatTo { addr, port })
}

fn port_range_dash(p: &str) -> Option<PortRange> {
    let (lo, hi) = match p.split_once('-') {
        Some((a, b)) => (port_num(a)?, port_num(b)?),
        None => {
            let v = port_num(p)?;
            (v, v)
        }
    };
    (lo <= hi).then_some(PortRange { lo, hi })
}

impl P {
    fn chain_id(&self, t: Table, name: &str) -> String {
        format!("{} {}", t.name(), name)
    }

    fn find(&self, id: &str) -> Option<usize> {
        self.chains.iter().position(|c| c.id == id)
    }

    fn declare(&mut self, t: Table, name: &str, ln: u32) -> usize {
        let id = self.chain_id(t, name);
        if let Some(i) = self.find(&id) {
            return i;
        }
        self.chains.push(NfChain {
            id,
            base: builtin(t, name),
            policy: Action::Permit,
            rules: vec![],
            span: Span::new(self.file.clone(), ln),
        });
        self.chains.len() - 1
    }

    fn line(&mut self, ln: u32, l: &str) -> Result<(), Unk> {
        if let Some(t) = l.strip_prefix('*') {
            let t = match t.trim() {
                "filter" => Table::Filter,
                "nat" => Table::Nat,
                "mangle" => Table::Mangle,
                "raw" => Table::Raw,
                "security" => Table::Security,
                other => {
                    self.table = Some(Table::Other);
                    return Err(Unk::device(format!("table `{other}` is not modelled")));
                }
            };
            self.table = Some(t);
            return Ok(());
        }
        if l == "COMMIT" {
            return match self.table.take() {
                Some(_) => Ok(()),
                None => Err(Unk::device("COMMIT outside a table")),
            };
        }
        let Some(t) = self.table else {
            return Err(Unk::device("line outside a `*table` section"));
        };
        if t == Table::Other {
            return Err(Unk::device("inside a table that is not modelled"));
        }
        if let Some(decl) = l.strip_prefix(':') {
            let mut w = decl.split_whitespace();
            let name = w.next().unwrap_or("");
            let pol = w.next().unwrap_or("-");
            if name.is_empty() {
                return Err(Unk::policy("chain declaration without a name"));
            }
            let is_builtin = builtin(t, name).is_some();
            let ci = self.declare(t, name, ln);
            return match (is_builtin, pol) {
                (true, "ACCEPT") => {
                    self.chains[ci].policy = Action::Permit;
                    Ok(())
                }
                (true, "DROP") => {
                    self.chains[ci].policy = Action::Deny;
                    Ok(())
                }
                (false, "-") => Ok(()),
                _ => Err(Unk::policy(format!(
                    "chain `{name}` with policy `{pol}` is not a built-in chain of table {}",
                    t.name()
                ))),
            };
        }
        let mut args = split_args(l);
        // `[packets:bytes]` counters prefix.
        if args
            .first()
            .is_some_and(|a| a.starts_with('[') && a.ends_with(']'))
        {
            args.remove(0);
        }
        let cmd = args.first().cloned().unwrap_or_default();
        match cmd.as_str() {
            "-A" | "--append" | "-I" | "--insert" => {
                let name = args.get(1).cloned().unwrap_or_default();
                let id = self.chain_id(t, &name);
                let ci = match self.find(&id) {
                    Some(ci) => ci,
                    // Built-in chains exist without a `:CHAIN` line (policy ACCEPT).
                    None if builtin(t, &name).is_some() => self.declare(t, &name, ln),
                    None => return Err(Unk::policy(format!("rule for undeclared chain `{name}`"))),
                };
                // `-A` alone (a fuzzer found it) has no rule part.
                let mut rest = args.get(2..).unwrap_or(&[]);
                let mut pos = None;
                if cmd.starts_with("-I") || cmd == "--insert" {
                    pos = Some(0);
                    if let Some(n) = rest.first().and_then(|n| n.parse::<usize>().ok()) {
                        pos = Some(n.saturating_sub(1));
                        rest = &rest[1..];
                    }
                }
                let (conds, verdict) = self.rule(t, rest)?;
                let r = NfRule {
                    conds,
                    verdict,
                    span: Span::new(self.file.clone(), ln),
                };
                let rules = &mut self.chains[ci].rules;
                match pos {
                    Some(p) => rules.insert(p.min(rules.len()), r),
                    None => rules.push(r),
                }
                Ok(())
            }
            "-N" | "--new-chain" => {
                let Some(name) = args.get(1).filter(|n| !n.is_empty()).cloned() else {
                    return Err(Unk::policy("-N without a chain name"));
                };
                self.declare(t, &name, ln);
                Ok(())
            }
            "-P" | "--policy" => {
                let name = args.get(1).cloned().unwrap_or_default();
                if builtin(t, &name).is_none() {
                    return Err(Unk::policy(format!(
                        "policy for non-built-in chain `{name}`"
                    )));
                }
                let ci = self.declare(t, &name, ln);
                self.chains[ci].policy = match args.get(2).map(String::as_str) {
                    Some("ACCEPT") => Action::Permit,
                    Some("DROP") => Action::Deny,
                    _ => return Err(Unk::policy("unknown policy")),
                };
                Ok(())
            }
            "-F" | "--flush" => {
                match args.get(1) {
                    Some(name) => {
                        let id = self.chain_id(t, name);
                        if let Some(ci) = self.find(&id) {
                            self.chains[ci].rules.clear();
                        }
                    }
                    None => {
                        let prefix = format!("{} ", t.name());
                        for c in &mut self.chains {
                            if c.id.starts_with(&prefix) {
                                c.rules.clear();
                            }
                        }
                    }
                }
                Ok(())
            }
            _ => Err(Unk::device(format!(
                "not an iptables-save line (`{}`)",
                cmd.chars().take(40).collect::<String>()
            ))),
        }
    }

    /// Matches and target of one rule.
    fn rule(&self, t: Table, args: &[String]) -> Result<(Vec<NfCond>, NfVerdict), Unk> {
        let mut conds = vec![];
        let mut verdict = None;
        let mut neg = false;
        let mut module = String::new();
        let mut i = 0;
        let val = |i: usize| -> Result<&str, Unk> {
            args.get(i + 1)
                .map(String::as_str)
                .ok_or_else(|| Unk::policy(format!("option `{}` without a value", args[i])))
        };
        let bad = |what: &str, v: &str| Unk::policy(format!("{what} `{v}` is not understood"));
        while i < args.len() {
            let a = args[i].as_str();
            if a == "!" {
                neg = true;
                i += 1;
                continue;
            }
            // Old syntax: `-s ! 10.0.0.1`.
            let mut v = args.get(i + 1).map(String::as_str).unwrap_or("");
            let mut skip = 2;
            if v == "!" {
                neg = true;
                v = args.get(i + 2).map(String::as_str).unwrap_or("");
                skip = 3;
            }
            let mut push = |m: NfMatch, neg: &mut bool| {
                conds.push(NfCond { neg: *neg, m });
                *neg = false;
            };
            match a {
                "-s" | "--source" | "--src" | "-d" | "--destination" | "--dst" => {
                    val(i)?;
                    let items = v
                        .split(',')
                        .map(|x| addr(x).ok_or_else(|| bad("address", x)))
                        .collect::<Result<Vec<_>, _>>()?;
                    let set = AddrSet { items };
                    push(
                        if a.starts_with("-s") || a.starts_with("--s") {
                            NfMatch::SrcIp(set)
                        } else {
                            NfMatch::DstIp(set)
                        },
                        &mut neg,
                    );
                }
                "-p" | "--protocol" => {
                    val(i)?;
                    if v == "all" || v == "0" {
                        if neg {
                            return Err(Unk::policy("`! -p all` never matches"));
                        }
                    } else {
                        let p = proto_num(v).ok_or_else(|| bad("protocol", v))?;
                        push(NfMatch::Proto(vec![p]), &mut neg);
                    }
                }
                "-i" | "--in-interface" | "-o" | "--out-interface" => {
                    val(i)?;
                    let n = vec![v.to_string()];
                    push(
                        if a == "-i" || a == "--in-interface" {
                            NfMatch::Iif(n)
                        } else {
                            NfMatch::Oif(n)
                        },
                        &mut neg,
                    );
                }
                "-m" | "--match" => {
                    val(i)?;
                    module = v.to_string();
                    match v {
                        "tcp" | "udp" | "sctp" | "icmp" | "multiport" | "state" | "conntrack"
                        | "mac" | "comment" | "iprange" => {}
                        "limit" | "hashlimit" | "connlimit" | "recent" | "quota" => {
                            return Err(Unk::policy(format!(
                                "-m {v}: rate/quota limits are not modelled"
                            )))
                        }
                        other => {
                            return Err(Unk::policy(format!(
                                "match module `{other}` is not modelled"
                            )))
                        }
                    }
                    skip = 2;
                }
                "--dport"
                | "--destination-port"
                | "--sport"
                | "--source-port"
                | "--dports"
                | "--destination-ports"
                | "--sports"
                | "--source-ports" => {
                    val(i)?;
                    let ps = ports(v).ok_or_else(|| bad("port", v))?;
                    if (a == "--dport" || a == "--sport") && ps.len() != 1 {
                        return Err(bad("port", v));
                    }
                    push(
                        if a.starts_with("--d") {
                            NfMatch::DstPort(ps)
                        } else {
                            NfMatch::SrcPort(ps)
                        },
                        &mut neg,
                    );
                }
                "--ports" => {
                    return Err(Unk::policy(
                        "multiport --ports (source or destination) is not modelled",
                    ))
                }
                "--icmp-type" => {
                    val(i)?;
                    if v != "any" {
                        let (ty, code) = match v.split_once('/') {
                            Some((a, b)) => (
                                icmp_type_num(a).ok_or_else(|| bad("icmp type", v))?,
                                Some(icmp_code_num(b).ok_or_else(|| bad("icmp code", v))?),
                            ),
                            None => match icmp_type_num(v) {
                                Some(t) => (t, None),
                                // iptables names for destination-unreachable codes.
                                None => (
                                    3,
                                    Some(icmp_code_num(v).ok_or_else(|| bad("icmp type", v))?),
                                ),
                            },
                        };
                        if neg && code.is_some() {
                            return Err(Unk::policy("negated icmp type/code pair"));
                        }
                        push(NfMatch::IcmpType(vec![ty]), &mut neg);
                        if let Some(c) = code {
                            push(NfMatch::IcmpCode(vec![c]), &mut neg);
                        }
                    }
                }
                "--state" | "--ctstate" => {
                    val(i)?;
                    let s = v
                        .split(',')
                        .map(|x| ct_state(x).ok_or_else(|| bad("conntrack state", x)))
                        .collect::<Result<Vec<_>, _>>()?;
                    push(NfMatch::CtState(s), &mut neg);
                }
                "--mac-source" => {
                    val(i)?;
                    let m = crate::model::parse_mac(v).ok_or_else(|| bad("MAC", v))?;
                    push(NfMatch::SrcMac(vec![m]), &mut neg);
                }
                "--src-range" | "--dst-range" => {
                    val(i)?;
                    let (lo, hi) = v.split_once('-').ok_or_else(|| bad("range", v))?;
                    let (lo, hi): (Ipv4Addr, Ipv4Addr) = (
                        lo.parse().map_err(|_| bad("range", v))?,
                        hi.parse().map_err(|_| bad("range", v))?,
                    );
                    let set = AddrSet::one(IpMatch::Range { lo, hi });
                    push(
                        if a == "--src-range" {
                            NfMatch::SrcIp(set)
                        } else {
                            NfMatch::DstIp(set)
                        },
                        &mut neg,
                    );
                }
                "--comment" => {
                    val(i)?;
                }
                "-c" | "--set-counters" => skip = 3,
                "--syn" | "--tcp-flags" | "--tcp-option" => {
                    return Err(Unk::policy(format!(
                        "{a}: TCP flags cannot be expressed in the header model"
                    )))
                }
                "-f" | "--fragment" => return Err(Unk::policy("fragment match is not modelled")),
                "-j" | "--jump" | "-g" | "--goto" => {
                    val(i)?;
                    let (vd, used) =
                        self.target(t, a.starts_with("-g") || a == "--goto", v, &args[i + 2..])?;
                    verdict = Some(vd);
                    i += 2 + used;
                    if i < args.len() {
                        return Err(Unk::policy(format!(
                            "option `{}` after the target is not understood",
                            args[i]
                        )));
                    }
                    break;
                }
                other => {
                    return Err(Unk::policy(format!(
                        "option `{other}`{} is not modelled",
                        if module.is_empty() {
                            String::new()
                        } else {
                            format!(" (-m {module})")
                        }
                    )))
                }
            }
            i += skip;
        }
        if neg {
            return Err(Unk::policy("dangling `!`"));
        }
        Ok((conds, verdict.unwrap_or(NfVerdict::Continue)))
    }

    /// Target and its options; returns the verdict and how many option words it used.
    fn target(
        &self,
        t: Table,
        goto: bool,
        name: &str,
        opts: &[String],
    ) -> Result<(NfVerdict, usize), Unk> {
        let opt = |k: &str| -> Option<&str> {
            opts.iter()
                .position(|o| o == k)
                .and_then(|i| opts.get(i + 1))
                .map(String::as_str)
        };
        // Target options are `--name [value]` words up to the end of the rule.
        let used = opts.len();
        let flags_only = |allowed: &[&str]| -> Result<(), Unk> {
            let mut i = 0;
            while i < opts.len() {
                let o = opts[i].as_str();
                if allowed.contains(&o) {
                    i += 2;
                } else if matches!(o, "--random" | "--random-fully" | "--persistent") {
                    i += 1;
                } else {
                    return Err(Unk::policy(format!("{name} option `{o}` is not modelled")));
                }
            }
            Ok(())
        };
        if goto && builtin(t, name).is_none() {
            let id = self.chain_id(t, name);
            return match self.find(&id) {
                Some(_) => Ok((NfVerdict::Goto(id), 0)),
                None => Err(Unk::policy(format!("goto to undeclared chain `{name}`"))),
            };
        }
        let v = match name {
            "ACCEPT" => NfVerdict::Accept,
            "DROP" => NfVerdict::Drop,
            "RETURN" => NfVerdict::Return,
            "REJECT" => {
                flags_only(&["--reject-with"])?;
                NfVerdict::Reject
            }
            "LOG" | "NFLOG" | "ULOG" => NfVerdict::Continue,
            "MASQUERADE" => {
                flags_only(&[])?;
                NfVerdict::Masquerade
            }
            "SNAT" | "DNAT" => {
                let key = if name == "SNAT" {
                    "--to-source"
                } else {
                    "--to-destination"
                };
                flags_only(&[key])?;
                if opts.iter().filter(|o| *o == key).count() != 1 {
                    return Err(Unk::policy(format!("{name} needs exactly one {key}")));
                }
                let v = opt(key).unwrap_or("");
                let n = nat_to(v)
                    .ok_or_else(|| Unk::policy(format!("{key} `{v}` is not understood")))?;
                if name == "SNAT" {
                    NfVerdict::Snat(n)
                } else {
                    NfVerdict::Dnat(n)
                }
            }
            "REDIRECT" => {
                flags_only(&["--to-ports"])?;
                let p = match opt("--to-ports") {
                    None => None,
                    Some(p) => Some(port_range_dash(p).ok_or_else(|| {
                        Unk::policy(format!("--to-ports `{p}` is not understood"))
                    })?),
                };
                NfVerdict::Redirect(p)
            }
            other => {
                let id = self.chain_id(t, other);
                match self.find(&id) {
                    Some(_) if builtin(t, other).is_none() => {
                        if !opts.is_empty() {
                            return Err(Unk::policy("options after a jump target"));
                        }
                        NfVerdict::Jump(id)
                    }
                    _ => return Err(Unk::policy(format!("target `{other}` is not modelled"))),
                }
            }
        };
        Ok((v, used))
    }
}
