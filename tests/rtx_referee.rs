//! Issue 15, done-when: random segmentation policies rendered as RTX `ip filter` lists on a
//! two-LAN RTX (MN zone on lan1, LGWAN zone on lan2) are judged by sanso exactly as an
//! independent first-match evaluation of the same policy judges them — the MN-ISOLATION
//! verdict and every witness packet.
//!
//! Packets from an edge point may carry any source address (docs/semantics.md: a host on
//! an edge port can send any header), so the reference ranges sources over all of IPv4
//! and destinations over the other zone.
//!
//! The reference below never calls the engine: it evaluates the policy (kept as plain
//! data, not as parsed config) packet by packet. "Is there a violating packet?" is decided
//! exactly by brute force over the cells of the grid that every rule boundary cuts each
//! header field into (a first-match decision is constant on a cell).
//!
//! Replay one case: `RTX_REFEREE_SEED=<seed> cargo test --test rtx_referee`.

mod common;
use common::Rng;
use std::fmt::Write;
use std::path::{Path, PathBuf};

const MN: (u32, u32) = (0x0a01_0000, 0x0a01_ffff); // 10.1.0.0/16 on lan1
const LG: (u32, u32) = (0x0a02_0000, 0x0a02_ffff); // 10.2.0.0/16 on lan2
const CASES: u64 = 200;

#[derive(Clone, Debug)]
enum Proto {
    Any,
    Tcp,
    Udp,
    TcpUdp,
    Icmp,
    Established,
    Gre,
}

#[derive(Clone, Debug)]
struct Rule {
    pass: bool,
    /// Unions of inclusive address intervals, and how they are written.
    src: (Vec<(u32, u32)>, String),
    dst: (Vec<(u32, u32)>, String),
    proto: Proto,
    /// Port lists (TCP/UDP only), and how they are written.
    sport: (Vec<(u16, u16)>, String),
    dport: (Vec<(u16, u16)>, String),
}

fn ip(a: u32) -> String {
    std::net::Ipv4Addr::from(a).to_string()
}

fn addr(r: &mut Rng) -> (Vec<(u32, u32)>, String) {
    let base = [0x0a01_0000u32, 0x0a02_0000, 0x0a00_0000][r.index(3)];
    match r.below(6) {
        0 => (vec![(0, u32::MAX)], "*".into()),
        1 => {
            let a = base | (r.below(65536) as u32);
            (vec![(a, a)], ip(a))
        }
        2 => {
            let len = [8u32, 15, 16, 20, 24, 28][r.index(6)];
            let mask = u32::MAX << (32 - len);
            let a = (base | (r.below(65536) as u32)) & mask;
            (vec![(a, a | !mask)], format!("{}/{len}", ip(a)))
        }
        3 => {
            let a = base | (r.below(65536) as u32);
            let b = a.saturating_add(r.below(70000) as u32);
            (vec![(a, b)], format!("{}-{}", ip(a), ip(b)))
        }
        4 => {
            let a = (base | (r.below(65536) as u32)) & 0xffff_ff00;
            (
                vec![(a, a | 0xff)],
                format!("{}.*", ip(a).rsplit_once('.').unwrap().0),
            )
        }
        _ => {
            let (a, sa) = addr(r);
            let (b, sb) = addr(r);
            if sa == "*" || sb == "*" {
                return (vec![(0, u32::MAX)], "*".into());
            }
            ([a, b].concat(), format!("{sa},{sb}"))
        }
    }
}

fn ports(r: &mut Rng) -> (Vec<(u16, u16)>, String) {
    match r.below(6) {
        0 | 1 => (vec![(0, 65535)], "*".into()),
        2 => {
            let n = [22u16, 25, 53, 443, 1024, 3389, 8080][r.index(7)];
            (vec![(n, n)], n.to_string())
        }
        3 => {
            let a = r.below(5000) as u16;
            let b = a + r.below(3000) as u16;
            (vec![(a, b)], format!("{a}-{b}"))
        }
        4 => (vec![(80, 80), (1024, 65535)], "www,1024-".into()),
        _ => (vec![(20, 21), (443, 443)], "ftp,443".into()),
    }
}

fn rule(r: &mut Rng) -> Rule {
    let proto = [
        Proto::Any,
        Proto::Tcp,
        Proto::Udp,
        Proto::TcpUdp,
        Proto::Icmp,
        Proto::Established,
        Proto::Gre,
    ][r.index(7)]
    .clone();
    let l4 = matches!(proto, Proto::Tcp | Proto::Udp | Proto::TcpUdp);
    let any = (vec![(0, 65535)], "*".to_string());
    Rule {
        pass: r.chance(50),
        src: addr(r),
        dst: addr(r),
        sport: if l4 && r.chance(30) {
            ports(r)
        } else {
            any.clone()
        },
        dport: if l4 { ports(r) } else { any },
        proto,
    }
}

fn render_rule(n: u32, x: &Rule, r: &mut Rng) -> String {
    let act = if x.pass {
        ["pass", "pass-log", "restrict", "pass-nolog"][r.index(4)]
    } else {
        ["reject", "reject-log", "reject-nolog"][r.index(3)]
    };
    let p = match x.proto {
        Proto::Any => "*",
        Proto::Tcp => "tcp",
        Proto::Udp => "udp",
        Proto::TcpUdp => "tcp,udp",
        Proto::Icmp => "icmp",
        Proto::Established => "established",
        Proto::Gre => "47",
    };
    format!(
        "ip filter {n} {act} {} {} {p} {} {}",
        x.src.1, x.dst.1, x.sport.1, x.dport.1
    )
}

/// One header of a new flow (TCP without ACK/RST).
#[derive(Clone, Copy, Debug)]
struct Pkt {
    src: u32,
    dst: u32,
    proto: u8,
    sport: u16,
    dport: u16,
}

fn hit(x: &Rule, p: &Pkt) -> bool {
    let inr = |v: &[(u32, u32)], a: u32| v.iter().any(|&(lo, hi)| lo <= a && a <= hi);
    let inp = |v: &[(u16, u16)], a: u16| v.iter().any(|&(lo, hi)| lo <= a && a <= hi);
    let pr = match x.proto {
        Proto::Any => true,
        Proto::Tcp => p.proto == 6,
        Proto::Udp => p.proto == 17,
        Proto::TcpUdp => p.proto == 6 || p.proto == 17,
        Proto::Icmp => p.proto == 1,
        // ACK or RST set: never the first packet of a flow.
        Proto::Established => false,
        Proto::Gre => p.proto == 47,
    };
    let l4 = p.proto == 6 || p.proto == 17;
    pr && inr(&x.src.0, p.src)
        && inr(&x.dst.0, p.dst)
        && (!l4 || (inp(&x.sport.0, p.sport) && inp(&x.dport.0, p.dport)))
}

/// RTX list semantics: no list passes; else the first matching filter decides; none
/// matching discards.
fn passes(list: Option<&Vec<Rule>>, p: &Pkt) -> bool {
    match list {
        None => true,
        Some(l) => l.iter().find(|x| hit(x, p)).is_some_and(|x| x.pass),
    }
}

#[derive(Default)]
struct Policy {
    lan1_in: Option<Vec<Rule>>,
    lan1_out: Option<Vec<Rule>>,
    lan2_in: Option<Vec<Rule>>,
    lan2_out: Option<Vec<Rule>>,
}

impl Policy {
    /// Forwarded from lan1 (MN) to lan2 (LG), or the other way.
    fn forwards(&self, p: &Pkt, from_mn: bool) -> bool {
        if from_mn {
            passes(self.lan1_in.as_ref(), p) && passes(self.lan2_out.as_ref(), p)
        } else {
            passes(self.lan2_in.as_ref(), p) && passes(self.lan1_out.as_ref(), p)
        }
    }
    fn rules(&self) -> impl Iterator<Item = &Rule> {
        [&self.lan1_in, &self.lan1_out, &self.lan2_in, &self.lan2_out]
            .into_iter()
            .flatten()
            .flatten()
    }
}

/// Starts of the elementary intervals of [lo, hi] cut by every bound.
fn cells<T: Copy + Ord + Into<u64>>(
    lo: T,
    hi: T,
    bounds: impl Iterator<Item = (T, T)>,
) -> Vec<u64> {
    let (lo, hi) = (lo.into(), hi.into());
    let mut c = vec![lo];
    for (a, b) in bounds {
        for v in [a.into(), b.into() + 1] {
            if v > lo && v <= hi {
                c.push(v);
            }
        }
    }
    c.sort();
    c.dedup();
    c
}

/// Any source address: a host on an edge port can send any header (docs/semantics.md).
const ANY: (u32, u32) = (0, u32::MAX);

/// A violating packet from one side to the other, if any (exhaustive over cells).
fn violation(pol: &Policy, from_mn: bool) -> Option<Pkt> {
    let (s, d) = if from_mn { (ANY, LG) } else { (ANY, MN) };
    let srcs = cells(s.0, s.1, pol.rules().flat_map(|x| x.src.0.clone()));
    let dsts = cells(d.0, d.1, pol.rules().flat_map(|x| x.dst.0.clone()));
    let sps = cells(0u16, 65535, pol.rules().flat_map(|x| x.sport.0.clone()));
    let dps = cells(0u16, 65535, pol.rules().flat_map(|x| x.dport.0.clone()));
    for proto in [6u8, 17, 1, 47, 50] {
        let l4 = proto == 6 || proto == 17;
        let (sp1, dp1) = (vec![0u64], vec![0u64]);
        let (sp, dp) = if l4 { (&sps, &dps) } else { (&sp1, &dp1) };
        for &a in &srcs {
            for &b in &dsts {
                for &x in sp {
                    for &y in dp {
                        let p = Pkt {
                            src: a as u32,
                            dst: b as u32,
                            proto,
                            sport: x as u16,
                            dport: y as u16,
                        };
                        if pol.forwards(&p, from_mn) {
                            return Some(p);
                        }
                    }
                }
            }
        }
    }
    None
}

const TOML: &str = r#"[organization]
name  = "RTX referee"
model = "alpha"

[[zone]]
name    = "mn"
tier    = "mynumber"
kind    = "servers"
subnets = ["10.1.0.0/16"]

[[zone]]
name    = "lg"
tier    = "lgwan"
kind    = "terminals"
subnets = ["10.2.0.0/16"]
"#;

fn render(pol: &Policy, r: &mut Rng) -> String {
    let mut o = String::from("# RTX1210 Rev.14.01.38 (referee)\nip lan1 address 10.1.0.1/16\nip lan2 address 10.2.0.1/16\n");
    let mut n = 1000u32;
    for (itf, dir, l) in [
        ("lan1", "in", &pol.lan1_in),
        ("lan1", "out", &pol.lan1_out),
        ("lan2", "in", &pol.lan2_in),
        ("lan2", "out", &pol.lan2_out),
    ] {
        let Some(l) = l else { continue };
        let mut nums = vec![];
        for x in l {
            n += r.below(5) as u32 + 1;
            let _ = writeln!(o, "{}", render_rule(n, x, r));
            nums.push(n.to_string());
        }
        let _ = writeln!(o, "ip {itf} secure filter {dir} {}", nums.join(" "));
    }
    o
}

fn write_snapshot(dir: &Path, cfg: &str) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::write(dir.join("sanso.toml"), TOML).unwrap();
    std::fs::write(
        dir.join("topology.toml"),
        "# the two LANs are edge points\n",
    )
    .unwrap();
    std::fs::write(dir.join("configs/rtx.conf"), cfg).unwrap();
}

fn gen(r: &mut Rng) -> Policy {
    let list = |r: &mut Rng, pct| {
        r.chance(pct)
            .then(|| (0..1 + r.below(6)).map(|_| rule(r)).collect())
    };
    Policy {
        lan1_in: list(r, 85),
        lan1_out: list(r, 30),
        lan2_in: list(r, 70),
        lan2_out: list(r, 30),
    }
}

fn work(tag: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    base.join("rtx-referee").join(tag)
}

/// One case; `Err` describes a disagreement.
fn case(seed: u64) -> Result<bool, String> {
    let mut r = Rng(seed | 1);
    let pol = gen(&mut r);
    let cfg = render(&pol, &mut r);
    let dir = work(&format!("{seed}"));
    write_snapshot(&dir, &cfg);
    let a = sanso::checks::audit::run(&dir).map_err(|e| format!("{e:?}"))?;
    let fail = |m: String| Err(format!("seed {seed}: {m}\n{cfg}"));
    for f in &a.snapshot.devices {
        if !f.unrecognized.is_empty() {
            return fail(format!("unrecognised: {:?}", f.unrecognized));
        }
    }
    let mn = a
        .eval
        .checks
        .iter()
        .find(|c| c.rule == "MN-ISOLATION")
        .unwrap();
    let want_mn = violation(&pol, true);
    let want_lg = violation(&pol, false);
    let want = want_mn.is_some() || want_lg.is_some();
    let got = mn.status.id();
    if got != if want { "violated" } else { "pass" } {
        return fail(format!(
            "sanso {got}, reference {} (mn→lg {want_mn:?}, lg→mn {want_lg:?})",
            if want { "violated" } else { "pass" }
        ));
    }
    let mut dirs = std::collections::BTreeSet::new();
    for f in a.eval.findings.iter().filter(|f| f.rule == "MN-ISOLATION") {
        let Some(w) = &f.witness else {
            return fail("finding without witness".into());
        };
        let from_mn = f.subject.src == "mn";
        let d = if from_mn { LG } else { MN };
        let p = Pkt {
            src: u32::from(w.src_ip),
            dst: u32::from(w.dst_ip),
            proto: w.proto,
            sport: w.src_port,
            dport: w.dst_port,
        };
        let ok = (d.0..=d.1).contains(&p.dst)
            && !(w.proto == 6 && w.established)
            && pol.forwards(&p, from_mn);
        if !ok {
            return fail(format!(
                "witness {p:?} ({} → {}) is not forwarded by the policy",
                f.subject.src, f.subject.dst
            ));
        }
        dirs.insert(from_mn);
    }
    // Every direction the reference finds violated has a finding.
    for (from_mn, v) in [(true, want_mn), (false, want_lg)] {
        if v.is_some() && !dirs.contains(&from_mn) {
            return fail(format!(
                "reference violation {v:?} ({}) has no finding",
                if from_mn { "mn→lg" } else { "lg→mn" }
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(want)
}

#[test]
fn random_rtx_policies_agree_with_first_match() {
    if let Some(s) = std::env::var("RTX_REFEREE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        case(s).unwrap_or_else(|e| panic!("{e}"));
        return;
    }
    // A fresh base each run (cases not seen before), printed for replay.
    let base = std::env::var("RTX_REFEREE_BASE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("rtx referee base {base}");
    let mut violated = 0;
    let mut bad = vec![];
    for i in 0..CASES {
        let seed = base.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        match case(seed) {
            Ok(v) => violated += v as usize,
            Err(e) => bad.push(e),
        }
    }
    eprintln!(
        "{CASES} cases, {violated} violated, {} disagreements",
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
    // Both verdicts occur (the generator is not degenerate).
    assert!(
        violated > 10 && violated < CASES as usize - 10,
        "{violated}/{CASES}"
    );
}

/// The reference itself, on a hand-made policy (expectations worked out by hand).
#[test]
fn reference_sanity() {
    let any = (vec![(0, u32::MAX)], "*".to_string());
    let anyp = (vec![(0u16, 65535u16)], "*".to_string());
    let r = |pass, proto, dport: (Vec<(u16, u16)>, String)| Rule {
        pass,
        src: any.clone(),
        dst: any.clone(),
        proto,
        sport: anyp.clone(),
        dport,
    };
    // lan1 in: reject tcp/22, pass tcp: only TCP other than 22 crosses MN → LG.
    let pol = Policy {
        lan1_in: Some(vec![
            r(false, Proto::Tcp, (vec![(22, 22)], "22".into())),
            r(true, Proto::Tcp, anyp.clone()),
        ]),
        lan2_in: Some(vec![r(true, Proto::Established, anyp.clone())]),
        ..Policy::default()
    };
    let v = violation(&pol, true).unwrap();
    assert_eq!((v.proto, v.dport), (6, 0));
    assert!(
        violation(&pol, false).is_none(),
        "established never opens a flow"
    );
}
