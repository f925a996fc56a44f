//! nftables parser: `nft list ruleset` text and `nft -j list ruleset` JSON.
//!
//! Both formats are read into one small statement AST ([`Stmt`]) and lowered by the same
//! code into [`crate::model::Netfilter`] chains, so the two cannot disagree. The parser
//! keeps chains, jumps and NAT as written; it decides nothing about compliance.
//!
//! A rule is emitted only if every one of its statements is understood exactly; otherwise
//! the rule is reported (file:line, reason, [`Scope::Policy`]) and left out, which makes
//! the graph treat the whole filter as unproven. Rules that can only match IPv6 packets
//! are left out with [`Scope::None`] (they cannot touch IPv4 traffic). Tables of the
//! `ip6` family are out of scope ([`Scope::None`]); `bridge`, `arp` and `netdev` tables
//! with content are reported with [`Scope::Device`] because they may change forwarding.

pub mod secrets;

use super::ParseError;
use crate::ingest::redact::FileRedaction;
use crate::model::{
    proto, Action, AddrSet, CtState, Device, Dialect, IpMatch, Mac, NatTo, Netfilter, NfChain,
    NfCond, NfHook, NfKind, NfMatch, NfRule, NfVerdict, PortRange, Scope, Span, Unrecognized,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// The `nftables` dialect ([`crate::ingest::REGISTRY`]).
pub struct Nftables;
pub const SYNTAX: Nftables = Nftables;
pub const DIALECT: Dialect = Dialect("nftables");

impl super::Syntax for Nftables {
    fn id(&self) -> &'static str {
        "nftables"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }
    fn marker(&self, l: &str) -> super::Marker {
        let decisive = l.starts_with("table inet ")
            || l.starts_with("table ip ")
            || l.starts_with("table bridge ")
            || l.starts_with("table netdev ")
            || l.starts_with("table arp ")
            || l.starts_with("table ip6 ")
            || l.starts_with("{\"nftables\"");
        if decisive {
            super::Marker::Decisive
        } else {
            super::Marker::None
        }
    }
    fn parse(&self, file: &str, text: &str) -> Result<Device, ParseError> {
        if text.trim_start().starts_with('{') {
            parse_json(file, text)
        } else {
            parse(file, text)
        }
    }
}

/// Parse `nft list ruleset` output (or an `nft -f` file).
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and return the number of understood lines: every line is either understood or
/// inside the line range of exactly one reported construct, so
/// `understood + lines covered by reports == device.lines`.
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    let toks = expand_defines(lex(text));
    let mut b = Builder::new(file);
    let mut p = TextParser { t: toks, i: 0 };
    p.top(&mut b);
    let lines: Vec<&str> = text.lines().collect();
    let (dev, covered) = b.finish(DIALECT, &lines);
    let total = lines.len() as u32;
    Ok((dev, total.saturating_sub(covered)))
}

/// Parse `nft -j list ruleset` output. Each reported object carries the line where the
/// object starts (the output of `nft -j` is one line; pretty-print it with `jq .` to get
/// useful line numbers) and its index in the `nftables` array in the reason.
pub fn parse_json(file: &str, text: &str) -> Result<Device, ParseError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ParseError {
        file: file.to_string(),
        line: e.line() as u32,
        message: format!("invalid nft JSON: {e}"),
    })?;
    let Some(items) = v.get("nftables").and_then(|x| x.as_array()) else {
        return Err(ParseError {
            file: file.to_string(),
            line: 1,
            message: "not `nft -j list ruleset` output: no top-level \"nftables\" array".into(),
        });
    };
    let starts = element_lines(text, 2);
    let mut b = Builder::new(file);
    for (idx, item) in items.iter().enumerate() {
        let line = starts.get(idx).copied().unwrap_or(1);
        json_item(&mut b, idx, line, item);
    }
    let lines: Vec<&str> = text.lines().collect();
    let (dev, _) = b.finish(DIALECT, &lines);
    Ok(dev)
}

/// 1-based line of every value that starts at nesting `depth` (1 = inside the top-level
/// array or object). Strings are skipped, so brackets inside them do not count.
pub(crate) fn element_lines(text: &str, depth: usize) -> Vec<u32> {
    let mut out = Vec::new();
    let (mut d, mut line, mut in_str, mut esc) = (0usize, 1u32, false, false);
    let mut expect_value = false;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_str {
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '{' | '[' => {
                if d == depth && expect_value {
                    out.push(line);
                    expect_value = false;
                }
                d += 1;
                if d == depth {
                    expect_value = true;
                }
            }
            '}' | ']' => d = d.saturating_sub(1),
            ',' if d == depth => expect_value = true,
            '"' => {
                if d == depth && expect_value {
                    out.push(line);
                    expect_value = false;
                }
                in_str = true;
            }
            c if d == depth && expect_value && !c.is_whitespace() && c != ':' => {
                out.push(line);
                expect_value = false;
            }
            _ => {}
        }
    }
    out
}

// ------------------------------------------------------------------------ vocabulary

/// IP protocol number from an nft / iptables / `/etc/protocols` name or a number.
pub(crate) fn proto_num(s: &str) -> Option<u8> {
    if let Ok(n) = s.parse::<u8>() {
        return Some(n);
    }
    Some(match s.to_ascii_lowercase().as_str() {
        "icmp" => proto::ICMP,
        "igmp" => 2,
        "ipip" | "ipencap" | "ip-in-ip" => 4,
        "tcp" => proto::TCP,
        "egp" => 8,
        "udp" => proto::UDP,
        "dccp" => 33,
        "ipv6" => 41,
        "rsvp" => 46,
        "gre" => 47,
        "esp" => 50,
        "ah" => 51,
        "ipv6-icmp" | "icmpv6" | "icmp6" => 58,
        "eigrp" => 88,
        "ospf" | "ospfigp" => 89,
        "pim" => 103,
        "vrrp" => 112,
        "l2tp" => 115,
        "sctp" => proto::SCTP,
        "udplite" => 136,
        _ => return None,
    })
}

/// Port from a number or a common service name (nft prints names only when asked to).
pub(crate) fn port_num(s: &str) -> Option<u16> {
    if let Ok(n) = s.parse::<u16>() {
        return Some(n);
    }
    Some(match s {
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        "tftp" => 69,
        "http" | "www" => 80,
        "kerberos" => 88,
        "pop3" => 110,
        "sunrpc" => 111,
        "ident" | "auth" => 113,
        "ntp" => 123,
        "netbios-ns" => 137,
        "netbios-dgm" => 138,
        "netbios-ssn" => 139,
        "imap" | "imap2" => 143,
        "snmp" => 161,
        "snmp-trap" => 162,
        "bgp" => 179,
        "ldap" => 389,
        "https" => 443,
        "microsoft-ds" => 445,
        "isakmp" => 500,
        "syslog" => 514,
        "submission" => 587,
        "ldaps" => 636,
        "imaps" => 993,
        "pop3s" => 995,
        "openvpn" => 1194,
        "ms-sql-s" => 1433,
        "l2tp" => 1701,
        "pptp" => 1723,
        "radius" => 1812,
        "radius-acct" => 1813,
        "nfs" => 2049,
        "mysql" => 3306,
        "ms-wbt-server" | "rdp" => 3389,
        "ipsec-nat-t" => 4500,
        "sip" => 5060,
        "postgresql" => 5432,
        "http-alt" | "webcache" => 8080,
        _ => return None,
    })
}

/// ICMP type from an nft / iptables name or a number.
pub(crate) fn icmp_type_num(s: &str) -> Option<u8> {
    if let Ok(n) = s.parse::<u8>() {
        return Some(n);
    }
    Some(match s.to_ascii_lowercase().as_str() {
        "echo-reply" | "pong" => 0,
        "destination-unreachable" => 3,
        "source-quench" => 4,
        "redirect" => 5,
        "echo-request" | "ping" => 8,
        "router-advertisement" => 9,
        "router-solicitation" => 10,
        "time-exceeded" | "ttl-exceeded" => 11,
        "parameter-problem" => 12,
        "timestamp-request" => 13,
        "timestamp-reply" => 14,
        "info-request" => 15,
        "info-reply" => 16,
        "address-mask-request" => 17,
        "address-mask-reply" => 18,
        _ => return None,
    })
}

/// ICMP code (destination-unreachable codes by name) or a number.
pub(crate) fn icmp_code_num(s: &str) -> Option<u8> {
    if let Ok(n) = s.parse::<u8>() {
        return Some(n);
    }
    Some(match s.to_ascii_lowercase().as_str() {
        "net-unreachable" | "network-unreachable" => 0,
        "host-unreachable" => 1,
        "prot-unreachable" | "protocol-unreachable" => 2,
        "port-unreachable" => 3,
        "frag-needed" | "fragmentation-needed" => 4,
        "net-prohibited" | "network-prohibited" => 9,
        "host-prohibited" => 10,
        "admin-prohibited" | "communication-prohibited" => 13,
        _ => return None,
    })
}

pub(crate) fn ct_state(s: &str) -> Option<CtState> {
    Some(match s.to_ascii_lowercase().as_str() {
        "new" => CtState::New,
        "established" => CtState::Established,
        "related" => CtState::Related,
        "invalid" => CtState::Invalid,
        "untracked" => CtState::Untracked,
        _ => return None,
    })
}

/// `A`, `A/len`, `A-B` (IPv4 only).
pub(crate) fn ip_atom(s: &str) -> Option<IpMatch> {
    if let Some((a, l)) = s.split_once('/') {
        let a: Ipv4Addr = a.parse().ok()?;
        let l: u8 = l.parse().ok()?;
        if l > 32 {
            return None;
        }
        // A dotted mask (iptables `-s 10.0.0.0/255.0.0.0` is normalised by the tool, but
        // hand-written files have it) is not accepted here: callers convert it first.
        return Some(IpMatch::prefix(a, l));
    }
    if let Some((a, b)) = s.split_once('-') {
        let lo: Ipv4Addr = a.parse().ok()?;
        let hi: Ipv4Addr = b.parse().ok()?;
        if lo > hi {
            return None;
        }
        return Some(IpMatch::Range { lo, hi });
    }
    s.parse::<Ipv4Addr>().ok().map(IpMatch::host)
}

fn range_of<T: Copy + PartialOrd>(s: &str, one: impl Fn(&str) -> Option<T>) -> Option<(T, T)> {
    if let Some(v) = one(s) {
        return Some((v, v));
    }
    let (a, b) = s.split_once('-')?;
    let (lo, hi) = (one(a)?, one(b)?);
    (lo <= hi).then_some((lo, hi))
}

// ------------------------------------------------------------------------ AST

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Clone, Debug)]
enum Verd {
    Accept,
    Drop,
    /// `reject`; `Some(p)`: `reject with tcp reset` only applies to protocol `p`;
    /// `v6` = the reject only applies to IPv6 packets (`with icmpv6`).
    Reject {
        tcp_only: bool,
        v6: bool,
    },
    Continue,
    Return,
    /// Full chain id.
    Jump(String),
    Goto(String),
}

#[derive(Clone, Debug)]
enum Data {
    Verdict(Verd),
    Other,
}

#[derive(Clone, Debug)]
struct Elem {
    key: Vec<String>,
    data: Option<Data>,
}

#[derive(Clone, Debug)]
enum Val {
    Elems(Vec<Elem>),
    Named(String),
}

#[derive(Clone, Debug)]
enum Stmt {
    Match {
        key: Vec<String>,
        op: Op,
        val: Val,
    },
    Vmap {
        key: Vec<String>,
        val: Val,
    },
    Verdict(Verd),
    /// NAT already lowered; `None` = applies to IPv6 only.
    Nat(Option<NfVerdict>),
    Noop,
}

/// A construct that is not understood: why, and what it may influence.
#[derive(Clone, Debug)]
struct Unk {
    reason: String,
    scope: Scope,
}

fn unk(reason: impl Into<String>) -> Unk {
    Unk {
        reason: reason.into(),
        scope: Scope::Policy,
    }
}

fn v6only(reason: impl Into<String>) -> Unk {
    Unk {
        reason: reason.into(),
        scope: Scope::None,
    }
}

// ------------------------------------------------------------------------ builder

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Ip,
    Ip6,
    Inet,
    Arp,
    Bridge,
    Netdev,
}

impl Family {
    fn parse(s: &str) -> Option<Family> {
        Some(match s {
            "ip" => Family::Ip,
            "ip6" => Family::Ip6,
            "inet" => Family::Inet,
            "arp" => Family::Arp,
            "bridge" => Family::Bridge,
            "netdev" => Family::Netdev,
            _ => return None,
        })
    }
    fn id(self) -> &'static str {
        match self {
            Family::Ip => "ip",
            Family::Ip6 => "ip6",
            Family::Inet => "inet",
            Family::Arp => "arp",
            Family::Bridge => "bridge",
            Family::Netdev => "netdev",
        }
    }
}

#[derive(Clone, Debug, Default)]
struct SetDecl {
    elems: Vec<Elem>,
    /// Updated from the packet path (`flags dynamic`, `timeout`): contents not fixed.
    dynamic: bool,
}

struct Table {
    family: Family,
    name: String,
    /// Every (start, end) line range of its blocks.
    ranges: Vec<(u32, u32)>,
    sets: BTreeMap<String, SetDecl>,
    chains: Vec<NfChain>,
    /// Reports from inside the table: (start, end, reason, scope).
    unrec: Vec<(u32, u32, String, Scope)>,
    /// Anything that can act on packets (rules or a drop policy).
    active: bool,
}

struct Builder {
    file: String,
    tables: Vec<Table>,
    /// Reports outside tables.
    unrec: Vec<(u32, u32, String, Scope)>,
}

impl Builder {
    fn new(file: &str) -> Self {
        Builder {
            file: file.to_string(),
            tables: vec![],
            unrec: vec![],
        }
    }

    fn table(&mut self, family: Family, name: &str) -> usize {
        if let Some(i) = self
            .tables
            .iter()
            .position(|t| t.family == family && t.name == name)
        {
            return i;
        }
        self.tables.push(Table {
            family,
            name: name.to_string(),
            ranges: vec![],
            sets: BTreeMap::new(),
            chains: vec![],
            unrec: vec![],
            active: false,
        });
        self.tables.len() - 1
    }

    fn chain_id(t: &Table, name: &str) -> String {
        format!("{} {} {}", t.family.id(), t.name, name)
    }

    /// Index of chain `name` in table `ti`, created as a user chain if new.
    fn chain(&mut self, ti: usize, name: &str, line: u32) -> usize {
        let t = &mut self.tables[ti];
        let id = Self::chain_id(t, name);
        if let Some(i) = t.chains.iter().position(|c| c.id == id) {
            return i;
        }
        t.chains.push(NfChain {
            id,
            base: None,
            policy: Action::Permit,
            rules: vec![],
            span: Span::new(self.file.clone(), line),
        });
        t.chains.len() - 1
    }

    fn report(&mut self, ti: Option<usize>, start: u32, end: u32, u: Unk) {
        let e = (start, end.max(start), u.reason, u.scope);
        match ti {
            Some(ti) => self.tables[ti].unrec.push(e),
            None => self.unrec.push(e),
        }
    }

    /// Lower and append one rule (or report it).
    fn add_rule(
        &mut self,
        ti: usize,
        ci: usize,
        start: u32,
        end: u32,
        stmts: Result<Vec<Stmt>, Unk>,
    ) {
        self.tables[ti].active = true;
        let lowered = stmts.and_then(|s| lower_rule(&self.tables[ti], s));
        match lowered {
            Ok(rules) => {
                let span = Span::new(self.file.clone(), start);
                for (conds, verdict) in rules {
                    self.tables[ti].chains[ci].rules.push(NfRule {
                        conds,
                        verdict,
                        span: span.clone(),
                    });
                }
            }
            Err(u) => self.report(Some(ti), start, end, u),
        }
    }

    /// Build the device; returns it with the number of lines covered by reports.
    fn finish(self, dialect: Dialect, lines: &[&str]) -> (Device, u32) {
        let mut dev = Device::new(super::stem(&self.file), &self.file, dialect);
        dev.stateful = true;
        dev.lines = lines.len() as u32;
        let mut nf = Netfilter {
            ip_forward: true,
            chains: vec![],
        };
        let mut reports = self.unrec;
        let red = FileRedaction::new(lines.iter().copied());
        for t in self.tables {
            match t.family {
                Family::Ip | Family::Inet => {
                    nf.chains.extend(t.chains);
                    reports.extend(t.unrec);
                }
                Family::Ip6 => {
                    for &(s, e) in &t.ranges {
                        reports.push((
                            s,
                            e,
                            format!("table ip6 {}: IPv6 is out of scope", t.name),
                            Scope::None,
                        ));
                    }
                }
                Family::Arp | Family::Bridge | Family::Netdev => {
                    if t.active {
                        for &(s, e) in &t.ranges {
                            reports.push((
                                s,
                                e,
                                format!(
                                    "table {} {}: {} family rules may change forwarding and are not modelled",
                                    t.family.id(),
                                    t.name,
                                    t.family.id()
                                ),
                                Scope::Device,
                            ));
                        }
                    }
                }
            }
        }
        reports.sort_by_key(|a| (a.0, a.1));
        // Lines covered by reports (nested reports inside a reported table count once).
        let mut covered = 0u32;
        let mut upto = 0u32;
        for (s, e, reason, scope) in reports {
            let (s, e) = (s.max(1), e.max(s.max(1)));
            if e > upto {
                covered += e - s.max(upto + 1) + 1;
                upto = e;
            }
            let text = lines
                .get((s as usize).saturating_sub(1))
                .map(|l| l.trim())
                .unwrap_or("");
            dev.unrecognized.push(Unrecognized {
                file: None,
                line: s,
                text: truncate(&red.line(s, text), 200),
                reason,
                scope,
            });
        }
        dev.netfilter = Some(nf);
        let covered = covered.min(dev.lines);
        (dev, covered)
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

// ------------------------------------------------------------------------ lowering

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum K {
    SrcIp,
    DstIp,
    Proto,
    SrcPort(Option<u8>),
    DstPort(Option<u8>),
    IcmpType,
    IcmpCode,
    Iif,
    Oif,
    SrcMac,
    DstMac,
    Vlan,
    Ct,
    NfProto,
    EtherType,
    /// Selector of an IPv6 header: the rule cannot match IPv4.
    V6,
}

fn key_kind(sel: &str) -> Result<K, Unk> {
    let mut w = sel.split(' ');
    let (a, b) = (w.next().unwrap_or(""), w.next().unwrap_or(""));
    let l4 = |p: &str| match p {
        "tcp" => Some(Some(proto::TCP)),
        "udp" => Some(Some(proto::UDP)),
        "sctp" => Some(Some(proto::SCTP)),
        "udplite" => Some(Some(136)),
        "dccp" => Some(Some(33)),
        "th" => Some(None),
        _ => None,
    };
    Ok(match (a, b) {
        ("ip", "saddr") => K::SrcIp,
        ("ip", "daddr") => K::DstIp,
        ("ip", "protocol") | ("meta", "l4proto") => K::Proto,
        (p, "sport") if l4(p).is_some() => K::SrcPort(l4(p).flatten()),
        (p, "dport") if l4(p).is_some() => K::DstPort(l4(p).flatten()),
        ("icmp", "type") => K::IcmpType,
        ("icmp", "code") => K::IcmpCode,
        ("meta", "iifname") | ("meta", "iif") => K::Iif,
        ("meta", "oifname") | ("meta", "oif") => K::Oif,
        ("ether", "saddr") => K::SrcMac,
        ("ether", "daddr") => K::DstMac,
        ("vlan", "id") => K::Vlan,
        ("ct", "state") => K::Ct,
        ("meta", "nfproto") => K::NfProto,
        ("meta", "protocol") | ("ether", "type") => K::EtherType,
        ("ip6", _) | ("icmpv6", _) => K::V6,
        _ => return Err(unk(format!("match on `{sel}` is not modelled"))),
    })
}

/// Result of lowering one condition.
enum Low {
    Conds(Vec<NfCond>),
    /// Always true for IPv4 packets (`meta nfproto ipv4`).
    Always,
    /// Never true for IPv4 packets (an IPv6 selector).
    Never,
}

fn cond(neg: bool, m: NfMatch) -> NfCond {
    NfCond { neg, m }
}

fn bad(k: K, v: &str) -> Unk {
    unk(format!("value `{v}` is not understood for {k:?}"))
}

/// Values of a numeric key with a relational operator, as inclusive ranges.
fn num_ranges<T>(
    k: K,
    op: Op,
    atoms: &[&str],
    one: impl Fn(&str) -> Option<T> + Copy,
    max: u32,
) -> Result<Vec<(u32, u32)>, Unk>
where
    T: Copy + PartialOrd + Into<u32>,
{
    let mut out = vec![];
    for a in atoms {
        let (lo, hi) = range_of(a, one).ok_or_else(|| bad(k, a))?;
        let (lo, hi): (u32, u32) = (lo.into(), hi.into());
        let r = match op {
            Op::Eq | Op::Ne => (lo, hi),
            _ if atoms.len() != 1 || lo != hi => {
                return Err(unk("relational operator on a set or range"))
            }
            Op::Lt if lo > 0 => (0, lo - 1),
            Op::Le => (0, lo),
            Op::Gt if lo < max => (lo + 1, max),
            Op::Ge => (lo, max),
            _ => return Err(unk("empty relational range")),
        };
        out.push(r);
    }
    Ok(out)
}

fn lower_one(k: K, op: Op, atoms: &[&str]) -> Result<Low, Unk> {
    let neg = op == Op::Ne;
    let eq_only = |k: K| -> Result<(), Unk> {
        if matches!(op, Op::Eq | Op::Ne) {
            Ok(())
        } else {
            Err(unk(format!("relational operator on {k:?}")))
        }
    };
    Ok(match k {
        K::V6 => Low::Never,
        K::SrcIp | K::DstIp => {
            eq_only(k)?;
            let items = atoms
                .iter()
                .map(|a| ip_atom(a).ok_or_else(|| bad(k, a)))
                .collect::<Result<Vec<_>, _>>()?;
            let set = AddrSet { items };
            let m = if k == K::SrcIp {
                NfMatch::SrcIp(set)
            } else {
                NfMatch::DstIp(set)
            };
            Low::Conds(vec![cond(neg, m)])
        }
        K::Proto => {
            let rs = num_ranges(k, op, atoms, proto_num, 255)?;
            let ps: Vec<u8> = rs
                .iter()
                .flat_map(|&(a, b)| a..=b)
                .map(|p| p as u8)
                .collect();
            Low::Conds(vec![cond(neg, NfMatch::Proto(ps))])
        }
        K::SrcPort(p) | K::DstPort(p) => {
            let rs = num_ranges(k, op, atoms, port_num, 65535)?;
            let prs: Vec<PortRange> = rs
                .iter()
                .map(|&(a, b)| PortRange {
                    lo: a as u16,
                    hi: b as u16,
                })
                .collect();
            let m = if matches!(k, K::SrcPort(_)) {
                NfMatch::SrcPort(prs)
            } else {
                NfMatch::DstPort(prs)
            };
            let mut v = vec![];
            if let Some(p) = p {
                // `tcp dport != 22` still requires TCP (payload dependency).
                v.push(cond(false, NfMatch::Proto(vec![p])));
            }
            v.push(cond(neg, m));
            Low::Conds(v)
        }
        K::IcmpType | K::IcmpCode => {
            let f = if k == K::IcmpType {
                icmp_type_num
            } else {
                icmp_code_num
            };
            let rs = num_ranges(k, op, atoms, f, 255)?;
            let vs: Vec<u8> = rs
                .iter()
                .flat_map(|&(a, b)| a..=b)
                .map(|p| p as u8)
                .collect();
            let m = if k == K::IcmpType {
                NfMatch::IcmpType(vs)
            } else {
                NfMatch::IcmpCode(vs)
            };
            Low::Conds(vec![
                cond(false, NfMatch::Proto(vec![proto::ICMP])),
                cond(neg, m),
            ])
        }
        K::Iif | K::Oif => {
            eq_only(k)?;
            let names: Vec<String> = atoms.iter().map(|s| s.to_string()).collect();
            if names
                .iter()
                .any(|n| n.is_empty() || n.strip_suffix('*').unwrap_or(n).contains('*'))
            {
                return Err(unk("interface wildcard other than a trailing `*`"));
            }
            let m = if k == K::Iif {
                NfMatch::Iif(names)
            } else {
                NfMatch::Oif(names)
            };
            Low::Conds(vec![cond(neg, m)])
        }
        K::SrcMac | K::DstMac => {
            eq_only(k)?;
            let macs = atoms
                .iter()
                .map(|a| mac(a).ok_or_else(|| bad(k, a)))
                .collect::<Result<Vec<Mac>, _>>()?;
            let m = if k == K::SrcMac {
                NfMatch::SrcMac(macs)
            } else {
                NfMatch::DstMac(macs)
            };
            Low::Conds(vec![cond(neg, m)])
        }
        K::Vlan => {
            let rs = num_ranges(k, op, atoms, |s: &str| s.parse::<u16>().ok(), 4095)?;
            let v: Vec<(u16, u16)> = rs.iter().map(|&(a, b)| (a as u16, b as u16)).collect();
            Low::Conds(vec![cond(neg, NfMatch::Vlan(v))])
        }
        K::Ct => {
            eq_only(k)?;
            let mut v = vec![];
            for a in atoms {
                v.push(ct_state(a).ok_or_else(|| bad(k, a))?);
            }
            Low::Conds(vec![cond(neg, NfMatch::CtState(v))])
        }
        K::NfProto | K::EtherType => {
            eq_only(k)?;
            let mut v4 = false;
            for a in atoms {
                match a.to_ascii_lowercase().as_str() {
                    "ipv4" | "ip" | "0x0800" | "2048" => v4 = true,
                    "ipv6" | "ip6" | "0x86dd" | "arp" | "vlan" | "8021q" | "0x8100" => {}
                    _ => return Err(bad(k, a)),
                }
            }
            if v4 != neg {
                Low::Always
            } else {
                Low::Never
            }
        }
    })
}

fn mac(s: &str) -> Option<Mac> {
    if s.split(':').count() != 6 {
        return None;
    }
    crate::model::parse_mac(s)
}

/// Alternatives of one statement: each is a condition list (or never-matching) and,
/// for vmaps, its own verdict.
type Alt = (Option<Vec<NfCond>>, Option<Verd>);

fn elems_of<'a>(t: &'a Table, val: &'a Val) -> Result<&'a [Elem], Unk> {
    match val {
        Val::Elems(e) => Ok(e),
        Val::Named(n) => {
            let s = t
                .sets
                .get(n)
                .ok_or_else(|| unk(format!("set or map `@{n}` is not declared in this table")))?;
            if s.dynamic {
                return Err(unk(format!(
                    "set `@{n}` is updated from the packet path (dynamic/timeout): its contents are not fixed"
                )));
            }
            Ok(&s.elems)
        }
    }
}

fn lower_match(t: &Table, key: &[String], op: Op, val: &Val) -> Result<Vec<Alt>, Unk> {
    let kinds = key
        .iter()
        .map(|k| key_kind(k))
        .collect::<Result<Vec<_>, _>>()?;
    let elems = elems_of(t, val)?;
    if kinds.len() == 1 {
        let atoms: Vec<&str> = elems
            .iter()
            .map(|e| match e.key.as_slice() {
                [a] => Ok(a.as_str()),
                _ => Err(unk("set element arity does not match the selector")),
            })
            .collect::<Result<_, _>>()?;
        return Ok(vec![(
            match lower_one(kinds[0], op, &atoms)? {
                Low::Conds(c) => Some(c),
                Low::Always => Some(vec![]),
                Low::Never => None,
            },
            None,
        )]);
    }
    if op != Op::Eq {
        return Err(unk("negated or relational concatenation"));
    }
    // Concatenation: one alternative per element (nft refuses overlapping elements).
    let mut alts = vec![];
    for e in elems {
        alts.push((concat_conds(&kinds, e)?, None));
    }
    Ok(alts)
}

fn concat_conds(kinds: &[K], e: &Elem) -> Result<Option<Vec<NfCond>>, Unk> {
    if e.key.len() != kinds.len() {
        return Err(unk("set element arity does not match the selector"));
    }
    let mut conds = vec![];
    for (k, a) in kinds.iter().zip(&e.key) {
        match lower_one(*k, Op::Eq, &[a.as_str()])? {
            Low::Conds(c) => conds.extend(c),
            Low::Always => {}
            Low::Never => return Ok(None),
        }
    }
    Ok(Some(conds))
}

fn lower_vmap(t: &Table, key: &[String], val: &Val) -> Result<Vec<Alt>, Unk> {
    let kinds = key
        .iter()
        .map(|k| key_kind(k))
        .collect::<Result<Vec<_>, _>>()?;
    let mut alts = vec![];
    for e in elems_of(t, val)? {
        let Some(Data::Verdict(v)) = &e.data else {
            return Err(unk("verdict map element without a verdict"));
        };
        let conds = if kinds.len() == 1 {
            let [a] = e.key.as_slice() else {
                return Err(unk("map element arity does not match the selector"));
            };
            match lower_one(kinds[0], Op::Eq, &[a.as_str()])? {
                Low::Conds(c) => Some(c),
                Low::Always => Some(vec![]),
                Low::Never => None,
            }
        } else {
            concat_conds(&kinds, e)?
        };
        alts.push((conds, Some(v.clone())));
    }
    Ok(alts)
}

const MAX_EXPANSION: usize = 4096;

fn lower_rule(t: &Table, stmts: Vec<Stmt>) -> Result<Vec<(Vec<NfCond>, NfVerdict)>, Unk> {
    // Each partial rule: conditions so far (None = can no longer match IPv4), verdict.
    let mut parts: Vec<(Option<Vec<NfCond>>, Option<NfVerdict>)> = vec![(Some(vec![]), None)];
    let mut v6_reason = None;
    for s in stmts {
        let alts: Vec<Alt> = match s {
            Stmt::Noop => continue,
            Stmt::Match { key, op, val } => {
                if key.iter().any(|k| key_kind(k).ok() == Some(K::V6)) {
                    v6_reason = Some(format!("IPv6-only match `{}`", key.join(" . ")));
                }
                let alts = lower_match(t, &key, op, &val)?;
                if alts.iter().all(|a| a.0.is_none()) && v6_reason.is_none() {
                    v6_reason = Some(format!("`{}` never matches IPv4 packets", key.join(" . ")));
                }
                alts
            }
            Stmt::Vmap { key, val } => lower_vmap(t, &key, &val)?,
            Stmt::Verdict(v) => {
                // `reject with icmpv6` only applies to IPv6 packets; `with tcp reset`
                // only to TCP (both are implicit dependencies in nft).
                let c = match &v {
                    Verd::Reject { v6: true, .. } => {
                        v6_reason = Some("reject with icmpv6".into());
                        None
                    }
                    Verd::Reject { tcp_only: true, .. } => {
                        Some(vec![cond(false, NfMatch::Proto(vec![proto::TCP]))])
                    }
                    _ => Some(vec![]),
                };
                vec![(c, Some(v))]
            }
            Stmt::Nat(None) => {
                v6_reason = Some("IPv6 NAT".into());
                vec![(None, None)]
            }
            Stmt::Nat(Some(v)) => {
                for p in &mut parts {
                    if p.1.is_some() {
                        return Err(unk("statement after the verdict"));
                    }
                    p.1 = Some(v.clone());
                }
                continue;
            }
        };
        let mut next = vec![];
        for (pc, pv) in &parts {
            for (ac, av) in &alts {
                let c = match (pc, ac) {
                    (Some(a), Some(b)) => {
                        let mut c = a.clone();
                        c.extend(b.iter().cloned());
                        Some(c)
                    }
                    _ => None,
                };
                let v = match (pv, av) {
                    (Some(_), Some(_)) => return Err(unk("two verdicts in one rule")),
                    (Some(v), None) => Some(v.clone()),
                    (None, Some(v)) => Some(lower_verdict(&resolve(t, v))),
                    (None, None) => None,
                };
                next.push((c, v));
            }
        }
        if next.len() > MAX_EXPANSION {
            return Err(unk(format!(
                "rule expands into more than {MAX_EXPANSION} rules"
            )));
        }
        parts = next;
    }
    let out: Vec<(Vec<NfCond>, NfVerdict)> = parts
        .into_iter()
        .filter_map(|(c, v)| {
            c.map(|c| {
                // `tcp sport 1 tcp dport 2` implies `Proto([6])` twice: keep one.
                let mut u: Vec<NfCond> = vec![];
                for x in c {
                    if !u.contains(&x) {
                        u.push(x);
                    }
                }
                (u, v.unwrap_or(NfVerdict::Continue))
            })
        })
        .collect();
    if out.is_empty() && v6_reason.is_none() {
        // Only an empty concatenated set can get here: the rule never matches.
        return Ok(out);
    }
    if out.is_empty() {
        return Err(v6only(
            v6_reason.unwrap_or_else(|| "rule cannot match IPv4 packets".into())
                + " (ignored: IPv6 is out of scope)",
        ));
    }
    Ok(out)
}

/// Jump targets written as bare chain names (text-format maps) get the table's prefix.
fn resolve(t: &Table, v: &Verd) -> Verd {
    let full = |n: &String| {
        if n.contains(' ') {
            n.clone()
        } else {
            Builder::chain_id(t, n)
        }
    };
    match v {
        Verd::Jump(n) => Verd::Jump(full(n)),
        Verd::Goto(n) => Verd::Goto(full(n)),
        other => other.clone(),
    }
}

fn lower_verdict(v: &Verd) -> NfVerdict {
    match v {
        Verd::Accept => NfVerdict::Accept,
        Verd::Drop => NfVerdict::Drop,
        Verd::Reject { .. } => NfVerdict::Reject,
        Verd::Continue => NfVerdict::Continue,
        Verd::Return => NfVerdict::Return,
        Verd::Jump(t) => NfVerdict::Jump(t.clone()),
        Verd::Goto(t) => NfVerdict::Goto(t.clone()),
    }
}

/// NAT target `A`, `A-B`, `A/len`, each optionally `:P` / `:P-Q`, or `:P` alone.
fn nat_target(s: &str) -> Result<NatTo, Unk> {
    let bad = || unk(format!("NAT target `{s}` is not understood"));
    let (a, p) = match s.rsplit_once(':') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let addr = if a.is_empty() {
        None
    } else {
        Some(match ip_atom(a).ok_or_else(bad)? {
            IpMatch::Range { lo, hi } => (lo, hi),
            IpMatch::Wildcard { addr, wildcard } => {
                (addr, Ipv4Addr::from(u32::from(addr) | u32::from(wildcard)))
            }
            IpMatch::Any => return Err(bad()),
        })
    };
    let port = match p {
        None => None,
        Some(p) => {
            let (lo, hi) = range_of(p, port_num).ok_or_else(bad)?;
            Some(PortRange { lo, hi })
        }
    };
    if addr.is_none() && port.is_none() {
        return Err(bad());
    }
    Ok(NatTo { addr, port })
}

// ------------------------------------------------------------------------ text lexer

#[derive(Clone, Debug, PartialEq)]
enum Tk {
    W(String),
    S(String),
    Open,
    Close,
    Semi,
    Comma,
    Nl,
}

#[derive(Clone, Debug)]
struct Tok {
    k: Tk,
    line: u32,
}

fn lex(text: &str) -> Vec<Tok> {
    let mut out = vec![];
    let mut line = 1u32;
    let cs: Vec<char> = text.chars().collect();
    let mut i = 0;
    let push = |out: &mut Vec<Tok>, k: Tk, line: u32| out.push(Tok { k, line });
    while i < cs.len() {
        let c = cs[i];
        match c {
            '\n' => {
                push(&mut out, Tk::Nl, line);
                line += 1;
                i += 1;
            }
            '\\' if cs.get(i + 1) == Some(&'\n') => {
                line += 1;
                i += 2;
            }
            c if c.is_whitespace() => i += 1,
            '#' => {
                while i < cs.len() && cs[i] != '\n' {
                    i += 1;
                }
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < cs.len() && cs[i] != '"' && cs[i] != '\n' {
                    if cs[i] == '\\' && i + 1 < cs.len() && cs[i + 1] == '"' {
                        i += 1;
                    }
                    s.push(cs[i]);
                    i += 1;
                }
                if i < cs.len() && cs[i] == '"' {
                    i += 1;
                }
                push(&mut out, Tk::S(s), line);
            }
            '{' => {
                push(&mut out, Tk::Open, line);
                i += 1;
            }
            '}' => {
                push(&mut out, Tk::Close, line);
                i += 1;
            }
            ';' => {
                push(&mut out, Tk::Semi, line);
                i += 1;
            }
            ',' => {
                push(&mut out, Tk::Comma, line);
                i += 1;
            }
            _ => {
                let mut s = String::new();
                while i < cs.len() {
                    let c = cs[i];
                    if c.is_whitespace() || matches!(c, '{' | '}' | ';' | ',' | '"' | '#') {
                        break;
                    }
                    s.push(c);
                    i += 1;
                }
                push(&mut out, Tk::W(s), line);
            }
        }
    }
    out
}

/// Apply `define` / `redefine` / `undefine` and substitute `$name` (values may be
/// multi-line sets). Unknown variables stay as `$name` and are reported where used.
fn expand_defines(toks: Vec<Tok>) -> Vec<Tok> {
    let mut vars: BTreeMap<String, Vec<Tk>> = BTreeMap::new();
    let mut out: Vec<Tok> = vec![];
    let mut i = 0;
    let at_start = |out: &Vec<Tok>| {
        matches!(
            out.last().map(|t| &t.k),
            None | Some(Tk::Nl) | Some(Tk::Semi) | Some(Tk::Open) | Some(Tk::Close)
        )
    };
    while i < toks.len() {
        let t = &toks[i];
        if let Tk::W(w) = &t.k {
            if (w == "define" || w == "redefine") && at_start(&out) {
                let mut j = i + 1;
                let mut name = match toks.get(j).map(|t| &t.k) {
                    Some(Tk::W(n)) => n.clone(),
                    _ => String::new(),
                };
                j += 1;
                let mut value: Vec<Tk> = vec![];
                if let Some((n, rest)) = name.clone().split_once('=') {
                    name = n.to_string();
                    if !rest.is_empty() {
                        value.push(Tk::W(rest.to_string()));
                    }
                } else if matches!(toks.get(j).map(|t| &t.k), Some(Tk::W(e)) if e == "=") {
                    j += 1;
                }
                let mut depth = 0i32;
                while j < toks.len() {
                    match &toks[j].k {
                        Tk::Nl | Tk::Semi if depth <= 0 => break,
                        Tk::Nl => {}
                        Tk::Open => {
                            depth += 1;
                            value.push(Tk::Open);
                        }
                        Tk::Close => {
                            depth -= 1;
                            value.push(Tk::Close);
                        }
                        Tk::W(v) if v.starts_with('$') => match vars.get(&v[1..]) {
                            Some(x) => value.extend(x.iter().cloned()),
                            None => value.push(Tk::W(v.clone())),
                        },
                        k => value.push(k.clone()),
                    }
                    j += 1;
                }
                if !name.is_empty() {
                    vars.insert(name, value);
                }
                i = j;
                continue;
            }
            if w == "undefine" && at_start(&out) {
                if let Some(Tk::W(n)) = toks.get(i + 1).map(|t| &t.k) {
                    vars.remove(n);
                }
                i += 2;
                continue;
            }
            if let Some(name) = w.strip_prefix('$') {
                if let Some(v) = vars.get(name) {
                    for k in v {
                        out.push(Tok {
                            k: k.clone(),
                            line: t.line,
                        });
                    }
                    i += 1;
                    continue;
                }
            }
        }
        out.push(t.clone());
        i += 1;
    }
    out
}

// ------------------------------------------------------------------------ text parser

struct TextParser {
    t: Vec<Tok>,
    i: usize,
}

fn word(t: Option<&Tok>) -> Option<&str> {
    match t.map(|t| &t.k) {
        Some(Tk::W(w)) => Some(w.as_str()),
        _ => None,
    }
}

fn text_of(t: &Tok) -> Option<&str> {
    match &t.k {
        Tk::W(w) | Tk::S(w) => Some(w.as_str()),
        _ => None,
    }
}

impl TextParser {
    fn peek(&self) -> Option<&Tok> {
        self.t.get(self.i)
    }
    fn line(&self) -> u32 {
        self.peek()
            .map(|t| t.line)
            .or_else(|| self.t.last().map(|t| t.line))
            .unwrap_or(1)
    }

    /// Tokens of one statement: up to a newline or `;` outside braces, or a `}` that
    /// closes the enclosing block (not consumed). Braced groups are kept whole.
    fn stmt(&mut self) -> Vec<Tok> {
        let mut v = vec![];
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            match t.k {
                Tk::Nl | Tk::Semi if depth == 0 => {
                    self.i += 1;
                    break;
                }
                Tk::Close if depth == 0 => break,
                Tk::Open => depth += 1,
                Tk::Close => depth -= 1,
                _ => {}
            }
            v.push(t.clone());
            self.i += 1;
        }
        v
    }

    fn skip_seps(&mut self) {
        while matches!(self.peek().map(|t| &t.k), Some(Tk::Nl) | Some(Tk::Semi)) {
            self.i += 1;
        }
    }

    /// Skip a `{ … }` block starting at the current `{`; returns the last line.
    fn skip_block(&mut self) -> u32 {
        let mut depth = 0i32;
        let mut last = self.line();
        while let Some(t) = self.peek().cloned() {
            last = t.line;
            self.i += 1;
            match t.k {
                Tk::Open => depth += 1,
                Tk::Close => {
                    depth -= 1;
                    if depth <= 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        last
    }

    fn top(&mut self, b: &mut Builder) {
        loop {
            self.skip_seps();
            let Some(t) = self.peek().cloned() else { break };
            let start = t.line;
            match word(Some(&t)) {
                Some("table") => {
                    self.i += 1;
                    self.table(b, start);
                }
                Some("flush") if word(self.t.get(self.i + 1)) == Some("ruleset") => {
                    self.stmt();
                }
                _ => {
                    let toks = self.stmt();
                    let end = toks.last().map(|t| t.line).unwrap_or(start);
                    if toks.is_empty() {
                        // A stray `}`.
                        self.i += 1;
                        b.report(None, start, start, unk("unbalanced `}`"));
                        continue;
                    }
                    let what = toks.iter().filter_map(text_of).take(2).collect::<Vec<_>>();
                    let reason = match what.first().copied() {
                        Some("include") => "include: the included file is not read".to_string(),
                        Some("add" | "insert" | "create" | "delete" | "flush" | "replace") => {
                            format!(
                                "nft command `{}`: only ruleset listings are read",
                                what.join(" ")
                            )
                        }
                        _ => format!("unknown top-level statement `{}`", what.join(" ")),
                    };
                    b.report(
                        None,
                        start,
                        end,
                        Unk {
                            reason,
                            scope: Scope::Device,
                        },
                    );
                }
            }
        }
    }

    fn table(&mut self, b: &mut Builder, start: u32) {
        // table [family] name {
        let w1 = self.peek().and_then(text_of).map(str::to_string);
        self.i += 1;
        let (family, name) = match w1.as_deref().and_then(Family::parse) {
            Some(f) if !matches!(self.peek().map(|t| &t.k), Some(Tk::Open)) => {
                let n = self.peek().and_then(text_of).unwrap_or("").to_string();
                self.i += 1;
                (f, n)
            }
            _ => (Family::Ip, w1.unwrap_or_default()),
        };
        if !matches!(self.peek().map(|t| &t.k), Some(Tk::Open)) {
            let toks = self.stmt();
            let end = toks.last().map(|t| t.line).unwrap_or(start);
            b.report(
                None,
                start,
                end,
                Unk {
                    reason: "table declaration without a body".into(),
                    scope: Scope::Device,
                },
            );
            return;
        }
        self.i += 1;
        let ti = b.table(family, &name);
        loop {
            self.skip_seps();
            let Some(t) = self.peek().cloned() else {
                b.report(Some(ti), start, start, unk("table is not closed"));
                let end = self.t.last().map(|t| t.line).unwrap_or(start);
                b.tables[ti].ranges.push((start, end));
                return;
            };
            let ln = t.line;
            if t.k == Tk::Close {
                self.i += 1;
                b.tables[ti].ranges.push((start, ln));
                return;
            }
            let kw = word(Some(&t)).unwrap_or("").to_string();
            match kw.as_str() {
                "chain" => {
                    self.i += 1;
                    let cname = self.peek().and_then(text_of).unwrap_or("").to_string();
                    self.i += 1;
                    if matches!(self.peek().map(|t| &t.k), Some(Tk::Open)) {
                        self.i += 1;
                        let ci = b.chain(ti, &cname, ln);
                        self.chain_body(b, ti, ci);
                    } else {
                        self.stmt();
                        b.chain(ti, &cname, ln);
                    }
                }
                "set" | "map" => {
                    self.i += 1;
                    let sname = self.peek().and_then(text_of).unwrap_or("").to_string();
                    self.i += 1;
                    if matches!(self.peek().map(|t| &t.k), Some(Tk::Open)) {
                        self.i += 1;
                        let (decl, problems) = self.set_body();
                        for (s, e, u) in problems {
                            b.report(Some(ti), s, e, u);
                        }
                        b.tables[ti].sets.insert(sname, decl);
                    } else {
                        let toks = self.stmt();
                        let end = toks.last().map(|t| t.line).unwrap_or(ln);
                        b.report(Some(ti), ln, end, unk("set declaration without a body"));
                    }
                }
                "flags" => {
                    let toks = self.stmt();
                    if toks.iter().any(|t| text_of(t) == Some("dormant")) {
                        b.report(
                            Some(ti),
                            ln,
                            ln,
                            Unk {
                                reason: "dormant table: its chains are not active (not modelled)"
                                    .into(),
                                scope: Scope::Device,
                            },
                        );
                    }
                }
                "comment" => {
                    self.stmt();
                }
                _ => {
                    // Stateful objects (counter, quota, ct helper/timeout/expectation, limit,
                    // secmark, synproxy, flowtable): declarations act only through rules
                    // that reference them, and those rules are judged on their own.
                    let mut end = ln;
                    let mut what = vec![];
                    while let Some(t) = self.peek() {
                        match t.k {
                            Tk::Open => {
                                end = self.skip_block();
                                break;
                            }
                            Tk::Nl | Tk::Semi => {
                                self.i += 1;
                                break;
                            }
                            Tk::Close => break,
                            _ => {
                                if let Some(w) = text_of(t) {
                                    what.push(w.to_string());
                                }
                                end = t.line;
                                self.i += 1;
                            }
                        }
                    }
                    let known = [
                        "counter",
                        "quota",
                        "ct",
                        "limit",
                        "secmark",
                        "synproxy",
                        "flowtable",
                        "tunnel",
                    ];
                    let u = if known.contains(&kw.as_str()) {
                        Unk {
                            reason: format!(
                                "`{}` object declaration (acts only through rules that use it)",
                                what.join(" ")
                            ),
                            scope: Scope::None,
                        }
                    } else {
                        Unk {
                            reason: format!("unknown table statement `{}`", what.join(" ")),
                            scope: Scope::Device,
                        }
                    };
                    b.report(Some(ti), ln, end, u);
                }
            }
        }
    }

    fn set_body(&mut self) -> (SetDecl, Vec<(u32, u32, Unk)>) {
        let mut d = SetDecl::default();
        let mut problems = vec![];
        loop {
            self.skip_seps();
            let Some(t) = self.peek().cloned() else { break };
            if t.k == Tk::Close {
                self.i += 1;
                break;
            }
            let toks = self.stmt();
            let ln = t.line;
            let end = toks.last().map(|t| t.line).unwrap_or(ln);
            let kw = toks.first().and_then(text_of).unwrap_or("");
            match kw {
                "type" | "typeof" | "size" | "policy" | "auto-merge" | "comment"
                | "gc-interval" | "counter" => {}
                "flags" => {
                    if toks
                        .iter()
                        .any(|t| matches!(text_of(t), Some("dynamic" | "timeout")))
                    {
                        d.dynamic = true;
                    }
                }
                "timeout" => d.dynamic = true,
                "elements" => {
                    let open = toks.iter().position(|t| t.k == Tk::Open);
                    match open {
                        Some(o) => match parse_elems(&toks[o + 1..]) {
                            Ok(es) => d.elems = es,
                            Err(u) => {
                                d.dynamic = true; // unusable: every use is reported
                                problems.push((ln, end, u));
                            }
                        },
                        None => problems.push((ln, end, unk("elements without `{ … }`"))),
                    }
                }
                _ => problems.push((ln, end, unk(format!("unknown set/map statement `{kw}`")))),
            }
        }
        (d, problems)
    }

    fn chain_body(&mut self, b: &mut Builder, ti: usize, ci: usize) {
        loop {
            self.skip_seps();
            let Some(t) = self.peek().cloned() else { break };
            if t.k == Tk::Close {
                self.i += 1;
                break;
            }
            let toks = self.stmt();
            let ln = t.line;
            let end = toks.last().map(|t| t.line).unwrap_or(ln);
            match toks.first().and_then(text_of) {
                Some("type") => {
                    if let Err(u) = chain_header(b, ti, ci, &toks) {
                        b.report(Some(ti), ln, end, u);
                    }
                }
                Some("policy") => match toks.get(1).and_then(text_of) {
                    Some("accept") => b.tables[ti].chains[ci].policy = Action::Permit,
                    Some("drop") => {
                        b.tables[ti].chains[ci].policy = Action::Deny;
                        b.tables[ti].active = true;
                    }
                    _ => b.report(Some(ti), ln, end, unk("unknown chain policy")),
                },
                Some("comment") if toks.len() == 2 => {}
                Some("devices") | Some("device") => {}
                _ => {
                    let chain_id = b.tables[ti].chains[ci].id.clone();
                    let mut anon = vec![];
                    let stmts = {
                        let t = &b.tables[ti];
                        let mut rp = RuleParser {
                            t: &toks,
                            i: 0,
                            family: t.family,
                            table: t.name.clone(),
                            chain: chain_id,
                            anon: &mut anon,
                        };
                        rp.rule()
                    };
                    // Anonymous chains (`jump { … }`) become user chains of their own.
                    for (name, body) in anon {
                        let aci = b.chain(ti, &name, body.first().map(|t| t.line).unwrap_or(ln));
                        let mut sub = TextParser { t: body, i: 0 };
                        sub.t.push(Tok {
                            k: Tk::Close,
                            line: end,
                        });
                        sub.chain_body(b, ti, aci);
                    }
                    b.add_rule(ti, ci, ln, end, stmts);
                }
            }
        }
    }
}

fn chain_header(b: &mut Builder, ti: usize, ci: usize, toks: &[Tok]) -> Result<(), Unk> {
    let w: Vec<&str> = toks.iter().filter_map(text_of).collect();
    let get = |k: &str| {
        w.iter()
            .position(|x| *x == k)
            .and_then(|i| w.get(i + 1).copied())
    };
    let kind = match get("type") {
        Some("filter") | Some("route") => NfKind::Filter,
        Some("nat") => NfKind::Nat,
        other => return Err(unk(format!("unknown chain type `{}`", other.unwrap_or("")))),
    };
    let hook = match get("hook") {
        Some("prerouting") => NfHook::Prerouting,
        Some("input") => NfHook::Input,
        Some("forward") => NfHook::Forward,
        Some("output") => NfHook::Output,
        Some("postrouting") => NfHook::Postrouting,
        other => {
            return Err(Unk {
                reason: format!(
                    "hook `{}` is not modelled (runs before or after the IPv4 hooks)",
                    other.unwrap_or("")
                ),
                scope: Scope::Device,
            })
        }
    };
    let pi = w
        .iter()
        .position(|x| *x == "priority")
        .ok_or_else(|| unk("chain without priority"))?;
    let prio = priority(&w[pi + 1..]).ok_or_else(|| unk("priority is not understood"))?;
    let chain = &mut b.tables[ti].chains[ci];
    chain.base = Some((hook, kind, prio));
    if let Some(p) = get("policy") {
        chain.policy = match p {
            "accept" => Action::Permit,
            "drop" => Action::Deny,
            _ => return Err(unk("unknown chain policy")),
        };
    }
    if chain.policy == Action::Deny {
        b.tables[ti].active = true;
    }
    Ok(())
}

/// `-150`, `mangle`, `filter + 10`, `srcnat - 5` (ip/inet standard priorities).
fn priority(w: &[&str]) -> Option<i32> {
    let named = |s: &str| -> Option<i32> {
        Some(match s {
            "raw" => -300,
            "mangle" => -150,
            "dstnat" => -100,
            "filter" => 0,
            "security" => 50,
            "srcnat" => 100,
            n => n.parse().ok()?,
        })
    };
    let first = *w.first()?;
    // `filter+10` written without spaces.
    if let Some((i, _)) = first
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '+' || c == '-')
    {
        let (a, b) = first.split_at(i);
        let n: i32 = b[1..].parse().ok()?;
        return Some(named(a)? + if b.starts_with('-') { -n } else { n });
    }
    let base = named(first)?;
    match (w.get(1), w.get(2)) {
        (Some(&"+"), Some(n)) => Some(base + n.parse::<i32>().ok()?),
        (Some(&"-"), Some(n)) => Some(base - n.parse::<i32>().ok()?),
        _ => Some(base),
    }
}

/// Parse the inside of `{ … }` (without the braces; a trailing `}` is ignored).
fn parse_elems(toks: &[Tok]) -> Result<Vec<Elem>, Unk> {
    let mut out = vec![];
    let mut i = 0;
    let mut cur: Vec<Tok> = vec![];
    let flush = |cur: &mut Vec<Tok>, out: &mut Vec<Elem>| -> Result<(), Unk> {
        if !cur.is_empty() {
            out.push(parse_elem(cur)?);
            cur.clear();
        }
        Ok(())
    };
    while i < toks.len() {
        match &toks[i].k {
            Tk::Nl => {}
            Tk::Comma => flush(&mut cur, &mut out)?,
            Tk::Close => break,
            Tk::Open => {
                // Nested set (from a variable): flatten.
                let mut depth = 0;
                let mut j = i;
                while j < toks.len() {
                    match toks[j].k {
                        Tk::Open => depth += 1,
                        Tk::Close => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if !cur.is_empty() {
                    return Err(unk("nested set inside an element"));
                }
                out.extend(parse_elems(&toks[i + 1..j.min(toks.len())])?);
                i = j;
            }
            _ => cur.push(toks[i].clone()),
        }
        i += 1;
    }
    flush(&mut cur, &mut out)?;
    Ok(out)
}

fn parse_elem(toks: &[Tok]) -> Result<Elem, Unk> {
    let w: Vec<&str> = toks
        .iter()
        .map(|t| text_of(t).ok_or_else(|| unk("unexpected token in set element")))
        .collect::<Result<_, _>>()?;
    let mut key = vec![];
    let mut i = 0;
    loop {
        let a = *w.get(i).ok_or_else(|| unk("empty set element"))?;
        key.push(a.to_string());
        i += 1;
        if w.get(i) == Some(&".") {
            i += 1;
            continue;
        }
        break;
    }
    // Element options.
    while let Some(&o) = w.get(i) {
        match o {
            "timeout" | "expires" | "comment" => i += 2,
            "counter" => {
                i += 1;
                if w.get(i) == Some(&"packets") {
                    i += 4;
                }
            }
            _ => break,
        }
    }
    let data = match w.get(i) {
        None => None,
        Some(&":") => Some(match (w.get(i + 1).copied(), w.get(i + 2)) {
            (Some("accept"), None) => Data::Verdict(Verd::Accept),
            (Some("drop"), None) => Data::Verdict(Verd::Drop),
            (Some("return"), None) => Data::Verdict(Verd::Return),
            (Some("continue"), None) => Data::Verdict(Verd::Continue),
            (Some("jump"), Some(t)) if w.len() == i + 3 => Data::Verdict(Verd::Jump(t.to_string())),
            (Some("goto"), Some(t)) if w.len() == i + 3 => Data::Verdict(Verd::Goto(t.to_string())),
            _ => Data::Other,
        }),
        Some(x) => return Err(unk(format!("unexpected `{x}` in set element"))),
    };
    Ok(Elem { key, data })
}

/// Parser of one rule's tokens (no newlines outside braces).
struct RuleParser<'a> {
    t: &'a [Tok],
    i: usize,
    family: Family,
    table: String,
    chain: String,
    /// Anonymous chains found: (name, body tokens).
    anon: &'a mut Vec<(String, Vec<Tok>)>,
}

impl RuleParser<'_> {
    fn w(&self, o: usize) -> Option<&str> {
        self.t.get(self.i + o).and_then(text_of)
    }
    fn full(&self, target: &str) -> String {
        format!("{} {} {}", self.family.id(), self.table, target)
    }

    fn rule(&mut self) -> Result<Vec<Stmt>, Unk> {
        let mut out = vec![];
        while self.i < self.t.len() {
            out.push(self.stmt()?);
        }
        Ok(out)
    }

    fn stmt(&mut self) -> Result<Stmt, Unk> {
        let Some(w) = self.w(0).map(str::to_string) else {
            return Err(unk("unexpected token"));
        };
        let verdict = |v: Verd| Ok(Stmt::Verdict(v));
        match w.as_str() {
            "counter" => {
                self.i += 1;
                match self.w(0) {
                    Some("packets") => self.i += 4,
                    Some("name") => self.i += 2,
                    _ => {}
                }
                Ok(Stmt::Noop)
            }
            "comment" => {
                self.i += 2;
                Ok(Stmt::Noop)
            }
            "log" => {
                self.i += 1;
                const FLAGS: &[&str] =
                    &["tcp", "ip", "sequence", "options", "skuid", "ether", "all"];
                loop {
                    match self.w(0) {
                        Some("prefix" | "level" | "group" | "snaplen" | "queue-threshold") => {
                            self.i += 2
                        }
                        Some("flags") => {
                            self.i += 1;
                            while self.w(0).is_some_and(|f| FLAGS.contains(&f))
                                || matches!(self.t.get(self.i).map(|t| &t.k), Some(Tk::Comma))
                            {
                                self.i += 1;
                            }
                        }
                        _ => break,
                    }
                }
                Ok(Stmt::Noop)
            }
            "nftrace" if self.w(1) == Some("set") => {
                self.i += 3;
                Ok(Stmt::Noop)
            }
            "meta" if self.w(1) == Some("nftrace") && self.w(2) == Some("set") => {
                self.i += 4;
                Ok(Stmt::Noop)
            }
            "accept" | "drop" | "return" | "continue" => {
                self.i += 1;
                verdict(match w.as_str() {
                    "accept" => Verd::Accept,
                    "drop" => Verd::Drop,
                    "return" => Verd::Return,
                    _ => Verd::Continue,
                })
            }
            "reject" => {
                self.i += 1;
                let mut tcp_only = false;
                let mut v6 = false;
                if self.w(0) == Some("with") {
                    self.i += 1;
                    match self.w(0) {
                        Some("tcp") => tcp_only = true,
                        Some("icmpv6") => v6 = true,
                        _ => {}
                    }
                    while self.i < self.t.len() && self.w(0) != Some("comment") {
                        self.i += 1;
                    }
                }
                verdict(Verd::Reject { tcp_only, v6 })
            }
            "jump" | "goto" => {
                let line = self.t[self.i].line;
                self.i += 1;
                let target = if matches!(self.t.get(self.i).map(|t| &t.k), Some(Tk::Open)) {
                    let body = self.braced()?;
                    let cname = self.chain.rsplit(' ').next().unwrap_or("").to_string();
                    let name = format!("{cname}@{line}.{}", self.anon.len());
                    self.anon.push((name.clone(), body));
                    name
                } else {
                    let t = self
                        .w(0)
                        .ok_or_else(|| unk("jump without target"))?
                        .to_string();
                    self.i += 1;
                    t
                };
                let id = self.full(&target);
                verdict(if w == "jump" {
                    Verd::Jump(id)
                } else {
                    Verd::Goto(id)
                })
            }
            "masquerade" | "snat" | "dnat" | "redirect" => self.nat(&w),
            "limit" => Err(unk(
                "limit: packets beyond the rate are not matched (not modelled)",
            )),
            "quota" => Err(unk(
                "quota: packets beyond the quota are not matched (not modelled)",
            )),
            "queue" => Err(unk("queue: the verdict is taken in user space")),
            "notrack" => Err(unk("notrack changes connection tracking (not modelled)")),
            "set" | "add" | "update" | "delete" => {
                Err(unk("set update from the packet path (not modelled)"))
            }
            "dup" | "fwd" | "tproxy" | "synproxy" | "flow" | "osf" | "xt" => {
                Err(unk(format!("statement `{w}` is not modelled")))
            }
            _ => self.matchexpr(),
        }
    }

    /// Tokens inside the `{ … }` at the cursor; the cursor moves past `}`.
    fn braced(&mut self) -> Result<Vec<Tok>, Unk> {
        let mut depth = 0;
        let start = self.i + 1;
        while self.i < self.t.len() {
            match self.t[self.i].k {
                Tk::Open => depth += 1,
                Tk::Close => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return Ok(self.t[start..self.i - 1].to_vec());
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
        Err(unk("unbalanced `{`"))
    }

    fn nat(&mut self, w: &str) -> Result<Stmt, Unk> {
        self.i += 1;
        let mut v6 = false;
        if matches!(self.w(0), Some("ip") | Some("ip6")) && self.w(1) == Some("to") {
            v6 = self.w(0) == Some("ip6");
            self.i += 1;
        }
        let mut target = None;
        if self.w(0) == Some("to") {
            self.i += 1;
            let t = self
                .w(0)
                .ok_or_else(|| unk("NAT without target"))?
                .to_string();
            self.i += 1;
            if matches!(self.w(0), Some("map") | Some(".")) || key_kind_start(&t) {
                return Err(unk("NAT through a map or expression is not modelled"));
            }
            if t.starts_with('[') || t.matches(':').count() > 1 {
                v6 = true;
            }
            target = Some(t);
        }
        // NAT flags do not change which addresses or ports can result.
        while matches!(
            self.w(0),
            Some("random" | "fully-random" | "persistent" | "netmap")
        ) || matches!(self.t.get(self.i).map(|t| &t.k), Some(Tk::Comma))
        {
            self.i += 1;
        }
        if v6 {
            return Ok(Stmt::Nat(None));
        }
        let v = match (w, target) {
            ("masquerade", None) => NfVerdict::Masquerade,
            ("masquerade", Some(_)) => {
                return Err(unk("masquerade with a port range is not modelled"))
            }
            ("redirect", None) => NfVerdict::Redirect(None),
            ("redirect", Some(t)) => {
                let n = nat_target(&t)?;
                if n.addr.is_some() {
                    return Err(unk("redirect to an address"));
                }
                NfVerdict::Redirect(n.port)
            }
            ("snat", Some(t)) => NfVerdict::Snat(nat_target(&t)?),
            ("dnat", Some(t)) => NfVerdict::Dnat(nat_target(&t)?),
            _ => return Err(unk(format!("{w} without a target"))),
        };
        Ok(Stmt::Nat(Some(v)))
    }

    fn selector(&mut self) -> Result<String, Unk> {
        let w0 = self
            .w(0)
            .ok_or_else(|| unk("expected a selector"))?
            .to_string();
        const META_BARE: &[&str] = &[
            "iifname",
            "oifname",
            "iif",
            "oif",
            "mark",
            "iiftype",
            "oiftype",
            "skuid",
            "skgid",
            "pkttype",
            "cpu",
            "iifgroup",
            "oifgroup",
            "cgroup",
            "nftrace",
            "priority",
            "length",
            "rtclassid",
            "ibrname",
            "obrname",
            "ibrvproto",
            "ibrpvid",
            "random",
            "secpath",
            "iifkind",
            "oifkind",
            "time",
            "day",
            "hour",
        ];
        if META_BARE.contains(&w0.as_str()) {
            self.i += 1;
            return Ok(format!("meta {w0}"));
        }
        let two = [
            "ip", "ip6", "tcp", "udp", "sctp", "udplite", "dccp", "th", "icmp", "icmpv6", "ether",
            "vlan", "arp", "meta", "ct", "ah", "esp", "comp", "igmp", "gre", "ipcomp",
        ];
        if two.contains(&w0.as_str()) {
            let f = self
                .w(1)
                .ok_or_else(|| unk(format!("`{w0}` without a field")))?
                .to_string();
            self.i += 2;
            return Ok(format!("{w0} {f}"));
        }
        Err(unk(format!("expression `{w0}` is not modelled")))
    }

    fn matchexpr(&mut self) -> Result<Stmt, Unk> {
        let mut key = vec![self.selector()?];
        while self.w(0) == Some(".") {
            self.i += 1;
            key.push(self.selector()?);
        }
        if !key.iter().any(|k| k == "tcp flags") {
            for k in &key {
                key_kind(k)?;
            }
        }
        let op = match self.w(0) {
            Some("==" | "eq") => Some(Op::Eq),
            Some("!=" | "ne") => Some(Op::Ne),
            Some("<" | "lt") => Some(Op::Lt),
            Some(">" | "gt") => Some(Op::Gt),
            Some("<=" | "le") => Some(Op::Le),
            Some(">=" | "ge") => Some(Op::Ge),
            Some("vmap") => {
                self.i += 1;
                let val = self.value()?;
                return Ok(Stmt::Vmap { key, val });
            }
            Some("set") => return Err(unk(format!("`{}` is modified (mangle)", key.join(" . ")))),
            Some("&" | "|" | "^" | "<<" | ">>" | "map") => {
                return Err(unk(format!(
                    "bitwise or map expression on `{}`",
                    key.join(" . ")
                )))
            }
            _ => None,
        };
        if op.is_some() {
            self.i += 1;
        }
        // Key-specific checks that `key_kind` cannot see (flags are bitmasks).
        if key.iter().any(|k| k == "tcp flags") {
            return Err(unk("tcp flags cannot be expressed in the header model"));
        }
        let val = self.value()?;
        Ok(Stmt::Match {
            key,
            op: op.unwrap_or(Op::Eq),
            val,
        })
    }

    fn value(&mut self) -> Result<Val, Unk> {
        match self.t.get(self.i).map(|t| &t.k) {
            Some(Tk::Open) => {
                let body = self.braced()?;
                Ok(Val::Elems(parse_elems(&body)?))
            }
            Some(Tk::W(w)) if w.starts_with('@') => {
                let n = w[1..].to_string();
                self.i += 1;
                Ok(Val::Named(n))
            }
            Some(Tk::W(w)) if w.starts_with('$') => Err(unk(format!("undefined variable `{w}`"))),
            Some(Tk::W(_)) | Some(Tk::S(_)) => {
                let mut elems = vec![];
                loop {
                    let mut key = vec![];
                    loop {
                        let a = self.w(0).ok_or_else(|| unk("expected a value"))?;
                        key.push(a.to_string());
                        self.i += 1;
                        if self.w(0) == Some(".") {
                            self.i += 1;
                            continue;
                        }
                        break;
                    }
                    elems.push(Elem { key, data: None });
                    if matches!(self.t.get(self.i).map(|t| &t.k), Some(Tk::Comma)) {
                        self.i += 1;
                        continue;
                    }
                    break;
                }
                Ok(Val::Elems(elems))
            }
            _ => Err(unk("expected a value")),
        }
    }
}

fn key_kind_start(s: &str) -> bool {
    matches!(
        s,
        "ip" | "ip6" | "tcp" | "udp" | "th" | "meta" | "ct" | "numgen" | "jhash" | "symhash"
    )
}

// ------------------------------------------------------------------------ JSON

fn jstr(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn json_item(b: &mut Builder, idx: usize, line: u32, item: &Value) {
    let Some((kind, body)) = item.as_object().and_then(|o| o.iter().next()) else {
        b.report(
            None,
            line,
            line,
            unk(format!("nftables[{idx}]: not an object")),
        );
        return;
    };
    let fam = body
        .get("family")
        .and_then(|f| f.as_str())
        .and_then(Family::parse);
    let tname = body
        .get(if kind == "table" { "name" } else { "table" })
        .and_then(|t| t.as_str())
        .unwrap_or("")
        .to_string();
    let at = |reason: String| format!("nftables[{idx}] {kind}: {reason}");
    match kind.as_str() {
        "metainfo" => {}
        "table" | "chain" | "rule" | "set" | "map" => {
            let Some(fam) = fam else {
                b.report(None, line, line, unk(at("unknown family".into())));
                return;
            };
            let ti = b.table(fam, &tname);
            b.tables[ti].ranges.push((line, line));
            match kind.as_str() {
                "table" => {
                    if body
                        .get("flags")
                        .is_some_and(|f| f.to_string().contains("dormant"))
                    {
                        b.report(
                            Some(ti),
                            line,
                            line,
                            Unk {
                                reason: at("dormant table (not modelled)".into()),
                                scope: Scope::Device,
                            },
                        );
                    }
                }
                "chain" => {
                    let name = body.get("name").and_then(|n| n.as_str()).unwrap_or("");
                    let ci = b.chain(ti, name, line);
                    if body.get("hook").is_some() {
                        let mut toks = vec![];
                        let mut push = |s: &str| {
                            toks.push(Tok {
                                k: Tk::W(s.to_string()),
                                line,
                            })
                        };
                        push("type");
                        push(body.get("type").and_then(|x| x.as_str()).unwrap_or(""));
                        push("hook");
                        push(body.get("hook").and_then(|x| x.as_str()).unwrap_or(""));
                        push("priority");
                        push(&body.get("prio").and_then(jstr).unwrap_or_default());
                        push("policy");
                        push(
                            body.get("policy")
                                .and_then(|x| x.as_str())
                                .unwrap_or("accept"),
                        );
                        if let Err(mut u) = chain_header(b, ti, ci, &toks) {
                            u.reason = at(u.reason);
                            b.report(Some(ti), line, line, u);
                        }
                    }
                }
                "set" | "map" => {
                    let name = body.get("name").and_then(|n| n.as_str()).unwrap_or("");
                    let mut d = SetDecl::default();
                    if let Some(f) = body.get("flags") {
                        let f = f.to_string();
                        d.dynamic = f.contains("dynamic") || f.contains("timeout");
                    }
                    if body.get("timeout").is_some() {
                        d.dynamic = true;
                    }
                    let fam = b.tables[ti].family;
                    let tn = b.tables[ti].name.clone();
                    if let Some(es) = body.get("elem").and_then(|e| e.as_array()) {
                        match es.iter().map(|e| json_elem(e, fam, &tn)).collect() {
                            Ok(v) => d.elems = v,
                            Err(mut u) => {
                                d.dynamic = true;
                                u.reason = at(u.reason);
                                b.report(Some(ti), line, line, u);
                            }
                        }
                    }
                    b.tables[ti].sets.insert(name.to_string(), d);
                }
                _ => {
                    let chain = body.get("chain").and_then(|n| n.as_str()).unwrap_or("");
                    let ci = b.chain(ti, chain, line);
                    let fam = b.tables[ti].family;
                    let stmts = body
                        .get("expr")
                        .and_then(|e| e.as_array())
                        .ok_or_else(|| unk("rule without expr"))
                        .and_then(|es| {
                            es.iter()
                                .map(|e| json_stmt(e, fam, &tname))
                                .collect::<Result<Vec<_>, _>>()
                        })
                        .map_err(|mut u| {
                            u.reason = at(u.reason);
                            u
                        });
                    let before = b.tables[ti].unrec.len();
                    b.add_rule(ti, ci, line, line, stmts);
                    for u in &mut b.tables[ti].unrec[before..] {
                        if !u.2.starts_with("nftables[") {
                            u.2 = at(std::mem::take(&mut u.2));
                        }
                    }
                }
            }
        }
        _ => {
            // Stateful objects and flowtables: see the text parser.
            let known = [
                "counter",
                "quota",
                "ct helper",
                "ct timeout",
                "ct expectation",
                "limit",
                "secmark",
                "synproxy",
                "flowtable",
                "tunnel",
            ];
            let u = if known.contains(&kind.as_str()) {
                Unk {
                    reason: at("object declaration (acts only through rules that use it)".into()),
                    scope: Scope::None,
                }
            } else {
                Unk {
                    reason: at("unknown object".into()),
                    scope: Scope::Device,
                }
            };
            match fam {
                Some(f) => {
                    let ti = b.table(f, &tname);
                    b.report(Some(ti), line, line, u)
                }
                None => b.report(None, line, line, u),
            }
        }
    }
}

fn json_key(v: &Value) -> Result<Vec<String>, Unk> {
    let o = v
        .as_object()
        .ok_or_else(|| unk("selector is not an object"))?;
    if let Some(c) = o.get("concat").and_then(|c| c.as_array()) {
        let mut out = vec![];
        for x in c {
            out.extend(json_key(x)?);
        }
        return Ok(out);
    }
    if let Some(p) = o.get("payload") {
        let proto = p.get("protocol").and_then(|x| x.as_str());
        let field = p.get("field").and_then(|x| x.as_str());
        if let (Some(a), Some(f)) = (proto, field) {
            return Ok(vec![format!("{a} {f}")]);
        }
        return Err(unk("raw payload expression is not modelled"));
    }
    if let Some(m) = o.get("meta") {
        let k = m.get("key").and_then(|x| x.as_str()).unwrap_or("");
        return Ok(vec![format!("meta {k}")]);
    }
    if let Some(c) = o.get("ct") {
        if c.get("dir").is_some() || c.get("family").is_some() {
            return Err(unk("directional ct expression is not modelled"));
        }
        let k = c.get("key").and_then(|x| x.as_str()).unwrap_or("");
        return Ok(vec![format!("ct {k}")]);
    }
    let name = o.keys().next().cloned().unwrap_or_default();
    Err(unk(format!("expression `{name}` is not modelled")))
}

/// One atom (string form as in the text syntax).
fn json_atom(v: &Value) -> Result<String, Unk> {
    if let Some(s) = jstr(v) {
        return Ok(s);
    }
    if let Some(p) = v.get("prefix") {
        let a = p.get("addr").and_then(jstr).unwrap_or_default();
        let l = p.get("len").and_then(jstr).unwrap_or_default();
        return Ok(format!("{a}/{l}"));
    }
    if let Some(r) = v.get("range").and_then(|r| r.as_array()) {
        if let [a, b] = r.as_slice() {
            return Ok(format!("{}-{}", json_atom(a)?, json_atom(b)?));
        }
    }
    Err(unk(format!(
        "value `{}` is not modelled",
        truncate(&v.to_string(), 60)
    )))
}

fn json_key_atoms(v: &Value) -> Result<Vec<String>, Unk> {
    if let Some(c) = v.get("concat").and_then(|c| c.as_array()) {
        return c.iter().map(json_atom).collect();
    }
    if let Some(e) = v.get("elem") {
        return json_key_atoms(e.get("val").unwrap_or(&Value::Null));
    }
    Ok(vec![json_atom(v)?])
}

fn json_verdict(v: &Value, fam: Family, table: &str) -> Option<Verd> {
    let o = v.as_object()?;
    let (k, b) = o.iter().next()?;
    let full = |b: &Value| {
        b.get("target")
            .and_then(|t| t.as_str())
            .map(|t| format!("{} {} {}", fam.id(), table, t))
    };
    Some(match k.as_str() {
        "accept" => Verd::Accept,
        "drop" => Verd::Drop,
        "return" => Verd::Return,
        "continue" => Verd::Continue,
        "jump" => Verd::Jump(full(b)?),
        "goto" => Verd::Goto(full(b)?),
        _ => return None,
    })
}

fn json_elem(v: &Value, fam: Family, table: &str) -> Result<Elem, Unk> {
    if let Some(pair) = v.as_array() {
        if let [k, d] = pair.as_slice() {
            return Ok(Elem {
                key: json_key_atoms(k)?,
                data: Some(match json_verdict(d, fam, table) {
                    Some(v) => Data::Verdict(v),
                    None => Data::Other,
                }),
            });
        }
        return Err(unk("map element is not a pair"));
    }
    Ok(Elem {
        key: json_key_atoms(v)?,
        data: None,
    })
}

fn json_val(v: &Value, fam: Family, table: &str) -> Result<Val, Unk> {
    if let Some(s) = v.as_str() {
        if let Some(n) = s.strip_prefix('@') {
            return Ok(Val::Named(n.to_string()));
        }
    }
    if let Some(s) = v.get("set") {
        return match s {
            Value::Array(a) => Ok(Val::Elems(
                a.iter()
                    .map(|e| json_elem(e, fam, table))
                    .collect::<Result<_, _>>()?,
            )),
            other => Ok(Val::Elems(vec![json_elem(other, fam, table)?])),
        };
    }
    if let Some(a) = v.as_array() {
        // Flag lists (`ct state established,related`).
        return Ok(Val::Elems(
            a.iter()
                .map(|e| json_elem(e, fam, table))
                .collect::<Result<_, _>>()?,
        ));
    }
    Ok(Val::Elems(vec![json_elem(v, fam, table)?]))
}

fn json_nat_target(b: &Value) -> Result<Option<NatTo>, Unk> {
    let addr = match b.get("addr") {
        None => None,
        Some(a) => {
            if a.get("map").is_some()
                || a.is_object() && a.get("range").is_none() && a.get("prefix").is_none()
            {
                return Err(unk("NAT through a map or expression is not modelled"));
            }
            Some(json_atom(a)?)
        }
    };
    let port = match b.get("port") {
        None => None,
        Some(p) => Some(json_atom(p)?),
    };
    let s = match (addr, port) {
        (None, None) => return Ok(None),
        (Some(a), None) => a,
        (Some(a), Some(p)) => format!("{a}:{p}"),
        (None, Some(p)) => format!(":{p}"),
    };
    if s.contains("::") || s.matches(':').count() > 1 {
        return Err(v6only("IPv6 NAT"));
    }
    nat_target(&s).map(Some)
}

fn json_stmt(e: &Value, fam: Family, table: &str) -> Result<Stmt, Unk> {
    let o = e
        .as_object()
        .ok_or_else(|| unk("statement is not an object"))?;
    let (k, b) = o.iter().next().ok_or_else(|| unk("empty statement"))?;
    if let Some(v) = json_verdict(e, fam, table) {
        return Ok(Stmt::Verdict(v));
    }
    Ok(match k.as_str() {
        "match" => {
            let key = json_key(b.get("left").unwrap_or(&Value::Null))?;
            if key.iter().any(|k| k == "tcp flags") {
                return Err(unk("tcp flags cannot be expressed in the header model"));
            }
            let op = match b.get("op").and_then(|o| o.as_str()).unwrap_or("==") {
                "==" | "in" => Op::Eq,
                "!=" => Op::Ne,
                "<" => Op::Lt,
                ">" => Op::Gt,
                "<=" => Op::Le,
                ">=" => Op::Ge,
                o => return Err(unk(format!("operator `{o}` is not modelled"))),
            };
            let val = json_val(b.get("right").unwrap_or(&Value::Null), fam, table)?;
            Stmt::Match { key, op, val }
        }
        "vmap" => {
            let key = json_key(b.get("key").unwrap_or(&Value::Null))?;
            let val = json_val(b.get("data").unwrap_or(&Value::Null), fam, table)?;
            Stmt::Vmap { key, val }
        }
        "counter" | "log" => Stmt::Noop,
        "mangle"
            if b.get("key")
                .and_then(|k| k.get("meta"))
                .and_then(|m| m.get("key"))
                .and_then(|x| x.as_str())
                == Some("nftrace") =>
        {
            Stmt::Noop
        }
        "reject" => {
            let ty = b.get("type").and_then(|t| t.as_str()).unwrap_or("");
            Stmt::Verdict(Verd::Reject {
                tcp_only: ty == "tcp reset",
                v6: ty == "icmpv6",
            })
        }
        "masquerade" => {
            if b.get("port").is_some() {
                return Err(unk("masquerade with a port range is not modelled"));
            }
            Stmt::Nat(Some(NfVerdict::Masquerade))
        }
        "redirect" => {
            let port = match b.get("port") {
                None => None,
                Some(p) => {
                    let (lo, hi) = range_of(&json_atom(p)?, port_num)
                        .ok_or_else(|| unk("redirect port is not understood"))?;
                    Some(PortRange { lo, hi })
                }
            };
            Stmt::Nat(Some(NfVerdict::Redirect(port)))
        }
        "snat" | "dnat" => {
            if b.get("family").and_then(|f| f.as_str()) == Some("ip6") {
                return Ok(Stmt::Nat(None));
            }
            let t = match json_nat_target(b) {
                Ok(Some(t)) => t,
                Ok(None) => return Err(unk(format!("{k} without a target"))),
                Err(u) if u.scope == Scope::None => return Ok(Stmt::Nat(None)),
                Err(u) => return Err(u),
            };
            Stmt::Nat(Some(if k == "snat" {
                NfVerdict::Snat(t)
            } else {
                NfVerdict::Dnat(t)
            }))
        }
        "limit" => {
            return Err(unk(
                "limit: packets beyond the rate are not matched (not modelled)",
            ))
        }
        other => return Err(unk(format!("statement `{other}` is not modelled"))),
    })
}
