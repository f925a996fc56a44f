//! Issue 16, done-when: random segmentation policies rendered by Aerleon (an independent
//! source of Junos syntax) as SRX security policies (`srx` generator) and as stateless
//! firewall filters (`juniper` generator), wrapped into one-firewall snapshots (MN zone on
//! ge-0/0/0, LGWAN zone on ge-0/0/1), are judged by sanso exactly as an independent
//! first-match evaluation of the same policy judges them — the MN-ISOLATION verdict and
//! every witness packet.
//!
//! The reference never calls the engine: it evaluates the policy terms (kept as plain
//! data) packet by packet, deciding "is there a violating packet?" by brute force over the
//! cells that every term boundary cuts each header field into. Packets from an edge point
//! may carry any source address (docs/semantics.md).
//!
//! Semantics the reference encodes (Junos documentation): an SRX forwards a new flow when
//! the input filter of its ingress interface accepts it, the first policy of its zone pair
//! that matches permits it (no match: default deny), and the output filter of its egress
//! interface accepts it; a router (no zones) needs the filters only. A filter is
//! first-match over its terms and discards at its end.
//!
//! Replay one case: `JUNOS_REFEREE_SEED=<seed> cargo test --test junos_referee`.

mod common;
use common::firstmatch::{self as fm, in_ports, in_prefixes, prefix_range, Cuts, Pkt, LG, MN};
use common::Rng;
use std::fmt::Write;
use std::path::Path;
use std::process::Command;

// MN (10.1.0.0/16) on ge-0/0/0.0, LGWAN (10.2.0.0/16) on ge-0/0/1.0.
const CASES: u64 = 150;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Proto {
    Any,
    Tcp,
    Udp,
    TcpUdp,
    Icmp,
}

#[derive(Clone, Debug)]
struct Term {
    accept: bool,
    /// `deny` rendered as Aerleon `reject` (same verdict for reachability).
    reject: bool,
    /// Prefixes (address, length); empty = any.
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

fn addrs(r: &mut Rng) -> Vec<(u32, u8)> {
    if r.chance(30) {
        return vec![];
    }
    (0..1 + r.below(2))
        .map(|_| {
            let base = [0x0a01_0000u32, 0x0a02_0000, 0x0a00_0000][r.index(3)];
            let len = [8u8, 15, 16, 20, 24, 28, 32][r.index(7)];
            let a = base | (r.below(65536) as u32);
            let mask = u32::MAX << (32 - len);
            (a & mask, len)
        })
        .collect()
}

fn ports(r: &mut Rng) -> Vec<(u16, u16)> {
    match r.below(5) {
        0 | 1 => vec![],
        2 => {
            let n = [22u16, 25, 53, 443, 1024, 3389, 8080][r.index(7)];
            vec![(n, n)]
        }
        3 => {
            let a = 1 + r.below(5000) as u16;
            vec![(a, a + r.below(3000) as u16)]
        }
        _ => vec![(80, 80), (1024, 65535)],
    }
}

fn term(r: &mut Rng) -> Term {
    let proto = [
        Proto::Any,
        Proto::Tcp,
        Proto::Udp,
        Proto::TcpUdp,
        Proto::Icmp,
    ][r.index(5)];
    let l4 = matches!(proto, Proto::Tcp | Proto::Udp | Proto::TcpUdp);
    Term {
        accept: r.chance(35),
        reject: r.chance(30),
        src: addrs(r),
        dst: addrs(r),
        sport: if l4 && r.chance(20) { ports(r) } else { vec![] },
        dport: if l4 { ports(r) } else { vec![] },
        proto,
    }
}

fn hit(t: &Term, p: &Pkt) -> bool {
    let pr = match t.proto {
        Proto::Any => true,
        Proto::Tcp => p.proto == 6,
        Proto::Udp => p.proto == 17,
        Proto::TcpUdp => p.proto == 6 || p.proto == 17,
        Proto::Icmp => p.proto == 1,
    };
    pr && in_prefixes(&t.src, p.src)
        && in_prefixes(&t.dst, p.dst)
        && in_ports(&t.sport, p.sport)
        && in_ports(&t.dport, p.dport)
}

/// First match; no match: deny (filter end, SRX default policy).
fn first_match(l: &[Term], p: &Pkt) -> bool {
    l.iter().find(|t| hit(t, p)).is_some_and(|t| t.accept)
}

#[derive(Default, Debug)]
struct Policy {
    /// SRX zone policies (mn→lg, lg→mn); `None`: a router without zones.
    zones: Option<(Vec<Term>, Vec<Term>)>,
    mn_in: Option<Vec<Term>>,
    lg_in: Option<Vec<Term>>,
    lg_out: Option<Vec<Term>>,
}

impl Policy {
    fn forwards(&self, p: &Pkt, from_mn: bool) -> bool {
        let f = |l: &Option<Vec<Term>>| l.as_ref().is_none_or(|l| first_match(l, p));
        let (fin, fout) = if from_mn {
            (f(&self.mn_in), f(&self.lg_out))
        } else {
            (f(&self.lg_in), true)
        };
        let pol = match &self.zones {
            None => true,
            Some((a, b)) => first_match(if from_mn { a } else { b }, p),
        };
        fin && pol && fout
    }
    fn terms(&self) -> impl Iterator<Item = &Term> {
        let z = self
            .zones
            .iter()
            .flat_map(|(a, b)| a.iter().chain(b.iter()));
        z.chain(
            [&self.mn_in, &self.lg_in, &self.lg_out]
                .into_iter()
                .flatten()
                .flatten(),
        )
    }
}

impl Policy {
    fn cuts(&self) -> Cuts {
        Cuts {
            src: self
                .terms()
                .flat_map(|t| t.src.iter().map(|&x| prefix_range(x)))
                .collect(),
            dst: self
                .terms()
                .flat_map(|t| t.dst.iter().map(|&x| prefix_range(x)))
                .collect(),
            sport: self.terms().flat_map(|t| t.sport.clone()).collect(),
            dport: self.terms().flat_map(|t| t.dport.clone()).collect(),
        }
    }
}

/// A violating packet from one side to the other, if any (exhaustive over cells).
fn violation(pol: &Policy, from_mn: bool) -> Option<Pkt> {
    let d = if from_mn { LG } else { MN };
    fm::violation(&pol.cuts(), d, |p| pol.forwards(p, from_mn))
}

fn gen(r: &mut Rng) -> Policy {
    let list = |r: &mut Rng| (0..1 + r.below(4)).map(|_| term(r)).collect::<Vec<_>>();
    let srx = r.chance(60);
    let opt = |r: &mut Rng, pct| r.chance(pct).then(|| list(r));
    if srx {
        Policy {
            zones: Some((list(r), list(r))),
            mn_in: opt(r, 25),
            lg_in: opt(r, 15),
            lg_out: opt(r, 15),
        }
    } else {
        Policy {
            zones: None,
            mn_in: Some(list(r)),
            // Without a filter on the LGWAN side a router forwards everything from it.
            lg_in: Some(list(r)),
            lg_out: opt(r, 30),
        }
    }
}

// ------------------------------------------------------------------------ Aerleon input

/// One case's `.pol` text, adding its network and service definitions to `nets`/`svcs`.
fn pol_text(case: usize, pol: &Policy, nets: &mut String, svcs: &mut String) -> String {
    let mut o = String::new();
    let mut block = |o: &mut String, header: &str, tag: &str, l: &[Term]| {
        let _ = writeln!(o, "header {{\n  target:: {header}\n}}");
        for (k, t) in l.iter().enumerate() {
            let name = format!("c{case}{tag}t{k}");
            let _ = writeln!(o, "term {name} {{");
            for (what, v) in [("source-address", &t.src), ("destination-address", &t.dst)] {
                if v.is_empty() {
                    continue;
                }
                let n = format!("N_{name}_{}", &what[..1]);
                let list: Vec<String> = v.iter().map(|&(a, l)| format!("{}/{l}", ip(a))).collect();
                let _ = writeln!(nets, "{n} = {}", list.join("\n    "));
                let _ = writeln!(o, "  {what}:: {n}");
            }
            let protos: &[&str] = match t.proto {
                Proto::Any => &[],
                Proto::Tcp => &["tcp"],
                Proto::Udp => &["udp"],
                Proto::TcpUdp => &["tcp", "udp"],
                Proto::Icmp => &["icmp"],
            };
            if !protos.is_empty() {
                let _ = writeln!(o, "  protocol:: {}", protos.join(" "));
            }
            for (what, v) in [("source-port", &t.sport), ("destination-port", &t.dport)] {
                if v.is_empty() {
                    continue;
                }
                let n = format!("S_{name}_{}", &what[..1]);
                let mut list = vec![];
                for &(lo, hi) in v {
                    let r = if lo == hi {
                        lo.to_string()
                    } else {
                        format!("{lo}-{hi}")
                    };
                    for p in protos {
                        list.push(format!("{r}/{p}"));
                    }
                }
                let _ = writeln!(svcs, "{n} = {}", list.join("\n    "));
                let _ = writeln!(o, "  {what}:: {n}");
            }
            let act = match (t.accept, t.reject) {
                (true, _) => "accept",
                (false, true) => "reject",
                (false, false) => "deny",
            };
            let _ = writeln!(o, "  action:: {act}\n}}");
        }
    };
    if let Some((a, b)) = &pol.zones {
        block(&mut o, "srx from-zone mn to-zone lg", "a", a);
        block(&mut o, "srx from-zone lg to-zone mn", "b", b);
    }
    for (f, tag, l) in [
        ("mn_in", "i", &pol.mn_in),
        ("lg_in", "j", &pol.lg_in),
        ("lg_out", "o", &pol.lg_out),
    ] {
        if let Some(l) = l {
            block(&mut o, &format!("juniper {f} inet"), tag, l);
        }
    }
    o
}

const RENDER: &str = r#"
import sys, os
from aerleon.lib import naming, policy, junipersrx, juniper
base = sys.argv[1]
defs = naming.Naming(os.path.join(base, 'def'))
for f in sorted(os.listdir(os.path.join(base, 'pol'))):
    text = open(os.path.join(base, 'pol', f)).read()
    out = []
    # One parse per generator: a generator may consume the parsed policy.
    if 'target:: srx' in text:
        p = policy.ParsePolicy(text, defs, optimize=False)
        out.append(str(junipersrx.JuniperSRX(p, 2)))
    if 'target:: juniper' in text:
        p = policy.ParsePolicy(text, defs, optimize=False)
        out.append(str(juniper.Juniper(p, 2)))
    open(os.path.join(base, 'out', f[:-4] + '.conf'), 'w').write('\n'.join(out))
"#;

/// Render every case with Aerleon in one Python run; the rendered texts in case order.
fn render_all(base: &Path, pols: &[Policy]) -> Vec<String> {
    let _ = std::fs::remove_dir_all(base);
    for d in ["def", "pol", "out"] {
        std::fs::create_dir_all(base.join(d)).unwrap();
    }
    let (mut nets, mut svcs) = (String::new(), String::new());
    for (i, p) in pols.iter().enumerate() {
        let t = pol_text(i, p, &mut nets, &mut svcs);
        std::fs::write(base.join(format!("pol/c{i:04}.pol")), t).unwrap();
    }
    std::fs::write(base.join("def/NETWORKS.net"), nets).unwrap();
    std::fs::write(base.join("def/SERVICES.svc"), svcs).unwrap();
    let out = Command::new("python3")
        .arg("-c")
        .arg(RENDER)
        .arg(base)
        .output()
        .expect("python3 must be installed (Aerleon renders the referee's policies)");
    assert!(
        out.status.success(),
        "Aerleon failed (install it: pip install -r tests/requirements.txt):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (0..pols.len())
        .map(|i| std::fs::read_to_string(base.join(format!("out/c{i:04}.conf"))).unwrap())
        .collect()
}

/// The snapshot's config: interfaces, zones (SRX) and filter bindings, then Aerleon's text.
fn wrap(pol: &Policy, aerleon: &str) -> String {
    let mut o = String::from("## Last commit: junos referee\nversion 21.4R3;\ninterfaces {\n");
    for (itf, addr, fin, fout) in [
        (
            "ge-0/0/0",
            "10.1.0.1/16",
            pol.mn_in.as_ref().map(|_| "mn_in"),
            None,
        ),
        (
            "ge-0/0/1",
            "10.2.0.1/16",
            pol.lg_in.as_ref().map(|_| "lg_in"),
            pol.lg_out.as_ref().map(|_| "lg_out"),
        ),
    ] {
        let _ = writeln!(
            o,
            "    {itf} {{\n        unit 0 {{\n            family inet {{"
        );
        if fin.is_some() || fout.is_some() {
            let _ = writeln!(o, "                filter {{");
            if let Some(f) = fin {
                let _ = writeln!(o, "                    input {f};");
            }
            if let Some(f) = fout {
                let _ = writeln!(o, "                    output {f};");
            }
            let _ = writeln!(o, "                }}");
        }
        let _ = writeln!(
            o,
            "                address {addr};\n            }}\n        }}\n    }}"
        );
    }
    o.push_str("}\n");
    if pol.zones.is_some() {
        o.push_str(
            "security {\n    zones {\n        security-zone mn {\n            interfaces {\n                ge-0/0/0.0;\n            }\n        }\n        security-zone lg {\n            interfaces {\n                ge-0/0/1.0;\n            }\n        }\n    }\n}\n",
        );
    }
    o.push_str(aerleon);
    o
}

/// One case; `Err` describes a disagreement.
fn case(seed: u64, pol: &Policy, cfg: &str, dir: &Path) -> Result<bool, String> {
    fm::write_snapshot(dir, "Junos referee", "srx.conf", cfg);
    let fail = |m: String| Err(format!("seed {seed}: {m}\n{cfg}"));
    let a = match sanso::checks::audit::run(dir) {
        Ok(a) => a,
        Err(e) => return fail(format!("audit: {e:?}")),
    };
    for d in &a.snapshot.devices {
        if d.dialect.id() != "junos" {
            return fail(format!("read as {}", d.dialect.id()));
        }
    }
    let v = fm::judge_mn_isolation(&a, &pol.cuts(), |p, from_mn| pol.forwards(p, from_mn))
        .or_else(fail)?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(v)
}

fn run(seeds: &[u64]) -> (usize, usize, Vec<String>) {
    let pols: Vec<Policy> = seeds.iter().map(|&s| gen(&mut Rng(s | 1))).collect();
    let texts = render_all(
        &fm::work("junos").join(format!("aerleon-{}", seeds[0])),
        &pols,
    );
    let (mut violated, mut srx) = (0, 0);
    let mut bad = vec![];
    for ((seed, pol), text) in seeds.iter().zip(&pols).zip(&texts) {
        let cfg = wrap(pol, text);
        srx += pol.zones.is_some() as usize;
        match case(*seed, pol, &cfg, &fm::work("junos").join(seed.to_string())) {
            Ok(v) => violated += v as usize,
            Err(e) => bad.push(e),
        }
    }
    (violated, srx, bad)
}

#[test]
fn random_junos_policies_agree_with_first_match() {
    fm::referee_main("junos", CASES, |seeds| {
        let (violated, srx, bad) = run(seeds);
        if seeds.len() > 1 {
            // Both shapes occur: SRX zones with policies, and filter-only routers.
            eprintln!("{srx} SRX with zones, {} filter-only", seeds.len() - srx);
            assert!(
                srx > 20 && srx < seeds.len() - 20,
                "{srx}/{} SRX cases",
                seeds.len()
            );
        }
        (violated, bad)
    });
}

/// The reference itself, on a hand-made policy (expectations worked out by hand).
#[test]
fn reference_sanity() {
    let t = |accept, proto, dport: Vec<(u16, u16)>| Term {
        accept,
        reject: false,
        src: vec![],
        dst: vec![],
        proto,
        sport: vec![],
        dport,
    };
    // mn→lg: deny tcp/22, permit tcp; lg→mn: nothing (default deny).
    let pol = Policy {
        zones: Some((
            vec![
                t(false, Proto::Tcp, vec![(22, 22)]),
                t(true, Proto::Tcp, vec![]),
            ],
            vec![],
        )),
        ..Policy::default()
    };
    let v = violation(&pol, true).unwrap();
    assert_eq!((v.proto, v.dport), (6, 0));
    assert!(violation(&pol, false).is_none(), "default deny");
    // A filter on the MN side that discards everything but ICMP wins over the policy.
    let pol = Policy {
        mn_in: Some(vec![t(true, Proto::Icmp, vec![])]),
        ..pol
    };
    assert!(violation(&pol, true).is_none());
}
