//! Issue 16, done-when: random segmentation policies rendered by Aerleon (an independent
//! source of ASA syntax, its `ciscoasa` generator) into ASA access lists, wrapped as a
//! one-firewall snapshot (MN zone on one `nameif`, LGWAN zone on another, random
//! security levels, `same-security-traffic`, inbound / outbound / global `access-group`),
//! are judged by sanso exactly as an independent first-match evaluation of the same
//! policy judges them: the MN-ISOLATION verdict and every witness packet.
//!
//! The reference never calls the engine or the parser: it evaluates the policy terms
//! (plain data) with ASA's forwarding rules as Cisco documents them: a packet from
//! interface I to O needs (1) different security levels, or equal ones with
//! `same-security-traffic permit inter-interface`; (2) if an ACL applies to I (its
//! inbound ACL, then the global ACL), a permit by the first matching entry, else a higher
//! level on I; (3) if O has an outbound ACL, a permit by it. "Is there a violating
//! packet?" is decided by brute force over the cells every term boundary cuts each header
//! field into.
//!
//! Replay one case: `ASA_REFEREE_SEED=<seed> cargo test --test cisco_asa_referee`.
//! Aerleon must be installed (tests/requirements.txt); a missing Aerleon fails the test.

mod common;
use common::firstmatch::{self as fm, prefix_range, Cuts, Pkt, LG, MN};
use common::Rng;
use std::fmt::Write;
use std::path::Path;

// MN (10.1.0.0/16) on nameif mn, LGWAN (10.2.0.0/16) on nameif lgwan.
const CASES: u64 = 150;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Proto {
    Any,
    Tcp,
    Udp,
    TcpUdp,
    Icmp,
    Gre,
}

#[derive(Clone, Debug)]
struct Term {
    accept: bool,
    /// Prefixes (addr, len); empty = any.
    src: Vec<(u32, u8)>,
    dst: Vec<(u32, u8)>,
    proto: Proto,
    /// Port ranges (TCP/UDP only); empty = any.
    sport: Vec<(u16, u16)>,
    dport: Vec<(u16, u16)>,
}

fn ip(a: u32) -> String {
    std::net::Ipv4Addr::from(a).to_string()
}

fn prefix(r: &mut Rng) -> (u32, u8) {
    let base = [0x0a01_0000u32, 0x0a02_0000, 0x0a00_0000][r.index(3)];
    let len = [8u8, 15, 16, 20, 24, 28, 32][r.index(7)];
    let mask = u32::MAX << (32 - u32::from(len));
    ((base | (r.below(65536) as u32)) & mask, len)
}

fn addrs(r: &mut Rng) -> Vec<(u32, u8)> {
    match r.below(5) {
        0 | 1 => vec![],
        2 | 3 => vec![prefix(r)],
        _ => vec![prefix(r), prefix(r)],
    }
}

fn ports(r: &mut Rng) -> Vec<(u16, u16)> {
    match r.below(6) {
        0 | 1 => vec![],
        2 => {
            let n = [22u16, 25, 53, 443, 1024, 3389, 8080][r.index(7)];
            vec![(n, n)]
        }
        3 => {
            let a = 1 + r.below(5000) as u16;
            vec![(a, a + r.below(3000) as u16)]
        }
        4 => vec![(80, 80), (1024, 65535)],
        _ => vec![(20, 21), (443, 443)],
    }
}

fn term(r: &mut Rng) -> Term {
    let proto = [
        Proto::Any,
        Proto::Tcp,
        Proto::Udp,
        Proto::TcpUdp,
        Proto::Icmp,
        Proto::Gre,
    ][r.index(6)];
    let l4 = matches!(proto, Proto::Tcp | Proto::Udp | Proto::TcpUdp);
    Term {
        accept: r.chance(55),
        src: addrs(r),
        dst: addrs(r),
        sport: if l4 && r.chance(25) { ports(r) } else { vec![] },
        dport: if l4 { ports(r) } else { vec![] },
        proto,
    }
}

fn hit(x: &Term, p: &Pkt) -> bool {
    let ina = |v: &[(u32, u8)], a: u32| {
        v.is_empty()
            || v.iter().any(|&(n, l)| {
                let m = u32::MAX.checked_shl(32 - u32::from(l)).unwrap_or(0);
                a & m == n
            })
    };
    let inp =
        |v: &[(u16, u16)], a: u16| v.is_empty() || v.iter().any(|&(lo, hi)| lo <= a && a <= hi);
    let pr = match x.proto {
        Proto::Any => true,
        Proto::Tcp => p.proto == 6,
        Proto::Udp => p.proto == 17,
        Proto::TcpUdp => p.proto == 6 || p.proto == 17,
        Proto::Icmp => p.proto == 1,
        Proto::Gre => p.proto == 47,
    };
    let l4 = p.proto == 6 || p.proto == 17;
    pr && ina(&x.src, p.src)
        && ina(&x.dst, p.dst)
        && (!l4 || (inp(&x.sport, p.sport) && inp(&x.dport, p.dport)))
}

/// First match decides; no match denies.
fn first_match(l: &[Term], p: &Pkt) -> bool {
    l.iter().find(|x| hit(x, p)).is_some_and(|x| x.accept)
}

#[derive(Default, Debug)]
struct Policy {
    mn_level: u8,
    lg_level: u8,
    inter: bool,
    mn_in: Option<Vec<Term>>,
    lg_in: Option<Vec<Term>>,
    mn_out: Option<Vec<Term>>,
    lg_out: Option<Vec<Term>>,
    global: Option<Vec<Term>>,
}

impl Policy {
    fn forwards(&self, p: &Pkt, from_mn: bool) -> bool {
        let (li, lo, acl_in, acl_out) = if from_mn {
            (self.mn_level, self.lg_level, &self.mn_in, &self.lg_out)
        } else {
            (self.lg_level, self.mn_level, &self.lg_in, &self.mn_out)
        };
        if li == lo && !self.inter {
            return false;
        }
        let inbound = if acl_in.is_some() || self.global.is_some() {
            let mut l: Vec<Term> = acl_in.clone().unwrap_or_default();
            l.extend(self.global.clone().unwrap_or_default());
            first_match(&l, p)
        } else {
            li >= lo
        };
        inbound && acl_out.as_ref().is_none_or(|l| first_match(l, p))
    }
    fn terms(&self) -> impl Iterator<Item = &Term> {
        [
            &self.mn_in,
            &self.lg_in,
            &self.mn_out,
            &self.lg_out,
            &self.global,
        ]
        .into_iter()
        .flatten()
        .flatten()
    }
}

impl Policy {
    fn cuts(&self) -> Cuts {
        Cuts {
            src: self
                .terms()
                .flat_map(|x| x.src.iter().map(|&n| prefix_range(n)))
                .collect(),
            dst: self
                .terms()
                .flat_map(|x| x.dst.iter().map(|&n| prefix_range(n)))
                .collect(),
            sport: self.terms().flat_map(|x| x.sport.clone()).collect(),
            dport: self.terms().flat_map(|x| x.dport.clone()).collect(),
        }
    }
}

/// A violating packet from one side to the other, if any (exhaustive over cells).
fn violation(pol: &Policy, from_mn: bool) -> Option<Pkt> {
    let d = if from_mn { LG } else { MN };
    fm::violation(&pol.cuts(), d, |p| pol.forwards(p, from_mn))
}

fn gen(r: &mut Rng) -> Policy {
    let list = |r: &mut Rng, pct| {
        r.chance(pct)
            .then(|| (0..1 + r.below(5)).map(|_| term(r)).collect())
    };
    let levels = [0u8, 50, 100];
    Policy {
        mn_level: levels[r.index(3)],
        lg_level: levels[r.index(3)],
        inter: r.chance(50),
        mn_in: list(r, 70),
        lg_in: list(r, 60),
        mn_out: list(r, 25),
        lg_out: list(r, 25),
        global: list(r, 20),
    }
}

// ------------------------------------------------------------------ Aerleon rendering

/// The Aerleon policy (.pol) and definitions (JSON) of one case: one filter per ACL.
fn aerleon_input(pol: &Policy) -> (String, String) {
    let mut nets = serde_json::Map::new();
    let mut svcs = serde_json::Map::new();
    let mut o = String::new();
    for (acl, l) in [
        ("mn_in", &pol.mn_in),
        ("lg_in", &pol.lg_in),
        ("mn_out", &pol.mn_out),
        ("lg_out", &pol.lg_out),
        ("glob", &pol.global),
    ] {
        let Some(l) = l else { continue };
        let _ = writeln!(o, "header {{\n  target:: ciscoasa {acl}\n}}");
        for (i, x) in l.iter().enumerate() {
            let tn = format!("{acl}_{i}");
            let _ = writeln!(o, "term {tn} {{");
            for (kw, v) in [("source-address", &x.src), ("destination-address", &x.dst)] {
                if v.is_empty() {
                    continue;
                }
                let name = format!("{}_{}", tn.to_uppercase(), &kw[..3]);
                let vals: Vec<serde_json::Value> = v
                    .iter()
                    .map(|&(n, l)| serde_json::json!({"address": format!("{}/{l}", ip(n))}))
                    .collect();
                nets.insert(name.clone(), serde_json::json!({"values": vals}));
                let _ = writeln!(o, "  {kw}:: {name}");
            }
            for (kw, v) in [("source-port", &x.sport), ("destination-port", &x.dport)] {
                if v.is_empty() {
                    continue;
                }
                let name = format!("{}_{}", tn.to_uppercase(), &kw[..3]);
                let vals: Vec<serde_json::Value> = v
                    .iter()
                    .flat_map(|&(a, b)| {
                        let port = if a == b {
                            a.to_string()
                        } else {
                            format!("{a}-{b}")
                        };
                        ["tcp", "udp"].map(|p| serde_json::json!({"port": port, "protocol": p}))
                    })
                    .collect();
                svcs.insert(name.clone(), serde_json::Value::Array(vals));
                let _ = writeln!(o, "  {kw}:: {name}");
            }
            let p = match x.proto {
                Proto::Any => "",
                Proto::Tcp => "tcp",
                Proto::Udp => "udp",
                Proto::TcpUdp => "tcp udp",
                Proto::Icmp => "icmp",
                Proto::Gre => "gre",
            };
            if !p.is_empty() {
                let _ = writeln!(o, "  protocol:: {p}");
            }
            let _ = writeln!(
                o,
                "  action:: {}\n}}",
                if x.accept { "accept" } else { "deny" }
            );
        }
    }
    let defs = serde_json::json!({"networks": nets, "services": svcs});
    (o, defs.to_string())
}

const RENDER: &str = r#"
import json, sys, os
from aerleon.lib import naming, policy, ciscoasa
d = sys.argv[1]
for case in sorted(os.listdir(d)):
    p = os.path.join(d, case)
    defs = naming.Naming()
    defs.ParseDefinitionsObject(json.load(open(os.path.join(p, 'defs.json'))), 'defs')
    text = open(os.path.join(p, 'policy.pol')).read()
    out = ''
    if text.strip():
        pol = policy.ParsePolicy(text, defs, optimize=False)
        out = str(ciscoasa.CiscoASA(pol, 0))
    open(os.path.join(p, 'acl.asa'), 'w').write(out)
"#;

/// Render every case directory under `dir` with Aerleon (one Python process).
fn render_all(dir: &Path) {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(RENDER)
        .arg(dir)
        .output()
        .expect("python3 must be installed (Aerleon renders the ACLs)");
    assert!(
        out.status.success(),
        "Aerleon failed (pip install -r tests/requirements.txt): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn config(pol: &Policy, acls: &str) -> String {
    let mut o = format!(
        "ASA Version 9.12(4)\n!\nhostname fw\n!\ninterface GigabitEthernet0/0\n nameif mn\n security-level {}\n ip address 10.1.0.1 255.255.0.0\n!\ninterface GigabitEthernet0/1\n nameif lgwan\n security-level {}\n ip address 10.2.0.1 255.255.0.0\n!\n",
        pol.mn_level, pol.lg_level
    );
    if pol.inter {
        o.push_str("same-security-traffic permit inter-interface\n");
    }
    o.push_str(acls);
    o.push('\n');
    for (acl, l, bind) in [
        ("mn_in", &pol.mn_in, "in interface mn"),
        ("lg_in", &pol.lg_in, "in interface lgwan"),
        ("mn_out", &pol.mn_out, "out interface mn"),
        ("lg_out", &pol.lg_out, "out interface lgwan"),
        ("glob", &pol.global, "global"),
    ] {
        if l.is_some() {
            let _ = writeln!(o, "access-group {acl} {bind}");
        }
    }
    o
}

/// Audit one rendered case; `Err` describes a disagreement.
fn check(seed: u64, pol: &Policy, dir: &Path) -> Result<bool, String> {
    let acls = std::fs::read_to_string(dir.join("acl.asa")).map_err(|e| e.to_string())?;
    let cfg = config(pol, &acls);
    let snap = dir.join("snap");
    fm::write_snapshot(&snap, "ASA referee", "fw.cfg", &cfg);
    let fail = |m: String| Err(format!("seed {seed}: {m}\n{pol:?}\n{cfg}"));
    let a = sanso::checks::audit::run(&snap).map_err(|e| format!("seed {seed}: {e:?}"))?;
    for d in &a.snapshot.devices {
        if d.dialect.id() != "cisco-asa" {
            return fail(format!("detected as {}", d.dialect.id()));
        }
    }
    fm::judge_mn_isolation(&a, &pol.cuts(), |p, from_mn| pol.forwards(p, from_mn)).or_else(fail)
}

fn run(seeds: &[u64]) -> (usize, Vec<String>) {
    let root = fm::work("asa").join(format!("{}", seeds[0]));
    let _ = std::fs::remove_dir_all(&root);
    let mut pols = vec![];
    for (i, &seed) in seeds.iter().enumerate() {
        let mut r = Rng(seed | 1);
        let pol = gen(&mut r);
        let (p, d) = aerleon_input(&pol);
        let dir = root.join(format!("{i:04}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("policy.pol"), p).unwrap();
        std::fs::write(dir.join("defs.json"), d).unwrap();
        pols.push((seed, pol, dir));
    }
    render_all(&root);
    let mut violated = 0;
    let mut bad = vec![];
    for (seed, pol, dir) in &pols {
        match check(*seed, pol, dir) {
            Ok(v) => violated += usize::from(v),
            Err(e) => bad.push(e),
        }
    }
    if bad.is_empty() {
        let _ = std::fs::remove_dir_all(&root);
    }
    (violated, bad)
}

#[test]
fn random_asa_policies_agree_with_first_match() {
    fm::referee_main("asa", CASES, run);
}

/// The reference itself, on hand-made policies (expectations worked out by hand).
#[test]
fn reference_sanity() {
    let t = |accept, proto, dport: Vec<(u16, u16)>| Term {
        accept,
        src: vec![],
        dst: vec![],
        proto,
        sport: vec![],
        dport,
    };
    // No ACL: level 100 → 0 permitted, 0 → 100 denied.
    let pol = Policy {
        mn_level: 100,
        lg_level: 0,
        ..Policy::default()
    };
    assert!(violation(&pol, true).is_some());
    assert!(violation(&pol, false).is_none());
    // Equal levels without same-security-traffic: nothing, even with a permit ACL.
    let pol = Policy {
        mn_level: 50,
        lg_level: 50,
        mn_in: Some(vec![t(true, Proto::Any, vec![])]),
        ..Policy::default()
    };
    assert!(violation(&pol, true).is_none());
    // An inbound ACL on the lower side admits exactly its permits: TCP other than 22.
    let pol = Policy {
        mn_level: 100,
        lg_level: 0,
        lg_in: Some(vec![
            t(false, Proto::Tcp, vec![(22, 22)]),
            t(true, Proto::Tcp, vec![]),
        ]),
        ..Policy::default()
    };
    let v = violation(&pol, false).unwrap();
    assert_eq!((v.proto, v.dport), (6, 0));
    // A global ACL removes the security-level default of every interface.
    let pol = Policy {
        mn_level: 100,
        lg_level: 0,
        global: Some(vec![t(true, Proto::Udp, vec![(53, 53)])]),
        ..Policy::default()
    };
    let v = violation(&pol, true).unwrap();
    assert_eq!((v.proto, v.dport), (17, 53));
}
