//! Tokens of RTX filter and route syntax: addresses (`*`, `A`, `A/len`, `A/mask`, octet
//! wildcards `192.168.1.*`, ranges `A-B`, `A-`, `-B`, comma lists), protocols and port
//! lists (numbers, mnemonics, ranges, comma lists), MAC addresses.
//!
//! Port mnemonics follow the table of Yamaha's command reference (ip filter, 「ニーモニック」)
//! for the names whose numbers are unambiguous; a name outside this table is reported,
//! never guessed.

use crate::model::{proto, IpMatch, Mac, PortRange};
use std::net::Ipv4Addr;

/// Why a token could not be read (becomes the reason of an `Unrecognized`).
pub type Why = String;

/// An interface name as RTX writes it (`lan1`, `lan1/2`, `lan1.3`, `bridge1`, …),
/// lowercase, as topology.toml refers to it.
pub fn ifname(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// `lanN`, `lanN/M` (802.1Q VLAN interface) or `lanN.M` (port-separated interface).
pub fn is_lan(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("lan") else {
        return false;
    };
    let mut parts = rest.splitn(2, ['/', '.']);
    let n = parts.next().unwrap_or("");
    let ok = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
    ok(n) && parts.next().is_none_or(ok)
}

/// `A/len`, `A/255.255.255.0` or `A` (host) as (address, prefix length).
pub fn prefix(s: &str) -> Option<(Ipv4Addr, u8)> {
    match s.split_once('/') {
        None => Some((s.parse().ok()?, 32)),
        Some((a, l)) => {
            let a: Ipv4Addr = a.parse().ok()?;
            if let Ok(len) = l.parse::<u8>() {
                return (len <= 32).then_some((a, len));
            }
            let m = u32::from(l.parse::<Ipv4Addr>().ok()?);
            let len = m.leading_ones();
            (m.count_ones() == len).then_some((a, len as u8))
        }
    }
}

fn octets_with_star(s: &str) -> Option<(Ipv4Addr, Ipv4Addr)> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let (mut a, mut w) = (0u32, 0u32);
    for p in parts {
        a <<= 8;
        w <<= 8;
        if p == "*" {
            w |= 0xff;
        } else {
            a |= p.parse::<u8>().ok()? as u32;
        }
    }
    Some((Ipv4Addr::from(a), Ipv4Addr::from(w)))
}

/// One address item of a filter (no commas).
fn addr_item(s: &str) -> Result<IpMatch, Why> {
    if s == "*" {
        return Ok(IpMatch::Any);
    }
    if let Some((lo, hi)) = s.split_once('-') {
        let p = |x: &str, d: Ipv4Addr| -> Result<Ipv4Addr, Why> {
            if x.is_empty() {
                Ok(d)
            } else {
                x.parse().map_err(|_| format!("address range bound {x}"))
            }
        };
        let lo = p(lo, Ipv4Addr::new(0, 0, 0, 0))?;
        let hi = p(hi, Ipv4Addr::new(255, 255, 255, 255))?;
        if lo > hi {
            return Err(format!("empty address range {s}"));
        }
        return Ok(IpMatch::Range { lo, hi });
    }
    let (a, mask) = match s.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (s, None),
    };
    let (addr, wild) = octets_with_star(a).ok_or_else(|| format!("address {s}"))?;
    let Some(m) = mask else {
        return Ok(IpMatch::Wildcard {
            addr,
            wildcard: wild,
        });
    };
    let mbits: u32 = if let Ok(len) = m.parse::<u8>() {
        if len > 32 {
            return Err(format!("mask {s}"));
        }
        if len == 0 {
            0
        } else {
            u32::MAX << (32 - len)
        }
    } else {
        u32::from(m.parse::<Ipv4Addr>().map_err(|_| format!("mask of {s}"))?)
    };
    let w = !mbits | u32::from(wild);
    Ok(IpMatch::Wildcard {
        addr: Ipv4Addr::from(u32::from(addr) & !w),
        wildcard: Ipv4Addr::from(w),
    })
}

/// An address field of `ip filter`: items separated by commas (a union).
pub fn addrs(s: &str) -> Result<Vec<IpMatch>, Why> {
    s.split(',').map(addr_item).collect()
}

/// Static-filter port mnemonics (Yamaha command reference, ip filter).
const PORT_NAMES: &[(&str, &[u16])] = &[
    ("ftp", &[20, 21]),
    ("ftpdata", &[20]),
    ("ssh", &[22]),
    ("telnet", &[23]),
    ("smtp", &[25]),
    ("domain", &[53]),
    ("bootps", &[67]),
    ("dhcps", &[67]),
    ("bootpc", &[68]),
    ("dhcpc", &[68]),
    ("tftp", &[69]),
    ("gopher", &[70]),
    ("finger", &[79]),
    ("www", &[80]),
    ("http", &[80]),
    ("pop3", &[110]),
    ("sunrpc", &[111]),
    ("ident", &[113]),
    ("nntp", &[119]),
    ("ntp", &[123]),
    ("netbios_ns", &[137]),
    ("netbios_dgm", &[138]),
    ("netbios_ssn", &[139]),
    ("imap", &[143]),
    ("snmp", &[161]),
    ("snmptrap", &[162]),
    ("bgp", &[179]),
    ("ldap", &[389]),
    ("https", &[443]),
    ("syslog", &[514]),
    ("printer", &[515]),
    ("talk", &[517]),
    ("route", &[520]),
    ("uucp", &[540]),
    ("submission", &[587]),
];

fn port_one(s: &str) -> Result<Vec<u16>, Why> {
    if let Ok(n) = s.parse::<u16>() {
        return Ok(vec![n]);
    }
    PORT_NAMES
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, v)| v.to_vec())
        .ok_or_else(|| format!("port name {s} is not in sanso's table of RTX mnemonics"))
}

/// A bound of a range: a number or a single-port mnemonic.
pub fn port_bound(s: &str) -> Result<u16, Why> {
    match port_one(s)?.as_slice() {
        [p] => Ok(*p),
        _ => Err(format!(
            "port name {s} names several ports; not a range bound"
        )),
    }
}

/// A port list: `*`, N, name, `N-M`, `N-`, `-M`, `name-name`, comma lists.
pub fn ports(s: &str) -> Result<Vec<PortRange>, Why> {
    if s == "*" {
        return Ok(vec![PortRange::ANY]);
    }
    let mut out = vec![];
    for item in s.split(',') {
        if let Ok(v) = port_one(item) {
            out.extend(v.into_iter().map(PortRange::single));
            continue;
        }
        let Some((lo, hi)) = item.split_once('-') else {
            return Err(port_one(item).err().unwrap_or_default());
        };
        let lo = if lo.is_empty() { 0 } else { port_bound(lo)? };
        let hi = if hi.is_empty() {
            65535
        } else {
            port_bound(hi)?
        };
        if lo > hi {
            return Err(format!("empty port range {item}"));
        }
        out.push(PortRange { lo, hi });
    }
    Ok(out)
}

/// One protocol item of a static filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Any,
    Num(u8),
    /// `established`: TCP with ACK or RST set (rtpro FAQ "IPフィルタのestablished機能"),
    /// which is exactly the header model's established bit.
    Established,
}

/// The protocol field: comma-separated items.
pub fn protos(s: &str) -> Result<Vec<Proto>, Why> {
    s.split(',')
        .map(|p| {
            Ok(match p {
                "*" => Proto::Any,
                "tcp" => Proto::Num(proto::TCP),
                "udp" => Proto::Num(proto::UDP),
                "icmp" => Proto::Num(proto::ICMP),
                "esp" => Proto::Num(50),
                "ah" => Proto::Num(51),
                "gre" => Proto::Num(47),
                "ipv6" => Proto::Num(41),
                "established" => Proto::Established,
                "tcpfin" | "tcprst" | "tcpsyn" => {
                    return Err(format!(
                        "protocol {p}: TCP flags other than ACK/RST cannot be expressed in the header model"
                    ))
                }
                _ if p.starts_with("tcpflag") => {
                    return Err(format!(
                        "protocol {p}: TCP flags other than ACK/RST cannot be expressed in the header model"
                    ))
                }
                _ => match p.parse::<u8>() {
                    Ok(n) => Proto::Num(n),
                    Err(_) => return Err(format!("protocol {p} not modelled")),
                },
            })
        })
        .collect()
}

/// A MAC of an ethernet filter: `*` / `*:*:*:*:*:*` = any (`None`), or one exact address.
pub fn mac(s: &str) -> Result<Option<Mac>, Why> {
    if s == "*" || s.split(':').all(|o| o == "*") && s.split(':').count() == 6 {
        return Ok(None);
    }
    if s.contains('*') {
        return Err(format!("partly wildcarded MAC {s} not modelled"));
    }
    crate::model::parse_mac(s)
        .map(Some)
        .ok_or_else(|| format!("MAC address {s}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn address_forms() {
        assert_eq!(addrs("*").unwrap(), vec![IpMatch::Any]);
        assert_eq!(
            addrs("10.1.0.0/16").unwrap(),
            vec![IpMatch::prefix(ip("10.1.0.0"), 16)]
        );
        assert_eq!(
            addrs("10.1.2.3/255.255.0.0").unwrap(),
            vec![IpMatch::prefix(ip("10.1.0.0"), 16)]
        );
        assert_eq!(
            addrs("192.168.1.*").unwrap(),
            vec![IpMatch::prefix(ip("192.168.1.0"), 24)]
        );
        assert_eq!(
            addrs("10.0.0.5-10.0.0.9,-1.0.0.0").unwrap(),
            vec![
                IpMatch::Range {
                    lo: ip("10.0.0.5"),
                    hi: ip("10.0.0.9")
                },
                IpMatch::Range {
                    lo: ip("0.0.0.0"),
                    hi: ip("1.0.0.0")
                }
            ]
        );
        assert!(addrs("host.example").is_err());
        assert!(addrs("10.0.0.9-10.0.0.1").is_err());
    }

    #[test]
    fn port_forms() {
        assert_eq!(
            ports("netbios_ns-netbios_ssn").unwrap(),
            vec![PortRange { lo: 137, hi: 139 }]
        );
        assert_eq!(
            ports("www,21,1024-").unwrap(),
            vec![
                PortRange::single(80),
                PortRange::single(21),
                PortRange {
                    lo: 1024,
                    hi: 65535
                }
            ]
        );
        assert_eq!(
            ports("ftp").unwrap(),
            vec![PortRange::single(20), PortRange::single(21)]
        );
        assert!(ports("nosuchname").is_err());
        assert!(ports("ftp-100").is_err());
    }

    #[test]
    fn lan_names() {
        for s in ["lan1", "lan3/2", "lan1.4"] {
            assert!(is_lan(s), "{s}");
        }
        for s in ["lan", "lanx", "lan1/", "bridge1", "lan1/2/3"] {
            assert!(!is_lan(s), "{s}");
        }
    }
}
