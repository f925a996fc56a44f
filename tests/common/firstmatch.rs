//! The brute-force reference shared by the dialect referees (tests/*_referee.rs): a
//! one-firewall snapshot with the マイナンバー zone (10.1.0.0/16) on one side and the LGWAN
//! zone (10.2.0.0/16) on the other; each referee evaluates its dialect's policy as plain
//! data (its own `forwards`), this module finds a violating header by exhaustion over the
//! cells the policy's bounds cut each field into, judges sanso's MN-ISOLATION verdict and
//! witnesses against it, and runs the seeded cases. It never calls the engine or a parser.

use sanso::checks::audit::Audit;
use std::collections::BTreeSet;

pub const MN: (u32, u32) = (0x0a01_0000, 0x0a01_ffff);
pub const LG: (u32, u32) = (0x0a02_0000, 0x0a02_ffff);
/// Any source address: a host on an edge port can send any header (docs/semantics.md).
pub const ANY: (u32, u32) = (0, u32::MAX);

/// One header of a new flow (TCP without ACK/RST).
#[derive(Clone, Copy, Debug)]
pub struct Pkt {
    pub src: u32,
    pub dst: u32,
    pub proto: u8,
    pub sport: u16,
    pub dport: u16,
}

/// The addresses of a prefix, as an inclusive range.
pub fn prefix_range((n, l): (u32, u8)) -> (u32, u32) {
    let host = u32::MAX.checked_shr(u32::from(l)).unwrap_or(0);
    (n & !host, n | host)
}

/// Whether `a` lies in one of the prefixes (none: any address).
pub fn in_prefixes(v: &[(u32, u8)], a: u32) -> bool {
    v.is_empty()
        || v.iter().any(|&x| {
            let (lo, hi) = prefix_range(x);
            lo <= a && a <= hi
        })
}

/// Whether `p` lies in one of the port ranges (none: any port).
pub fn in_ports(v: &[(u16, u16)], p: u16) -> bool {
    v.is_empty() || v.iter().any(|&(lo, hi)| lo <= p && p <= hi)
}

/// Starts of the elementary intervals of [lo, hi] cut by every bound.
pub fn cells<T: Copy + Ord + Into<u64>>(
    lo: T,
    hi: T,
    bounds: impl IntoIterator<Item = (T, T)>,
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

/// Every bound a policy's terms draw on each header field.
#[derive(Default)]
pub struct Cuts {
    pub src: Vec<(u32, u32)>,
    pub dst: Vec<(u32, u32)>,
    pub sport: Vec<(u16, u16)>,
    pub dport: Vec<(u16, u16)>,
}

/// A packet towards `dst` that `forwards` admits, if any: one per cell is enough, as no
/// term tells two headers of a cell apart. TCP, UDP, ICMP, GRE and ESP are tried.
pub fn violation(cuts: &Cuts, dst: (u32, u32), forwards: impl Fn(&Pkt) -> bool) -> Option<Pkt> {
    let srcs = cells(ANY.0, ANY.1, cuts.src.iter().copied());
    let dsts = cells(dst.0, dst.1, cuts.dst.iter().copied());
    let sps = cells(0u16, 65535, cuts.sport.iter().copied());
    let dps = cells(0u16, 65535, cuts.dport.iter().copied());
    let zero = vec![0u64];
    for proto in [6u8, 17, 1, 47, 50] {
        let l4 = proto == 6 || proto == 17;
        let (sp, dp) = if l4 { (&sps, &dps) } else { (&zero, &zero) };
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
                        if forwards(&p) {
                            return Some(p);
                        }
                    }
                }
            }
        }
    }
    None
}

/// Judge sanso's MN-ISOLATION against the reference: the verdict (violated iff a
/// violating packet exists in either direction), every witness (towards the other zone,
/// a new flow, admitted by `forwards(packet, from_mn)`), and a finding for every direction
/// the reference finds violated, searching the cells of `cuts`. `Ok(violated)`; `Err` describes the disagreement.
pub fn judge_mn_isolation(
    a: &Audit,
    cuts: &Cuts,
    forwards: impl Fn(&Pkt, bool) -> bool,
) -> Result<bool, String> {
    for d in &a.snapshot.devices {
        if !d.unrecognized.is_empty() {
            return Err(format!("unrecognised: {:?}", d.unrecognized));
        }
    }
    let want_mn = violation(cuts, LG, |p| forwards(p, true));
    let want_lg = violation(cuts, MN, |p| forwards(p, false));
    let want = want_mn.is_some() || want_lg.is_some();
    let got = a
        .eval
        .checks
        .iter()
        .find(|c| c.rule == "MN-ISOLATION")
        .ok_or("no MN-ISOLATION result")?
        .status
        .id();
    if got != if want { "violated" } else { "pass" } {
        return Err(format!(
            "sanso {got}, reference {} (mn→lg {want_mn:?}, lg→mn {want_lg:?})",
            if want { "violated" } else { "pass" }
        ));
    }
    let mut dirs = BTreeSet::new();
    for f in a.eval.findings.iter().filter(|f| f.rule == "MN-ISOLATION") {
        // A finding is one cause: its other pairs are judged the same way.
        let mut pairs = vec![(&f.subject, &f.witness)];
        pairs.extend(f.also.iter().map(|x| (&x.subject, &x.witness)));
        for (subject, witness) in pairs {
            let Some(w) = witness else {
                return Err("finding without witness".into());
            };
            let from_mn = subject.src == "mn";
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
                && forwards(&p, from_mn);
            if !ok {
                return Err(format!(
                    "witness {p:?} ({} → {}) is not forwarded by the policy",
                    subject.src, subject.dst
                ));
            }
            dirs.insert(from_mn);
        }
    }
    for (from_mn, v) in [(true, want_mn), (false, want_lg)] {
        if v.is_some() && !dirs.contains(&from_mn) {
            return Err(format!(
                "reference violation {v:?} ({}) has no finding",
                if from_mn { "mn→lg" } else { "lg→mn" }
            ));
        }
    }
    Ok(want)
}

/// The seeded run of a referee: `<NAME>_REFEREE_SEED` replays one case,
/// `<NAME>_REFEREE_BASE` a whole run; otherwise a fresh base (printed). `run` judges a
/// batch of seeds and returns (violated, disagreements). Both verdicts must occur, so the
/// generator is not degenerate.
pub fn referee_main(name: &str, cases: u64, run: impl Fn(&[u64]) -> (usize, Vec<String>)) {
    let var = |what: &str| {
        std::env::var(format!("{}_REFEREE_{what}", name.to_uppercase()))
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
    };
    if let Some(s) = var("SEED") {
        let (_, bad) = run(&[s]);
        assert!(bad.is_empty(), "{}", bad.join("\n\n"));
        return;
    }
    let base = var("BASE").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
    });
    eprintln!(
        "{name} referee base {base} ({}_REFEREE_BASE replays the run)",
        name.to_uppercase()
    );
    let seeds: Vec<u64> = (0..cases)
        .map(|i| base.wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
        .collect();
    let (violated, bad) = run(&seeds);
    eprintln!(
        "{cases} cases, {violated} violated, {} disagreements",
        bad.len()
    );
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
    assert!(
        violated > 10 && violated < cases as usize - 10,
        "{violated}/{cases}"
    );
}

/// Write the one-firewall snapshot: both zones are edge points of `file`'s device.
pub fn write_snapshot(dir: &std::path::Path, org: &str, file: &str, cfg: &str) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::write(
        dir.join("sanso.toml"),
        format!(
            r#"[organization]
name  = "{org}"
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
"#
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("topology.toml"),
        "# the two zones are edge points\n",
    )
    .unwrap();
    std::fs::write(dir.join("configs").join(file), cfg).unwrap();
}

/// Where a referee writes its cases: under the target dir (kept on a disagreement).
pub fn work(name: &str) -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("{name}-referee"))
}
