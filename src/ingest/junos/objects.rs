//! Junos objects: address books (global, named and attached, per zone) with address-sets,
//! applications and application-sets with the predefined `junos-*` applications, and
//! the port / protocol / ICMP names Junos accepts.

use crate::ingest::cisco_ios::objects::{port_name as ios_port, proto_num as ios_proto};
use crate::model::{proto, AddrSet, IpMatch, PortRange, Service};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;

/// One address-book entry or set, with its lines.
#[derive(Clone, Debug)]
pub enum AddrObj {
    /// `None`: an entry Sanso cannot turn into IPv4 addresses (`dns-name`, IPv6), with why.
    Addr(Result<IpMatch, String>),
    Set(Vec<String>),
}

/// An address book: name → object (address and address-set names share one space).
#[derive(Clone, Debug, Default)]
pub struct Book {
    pub objs: BTreeMap<String, (AddrObj, Vec<u32>)>,
}

impl Book {
    fn entry(&mut self, name: &str, line: u32) -> &mut (AddrObj, Vec<u32>) {
        let e = self
            .objs
            .entry(name.to_string())
            .or_insert_with(|| (AddrObj::Set(vec![]), vec![]));
        e.1.push(line);
        e
    }
    /// `address N …` below a book; `rest` starts after the name. Err: not understood.
    pub fn address(&mut self, name: &str, rest: &[String], line: u32) -> Result<bool, String> {
        let r: Vec<&str> = rest.iter().map(String::as_str).collect();
        let v = match r.as_slice() {
            ["description", ..] => return Ok(false),
            [p] | ["address", p] => prefix(p).map(|(a, l)| IpMatch::prefix(a, l)),
            ["range-address", lo, "to", hi] => match (lo.parse(), hi.parse()) {
                (Ok(lo), Ok(hi)) => Ok(IpMatch::Range { lo, hi }),
                _ => Err(format!("range-address {lo} to {hi}: not IPv4")),
            },
            ["wildcard-address", w] => wildcard(w),
            ["dns-name", n, ..] => Err(format!("dns-name {n}: resolved at run time")),
            _ => return Err(format!("address attribute `{}`", r.join(" "))),
        };
        self.entry(name, line).0 = AddrObj::Addr(v);
        Ok(true)
    }
    /// `address-set S address N` / `address-set S address-set T`.
    pub fn set_member(&mut self, set: &str, member: &str, line: u32) {
        let e = self.entry(set, line);
        match &mut e.0 {
            AddrObj::Set(v) => v.push(member.to_string()),
            o => *o = AddrObj::Set(vec![member.to_string()]),
        }
    }
    /// Resolve `name` (an address or a set, nested) into matches, adding the lines used.
    pub fn resolve(
        &self,
        name: &str,
        depth: u32,
        out: &mut Vec<IpMatch>,
        lines: &mut Vec<u32>,
    ) -> Option<Result<(), String>> {
        let (o, ls) = self.objs.get(name)?;
        lines.extend(ls);
        if depth > 16 {
            return Some(Err(format!(
                "address-set {name}: nested too deep (a loop?)"
            )));
        }
        Some(match o {
            AddrObj::Addr(Ok(m)) => {
                out.push(m.clone());
                Ok(())
            }
            AddrObj::Addr(Err(e)) => Err(e.clone()),
            AddrObj::Set(ms) => {
                for m in ms {
                    match self.resolve(m, depth + 1, out, lines) {
                        Some(Ok(())) => {}
                        Some(Err(e)) => return Some(Err(e)),
                        None => return Some(Err(format!("address-set {name}: no address {m}"))),
                    }
                }
                Ok(())
            }
        })
    }
}

/// Resolve an address name through `books` in order (zone book, attached books, global):
/// `any`/`any-ipv4` are every address, `any-ipv6` none.
pub fn resolve_addr(books: &[&Book], name: &str, lines: &mut Vec<u32>) -> Result<AddrSet, String> {
    match name {
        "any" | "any-ipv4" => return Ok(AddrSet::any()),
        "any-ipv6" => return Ok(AddrSet { items: vec![] }),
        _ => {}
    }
    for b in books {
        let mut out = vec![];
        if let Some(r) = b.resolve(name, 0, &mut out, lines) {
            return r.map(|()| AddrSet { items: out });
        }
    }
    Err(format!(
        "address {name} is not defined in the address books in scope"
    ))
}

/// `A.B.C.D/len` or `A.B.C.D` (a host).
pub fn prefix(s: &str) -> Result<(Ipv4Addr, u8), String> {
    let (a, l) = s.split_once('/').unwrap_or((s, "32"));
    match (a.parse::<Ipv4Addr>(), l.parse::<u8>()) {
        (Ok(a), Ok(l)) if l <= 32 => Ok((a, l)),
        _ if s.contains(':') => Err(format!("{s}: IPv6 (outside the IPv4 model)")),
        _ => Err(format!("`{s}` is not an IPv4 prefix")),
    }
}

/// `wildcard-address A/M`: M is a mask whose 1 bits must match.
fn wildcard(s: &str) -> Result<IpMatch, String> {
    let (a, m) = s.split_once('/').ok_or(format!("wildcard-address {s}"))?;
    match (a.parse::<Ipv4Addr>(), m.parse::<Ipv4Addr>()) {
        (Ok(addr), Ok(m)) => Ok(IpMatch::Wildcard {
            addr,
            wildcard: Ipv4Addr::from(!u32::from(m)),
        }),
        _ => Err(format!("wildcard-address {s}: not IPv4")),
    }
}

/// Junos protocol names (numbers too); `None` = any.
pub fn proto_num(k: &str) -> Result<Option<u8>, String> {
    Ok(Some(match k {
        "ah" => 51,
        "ipip" => 4,
        // IPv6 encapsulated in IPv4.
        "ipv6" => 41,
        "egp" => 8,
        "rsvp" => 46,
        "icmp6" | "icmpv6" => 58,
        "vrrp" => 112,
        "any" | "0" => return Ok(None),
        k => return ios_proto(k),
    }))
}

/// Junos port names beyond the common ones, then numbers and the common names.
pub fn port_num(k: &str) -> Option<u16> {
    Some(match k {
        "kerberos-sec" => 88,
        "radius" => 1812,
        "radacct" => 1813,
        "netbios-ssn" => 139,
        "ldp" => 646,
        "xnm-ssl" => 3220,
        "xnm-clear-text" => 3221,
        "mobileip-agent" => 434,
        "snpp" => 444,
        "zephyr-srv" => 2102,
        "dhcp" => 67,
        "cvspserver" => 2401,
        "telnet" => 23,
        _ => return ios_port(k),
    })
}

/// A port value: `N`, `N-M`, a name, or a name range.
pub fn port_range(s: &str) -> Result<PortRange, String> {
    if let Some(p) = port_num(s) {
        return Ok(PortRange::single(p));
    }
    if let Some((a, b)) = s.split_once('-') {
        if let (Some(lo), Some(hi)) = (port_num(a), port_num(b)) {
            if lo <= hi {
                return Ok(PortRange { lo, hi });
            }
        }
    }
    Err(format!("unknown port `{s}`"))
}

/// ICMP type names Junos accepts.
pub fn icmp_type(s: &str) -> Option<u8> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    Some(match s {
        "echo-reply" => 0,
        "unreachable" => 3,
        "source-quench" => 4,
        "redirect" => 5,
        "echo-request" => 8,
        "router-advertisement" => 9,
        "router-solicit" => 10,
        "time-exceeded" => 11,
        "parameter-problem" => 12,
        "timestamp" => 13,
        "timestamp-reply" => 14,
        "info-request" => 15,
        "info-reply" => 16,
        "mask-request" => 17,
        "mask-reply" => 18,
        _ => return None,
    })
}

/// One term of an application (or the application itself when it has no terms).
#[derive(Clone, Debug, Default)]
pub struct AppTerm {
    pub proto: Option<String>,
    pub dport: Option<String>,
    pub sport: Option<String>,
    pub icmp_type: Option<String>,
    pub icmp_code: Option<String>,
}

impl AppTerm {
    /// Set attribute `k` to `v`; `Ok(false)` when the attribute has no effect on matching.
    pub fn set(&mut self, k: &str, v: &str) -> Result<bool, String> {
        let slot = match k {
            "protocol" => &mut self.proto,
            "destination-port" => &mut self.dport,
            "source-port" => &mut self.sport,
            "icmp-type" => &mut self.icmp_type,
            "icmp-code" => &mut self.icmp_code,
            "inactivity-timeout" | "application-protocol" | "alg" | "description" => {
                return Ok(false)
            }
            _ => return Err(format!("application attribute `{k}` not modelled")),
        };
        *slot = Some(v.to_string());
        Ok(true)
    }
    pub fn service(&self) -> Result<Service, String> {
        let p = match &self.proto {
            Some(p) => proto_num(p)?,
            None => return Err("application without protocol".into()),
        };
        let mut s = Service {
            proto: p,
            ..Service::any()
        };
        let l4 = matches!(p, Some(proto::TCP | proto::UDP | proto::SCTP));
        for (v, slot) in [(&self.dport, &mut s.dport), (&self.sport, &mut s.sport)] {
            if let Some(v) = v {
                if !l4 {
                    return Err(format!("port {v} on a protocol without ports"));
                }
                *slot = port_range(v)?;
            }
        }
        if let Some(t) = &self.icmp_type {
            if p != Some(proto::ICMP) {
                return Err(format!("icmp-type {t} on a protocol other than ICMP"));
            }
            s.icmp_type = Some(icmp_type(t).ok_or(format!("unknown icmp-type `{t}`"))?);
        }
        if let Some(c) = &self.icmp_code {
            s.icmp_code = Some(c.parse().map_err(|_| format!("icmp-code `{c}`"))?);
        }
        Ok(s)
    }
}

/// A value with the lines that defined it.
pub type Lined<T> = (T, Vec<u32>);

/// Applications and application-sets (one name space).
#[derive(Clone, Debug, Default)]
pub struct Apps {
    /// name → terms (by term name; `""` for the application's own attributes), lines.
    pub apps: BTreeMap<String, Lined<Vec<(String, AppTerm)>>>,
    pub sets: BTreeMap<String, (Vec<String>, Vec<u32>)>,
}

impl Apps {
    pub fn term(&mut self, app: &str, term: &str, line: u32) -> &mut AppTerm {
        let e = self.apps.entry(app.to_string()).or_default();
        e.1.push(line);
        if let Some(i) = e.0.iter().position(|t| t.0 == term) {
            return &mut e.0[i].1;
        }
        e.0.push((term.to_string(), AppTerm::default()));
        &mut e.0.last_mut().expect("just pushed").1
    }
    /// Services of an application or set (`any` = empty list = every service).
    pub fn resolve(
        &self,
        name: &str,
        depth: u32,
        out: &mut Vec<Service>,
        lines: &mut Vec<u32>,
    ) -> Result<(), String> {
        if depth > 16 {
            return Err(format!("application-set {name}: nested too deep (a loop?)"));
        }
        if let Some((terms, ls)) = self.apps.get(name) {
            lines.extend(ls);
            for (_, t) in terms {
                out.push(
                    t.service()
                        .map_err(|e| format!("application {name}: {e}"))?,
                );
            }
            return Ok(());
        }
        if let Some((ms, ls)) = self.sets.get(name) {
            lines.extend(ls);
            for m in ms {
                self.resolve(m, depth + 1, out, lines)?;
            }
            return Ok(());
        }
        match predefined(name) {
            Some(v) => {
                out.extend(v);
                Ok(())
            }
            None => Err(format!("application {name} is not defined")),
        }
    }
}

/// The predefined `junos-*` applications (ports as Junos defines them) and sets.
pub fn predefined(name: &str) -> Option<Vec<Service>> {
    let t = |p| Service::tcp_dport(p, p);
    let u = |p| Service::udp_dport(p, p);
    let icmp = |ty: Option<u8>| Service {
        icmp_type: ty,
        ..Service::proto(proto::ICMP)
    };
    Some(match name {
        "junos-http" => vec![t(80)],
        "junos-https" => vec![t(443)],
        "junos-http-ext" => vec![t(7001)],
        "junos-ssh" => vec![t(22)],
        "junos-telnet" => vec![t(23)],
        "junos-ftp" => vec![t(21)],
        "junos-ftp-data" => vec![t(20)],
        "junos-tftp" => vec![u(69)],
        "junos-smtp" => vec![t(25)],
        "junos-smtps" => vec![t(465)],
        "junos-pop3" => vec![t(110)],
        "junos-imap" => vec![t(143)],
        "junos-imaps" => vec![t(993)],
        "junos-dns-udp" => vec![u(53)],
        "junos-dns-tcp" => vec![t(53)],
        "junos-ntp" => vec![u(123)],
        "junos-snmp-agentx" => vec![t(705)],
        "junos-snmp-get" | "junos-snmp-get-next" | "junos-snmp-response" => vec![u(161)],
        "junos-snmp-trap" => vec![u(162)],
        "junos-syslog" => vec![u(514)],
        "junos-bgp" => vec![t(179)],
        "junos-ldap" => vec![t(389)],
        "junos-ldp-tcp" => vec![t(646)],
        "junos-ldp-udp" => vec![u(646)],
        "junos-radius" => vec![u(1812)],
        "junos-radacct" => vec![u(1813)],
        "junos-tacacs" => vec![t(49)],
        "junos-tacacs-ds" => vec![t(65)],
        "junos-ike" => vec![u(500)],
        "junos-ike-nat" => vec![u(4500)],
        "junos-ms-rpc-tcp" => vec![t(135)],
        "junos-ms-rpc-udp" => vec![u(135)],
        "junos-ms-sql" => vec![t(1433)],
        "junos-mysql" => vec![t(3306)],
        "junos-nbname" => vec![u(137)],
        "junos-nbds" => vec![u(138)],
        "junos-smb" => vec![t(139), t(445)],
        "junos-smb-session" => vec![t(445)],
        "junos-ms-rdp" | "junos-rdp" => vec![t(3389)],
        "junos-sip" => vec![u(5060), t(5060)],
        "junos-dhcp-client" => vec![u(68)],
        "junos-dhcp-server" => vec![u(67)],
        "junos-bootpc" => vec![u(68)],
        "junos-bootps" => vec![u(67)],
        "junos-rsh" => vec![t(514)],
        "junos-sqlnet-v2" => vec![t(1521)],
        "junos-vnc" => vec![t(5800)],
        "junos-x-windows" => vec![Service::tcp_dport(6000, 6063)],
        "junos-ping" | "junos-icmp-ping" => vec![icmp(Some(8))],
        "junos-icmp-all" => vec![icmp(None)],
        "junos-gre" => vec![Service::proto(47)],
        "junos-ospf" => vec![Service::proto(89)],
        "junos-pingv6" | "junos-icmp6-all" => vec![Service::proto(58)],
        "junos-cifs" => vec![t(445), t(139)],
        "junos-ms-sql-udp" => vec![u(1434)],
        "junos-aol" => vec![Service::tcp_dport(5190, 5193)],
        "junos-dhcp-relay" => vec![u(67)],
        "junos-finger" => vec![t(79)],
        "junos-gnutella" => vec![
            Service::tcp_dport(6346, 6347),
            Service::udp_dport(6346, 6347),
        ],
        "junos-gopher" => vec![t(70)],
        "junos-msn" => vec![t(1863)],
        "junos-pc-anywhere" => vec![u(5632)],
        "junos-tcp-any" => vec![Service::proto(proto::TCP)],
        "junos-udp-any" => vec![Service::proto(proto::UDP)],
        "junos-sctp-any" => vec![Service::proto(proto::SCTP)],
        "junos-echo" => vec![u(7)],
        "junos-discard" => vec![u(9)],
        "junos-chargen" => vec![u(19)],
        "junos-ident" => vec![t(113)],
        "junos-irc" => vec![Service::tcp_dport(6660, 6669)],
        "junos-nntp" => vec![t(119)],
        "junos-lpr" | "junos-printer" => vec![t(515)],
        "junos-biff" => vec![u(512)],
        "junos-who" => vec![u(513)],
        "junos-talk" => vec![u(517)],
        "junos-ntalk" => vec![u(518)],
        "junos-uucp" => vec![t(540)],
        "junos-whois" => vec![t(43)],
        "junos-wais" => vec![t(210)],
        "junos-l2tp" => vec![u(1701)],
        "junos-pptp" => vec![t(1723)],
        "junos-nfsd-tcp" => vec![t(2049)],
        "junos-nfsd-udp" => vec![u(2049)],
        "junos-rip" => vec![u(520)],
        "junos-cvspserver" => vec![t(2401)],
        "junos-xnm-ssl" => vec![t(3220)],
        "junos-xnm-clear-text" => vec![t(3221)],
        "junos-snpp" => vec![t(444)],
        "junos-mail" => vec![t(25)],
        "junos-netbios-session" => vec![t(139)],
        "junos-ymsg" => vec![t(5050)],
        "junos-stun-udp" => vec![u(3478)],
        "junos-stun-tcp" => vec![t(3478)],
        "junos-rtsp" => vec![t(554)],
        "junos-sun-rpc-tcp" | "junos-sun-rpc-portmap-tcp" => vec![t(111)],
        "junos-sun-rpc-udp" | "junos-sun-rpc-portmap-udp" => vec![u(111)],
        // Predefined sets.
        "junos-routing-inbound" => vec![t(179), u(520), u(521), Service::proto(89)],
        "junos-cifs-set" => vec![t(445), t(139)],
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn books_resolve_nested_sets() {
        let mut b = Book::default();
        let s = |x: &str| x.to_string();
        assert!(b.address("a", &[s("10.0.0.0/8")], 1).unwrap());
        assert!(b
            .address(
                "r",
                &[s("range-address"), s("1.1.1.1"), s("to"), s("1.1.1.9")],
                2
            )
            .unwrap());
        b.set_member("s1", "a", 3);
        b.set_member("s2", "s1", 4);
        b.set_member("s2", "r", 5);
        let mut ls = vec![];
        let got = resolve_addr(&[&b], "s2", &mut ls).unwrap();
        assert_eq!(got.items.len(), 2);
        assert!(got.contains("10.9.9.9".parse().unwrap()));
        assert!(got.contains("1.1.1.5".parse().unwrap()));
        assert!(!got.contains("1.1.1.10".parse().unwrap()));
        ls.sort();
        assert_eq!(ls, vec![1, 2, 3, 4, 5]);
        b.set_member("loop", "loop", 6);
        assert!(resolve_addr(&[&b], "loop", &mut vec![]).is_err());
        assert!(resolve_addr(&[&b], "nope", &mut vec![]).is_err());
        let w = wildcard("10.0.0.1/255.0.255.255").unwrap();
        assert!(
            w.contains("10.77.0.1".parse().unwrap()) && !w.contains("10.77.1.1".parse().unwrap())
        );
    }

    #[test]
    fn ports_and_apps() {
        assert_eq!(
            port_range("1024-65535").unwrap(),
            PortRange {
                lo: 1024,
                hi: 65535
            }
        );
        assert_eq!(port_range("https").unwrap(), PortRange::single(443));
        assert!(port_range("9-1").is_err());
        let mut a = Apps::default();
        a.term("x", "", 1).set("protocol", "tcp").unwrap();
        a.term("x", "", 2).set("destination-port", "8080").unwrap();
        a.sets.insert(
            "s".into(),
            (vec!["x".into(), "junos-dns-udp".into()], vec![3]),
        );
        let mut out = vec![];
        a.resolve("s", 0, &mut out, &mut vec![]).unwrap();
        assert_eq!(
            out,
            vec![Service::tcp_dport(8080, 8080), Service::udp_dport(53, 53)]
        );
    }
}
