//! Tests for the Juniper Junos / SRX parser: focused constructs with hand-derived
//! expectations (both formats), dialect detection, and the shared corpus
//! (../shared/corpus/junos: no panic, every line accounted for, coverage).

mod common;

use sanso::ingest::junos::{parse, parse_with_stats};
use sanso::model::*;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

const F: &str = "configs/srx.conf";

fn dev(text: &str) -> Device {
    parse(F, text).expect("parse")
}

fn a(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn unrec_lines(d: &Device) -> BTreeSet<u32> {
    d.unrecognized.iter().map(|u| u.line).collect()
}

/// Every line is understood or unrecognized, never both, never neither.
fn check_accounting(file: &str, text: &str) -> (Device, u32) {
    let (d, understood) = parse_with_stats(file, text).expect("parse");
    let un = unrec_lines(&d);
    assert_eq!(
        un.len(),
        d.unrecognized.len(),
        "{file}: a line listed twice"
    );
    assert_eq!(
        understood as usize + un.len(),
        d.lines as usize,
        "{file}: understood {understood} + unrecognized {} != {} lines",
        un.len(),
        d.lines
    );
    assert_eq!(d.lines as usize, text.lines().count());
    (d, understood)
}

fn corpus(dialect: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(dialect);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "required corpus directory {} is missing ({e})",
                dir.display()
            )
        })
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn read(p: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).unwrap()).to_string()
}

// ---------------------------------------------------------------------------- corpus

/// Issue 16: every corpus line modelled, recognised as irrelevant, or listed as
/// unrecognised with a reason; the share of the first two classes printed and asserted.
#[test]
fn corpus_coverage() {
    let paths = corpus("junos");
    assert_eq!(paths.len(), 60, "the Junos corpus has 60 files");
    let (mut lines, mut understood, mut irrelevant) = (0u64, 0u64, 0u64);
    let mut left: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for p in &paths {
        let text = read(p);
        let name = format!("junos/{}", p.file_name().unwrap().to_string_lossy());
        let (d, u) = check_accounting(&name, &text);
        assert_eq!(d.dialect, sanso::ingest::junos::DIALECT);
        for x in &d.unrecognized {
            assert!(!x.reason.is_empty(), "{name}:{} has no reason", x.line);
        }
        lines += u64::from(d.lines);
        understood += u64::from(u);
        irrelevant += d.irrelevant.values().map(|n| u64::from(*n)).sum::<u64>();
        for x in &d.unrecognized {
            let kind = format!("{:?}", x.scope);
            let kind = kind.split('(').next().unwrap_or("").to_string();
            left.entry(format!("{kind}: {}", x.reason))
                .or_default()
                .push(format!("{name}:{} {}", x.line, x.text));
        }
        println!(
            "{name:<70} {u:>4}/{:<4} understood, {} ifaces, {} acls, {} policies, {} routes",
            d.lines,
            d.interfaces.len(),
            d.acls.len(),
            d.policies.len(),
            d.routes.len(),
        );
    }
    let pct = 100.0 * understood as f64 / lines as f64;
    println!(
        "junos corpus: {understood}/{lines} lines modelled or recognised ({pct:.1}%): \
         {} modelled, {irrelevant} irrelevant, {} unrecognised",
        understood - irrelevant,
        lines - understood
    );
    let mut groups: Vec<_> = left.into_iter().collect();
    groups.sort_by_key(|(r, v)| (std::cmp::Reverse(v.len()), r.clone()));
    println!("unrecognised, by scope and reason:");
    for (r, v) in &groups {
        println!("  {:>4}  {r}", v.len());
        for l in v.iter().take(3) {
            println!("          {l}");
        }
    }
    // Issue 16 asks for 95 %: 8315 of 8752 (95.0 %) once DHCP clients, BGP statements
    // beside neighbours, IPv6 and the context-irrelevant lines of docs/semantics.md were
    // read (7448 when written, 7639 with `protocols ospf|bgp` as routing facts). What is
    // left (listed above) changes forwarding and is not modelled: routing instances
    // (210), L2 switching / EVPN, IPsec VPNs, NAT forms, unusual filter terms.
    assert_eq!(lines, 8752);
    assert!(understood >= 8315, "coverage fell to {pct:.1}%");
}

/// Every corpus file is detected as Junos; no file of another dialect's corpus is.
#[test]
fn detection() {
    for p in corpus("junos") {
        let d = sanso::ingest::detect(&read(&p));
        assert_eq!(
            d.map(|d| d.id()),
            Some("junos"),
            "{} not detected as Junos",
            p.display()
        );
    }
    for other in [
        "cisco-ios",
        "fortios",
        "nftables",
        "iptables",
        "cisco-asa",
        "panos",
        "arista-eos",
        "yamaha-rtx",
        "allied-awplus",
    ] {
        for p in corpus(other) {
            let d = sanso::ingest::detect(&read(&p));
            assert_ne!(
                d.map(|d| d.id()),
                Some("junos"),
                "{} ({other}) detected as Junos",
                p.display()
            );
        }
    }
}

#[test]
fn registry_ids_and_aliases() {
    assert!(sanso::ingest::ids().contains(&"junos"));
    for alias in ["junos", "srx", "juniper"] {
        assert_eq!(sanso::ingest::by_id(alias).map(|d| d.id()), Some("junos"));
    }
}

// ---------------------------------------------------------------------------- constructs

/// A small SRX in `display set` form; the same configuration in hierarchical form below.
const SET: &str = "set system host-name fw1
set interfaces ge-0/0/0 unit 0 family inet address 10.1.0.1/24
set interfaces ge-0/0/1 vlan-tagging
set interfaces ge-0/0/1 unit 20 vlan-id 20
set interfaces ge-0/0/1 unit 20 family inet address 10.2.0.1/24
set interfaces ge-0/0/1 unit 20 family inet filter input PROTECT
set security zones security-zone trust interfaces ge-0/0/0.0
set security zones security-zone untrust interfaces ge-0/0/1.20 host-inbound-traffic system-services ping
set security zones security-zone trust address-book address web 10.1.0.80/32
set security address-book global address lg 10.2.0.0/24
set security address-book global address-set both address lg
set applications application tcp8080 protocol tcp
set applications application tcp8080 destination-port 8080
set security policies from-zone trust to-zone untrust policy p1 match source-address web
set security policies from-zone trust to-zone untrust policy p1 match destination-address both
set security policies from-zone trust to-zone untrust policy p1 match application tcp8080
set security policies from-zone trust to-zone untrust policy p1 match application junos-https
set security policies from-zone trust to-zone untrust policy p1 then permit
set security policies global policy g1 match source-address any
set security policies global policy g1 match destination-address any
set security policies global policy g1 match application junos-ping
set security policies global policy g1 then deny
set firewall family inet filter PROTECT term t1 from source-address 10.9.0.0/16
set firewall family inet filter PROTECT term t1 from protocol tcp
set firewall family inet filter PROTECT term t1 from destination-port 22
set firewall family inet filter PROTECT term t1 then discard
set firewall family inet filter PROTECT term t2 then accept
set routing-options static route 0.0.0.0/0 next-hop 10.2.0.254
set protocols ospf area 0 interface ge-0/0/0.0
deactivate security policies global policy g1
";

const HIER: &str = "## Last commit: 2026-01-01
version 21.4R3;
system {
    host-name fw1;
}
interfaces {
    ge-0/0/0 {
        unit 0 {
            family inet {
                address 10.1.0.1/24;
            }
        }
    }
    ge-0/0/1 {
        vlan-tagging;
        unit 20 {
            vlan-id 20;
            family inet {
                filter {
                    input PROTECT;
                }
                address 10.2.0.1/24;
            }
        }
    }
}
security {
    address-book {
        global {
            address lg 10.2.0.0/24;
            address-set both {
                address lg;
            }
        }
    }
    zones {
        security-zone trust {
            address-book {
                address web 10.1.0.80/32;
            }
            interfaces {
                ge-0/0/0.0;
            }
        }
        security-zone untrust {
            interfaces {
                ge-0/0/1.20 {
                    host-inbound-traffic {
                        system-services {
                            ping;
                        }
                    }
                }
            }
        }
    }
    policies {
        from-zone trust to-zone untrust {
            policy p1 {
                match {
                    source-address web;
                    destination-address both;
                    application [ tcp8080 junos-https ];
                }
                then {
                    permit;
                }
            }
        }
        global {
            inactive: policy g1 {
                match {
                    source-address any;
                    destination-address any;
                    application junos-ping;
                }
                then {
                    deny;
                }
            }
        }
    }
}
applications {
    application tcp8080 {
        protocol tcp;
        destination-port 8080;
    }
}
firewall {
    family inet {
        filter PROTECT {
            term t1 {
                from {
                    source-address {
                        10.9.0.0/16;
                    }
                    protocol tcp;
                    destination-port 22;
                }
                then {
                    discard;
                }
            }
            term t2 {
                then accept;
            }
        }
    }
}
routing-options {
    static {
        route 0.0.0.0/0 next-hop 10.2.0.254;
    }
}
protocols {
    ospf {
        area 0.0.0.0 {
            interface ge-0/0/0.0;
        }
    }
}
";

/// What both texts say, worked out by hand from the configuration.
fn check_small_srx(d: &Device, ospf_line: u32) {
    assert_eq!(d.name, "fw1");
    assert!(d.policy_based && d.stateful);
    let names: Vec<&str> = d.interfaces.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["ge-0/0/0.0", "ge-0/0/1.20"]);
    let sub = &d.interfaces[1];
    assert_eq!(sub.parent, Some(("ge-0/0/1".to_string(), 20)));
    assert_eq!(sub.addresses, vec![(a("10.2.0.1"), 24)]);
    assert_eq!(
        sub.acl_in.as_ref().map(|x| x.name.as_str()),
        Some("PROTECT")
    );
    // p1 only: g1 is deactivated, no default permit.
    assert_eq!(d.policies.len(), 1, "{:?}", d.policies);
    let p = &d.policies[0];
    assert_eq!(p.id, "trust>untrust p1");
    assert_eq!(
        (p.src_intf.as_slice(), p.dst_intf.as_slice()),
        (
            &["ge-0/0/0.0".to_string()][..],
            &["ge-0/0/1.20".to_string()][..]
        )
    );
    assert_eq!(p.action, Action::Permit);
    assert_eq!(p.m.src, AddrSet::one(IpMatch::host(a("10.1.0.80"))));
    assert_eq!(p.m.dst, AddrSet::one(IpMatch::prefix(a("10.2.0.0"), 24)));
    assert_eq!(
        p.m.services,
        vec![Service::tcp_dport(8080, 8080), Service::tcp_dport(443, 443)]
    );
    // The filter: discard tcp/22 from 10.9/16, accept the rest.
    let acl = &d.acls["PROTECT"];
    assert_eq!(acl.rules.len(), 2);
    assert_eq!(acl.rules[0].action, Action::Deny);
    assert_eq!(
        acl.rules[0].m.src,
        AddrSet::one(IpMatch::prefix(a("10.9.0.0"), 16))
    );
    assert_eq!(acl.rules[0].m.services, vec![Service::tcp_dport(22, 22)]);
    assert_eq!(
        (acl.rules[1].action, &acl.rules[1].m),
        (Action::Permit, &Match::any())
    );
    assert_eq!(d.routes.len(), 1);
    assert_eq!(
        (d.routes[0].len, d.routes[0].next_hop),
        (0, Some(a("10.2.0.254")))
    );
    // OSPF: read as routing facts (area 0 on ge-0/0/0.0); nothing left unrecognised.
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert!(d.routing.protocols[0].is_ospf());
    let (_, area, span) = d.routing.interfaces["ge-0/0/0.0"]
        .ospf_area
        .clone()
        .unwrap();
    assert_eq!((area, span.line), (0, ospf_line));
}

#[test]
fn both_formats_make_the_same_srx() {
    let s = dev(SET);
    check_small_srx(&s, 29);
    let h = dev(HIER);
    check_small_srx(&h, 119);
    check_accounting(F, SET);
    check_accounting(F, HIER);
}

#[test]
fn default_permit_groups_and_bad_references() {
    let d = dev(
        "set groups G interfaces <ge-*> unit 0 family inet filter input F
set apply-groups G
set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24
set interfaces xe-0/0/1 unit 0 family inet address 10.0.1.1/24
set firewall filter F term a then accept
set security zones security-zone z interfaces ge-0/0/0.0
set security zones security-zone y interfaces xe-0/0/1
set security policies default-policy permit-all
set security policies from-zone z to-zone y policy p match source-address nowhere
set security policies from-zone z to-zone y policy p match destination-address any
set security policies from-zone z to-zone y policy p match application any
set security policies from-zone z to-zone y policy p then deny
",
    );
    // The group's filter reaches ge-0/0/0.0 (matches `<ge-*>`), not xe-0/0/1.0.
    assert_eq!(
        d.interface("ge-0/0/0.0")
            .unwrap()
            .acl_in
            .as_ref()
            .unwrap()
            .name,
        "F"
    );
    assert!(d.interface("xe-0/0/1.0").unwrap().acl_in.is_none());
    // p names an undefined address: unrecognised, not guessed; the default policy stays.
    assert_eq!(unrec_lines(&d), BTreeSet::from([9]));
    assert_eq!(d.unrecognized[0].scope, Scope::Policy);
    assert_eq!(d.policies.len(), 1);
    assert_eq!(d.policies[0].id, "default-policy permit-all");
    let mut all = d.policies[0].src_intf.clone();
    all.sort();
    assert_eq!(all, ["ge-0/0/0.0", "xe-0/0/1.0"]);
}

#[test]
fn nat_rewrites() {
    let d = dev(
        "set interfaces ge-0/0/0 unit 0 family inet address 10.1.0.1/24
set interfaces ge-0/0/1 unit 0 family inet address 203.0.113.1/24
set security zones security-zone in interfaces ge-0/0/0.0
set security zones security-zone out interfaces ge-0/0/1.0
set security nat source rule-set s from zone in
set security nat source rule-set s to zone out
set security nat source rule-set s rule r1 match source-address 10.1.0.0/25
set security nat source rule-set s rule r1 then source-nat interface
set security nat destination pool web address 10.1.0.80/32 port 8080
set security nat destination rule-set d from zone out
set security nat destination rule-set d rule r match destination-address 203.0.113.10/32
set security nat destination rule-set d rule r match destination-port 80
set security nat destination rule-set d rule r match protocol tcp
set security nat destination rule-set d rule r then destination-nat pool web
set security policies from-zone in to-zone out policy o match source-address any
set security policies from-zone in to-zone out policy o match destination-address any
set security policies from-zone in to-zone out policy o match application any
set security policies from-zone in to-zone out policy o then permit
set security address-book global address web 10.1.0.80/32
set security policies from-zone out to-zone in policy i match source-address any
set security policies from-zone out to-zone in policy i match destination-address web
set security policies from-zone out to-zone in policy i match application junos-http
set security policies from-zone out to-zone in policy i then permit
",
    );
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    // o is split: its part from 10.1.0.0/25 is translated to the egress address.
    let ids: Vec<&str> = d.policies.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["in>out o [source NAT s r1]", "in>out o", "out>in i"]);
    assert_eq!(d.policies[0].snat, Some(PolicySnat::Egress));
    assert_eq!(
        d.policies[0].m.src,
        AddrSet::one(IpMatch::prefix(a("10.1.0.0"), 25))
    );
    assert_eq!(d.policies[1].snat, None);
    // The destination NAT: 203.0.113.10 tcp/80 → 10.1.0.80:8080 on arrival from `out`;
    // policy i (destination web = the mapped address) admits the translated packets.
    assert_eq!(d.dnats.len(), 1);
    let n = &d.dnats[0];
    assert_eq!(
        (n.ext, n.mapped),
        ((a("203.0.113.10"), a("203.0.113.10")), a("10.1.0.80"))
    );
    assert_eq!(n.port, Some((6, PortRange::single(80), Some(8080))));
    assert_eq!(n.in_intf, ["ge-0/0/1.0"]);
    assert_eq!(d.policies[2].dnat, vec![0]);
    assert!(d.policies[0].dnat.is_empty());
}

#[test]
fn filter_terms_either_direction_next_term_and_except() {
    let d = dev(
        "set firewall family inet filter F term a from address 10.0.0.0/8
set firewall family inet filter F term a then count c
set firewall family inet filter F term a then next term
set firewall family inet filter F term b from address 10.0.0.0/8
set firewall family inet filter F term b from port 53
set firewall family inet filter F term b from protocol udp
set firewall family inet filter F term b then reject
set firewall family inet filter F term c from source-address 10.0.0.0/8
set firewall family inet filter F term c from source-address 10.1.0.0/16 except
set firewall family inet filter F term c then accept
",
    );
    let acl = &d.acls["F"];
    // a never decides; b = (src or dst 10/8) × (sport or dport 53): four deny rules; c is
    // unrecognised (except) and left out.
    assert_eq!(acl.rules.len(), 4);
    assert!(acl.rules.iter().all(|r| r.action == Action::Deny));
    let r0 = &acl.rules[0].m;
    assert_eq!(r0.src, AddrSet::one(IpMatch::prefix(a("10.0.0.0"), 8)));
    assert_eq!(r0.dst, AddrSet::any());
    assert_eq!(r0.services[0].sport, PortRange::single(53));
    assert_eq!(acl.rules[1].m.services[0].dport, PortRange::single(53));
    assert_eq!(
        acl.rules[2].m.dst,
        AddrSet::one(IpMatch::prefix(a("10.0.0.0"), 8))
    );
    assert_eq!(unrec_lines(&d), BTreeSet::from([9]));
    assert_eq!(d.unrecognized[0].scope, Scope::Acl("F".into()));
    // A router (no zones): not policy-based.
    assert!(!d.policy_based);
}

#[test]
fn malformed_input_is_unrecognised_not_a_panic() {
    for t in [
        "interfaces {\n ge-0/0/0 {\n",
        "}\n}\nset\n",
        "set interfaces ge-0/0/0 unit 0 family inet address 300.1.1.1/24\n",
        "security { policies { from-zone a to-zone b { policy p { then permit; } } } }\n",
        "set security zones security-zone z interfaces ge-9/9/9.0\n\"unterminated\n",
        "/* never closed\n",
        "set applications application x term t protocol tcp destination-port\n",
    ] {
        let (d, _) = check_accounting(F, t);
        assert!(!d.unrecognized.is_empty(), "{t:?}: nothing reported");
    }
}

// ---------------------------------------------------------------------------- fixture town

fn town_audit(dir: &Path) -> sanso::checks::audit::Audit {
    let a = sanso::checks::audit::run(dir).unwrap();
    for d in &a.snapshot.devices {
        assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
        assert_eq!(d.dialect.id(), "junos");
    }
    a
}

fn mn_status(a: &sanso::checks::audit::Audit) -> String {
    let c = a
        .eval
        .checks
        .iter()
        .find(|c| c.rule == "MN-ISOLATION")
        .unwrap();
    c.status.id().to_string()
}

/// fixtures/junos-town: an SRX holding both tiers in two zones with no policy between
/// them (default deny). Permitting HTTPS from lg to mn (in `set` form, loaded onto the
/// hierarchical file) opens exactly LG → MN tcp/443: the witness says so.
#[test]
fn junos_town_fixture_verdicts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/junos-town");
    let a = town_audit(&root);
    assert_eq!(mn_status(&a), "pass");
    assert!(
        a.eval.findings.is_empty(),
        "{:?}",
        a.eval.findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
    );
    let tmp = std::env::temp_dir().join(format!("sanso-junos-town-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("configs")).unwrap();
    for f in ["sanso.toml", "topology.toml"] {
        std::fs::copy(root.join(f), tmp.join(f)).unwrap();
    }
    let cfg = std::fs::read_to_string(root.join("configs/srx-edge.conf")).unwrap();
    let open = format!(
        "{cfg}set security policies from-zone lg to-zone mn policy https match source-address any
set security policies from-zone lg to-zone mn policy https match destination-address any
set security policies from-zone lg to-zone mn policy https match application junos-https
set security policies from-zone lg to-zone mn policy https then permit
"
    );
    std::fs::write(tmp.join("configs/srx-edge.conf"), open).unwrap();
    let a = town_audit(&tmp);
    assert_eq!(mn_status(&a), "violated");
    let fs: Vec<_> = a
        .eval
        .findings
        .iter()
        .filter(|f| f.rule == "MN-ISOLATION")
        .collect();
    assert!(!fs.is_empty());
    for f in fs {
        assert_eq!(
            (f.subject.src.as_str(), f.subject.dst.as_str()),
            ("lg-terminals", "mn-servers")
        );
        let w = f.witness.as_ref().unwrap();
        assert_eq!((w.proto, w.dst_port), (6, 443));
        assert!(w.dst_ip.octets()[..3] == [10, 10, 10], "{w:?}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `protocols ospf` and `protocols bgp` are read as routing facts; an OSPF export policy
/// and OSPF authentication stay unrecognised (routing scope) and are recorded on the
/// process or interface. The BGP import policy is part of the neighbour's
/// state-dependent fact (every neighbour taints the device's routing at load).
#[test]
fn ospf_and_bgp_are_read_as_routing_facts() {
    let d = dev("set system host-name r1
set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/30
set interfaces lo0 unit 0 family inet address 192.0.2.1/32
set protocols ospf reference-bandwidth 10g
set protocols ospf export REDIST
set protocols ospf area 0.0.0.1 interface ge-0/0/0 metric 7
set protocols ospf area 0.0.0.1 interface ge-0/0/0 interface-type p2p
set protocols ospf area 0.0.0.1 interface ge-0/0/0 authentication md5 1 key \"$9$abcdefgh\"
set protocols ospf area 0.0.0.1 interface lo0.0 passive
set protocols bgp group ext type external
set protocols bgp group ext neighbor 198.51.100.1 peer-as 64500
set protocols bgp group ext import IN
");
    let lines: Vec<u32> = d.unrecognized.iter().map(|u| u.line).collect();
    assert_eq!(lines, [5, 8], "{:?}", d.unrecognized);
    assert!(d.unrecognized.iter().all(|u| u.scope == Scope::Routing));
    let o = &d.routing.protocols[0];
    assert_eq!(o.reference_bw_mbps, Some(10_000));
    assert_eq!(o.unmodelled.iter().map(|s| s.line).collect::<Vec<_>>(), [5]);
    assert!(o.is_passive("lo0.0") && !o.is_passive("ge-0/0/0.0"));
    let i = &d.routing.interfaces["ge-0/0/0.0"];
    assert_eq!(i.ospf_area.as_ref().map(|a| a.1), Some(1));
    assert_eq!(i.ospf_cost.as_ref().map(|c| c.0), Some(7));
    assert_eq!(i.net_type, Some(OspfNetType::PointToPoint));
    assert_eq!(i.unmodelled.iter().map(|s| s.line).collect::<Vec<_>>(), [8]);
    let b = &d.routing.protocols[1];
    assert_eq!(b.neighbors[0].peer, "198.51.100.1");
    assert_eq!(b.neighbors[0].remote_as, Some(64500));
    assert!(!d.unrecognized.iter().any(|u| u.text.contains("abcdefgh")));
}

/// BGP statements beyond the neighbours are read as part of the neighbours' fact; in a
/// process without any neighbour nothing taints for them, so they stay unrecognised.
/// `allow` (dynamic peers) is a neighbour.
#[test]
fn bgp_statements_belong_to_the_neighbours_fact() {
    let with = dev("set protocols bgp group g type external
set protocols bgp group g export OUT
set protocols bgp group g neighbor 192.0.2.9 import IN
set protocols bgp group g multipath
set policy-options policy-statement OUT term t then accept
");
    assert!(with.unrecognized.is_empty(), "{:?}", with.unrecognized);
    let b = &with.routing.protocols[0];
    assert_eq!(b.neighbors.len(), 1);
    assert_eq!(
        (b.neighbors[0].peer.as_str(), b.neighbors[0].span.line),
        ("192.0.2.9", 3)
    );
    let without = dev("set protocols bgp group g type external
set protocols bgp group g export OUT
set protocols bgp group g multipath
");
    assert_eq!(unrec_lines(&without), BTreeSet::from([2, 3]));
    assert!(without
        .unrecognized
        .iter()
        .all(|u| u.scope == Scope::Routing));
    let dynamic =
        dev("set protocols bgp group g allow 10.0.0.0/8\nset protocols bgp group g export OUT\n");
    assert!(
        dynamic.unrecognized.is_empty(),
        "{:?}",
        dynamic.unrecognized
    );
    assert_eq!(
        dynamic.routing.protocols[0].neighbors[0].peer,
        "(any in 10.0.0.0/8)"
    );
}

/// A DHCP client unit is an interface without a known address (no unrecognised line at
/// parse); loading the snapshot taints the device's routing on that line. Written into
/// the junos town, MN-ISOLATION still passes: whatever route DHCP adds, the SRX forwards
/// between the tiers only by policy (none: default deny), and the new unit is in no zone
/// (its traffic is dropped), so the taint concerns no packet the check judges.
#[test]
fn dhcp_interface_has_unknown_address_and_taints_at_load() {
    let d = dev("set interfaces ge-0/0/5 unit 0 family inet dhcp vendor-id X
set interfaces ge-0/0/5 unit 0 family inet dhcp retransmission-attempt 6
");
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let i = d.interface("ge-0/0/5.0").unwrap();
    assert!(i.addresses.is_empty());
    assert_eq!(i.dynamic_address.as_ref().map(|s| s.line), Some(1));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/junos-town");
    let tmp = common::fresh_dir("junos-dhcp", "town");
    std::fs::create_dir_all(tmp.join("configs")).unwrap();
    for f in ["sanso.toml", "topology.toml"] {
        std::fs::copy(root.join(f), tmp.join(f)).unwrap();
    }
    let cfg = std::fs::read_to_string(root.join("configs/srx-edge.conf")).unwrap();
    let n = cfg.lines().count() as u32 + 1;
    std::fs::write(
        tmp.join("configs/srx-edge.conf"),
        format!("{cfg}set interfaces ge-0/0/5 unit 0 family inet dhcp\n"),
    )
    .unwrap();
    let a = sanso::checks::audit::run(&tmp).unwrap();
    let d = &a.snapshot.devices[0];
    let t: Vec<_> = d
        .unrecognized
        .iter()
        .map(|u| (u.line, u.scope.clone()))
        .collect();
    assert_eq!(t, [(n, Scope::Routing)]);
    assert!(d.unrecognized[0].reason.contains("ge-0/0/5.0"));
    assert_eq!(mn_status(&a), "pass");
    let _ = std::fs::remove_dir_all(&tmp);
}

/// IPv6, the management instance (with `system management-instance`), IKE / IPsec
/// parameters, a VLAN no port can join and an interface set are recognised; the VPN
/// itself, a VLAN with an L3 interface, a forwarding-table export policy and another
/// routing instance stay unrecognised.
#[test]
fn recognised_and_still_reported() {
    let d = dev("set system management-instance
set interfaces fxp0 unit 0 family inet6 address 2001:db8::2/64
set routing-instances mgmt_junos routing-options static route 0.0.0.0/0 next-hop 10.0.0.1
set routing-options rib inet6.0 static route ::/0 next-hop 2001:db8::1
set firewall family inet6 filter V6 term t then accept
set security ike proposal P authentication-method pre-shared-keys
set security ike gateway G address 198.51.100.7
set security ipsec policy IP proposals Q
set security ipsec vpn V ike gateway G
set vlans default vlan-id 1
set vlans users vlan-id 20
set vlans users l3-interface irb.20
set routing-options forwarding-table export LB
set routing-instances R instance-type virtual-router
set firewall interface-set S ge-0/0/0.0
set routing-options route-distinguisher-id 192.0.2.1
");
    assert_eq!(
        unrec_lines(&d),
        BTreeSet::from([9, 11, 12, 13, 14]),
        "{:?}",
        d.unrecognized
    );
    // A unit that switches may join `default`: then the bare VLAN is reported too.
    let l2 = dev(
        "set vlans default vlan-id 1\nset interfaces ge-0/0/1 unit 0 family ethernet-switching\n",
    );
    assert_eq!(unrec_lines(&l2), BTreeSet::from([1, 2]));
    // Without `system management-instance`, mgmt_junos is an ordinary instance.
    let plain = dev("set routing-instances mgmt_junos routing-options static route 0.0.0.0/0 next-hop 10.0.0.1\n");
    assert_eq!(unrec_lines(&plain), BTreeSet::from([1]));
    // `insert` reorders: a routing policy's order is irrelevant here, a filter's is not.
    let ins = dev("set policy-options policy-statement p term a then accept
set policy-options policy-statement p term b then accept
insert policy-options policy-statement p term b before term a
insert firewall filter F term b before term a
");
    assert_eq!(unrec_lines(&ins), BTreeSet::from([4]));
}

/// `apply-path` expands to the addresses its path points at (groups applied); worked
/// out by hand from the corpus file that Batfish wrote for it. Malformed paths stay
/// unrecognised.
#[test]
fn apply_path_prefix_lists() {
    let text = read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpus/junos/bf_juniper_juniper-wildcards"),
    );
    let (d, _) = check_accounting("junos/bf_juniper_juniper-wildcards", &text);
    assert_eq!(
        unrec_lines(&d)
            .intersection(&BTreeSet::from([10, 13, 19, 29, 30, 31]))
            .copied()
            .collect::<BTreeSet<_>>(),
        BTreeSet::from([29, 30, 31])
    );
    // The lists reach the model through a filter using them.
    let f = |list: &str| {
        let d = dev(&format!(
            "{}
set interfaces ge-0/0/0 unit 0 family inet address 88.1.2.3
set interfaces ge-0/0/0 unit 0 family inet filter input F
set interfaces em0 unit 0 family inet address 10.0.0.1/24
set interfaces lo0 unit 0 family inet address 1.1.1.1/32
set interfaces lo0 unit 0 family inet6 address 2001:db8::1/128
set snmp community foo clients 4.4.4.4/32
set snmp community bar clients 5.5.5.5/32
set firewall family inet filter F term t from source-prefix-list L
set firewall family inet filter F term t then accept
",
            list
        ));
        assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
        d.acls["F"].rules[0].m.src.items.clone()
    };
    let p = |a: &str, l| IpMatch::prefix(a.parse().unwrap(), l);
    assert_eq!(
        f("set policy-options prefix-list L apply-path \"interfaces <*> unit <*> family inet address <*>\""),
        [p("88.1.2.3", 32), p("10.0.0.0", 24), p("1.1.1.1", 32)]
    );
    assert_eq!(
        f("set policy-options prefix-list L apply-path \"interfaces <*> unit <*> family inet address <88.*>\""),
        [p("88.1.2.3", 32)]
    );
    assert_eq!(
        f("set policy-options prefix-list L apply-path \"snmp community <*> clients <*>\""),
        [p("4.4.4.4", 32), p("5.5.5.5", 32)]
    );
    let none = dev(
        "set policy-options prefix-list L apply-path \"protocols bgp group <*> neighbor <*>\"\n",
    );
    assert_eq!(unrec_lines(&none), BTreeSet::from([1]));
}

/// ICMP type ranges, ICMP codes and `protocol ipv6` (41) in filter terms.
#[test]
fn filter_icmp_ranges_codes_and_ipv6_in_ipv4() {
    let d = dev("set firewall filter F term a from icmp-type 10-12
set firewall filter F term a then accept
set firewall filter F term b from icmp-type unreachable
set firewall filter F term b from icmp-code 1
set firewall filter F term b then discard
set firewall filter F term c from protocol ipv6
set firewall filter F term c then accept
");
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    let r = &d.acls["F"].rules;
    let types: Vec<_> = r[0]
        .m
        .services
        .iter()
        .map(|s| (s.proto, s.icmp_type, s.icmp_code))
        .collect();
    assert_eq!(
        types,
        [
            (Some(1), Some(10), None),
            (Some(1), Some(11), None),
            (Some(1), Some(12), None)
        ]
    );
    let b: Vec<_> = r[1]
        .m
        .services
        .iter()
        .map(|s| (s.proto, s.icmp_type, s.icmp_code))
        .collect();
    assert_eq!(b, [(Some(1), Some(3), Some(1))]);
    assert_eq!(r[1].action, Action::Deny);
    assert_eq!(r[2].m.services[0].proto, Some(41));
}
