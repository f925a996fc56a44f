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
use common::firstmatch::{self as fm, Cuts, Pkt, LG, MN};
use common::Rng;
use std::fmt::Write;

// MN (10.1.0.0/16) on lan1, LGWAN (10.2.0.0/16) on lan2.
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

impl Policy {
    fn cuts(&self) -> Cuts {
        Cuts {
            src: self.rules().flat_map(|x| x.src.0.clone()).collect(),
            dst: self.rules().flat_map(|x| x.dst.0.clone()).collect(),
            sport: self.rules().flat_map(|x| x.sport.0.clone()).collect(),
            dport: self.rules().flat_map(|x| x.dport.0.clone()).collect(),
        }
    }
}

/// A violating packet from one side to the other, if any (exhaustive over cells).
fn violation(pol: &Policy, from_mn: bool) -> Option<Pkt> {
    let d = if from_mn { LG } else { MN };
    fm::violation(&pol.cuts(), d, |p| pol.forwards(p, from_mn))
}

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

/// One case; `Err` describes a disagreement.
fn case(seed: u64) -> Result<bool, String> {
    let mut r = Rng(seed | 1);
    let pol = gen(&mut r);
    let cfg = render(&pol, &mut r);
    let dir = fm::work("rtx").join(seed.to_string());
    fm::write_snapshot(&dir, "RTX referee", "rtx.conf", &cfg);
    let a = sanso::checks::audit::run(&dir).map_err(|e| format!("{e:?}"))?;
    let v = fm::judge_mn_isolation(&a, &pol.cuts(), |p, from_mn| pol.forwards(p, from_mn))
        .map_err(|m| format!("seed {seed}: {m}\n{cfg}"))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(v)
}

#[test]
fn random_rtx_policies_agree_with_first_match() {
    fm::referee_main("rtx", CASES, |seeds| {
        let mut violated = 0;
        let mut bad = vec![];
        for &seed in seeds {
            match case(seed) {
                Ok(v) => violated += usize::from(v),
                Err(e) => bad.push(e),
            }
        }
        (violated, bad)
    });
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
