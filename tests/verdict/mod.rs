//! Verdict referee (issue 12, deliverable 6): random realistic towns, an independent
//! per-packet reference checker, and the comparison with `sanso::checks::audit::run`.
//! Linux devices (shape `linux`) are judged like every other device, per packet by the
//! simulator (netfilter hooks, NAT, `ip_forward`); a Linux firewall's `(local)` point is
//! no zone's, so any finding drawn from it fails its witness re-check. The ASA / SRX /
//! PAN-OS edge (shape `edge`) likewise; the simulator reads the same parsed model as sanso,
//! so a misread edge rule shows only through a planted fault: an edge fault whose check is
//! not violated is a disagreement (another fault of the same check can hide a lost one:
//! rendering 300 edge towns without their edge faults' permits, truth unchanged, made 84
//! of the 104 with an edge fault disagree).

pub mod referee;
pub mod town;

use referee::{Referee, CHECKS};
use sanso::model::Snapshot;
use sanso::net::Graph;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use town::{FaultKind, Shape, Town};

#[derive(Clone, Debug)]
pub struct Disagreement {
    /// Stable category (what shrinking preserves).
    pub class: String,
    pub detail: String,
}

pub struct Outcome {
    pub disagreements: Vec<Disagreement>,
    /// Checks the referee finds violated.
    pub violated: BTreeSet<String>,
    /// Planted fault kinds whose check the referee found violated.
    pub planted_seen: BTreeSet<FaultKind>,
    pub sims: usize,
}

fn panic_text(e: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = e.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "panic".into()
    }
}

/// Where towns are written: under the target dir, one folder per worker/seed.
pub fn work_dir(tag: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    base.join("verdict-referee").join(tag)
}

/// Generate, audit, referee and compare one town.
pub fn check_town(town: &Town, dir: &Path) -> Outcome {
    let r = town::render(town);
    let audit_dir = dir.join("audit");
    let truth_dir = dir.join("truth");
    r.write(&audit_dir, false);
    let truth_dir = if town.shape.drop_link {
        r.write(&truth_dir, true);
        truth_dir
    } else {
        audit_dir.clone()
    };
    let mut out = Outcome {
        disagreements: vec![],
        violated: BTreeSet::new(),
        planted_seen: BTreeSet::new(),
        sims: 0,
    };
    let mut dis =
        |class: String, detail: String| out.disagreements.push(Disagreement { class, detail });
    let audit = std::panic::catch_unwind(|| sanso::checks::audit::run(&audit_dir));
    let audit = match audit {
        Err(e) => {
            let m = panic_text(&*e);
            dis(
                format!("panic: {}", m.lines().next().unwrap_or("")),
                format!("sanso::checks::audit::run panicked: {m}"),
            );
            None
        }
        Ok(Err(e)) => {
            dis("input-error".into(), format!("{e:?}"));
            None
        }
        Ok(Ok(a)) => Some(a),
    };
    let snap = match Snapshot::load(&truth_dir) {
        Ok(s) => s,
        Err(e) => {
            dis("harness: truth snapshot".into(), format!("{e:?}"));
            return out;
        }
    };
    let g = Graph::build_sets(&snap);
    let mut rf = Referee::new(&r.truth, &snap, &g);
    let missing = rf.missing_points();
    if !missing.is_empty() {
        dis(
            "harness: generator point not in graph".into(),
            missing.join(", "),
        );
    }
    let unplaced: Vec<String> = rf
        .keys
        .iter()
        .zip(&rf.pts)
        .filter(|(k, p)| p.is_none() && !r.truth.unzoned.contains(*k))
        .map(|(k, _)| k.clone())
        .collect();
    if !unplaced.is_empty() {
        dis(
            "harness: graph point unknown to generator".into(),
            unplaced.join(", "),
        );
    }
    let mut rng = crate::common::Rng(town.seed | 1);
    let verdicts = rf.decide(town.b, &mut rng);
    let mut violated: BTreeMap<&str, bool> = CHECKS
        .iter()
        .map(|c| (*c, !verdicts[c].pairs.is_empty()))
        .collect();
    if let Some(a) = &audit {
        // Unrecognised lines: the generator writes only what sanso should understand.
        for e in &a.snapshot.file_errors {
            dis(
                "harness: file error".into(),
                format!("{}:{} {}", e.file, e.line, e.message),
            );
        }
        // Every finding's witness, re-checked hop by hop (the checks the referee judges;
        // configuration-level checks have no witness).
        // A finding is one cause; the pairs it also lets through (`also`) are judged
        // exactly like its own, so grouping can hide nothing.
        let pairs: Vec<Pair> = a
            .eval
            .findings
            .iter()
            .filter(|f| CHECKS.contains(&f.rule.as_str()))
            .flat_map(Pair::all)
            .collect();
        for f in &pairs {
            let Some(w) = &f.witness else {
                dis(
                    format!("{}: finding without witness", f.rule),
                    format!("{:?}", f.subject),
                );
                continue;
            };
            let key = |s: &Option<String>| {
                s.as_ref()
                    .and_then(|s| s.split_once(':'))
                    .map(|(d, i)| town::point_key(d, i))
            };
            let (Some(sk), Some(dk)) = (key(f.src_point), key(f.dst_point)) else {
                dis(
                    format!("{}: finding without points", f.rule),
                    format!("{:?}", f.subject),
                );
                continue;
            };
            let (Some(ps), Some(pd)) = (rf.point_index(&sk), rf.point_index(&dk)) else {
                dis(
                    format!("{}: finding at a point that is not an edge", f.rule),
                    format!("{sk} → {dk} {:?}", f.subject),
                );
                continue;
            };
            let got = rf.deliveries(ps, w);
            let sinks: BTreeSet<usize> = got.iter().map(|x| x.0).collect();
            let judged = got
                .iter()
                .filter(|x| x.0 == pd)
                .find_map(|(_, got)| rf.judge(f.rule, ps, w, pd, got));
            let desc = format!(
                "{} {:?}: witness {}:{} → {}:{} proto {} (mac {:012x}) from {sk} to {dk}",
                f.rule,
                f.subject,
                w.src_ip,
                w.src_port,
                w.dst_ip,
                w.dst_port,
                w.proto,
                referee::mac_of(w.src_mac)
            );
            match judged {
                None if !sinks.contains(&pd) => dis(
                    format!("{}: witness not delivered", f.rule),
                    format!(
                        "{desc}; simulator delivers to {:?}",
                        sinks.iter().map(|i| &rf.keys[*i]).collect::<Vec<_>>()
                    ),
                ),
                None => dis(format!("{}: witness does not violate", f.rule), desc),
                Some(p) => {
                    violated.insert(
                        referee::CHECKS.iter().find(|c| **c == f.rule).unwrap(),
                        true,
                    );
                    let zone_rule = !referee::flow_check(f.rule);
                    let ok = if zone_rule {
                        p.src == f.subject.src && p.dst == f.subject.dst
                    } else {
                        // Any declared destination holding the address may be named.
                        p.dst == f.subject.dst
                            || r.truth.tokutei.iter().any(|t| {
                                r.truth.ep_name(t.to) == f.subject.dst
                                    && r.truth.ep_has(t.to, u32::from(w.dst_ip))
                            })
                    };
                    if !ok {
                        dis(
                            format!("{}: finding mislabelled", f.rule),
                            format!("{desc}; referee: {p}"),
                        );
                    }
                }
            }
        }
        // Statuses and masking.
        for c in CHECKS {
            let st = a
                .eval
                .checks
                .iter()
                .find(|x| x.rule == c)
                .map(|x| x.status.id())
                .unwrap_or("absent");
            let want = if violated[c] {
                "violated"
            } else if rf.applies(c) {
                "pass"
            } else {
                "not-applicable"
            };
            let lenient = town.shape.drop_link && want == "violated" && st == "unproven";
            if st != want && !lenient {
                let ex = verdicts[c]
                    .pairs
                    .iter()
                    .next()
                    .map(|(p, e)| {
                        format!(
                            "; e.g. {p}: {:?} from {} to {}",
                            e.pkt, e.src_point, e.dst_point
                        )
                    })
                    .unwrap_or_default();
                let unproven_by = a
                    .eval
                    .checks
                    .iter()
                    .find(|x| x.rule == c)
                    .map(|x| format!(" unproven_by={:?} note={:?}", x.unproven_by, x.note))
                    .unwrap_or_default();
                dis(
                    format!("{c}: sanso {st}, referee {want}"),
                    format!("{c}: sanso {st}, referee {want}{ex}{unproven_by}"),
                );
                continue;
            }
            if st != "violated" {
                continue;
            }
            for (p, e) in &verdicts[c].pairs {
                let found = pairs.iter().filter(|f| f.rule == c).any(|f| {
                    if referee::flow_check(c) {
                        // The flow decides the destination named (flows to overlapping
                        // destinations may share a violating packet).
                        f.subject.flow.as_ref().is_some_and(|n| p.flows.contains(n))
                    } else {
                        f.subject.src == p.src && f.subject.dst == p.dst
                    }
                });
                if !found {
                    let have: Vec<String> = pairs
                        .iter()
                        .filter(|f| f.rule == c)
                        .map(|f| {
                            format!("{} → {} {:?}", f.subject.src, f.subject.dst, f.subject.flow)
                        })
                        .collect();
                    dis(
                        format!("{c}: violation masked"),
                        format!(
                            "{c}: referee violation {p} (packet {:?} from {} to {}) has no finding; sanso reports [{}]",
                            e.pkt,
                            e.src_point,
                            e.dst_point,
                            have.join("; ")
                        ),
                    );
                }
            }
        }
    }
    out.sims = rf.sims;
    for (c, v) in &violated {
        if *v {
            out.violated.insert(c.to_string());
        }
    }
    for f in &town.faults {
        if out.violated.contains(f.kind.rule()) {
            out.planted_seen.insert(f.kind);
        } else if town.edge.is_some() && !town.shape.fgt_nat && edge_fault_rendered(town, f) {
            // The edge's permit lets the tier out whatever else the town holds (the
            // FortiGate hands it all Internet traffic): unseen means the rendering (or
            // its reading) lost it. Not with `fgt_nat`: a FortiGate policy that
            // translates the source hides the tier's addresses from the edge's permit.
            out.disagreements.push(Disagreement {
                class: format!("edge fault not seen: {:?}", f.kind),
                detail: format!("{f:?}: {} not violated", f.kind.rule()),
            });
        }
    }
    out
}

/// An edge fault whose site still has the tier it lets out (shrinking may remove it).
fn edge_fault_rendered(town: &Town, f: &town::Fault) -> bool {
    let tier = match f.kind {
        FaultKind::LinuxMnOut => "mynumber",
        FaultKind::LinuxLgOut => "lgwan",
        _ => return false,
    };
    town.sites
        .get(f.at)
        .is_some_and(|s| s.roles.iter().any(|ro| ro.tier() == tier))
}

/// Smaller towns to try, in order.
fn reductions(t: &Town) -> Vec<Town> {
    let mut v = vec![];
    for i in 0..t.faults.len() {
        let mut x = t.clone();
        x.faults.remove(i);
        v.push(x);
    }
    for s in (1..t.sites.len()).rev() {
        let mut x = t.clone();
        x.sites.remove(s);
        // 特定通信 at the site move to the main site's servers.
        for tk in &mut x.toks {
            if tk.site == s {
                tk.site = 0;
                tk.role = town::Role::MnSrv;
            } else if tk.site > s {
                tk.site -= 1;
            }
        }
        // Printers of the site go, with their faults (indices renumbered).
        let mut keep = vec![];
        for (i, p) in t.extras.printers.iter().enumerate() {
            if p.site != s {
                keep.push(i);
            }
        }
        x.extras.printers = keep.iter().map(|&i| t.extras.printers[i].clone()).collect();
        for p in &mut x.extras.printers {
            if p.site > s {
                p.site -= 1;
            }
        }
        x.faults
            .retain(|f| f.kind != FaultKind::SharedPrinter || keep.contains(&f.at));
        for f in &mut x.faults {
            if f.kind == FaultKind::SharedPrinter {
                f.at = keep.iter().position(|&i| i == f.at).unwrap();
            }
        }
        x.faults.retain(|f| !is_site_fault(f.kind) || f.at != s);
        for f in &mut x.faults {
            if is_site_fault(f.kind) && f.at > s {
                f.at -= 1;
            }
        }
        v.push(x);
    }
    if t.toks.len() > 1 {
        for k in (0..t.toks.len()).rev() {
            let mut x = t.clone();
            x.toks.remove(k);
            x.faults
                .retain(|f| is_site_fault(f.kind) || is_extra_fault(f.kind) || f.at != k);
            for f in &mut x.faults {
                if !is_site_fault(f.kind) && !is_extra_fault(f.kind) && f.at > k {
                    f.at -= 1;
                }
            }
            v.push(x);
        }
    }
    if t.mugaika {
        let mut x = t.clone();
        x.mugaika = false;
        v.push(x);
    }
    if t.extras.jalert.is_some() {
        let mut x = t.clone();
        x.extras.jalert = None;
        x.faults.retain(|f| f.kind != FaultKind::DualHomedLeak);
        v.push(x);
    }
    for (kind, n) in [
        (FaultKind::UpdateToInternet, t.extras.updates.len()),
        (FaultKind::SharedPrinter, t.extras.printers.len()),
    ] {
        for i in (0..n).rev() {
            let mut x = t.clone();
            if kind == FaultKind::UpdateToInternet {
                x.extras.updates.remove(i);
            } else {
                x.extras.printers.remove(i);
            }
            x.faults.retain(|f| f.kind != kind || f.at != i);
            for f in &mut x.faults {
                if f.kind == kind && f.at > i {
                    f.at -= 1;
                }
            }
            v.push(x);
        }
    }
    for s in 0..t.sites.len() {
        if t.sites[s].access > 0 {
            let mut x = t.clone();
            x.sites[s].access -= 1;
            v.push(x);
        }
        if s > 0 && t.sites[s].roles.len() > 1 {
            for i in 0..t.sites[s].roles.len() {
                let mut x = t.clone();
                x.sites[s].roles.remove(i);
                if x.toks
                    .iter()
                    .any(|tk| tk.site == s && !x.sites[s].roles.contains(&tk.role))
                {
                    continue;
                }
                v.push(x);
            }
        }
        if t.sites[s].acl_out {
            let mut x = t.clone();
            x.sites[s].acl_out = false;
            v.push(x);
        }
    }
    if t.lgwan_allowed.is_some() {
        let mut x = t.clone();
        x.lgwan_allowed = None;
        v.push(x);
    }
    v
}

fn is_site_fault(k: FaultKind) -> bool {
    !matches!(
        k,
        FaultKind::LooseSource
            | FaultKind::LoosePort
            | FaultKind::NoPortSecurity
            | FaultKind::Spoofable
            | FaultKind::UpdateToInternet
            | FaultKind::SharedPrinter
            | FaultKind::DualHomedLeak
    )
}

/// A role fault's index into `Extras` (they are not about sites or 特定通信).
fn is_extra_fault(k: FaultKind) -> bool {
    matches!(
        k,
        FaultKind::UpdateToInternet | FaultKind::SharedPrinter | FaultKind::DualHomedLeak
    )
}

/// Shrink a town while a disagreement of `class` persists; returns the smallest town.
pub fn shrink(t: &Town, class: &str, dir: &Path) -> Town {
    let mut cur = t.clone();
    let mut budget = 60;
    'outer: while budget > 0 {
        for x in reductions(&cur) {
            budget -= 1;
            let o = check_town(&x, dir);
            if o.disagreements.iter().any(|d| d.class == class) {
                cur = x;
                continue 'outer;
            }
            if budget == 0 {
                break 'outer;
            }
        }
        break;
    }
    cur
}

/// Parse `default`, `all` or `zone_vlans+shared_dest…`.
pub fn parse_shape(s: &str) -> Shape {
    let mut sh = Shape::default();
    for w in s.split(['+', ',']) {
        match w.trim() {
            "all" => sh = Shape::all(),
            "zone_vlans" => sh.zone_vlans = true,
            "spoof_portsec" => sh.spoof_portsec = true,
            "shared_dest" => sh.shared_dest = true,
            "drop_link" => sh.drop_link = true,
            "mixed_dest" => sh.mixed_dest = true,
            "fgt_nat" => sh.fgt_nat = true,
            "awplus" => sh.awplus = true,
            "rtx" => sh.rtx = true,
            "linux" => sh.linux = true,
            "portchan" => sh.portchan = true,
            "fw_agg" => sh.fw_agg = true,
            "edge" => sh.edge = true,
            _ => {}
        }
    }
    sh
}

/// One subject of a finding with its own witness: the finding's, or one of its `also`.
struct Pair<'a> {
    rule: &'a str,
    subject: &'a sanso::checks::Subject,
    witness: &'a Option<sanso::hs::Packet>,
    src_point: &'a Option<String>,
    dst_point: &'a Option<String>,
}

impl<'a> Pair<'a> {
    fn all(f: &'a sanso::checks::Finding) -> Vec<Pair<'a>> {
        std::iter::once(Pair {
            rule: &f.rule,
            subject: &f.subject,
            witness: &f.witness,
            src_point: &f.src_point,
            dst_point: &f.dst_point,
        })
        .chain(f.also.iter().map(|x| Pair {
            rule: &f.rule,
            subject: &x.subject,
            witness: &x.witness,
            src_point: &x.src_point,
            dst_point: &x.dst_point,
        }))
        .collect()
    }
}
