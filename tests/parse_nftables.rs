//! nftables parser: hand-written rulesets with exact expected model pieces, real `nft`
//! dumps (fixtures/linux-dumps), and golden summaries of the shared corpus.

#[path = "golden/summary.rs"]
mod golden;

use sanso::ingest::nftables::{parse, parse_json, parse_with_stats};
use sanso::model::*;

#[test]
fn corpus_golden() {
    let mut failures = vec![];
    for p in golden::corpus("nftables") {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        let fname = p.file_name().unwrap().to_string_lossy().into_owned();
        let name = format!("nftables/{fname}");
        let (d, understood) = parse_with_stats(&name, &text).expect("parse");
        assert_eq!(d.lines as usize, text.lines().count(), "{name}");
        let s = golden::summary(&name, &d, Some(understood));
        if let Some(f) = golden::check("nftables", &fname, &s) {
            failures.push(f);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const F: &str = "configs/gw/ruleset.nft";

fn a(s: &str) -> std::net::Ipv4Addr {
    s.parse().unwrap()
}
fn pos(m: NfMatch) -> NfCond {
    NfCond { neg: false, m }
}
fn negc(m: NfMatch) -> NfCond {
    NfCond { neg: true, m }
}
fn pr(lo: u16, hi: u16) -> PortRange {
    PortRange { lo, hi }
}
fn nf(d: &Device) -> &Netfilter {
    d.netfilter.as_ref().expect("netfilter")
}
fn chain<'a>(d: &'a Device, id: &str) -> &'a NfChain {
    nf(d).chain(id).unwrap_or_else(|| {
        panic!(
            "no chain {id}: {:?}",
            nf(d).chains.iter().map(|c| &c.id).collect::<Vec<_>>()
        )
    })
}
fn unrec_at(d: &Device, line: u32) -> &Unrecognized {
    d.unrecognized
        .iter()
        .find(|u| u.line == line)
        .unwrap_or_else(|| panic!("line {line} not reported: {:#?}", d.unrecognized))
}

const RULESET: &str = r#"#!/usr/sbin/nft -f
define lan = "eth1"
define admins = { 10.0.0.10, 10.0.0.11 }
table inet filter {
	set blocked {
		type ipv4_addr
		flags interval
		elements = { 192.0.2.0/24,
			     198.51.100.7 }
	}
	map by_if {
		type ifname : verdict
		elements = { "eth1" : jump lan_in, "eth2" : drop }
	}
	chain input {
		type filter hook input priority filter + 10; policy drop;
		ct state established,related accept
		iifname $lan ip saddr $admins tcp dport { 22, 8000-8080 } counter packets 3 bytes 180 accept
		ip saddr @blocked drop
		icmp type { echo-request, 3 } icmp code port-unreachable accept
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
		iifname vmap @by_if
		iifname "wan*" ip saddr != { 10.0.0.0/8, 172.16.0.1-172.16.0.9 } ct state new drop
		ip daddr . tcp dport { 10.1.0.5 . 443, 10.1.0.6 . 25-26 } accept
		meta l4proto { tcp, udp } th dport 53 jump {
			ip daddr 10.9.9.9 accept
			drop
		}
		ether saddr 00:11:22:33:44:55 vlan id 10 tcp sport >= 1024 reject with tcp reset
		udp dport 123 limit rate 5/second accept
		tcp flags & (syn | ack) == syn drop
		ip6 saddr fe80::/64 accept
		meta nfproto ipv6 accept
		log prefix "fwd " counter
	}
	chain lan_in {
		oifname "eth0" goto out
		return
	}
	chain out {
		accept
	}
}
table ip nat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		iif "eth0" tcp dport 8443 dnat to 10.1.0.5:443
		tcp dport 21 redirect to :2121
		dnat to ip daddr map { 1.2.3.4 : 10.0.0.1 }
	}
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" masquerade random
		ip saddr 10.2.0.0/16 snat to 203.0.113.1-203.0.113.4:1024-2048
	}
}
table ip6 v6 {
	chain input {
		type filter hook input priority 0; policy drop;
	}
}
table bridge br {
	chain fwd {
		type filter hook forward priority 0; policy accept;
		ether type arp drop
	}
}
table bridge empty {
	chain fwd {
		type filter hook forward priority 0; policy accept;
	}
}
"#;

#[test]
fn chains_hooks_priorities_policies() {
    let d = parse(F, RULESET).unwrap();
    let ids: Vec<&str> = nf(&d).chains.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "inet filter input",
            "inet filter forward",
            "inet filter forward@27.0",
            "inet filter lan_in",
            "inet filter out",
            "ip nat pre",
            "ip nat post"
        ]
    );
    let c = chain(&d, "inet filter input");
    assert_eq!(c.base, Some((NfHook::Input, NfKind::Filter, 10)));
    assert_eq!(c.policy, Action::Deny);
    assert_eq!(c.span, Span::new(F, 15));
    assert_eq!(
        chain(&d, "inet filter forward").base,
        Some((NfHook::Forward, NfKind::Filter, 0))
    );
    assert_eq!(chain(&d, "inet filter forward").policy, Action::Permit);
    assert_eq!(chain(&d, "inet filter lan_in").base, None);
    assert_eq!(
        chain(&d, "ip nat pre").base,
        Some((NfHook::Prerouting, NfKind::Nat, -100))
    );
    assert_eq!(
        chain(&d, "ip nat post").base,
        Some((NfHook::Postrouting, NfKind::Nat, 100))
    );
    assert!(d.stateful);
    assert!(nf(&d).ip_forward);
}

#[test]
fn conditions_sets_and_defines() {
    let d = parse(F, RULESET).unwrap();
    let r = &chain(&d, "inet filter input").rules;
    assert_eq!(r.len(), 4);
    assert_eq!(
        r[0].conds,
        vec![pos(NfMatch::CtState(vec![
            CtState::Established,
            CtState::Related
        ]))]
    );
    assert_eq!(r[0].verdict, NfVerdict::Accept);
    assert_eq!(
        r[1].conds,
        vec![
            pos(NfMatch::Iif(vec!["eth1".into()])),
            pos(NfMatch::SrcIp(AddrSet {
                items: vec![IpMatch::host(a("10.0.0.10")), IpMatch::host(a("10.0.0.11"))]
            })),
            pos(NfMatch::Proto(vec![6])),
            pos(NfMatch::DstPort(vec![pr(22, 22), pr(8000, 8080)])),
        ]
    );
    assert_eq!(r[1].span, Span::new(F, 18));
    assert_eq!(
        r[2].conds,
        vec![pos(NfMatch::SrcIp(AddrSet {
            items: vec![
                IpMatch::prefix(a("192.0.2.0"), 24),
                IpMatch::host(a("198.51.100.7"))
            ]
        }))]
    );
    assert_eq!(r[2].verdict, NfVerdict::Drop);
    assert_eq!(
        r[3].conds,
        vec![
            pos(NfMatch::Proto(vec![1])),
            pos(NfMatch::IcmpType(vec![8, 3])),
            pos(NfMatch::IcmpCode(vec![3])),
        ]
    );
}

#[test]
fn vmaps_concatenations_negation_anonymous_chains() {
    let d = parse(F, RULESET).unwrap();
    let r = &chain(&d, "inet filter forward").rules;
    // vmap @by_if → one rule per element, in element order.
    assert_eq!(r[0].conds, vec![pos(NfMatch::Iif(vec!["eth1".into()]))]);
    assert_eq!(r[0].verdict, NfVerdict::Jump("inet filter lan_in".into()));
    assert_eq!(r[1].conds, vec![pos(NfMatch::Iif(vec!["eth2".into()]))]);
    assert_eq!(r[1].verdict, NfVerdict::Drop);
    assert_eq!(
        r[2].conds,
        vec![
            pos(NfMatch::Iif(vec!["wan*".into()])),
            negc(NfMatch::SrcIp(AddrSet {
                items: vec![
                    IpMatch::prefix(a("10.0.0.0"), 8),
                    IpMatch::Range {
                        lo: a("172.16.0.1"),
                        hi: a("172.16.0.9")
                    }
                ]
            })),
            pos(NfMatch::CtState(vec![CtState::New])),
        ]
    );
    // Concatenated set → one rule per element.
    assert_eq!(
        r[3].conds,
        vec![
            pos(NfMatch::DstIp(AddrSet::one(IpMatch::host(a("10.1.0.5"))))),
            pos(NfMatch::Proto(vec![6])),
            pos(NfMatch::DstPort(vec![pr(443, 443)])),
        ]
    );
    assert_eq!(r[4].conds[2], pos(NfMatch::DstPort(vec![pr(25, 26)])));
    assert_eq!(r[3].span, r[4].span);
    // Anonymous chain.
    assert_eq!(
        r[5].conds,
        vec![
            pos(NfMatch::Proto(vec![6, 17])),
            pos(NfMatch::DstPort(vec![pr(53, 53)]))
        ]
    );
    assert_eq!(
        r[5].verdict,
        NfVerdict::Jump("inet filter forward@27.0".into())
    );
    let anon = chain(&d, "inet filter forward@27.0");
    assert_eq!(anon.rules.len(), 2);
    assert_eq!(anon.rules[0].span, Span::new(F, 28));
    assert_eq!(anon.rules[1].verdict, NfVerdict::Drop);
    // MAC, VLAN, relational port, reject with tcp reset (implies TCP).
    assert_eq!(
        r[6].conds,
        vec![
            pos(NfMatch::SrcMac(vec![Mac::new(
                0, 0x11, 0x22, 0x33, 0x44, 0x55
            )])),
            pos(NfMatch::Vlan(vec![(10, 10)])),
            pos(NfMatch::Proto(vec![6])),
            pos(NfMatch::SrcPort(vec![pr(1024, 65535)])),
        ]
    );
    assert_eq!(r[6].verdict, NfVerdict::Reject);
    // `log … counter` without verdict continues.
    let last = r.last().unwrap();
    assert_eq!((last.conds.len(), &last.verdict), (0, &NfVerdict::Continue));
    assert_eq!(last.span, Span::new(F, 36));
    assert_eq!(r.len(), 8);
    let lan = &chain(&d, "inet filter lan_in").rules;
    assert_eq!(lan[0].verdict, NfVerdict::Goto("inet filter out".into()));
    assert_eq!(lan[1].verdict, NfVerdict::Return);
}

#[test]
fn nat_statements() {
    let d = parse(F, RULESET).unwrap();
    let pre = &chain(&d, "ip nat pre").rules;
    assert_eq!(pre.len(), 2, "the map-based dnat is reported, not emitted");
    assert_eq!(
        pre[0].verdict,
        NfVerdict::Dnat(NatTo {
            addr: Some((a("10.1.0.5"), a("10.1.0.5"))),
            port: Some(pr(443, 443))
        })
    );
    assert_eq!(pre[0].conds[0], pos(NfMatch::Iif(vec!["eth0".into()])));
    assert_eq!(pre[1].verdict, NfVerdict::Redirect(Some(pr(2121, 2121))));
    let post = &chain(&d, "ip nat post").rules;
    assert_eq!(post[0].verdict, NfVerdict::Masquerade);
    assert_eq!(post[0].conds, vec![pos(NfMatch::Oif(vec!["eth0".into()]))]);
    assert_eq!(
        post[1].verdict,
        NfVerdict::Snat(NatTo {
            addr: Some((a("203.0.113.1"), a("203.0.113.4"))),
            port: Some(pr(1024, 2048))
        })
    );
    assert_eq!(unrec_at(&d, 51).scope, Scope::Policy);
    assert!(unrec_at(&d, 51).reason.contains("map"));
}

#[test]
fn unknown_constructs_are_reported_with_scope() {
    let (d, understood) = parse_with_stats(F, RULESET).unwrap();
    let got: Vec<(u32, Scope)> = d
        .unrecognized
        .iter()
        .map(|u| (u.line, u.scope.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (32, Scope::Policy), // limit
            (33, Scope::Policy), // tcp flags
            (34, Scope::None),   // ip6 saddr
            (35, Scope::None),   // meta nfproto ipv6
            (51, Scope::Policy), // dnat via map
            (59, Scope::None),   // table ip6
            (64, Scope::Device), // bridge table with a rule
        ]
    );
    assert!(unrec_at(&d, 32).reason.contains("limit"));
    assert!(unrec_at(&d, 59).reason.contains("IPv6"));
    assert_eq!(unrec_at(&d, 33).text, "tcp flags & (syn | ack) == syn drop");
    // Covered lines: 5 one-line rules + ip6 table (59-63) + bridge table (64-69).
    assert_eq!(d.lines, 74);
    assert_eq!(understood, 74 - 5 - 5 - 6);
}

#[test]
fn text_and_json_of_the_real_dump_agree() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/linux-dumps/gw1");
    let text = std::fs::read_to_string(dir.join("ruleset.nft")).unwrap();
    let json = std::fs::read_to_string(dir.join("ruleset.json")).unwrap();
    let t = parse("r.nft", &text).unwrap();
    let j = parse_json("r.json", &json).unwrap();
    let strip = |d: &Device| {
        nf(d)
            .chains
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    c.base,
                    c.policy,
                    c.rules
                        .iter()
                        .map(|r| (r.conds.clone(), r.verdict.clone()))
                        .collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&t), strip(&j));
    assert_eq!(nf(&t).chains.len(), 8);
    // Same constructs reported by both (limit, tcp flags, ip6 rule, ip6 table).
    let reasons = |d: &Device| {
        let mut v: Vec<String> = d
            .unrecognized
            .iter()
            .map(|u| {
                let r = u.reason.splitn(2, ": ").last().unwrap_or("").to_string();
                if u.reason.starts_with("nftables[") {
                    r
                } else {
                    u.reason.clone()
                }
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(reasons(&t), reasons(&j));
    // Exact pieces of the real forward chain.
    let fwd = chain(&t, "inet filter forward");
    assert_eq!(fwd.policy, Action::Deny);
    assert_eq!(
        fwd.rules[0].conds,
        vec![pos(NfMatch::CtState(vec![CtState::Invalid]))]
    );
    assert_eq!(fwd.rules[0].verdict, NfVerdict::Drop);
    assert_eq!(
        fwd.rules[4].verdict,
        NfVerdict::Jump("inet filter lan_out".into())
    );
    let post = chain(&t, "ip nat postrouting");
    assert_eq!(
        post.rules[2].verdict,
        NfVerdict::Snat(NatTo {
            addr: Some((a("10.20.0.1"), a("10.20.0.2"))),
            port: Some(pr(1024, 2048))
        })
    );
}

#[test]
fn json_reports_carry_object_lines() {
    // Pretty-printed JSON: each object on its own lines.
    let j = r#"{"nftables": [
  {"metainfo": {"version": "1.0.6"}},
  {"table": {"family": "ip", "name": "t", "handle": 1}},
  {"chain": {"family": "ip", "table": "t", "name": "c", "handle": 1,
             "type": "filter", "hook": "forward", "prio": 0, "policy": "drop"}},
  {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 2,
            "expr": [{"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 1}},
                     {"accept": null}]}},
  {"rule": {"family": "ip", "table": "t", "chain": "c", "handle": 3,
            "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}},
                                "right": {"range": [1000, 2000]}}}, {"accept": null}]}}
]}"#;
    let d = parse_json("r.json", j).unwrap();
    let c = chain(&d, "ip t c");
    assert_eq!(c.base, Some((NfHook::Forward, NfKind::Filter, 0)));
    assert_eq!(c.policy, Action::Deny);
    assert_eq!(c.span.line, 4);
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].span.line, 9);
    assert_eq!(
        c.rules[0].conds,
        vec![
            pos(NfMatch::Proto(vec![17])),
            pos(NfMatch::DstPort(vec![pr(1000, 2000)]))
        ]
    );
    assert_eq!(d.unrecognized.len(), 1);
    assert_eq!(d.unrecognized[0].line, 6);
    assert!(d.unrecognized[0].reason.starts_with("nftables[3] rule:"));
    assert!(d.unrecognized[0].reason.contains("meta mark"));
    assert!(parse_json("r.json", "{\"nftables\": [").is_err());
    assert!(parse_json("r.json", "[]").is_err());
}

#[test]
fn bad_input_never_panics() {
    // Every prefix of the ruleset (cut mid-token, mid-block) parses or reports.
    let chars: Vec<char> = RULESET.chars().collect();
    for n in (0..chars.len()).step_by(7) {
        let t: String = chars[..n].iter().collect();
        let (d, u) = parse_with_stats(F, &t).unwrap();
        assert!(u <= d.lines);
    }
    let j = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/linux-dumps/gw1/ruleset.json"),
    )
    .unwrap();
    for n in (0..j.len()).step_by(97) {
        let _ = parse_json("r.json", &j[..n]);
    }
    for junk in [
        "}}}{{{",
        "table",
        "table inet",
        "chain x {",
        "\"",
        "define x = $x\n$x",
        "table ip t { chain c { jump { jump { accept",
    ] {
        let _ = parse_with_stats(F, junk).unwrap();
    }
}
