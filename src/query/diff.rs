//! `sanso diff OLD NEW`: what a change does, for a pre-deployment review.
//!
//! Per zone pair, the new flows gained and lost are exact set differences over the
//! whole header space: each snapshot's zone-pair flow set (`matrix::zone_flows`) is
//! turned into a BDD in its own manager, the old one is rebuilt node by node in the new
//! manager (`Manager::import`, same variable order), and `new ∧ ¬old` / `old ∧ ¬new`
//! are computed there. For reading, each difference is the exact projection onto
//! (source IP, destination IP, protocol, destination port), written as disjoint boxes
//! grouped by address pair, each with one concrete witness packet of the difference.
//! Findings are matched by identity (rule, source, destination, 特定通信/無害化 entry,
//! witness class) into new / fixed / unchanged.

use crate::checks::audit::{self, Phase};
use crate::checks::{Ctx, Finding, Status};
use crate::hs::bdd::{FastMap, Manager};
use crate::hs::{Bdd, Field, Packet, Space, FALSE, TRUE};
use crate::model::{InputError, Snapshot};
use crate::net::Graph;
use crate::report::{self, FindingOut, Lang, ToolInfo, WitnessOut};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::Path;

pub const SCHEMA: &str = "sanso.diff/v2";

/// Boxes enumerated per difference before the summary is cut short (`complete: false`).
/// The set difference itself is always exact; only its listing is bounded.
const MAX_BOXES: usize = 4096;

#[derive(Clone, Debug, Serialize)]
pub struct SideInfo {
    pub name: String,
    pub model: String,
    pub config_files: usize,
    /// Config lines not understood (they make affected checks unproven).
    pub unrecognized: usize,
    /// Every input file with its SHA-256, as read (for the page's provenance).
    pub inputs: Vec<InputHash>,
}

#[derive(Clone, Debug, Serialize)]
pub struct InputHash {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// One run of changed lines of a file (redacted text), OLD line numbers for removed
/// lines and NEW ones for added lines.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Hunk {
    pub old_line: usize,
    pub new_line: usize,
    pub removed: Vec<String>,
    pub added: Vec<String>,
}

/// The config lines that changed, between OLD and NEW, in a file a new finding cites:
/// those in the part of the file it cites (all of the file's when none is there).
#[derive(Clone, Debug, Serialize)]
pub struct CitedChange {
    /// Index into `findings.new`.
    pub finding: usize,
    pub file: String,
    /// The file exists only in NEW (every line added) or only in OLD.
    pub hunks: Vec<Hunk>,
    /// False when the listing was cut at [`MAX_CHANGED_LINES`].
    pub complete: bool,
}

/// Changed lines listed per cited file before the listing is cut.
pub const MAX_CHANGED_LINES: usize = 60;

#[derive(Clone, Debug, Serialize)]
pub struct Service {
    /// e.g. `tcp/25,80`, `udp`, `icmp`, `ip`, `proto 0-5`.
    pub label: String,
    /// Protocol number range, inclusive.
    pub proto: [u8; 2],
    /// Destination port ranges, inclusive, sorted and disjoint.
    pub dst_ports: Vec<[u16; 2]>,
}

/// Source range × destination range × services, with one packet of the difference.
#[derive(Serialize)]
pub struct FlowRange {
    /// `any`, `a.b.c.d`, `a.b.c.d/n` or `first-last`.
    pub src: String,
    pub dst: String,
    pub src_range: [Ipv4Addr; 2],
    pub dst_range: [Ipv4Addr; 2],
    pub services: Vec<Service>,
    /// These address/service tuples were carried before too; the difference lies only
    /// in other header fields (source MAC, VLAN, source port, ICMP type/code).
    pub other_headers_only: bool,
    pub witness: WitnessOut,
    /// The full witness header (MACs, VLAN) for cross-checks.
    #[serde(skip)]
    pub packet: Packet,
}

#[derive(Serialize)]
pub struct FlowSet {
    pub ranges: Vec<FlowRange>,
    /// False when the listing was cut at the box limit (the set is still exact).
    pub complete: bool,
}

#[derive(Serialize)]
pub struct PairDiff {
    pub src: String,
    pub dst: String,
    pub gained: FlowSet,
    pub lost: FlowSet,
}

#[derive(Debug, Serialize)]
pub struct CheckDiff {
    pub rule: String,
    pub title: String,
    /// `pass` | `violated` | `unproven` | `not-applicable` | `absent`.
    pub old: &'static str,
    pub new: &'static str,
}

#[derive(Serialize)]
pub struct FindingsDiff {
    pub new: Vec<FindingOut>,
    pub fixed: Vec<FindingOut>,
    pub unchanged: Vec<FindingOut>,
}

#[derive(Debug, Serialize)]
pub struct Verdict {
    /// A new finding, or a check that became unproven: exit code 1.
    pub violation_added: bool,
    pub pairs_changed: usize,
    pub findings_new: usize,
    pub findings_fixed: usize,
    pub findings_unchanged: usize,
    pub newly_unproven: Vec<String>,
}

/// The `sanso.diff/v2` document.
#[derive(Serialize)]
pub struct Diff {
    pub schema: &'static str,
    pub tool: ToolInfo,
    pub old: SideInfo,
    pub new: SideInfo,
    pub verdict: Verdict,
    pub flows: Vec<PairDiff>,
    pub findings: FindingsDiff,
    pub checks: Vec<CheckDiff>,
    /// Behind each new finding: the line diff of the files it cites.
    pub changed_lines: Vec<CitedChange>,
}

impl Diff {
    pub fn exit_code(&self) -> i32 {
        self.verdict.violation_added as i32
    }
}

/// Load, build and check both snapshots, then compare them.
pub fn run(
    old: &Path,
    new: &Path,
    lang: Lang,
    on_phase: &mut dyn FnMut(Phase),
) -> Result<Diff, InputError> {
    // Both inputs are read before the heavy work, so a bad path fails at once. An error
    // names the side (OLD / NEW, as in the usage) and its folder.
    let side = |tag: &'static str, dir: &Path| {
        let dir = dir.display().to_string();
        move |e: InputError| InputError {
            file: if e.file.starts_with(&dir) {
                format!("{tag} {}", e.file)
            } else {
                format!("{tag} ({dir}) {}", e.file)
            },
            ..e
        }
    };
    on_phase(Phase::Parse);
    let os = Snapshot::load(old).map_err(side("OLD", old))?;
    let ns = Snapshot::load(new).map_err(side("NEW", new))?;
    let (oa, mut og) = audit::check(os, on_phase).map_err(side("OLD", old))?;
    let (na, mut ng) = audit::check(ns, on_phase).map_err(side("NEW", new))?;
    on_phase(Phase::ZonePairs);
    Ok(compare(&oa, &mut og, &na, &mut ng, lang))
}

/// Compare two audited snapshots (graphs as built for them).
pub fn compare(
    old: &audit::Audit,
    og: &mut Graph,
    new: &audit::Audit,
    ng: &mut Graph,
    lang: Lang,
) -> Diff {
    let flows = flow_diff(&old.snapshot, og, &new.snapshot, ng);
    let (findings, checks) = findings_diff(old, new, lang);
    let newly_unproven: Vec<String> = checks
        .iter()
        .filter(|c| c.new == Status::Unproven.id() && c.old != Status::Unproven.id())
        .map(|c| c.rule.clone())
        .collect();
    let verdict = Verdict {
        violation_added: !findings.new.is_empty() || !newly_unproven.is_empty(),
        pairs_changed: flows.len(),
        findings_new: findings.new.len(),
        findings_fixed: findings.fixed.len(),
        findings_unchanged: findings.unchanged.len(),
        newly_unproven,
    };
    let changed_lines = cited_changes(&old.snapshot, &new.snapshot, &findings.new);
    Diff {
        schema: SCHEMA,
        tool: ToolInfo {
            name: "sanso",
            version: env!("CARGO_PKG_VERSION"),
            rules: crate::checks::pack_version(),
            kev_table: crate::checks::kev_compiled(),
        },
        old: side_info(&old.snapshot),
        new: side_info(&new.snapshot),
        verdict,
        flows,
        findings,
        checks,
        changed_lines,
    }
}

fn side_info(s: &Snapshot) -> SideInfo {
    SideInfo {
        name: s.name.clone(),
        model: s.model.clone(),
        config_files: s.devices.len() + s.file_errors.len(),
        unrecognized: s.devices.iter().map(|d| d.unrecognized.len()).sum(),
        inputs: s
            .input_hashes()
            .into_iter()
            .map(|(path, sha256, bytes)| InputHash {
                path,
                sha256,
                bytes,
            })
            .collect(),
    }
}

// ---- config lines behind new findings ------------------------------------------------

/// For each new finding, the files it cites (in path order, once) with their line diff
/// between OLD and NEW; files that did not change are left out.
fn cited_changes(old: &Snapshot, new: &Snapshot, found: &[FindingOut]) -> Vec<CitedChange> {
    let mut out = vec![];
    for (i, f) in found.iter().enumerate() {
        // Per cited file, the NEW lines the finding cites (path and cause).
        let mut files: Vec<(&str, Vec<usize>)> = vec![];
        for c in f.path.iter().flat_map(|h| &h.lines).chain(&f.cause) {
            if let Some((file, n)) = c.rsplit_once(':') {
                let n: usize = n.parse().unwrap_or(0);
                match files.iter_mut().find(|(x, _)| *x == file) {
                    Some((_, v)) => v.push(n),
                    None => files.push((file, vec![n])),
                }
            }
        }
        for (file, cited) in files {
            let lines = |s: &Snapshot| -> Vec<String> {
                s.sources.get(file).map_or(vec![], |src| {
                    (1..=src.line_count())
                        .filter_map(|n| crate::report::quote(s, file, n))
                        .collect()
                })
            };
            let (a, b) = (lines(old), lines(new));
            let all = line_diff(&a, &b);
            if all.is_empty() {
                continue;
            }
            // The changes inside the cited part of the file (from its first to its last
            // cited line, one line of margin): a removed deny just above a cited permit, a
            // changed entry of a cited ACL. None there: every change, so none is hidden.
            let (lo, hi) = (
                cited.iter().min().copied().unwrap_or(0).saturating_sub(1),
                cited.iter().max().copied().unwrap_or(0) + 1,
            );
            let near: Vec<Hunk> = all
                .iter()
                .filter(|h| h.new_line + h.added.len() >= lo && h.new_line <= hi)
                .cloned()
                .collect();
            let hunks = if near.is_empty() { all } else { near };
            let total: usize = hunks.iter().map(|h| h.removed.len() + h.added.len()).sum();
            let mut budget = MAX_CHANGED_LINES;
            let mut kept = vec![];
            for mut h in hunks {
                if budget == 0 {
                    break;
                }
                h.removed.truncate(budget);
                budget -= h.removed.len();
                h.added.truncate(budget);
                budget -= h.added.len();
                kept.push(h);
            }
            out.push(CitedChange {
                finding: i,
                file: file.to_string(),
                hunks: kept,
                complete: total <= MAX_CHANGED_LINES,
            });
        }
    }
    out
}

/// Line diff of `a` (OLD) and `b` (NEW): runs of removed/added lines, from a longest
/// common subsequence of the part between the common prefix and suffix (changes are
/// small next to the files, so the table stays small).
pub fn line_diff(a: &[String], b: &[String]) -> Vec<Hunk> {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..]
        .iter()
        .rev()
        .zip(b[pre..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[pre..a.len() - suf], &b[pre..b.len() - suf]);
    // lcs[i][j]: LCS length of ma[i..] and mb[j..].
    let mut lcs = vec![vec![0u32; mb.len() + 1]; ma.len() + 1];
    for i in (0..ma.len()).rev() {
        for j in (0..mb.len()).rev() {
            lcs[i][j] = if ma[i] == mb[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut hunks: Vec<Hunk> = vec![];
    let (mut i, mut j) = (0, 0);
    let mut cur: Option<Hunk> = None;
    while i < ma.len() || j < mb.len() {
        if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
            hunks.extend(cur.take());
            i += 1;
            j += 1;
            continue;
        }
        let h = cur.get_or_insert_with(|| Hunk {
            old_line: pre + i + 1,
            new_line: pre + j + 1,
            removed: vec![],
            added: vec![],
        });
        if j >= mb.len() || (i < ma.len() && lcs[i + 1][j] >= lcs[i][j + 1]) {
            h.removed.push(ma[i].clone());
            i += 1;
        } else {
            h.added.push(mb[j].clone());
            j += 1;
        }
    }
    hunks.extend(cur);
    hunks
}

// ---- flows -------------------------------------------------------------------------

/// Zone-pair flow sets as BDDs of the graph's own manager, keyed by zone names.
fn pair_bdds(snap: &Snapshot, g: &mut Graph) -> BTreeMap<(String, String), Bdd> {
    let flows = crate::query::matrix::zone_flows(snap, g);
    let mut out = BTreeMap::new();
    for (sz, row) in flows.iter().enumerate() {
        for (dz, &b) in row.iter().enumerate() {
            if b != FALSE {
                out.insert(
                    (snap.zones[sz].name.clone(), snap.zones[dz].name.clone()),
                    b,
                );
            }
        }
    }
    out
}

fn flow_diff(old: &Snapshot, og: &mut Graph, new: &Snapshot, ng: &mut Graph) -> Vec<PairDiff> {
    let ob = pair_bdds(old, og);
    let nb = pair_bdds(new, ng);
    // Zone order: the new snapshot's, then zones only the old one has.
    let mut order: Vec<&str> = new.zones.iter().map(|z| z.name.as_str()).collect();
    for z in &old.zones {
        if !order.contains(&z.name.as_str()) {
            order.push(&z.name);
        }
    }
    let rank = |z: &str| order.iter().position(|o| *o == z).unwrap_or(usize::MAX);
    let mut keys: Vec<&(String, String)> = ob.keys().chain(nb.keys()).collect();
    keys.sort_by_key(|(s, d)| (rank(s), rank(d)));
    keys.dedup();

    let mut memo = FastMap::default();
    let mut out = vec![];
    for key in keys {
        let steer = Steer::new(old, og, new, ng, &key.0, &key.1);
        let space = ng.space_mut();
        let o = ob
            .get(key)
            .map_or(FALSE, |&b| space.m.import(&og.space().m, b, &mut memo));
        let n = nb.get(key).copied().unwrap_or(FALSE);
        if o == n {
            continue;
        }
        let steer = steer.build(space);
        out.push(PairDiff {
            src: key.0.clone(),
            dst: key.1.clone(),
            gained: summarise(space, n, o, &steer),
            lost: summarise(space, o, n, &steer),
        });
    }
    out
}

/// Witness preferences for a zone pair, taken from the snapshot that has each zone
/// (the new one first): declared hosts and plausible addresses, as the rules use.
struct Steer {
    prefs: Vec<(Field, u64)>,
    src_subnets: Vec<(Ipv4Addr, u8)>,
}

/// [`Steer`] with the source zone as a set of the comparison manager.
struct Steering {
    prefs: Vec<(Field, u64)>,
    src_zone: Bdd,
}

impl Steer {
    fn new(old: &Snapshot, og: &Graph, new: &Snapshot, ng: &Graph, src: &str, dst: &str) -> Steer {
        let find = |z: &str| {
            new.zones
                .iter()
                .position(|x| x.name == z)
                .map(|i| (new, &*ng, i))
                .or_else(|| {
                    old.zones
                        .iter()
                        .position(|x| x.name == z)
                        .map(|i| (old, og, i))
                })
        };
        let mut prefs = vec![];
        let mut src_subnets = vec![];
        if let Some((snap, g, zi)) = find(src) {
            prefs.extend(Ctx::new(snap, g).src_prefs(zi, None));
            for n in &snap.zones[zi].subnets {
                if n.prefix() > 0 {
                    src_subnets.push((n.network(), n.prefix()));
                }
            }
        }
        if let Some((snap, g, zi)) = find(dst) {
            prefs.extend(Ctx::new(snap, g).dst_prefs(zi));
        }
        Steer { prefs, src_subnets }
    }

    fn build(self, s: &mut Space) -> Steering {
        let mut src_zone = FALSE;
        for (a, l) in self.src_subnets {
            let p = s.prefix(Field::SrcIp, a, l);
            src_zone = s.or(src_zone, p);
        }
        Steering {
            prefs: self.prefs,
            src_zone,
        }
    }
}

/// `set` with every variable at or below `cut` existentially quantified (a node below
/// the cut is a non-empty set, so it becomes `TRUE`).
fn project(m: &mut Manager, b: Bdd, cut: u16, memo: &mut FastMap<Bdd, Bdd>) -> Bdd {
    let Some((var, lo, hi)) = m.node(b) else {
        return b;
    };
    if var >= cut {
        return TRUE;
    }
    if let Some(&r) = memo.get(&b) {
        return r;
    }
    let l = project(m, lo, cut, memo);
    let h = project(m, hi, cut, memo);
    let r = m.mk(var, l, h);
    memo.insert(b, r);
    r
}

/// The values of one field as maximal ranges with the same remaining set (cofactor).
/// Ranges come out sorted; `budget` bounds the blocks visited.
fn split(m: &Manager, b: Bdd, f: Field, budget: &mut usize) -> Vec<(u64, u64, Bdd)> {
    fn rec(
        m: &Manager,
        b: Bdd,
        vars: &std::ops::Range<u16>,
        i: u16,
        prefix: u64,
        out: &mut Vec<(u64, u64, Bdd)>,
        budget: &mut usize,
    ) {
        if b == FALSE || *budget == 0 {
            return;
        }
        let w = vars.len() as u16;
        let node = m.node(b);
        let var = node.map_or(u16::MAX, |n| n.0);
        if i == w || var >= vars.end {
            // The rest of the field is free: one aligned block.
            let free = (w - i) as u32;
            let lo = prefix << free;
            let hi = lo | ((1u64 << free) - 1);
            *budget -= 1;
            match out.last_mut() {
                Some(last) if last.2 == b && last.1 + 1 == lo => last.1 = hi,
                _ => out.push((lo, hi, b)),
            }
            return;
        }
        let (lo, hi) = match node {
            Some((v, lo, hi)) if v == vars.start + i => (lo, hi),
            _ => (b, b),
        };
        rec(m, lo, vars, i + 1, prefix << 1, out, budget);
        rec(m, hi, vars, i + 1, (prefix << 1) | 1, out, budget);
    }
    let mut out = vec![];
    rec(m, b, &f.vars(), 0, 0, &mut out, budget);
    out
}

type Boxes = BTreeMap<([u32; 2], [u32; 2]), BTreeMap<[u8; 2], Vec<[u16; 2]>>>;

/// Disjoint boxes covering `proj` (a projected set), grouped by address pair.
fn boxes(m: &Manager, proj: Bdd, budget: &mut usize) -> Boxes {
    let mut boxes: Boxes = BTreeMap::new();
    for (plo, phi, b1) in split(m, proj, Field::Proto, budget) {
        for (dlo, dhi, b2) in split(m, b1, Field::DstIp, budget) {
            for (qlo, qhi, b3) in split(m, b2, Field::DstPort, budget) {
                for (slo, shi, _) in split(m, b3, Field::SrcIp, budget) {
                    boxes
                        .entry(([slo as u32, shi as u32], [dlo as u32, dhi as u32]))
                        .or_default()
                        .entry([plo as u8, phi as u8])
                        .or_default()
                        .push([qlo as u16, qhi as u16]);
                }
            }
        }
    }
    boxes
}

/// The difference `set` (= one side minus `other`) as readable ranges. Tuples (source
/// IP, destination IP, protocol, destination port) that `other` never carries come
/// first; then tuples `other` also carries, which differ only in further header
/// fields (source MAC, VLAN, source port, ICMP type/code).
fn summarise(s: &mut Space, set: Bdd, other: Bdd, steer: &Steering) -> FlowSet {
    let minus = s.diff(set, other);
    let mut ranges = vec![];
    let mut budget = MAX_BOXES;
    if minus != FALSE {
        // Proto, DstIp, DstPort, SrcIp are the top variables, in this order.
        let cut = Field::SrcIp.vars().end;
        let mut memo = FastMap::default();
        let proj = project(&mut s.m, minus, cut, &mut memo);
        let proj_other = project(&mut s.m, other, cut, &mut memo);
        let fresh = s.diff(proj, proj_other);
        let widened = s.and(proj, proj_other);
        for (part, other_headers_only) in [(fresh, false), (widened, true)] {
            for ((sr, dr), svcs) in boxes(&s.m, part, &mut budget) {
                ranges.push(flow_range(
                    s,
                    minus,
                    sr,
                    dr,
                    svcs,
                    steer,
                    other_headers_only,
                ));
            }
        }
    }
    FlowSet {
        ranges,
        complete: budget > 0,
    }
}

fn flow_range(
    s: &mut Space,
    set: Bdd,
    sr: [u32; 2],
    dr: [u32; 2],
    svcs: BTreeMap<[u8; 2], Vec<[u16; 2]>>,
    steer: &Steering,
    other_headers_only: bool,
) -> FlowRange {
    let src_b = s.range(Field::SrcIp, sr[0] as u64, sr[1] as u64);
    let dst_b = s.range(Field::DstIp, dr[0] as u64, dr[1] as u64);
    let mut svc_b = FALSE;
    let mut services = vec![];
    for (pr, mut ports) in svcs {
        ports.sort_unstable();
        let mut merged: Vec<[u16; 2]> = vec![];
        for p in ports {
            match merged.last_mut() {
                Some(l) if l[1] as u32 + 1 >= p[0] as u32 => l[1] = l[1].max(p[1]),
                _ => merged.push(p),
            }
        }
        let pb = s.range(Field::Proto, pr[0] as u64, pr[1] as u64);
        let mut qb = FALSE;
        for p in &merged {
            let r = s.range(Field::DstPort, p[0] as u64, p[1] as u64);
            qb = s.or(qb, r);
        }
        let x = s.and(pb, qb);
        svc_b = s.or(svc_b, x);
        services.push(Service {
            label: service_label(pr, &merged),
            proto: pr,
            dst_ports: merged,
        });
    }
    let mut region = s.and(src_b, dst_b);
    region = s.and(region, svc_b);
    let mut cur = s.and(set, region);
    let inside = s.and(cur, steer.src_zone);
    if inside != FALSE {
        cur = inside;
    }
    // Then a plausible host inside each range (not its network address).
    let mut prefs = steer.prefs.clone();
    for (f, [lo, hi]) in [(Field::SrcIp, sr), (Field::DstIp, dr)] {
        if lo != 0 && hi - lo >= 10 {
            prefs.push((f, (lo + 10) as u64));
        }
    }
    prefs.extend(Space::default_prefs());
    let pkt = s
        .witness(cur, &prefs)
        .expect("every box of the projection holds a packet of the set");
    FlowRange {
        src: addr_label(sr),
        dst: addr_label(dr),
        src_range: [Ipv4Addr::from(sr[0]), Ipv4Addr::from(sr[1])],
        dst_range: [Ipv4Addr::from(dr[0]), Ipv4Addr::from(dr[1])],
        services,
        other_headers_only,
        witness: report::witness_out(&pkt),
        packet: pkt,
    }
}

fn addr_label(r: [u32; 2]) -> String {
    let [lo, hi] = r;
    if lo == 0 && hi == u32::MAX {
        return "any".into();
    }
    if lo == hi {
        return Ipv4Addr::from(lo).to_string();
    }
    let size = (hi as u64) - (lo as u64) + 1;
    if size.is_power_of_two() && (lo as u64).is_multiple_of(size) {
        return format!("{}/{}", Ipv4Addr::from(lo), 32 - size.trailing_zeros());
    }
    format!("{}-{}", Ipv4Addr::from(lo), Ipv4Addr::from(hi))
}

fn service_label(p: [u8; 2], ports: &[[u16; 2]]) -> String {
    let all_ports = ports == [[0, 65535]];
    let ports_text = || {
        ports
            .iter()
            .map(|r| {
                if r[0] == r[1] {
                    r[0].to_string()
                } else {
                    format!("{}-{}", r[0], r[1])
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let name = match p {
        [0, 255] => "ip".to_string(),
        [a, b] if a == b && matches!(a, 1 | 6 | 17 | 132) => report::proto_name(a),
        [a, b] if a == b => format!("proto {a}"),
        [a, b] => format!("proto {a}-{b}"),
    };
    if all_ports {
        name
    } else {
        format!("{name}/{}", ports_text())
    }
}

// ---- findings ----------------------------------------------------------------------

/// What makes two findings "the same" across snapshots.
type Identity = (String, String, String, Option<String>, String);

/// The identities of every subject a finding covers: its own and those its cause also
/// lets through (a finding is one cause; a pair that joins or leaves it is a change).
fn identities(f: &Finding) -> impl Iterator<Item = Identity> + '_ {
    std::iter::once(&f.subject)
        .chain(f.also.iter().map(|a| &a.subject))
        .map(|s| {
            (
                f.rule.clone(),
                s.src.clone(),
                s.dst.clone(),
                s.flow.clone(),
                s.detail.clone(),
            )
        })
}

fn findings_diff(
    old: &audit::Audit,
    new: &audit::Audit,
    lang: Lang,
) -> (FindingsDiff, Vec<CheckDiff>) {
    let or = old.report(lang);
    let nr = new.report(lang);
    let old_ids: BTreeSet<Identity> = old.eval.findings.iter().flat_map(identities).collect();
    let new_ids: BTreeSet<Identity> = new.eval.findings.iter().flat_map(identities).collect();
    let mut d = FindingsDiff {
        new: vec![],
        fixed: vec![],
        unchanged: vec![],
    };
    for (f, out) in new.eval.findings.iter().zip(nr.findings) {
        if identities(f).all(|i| old_ids.contains(&i)) {
            d.unchanged.push(out);
        } else {
            d.new.push(out);
        }
    }
    for (f, out) in old.eval.findings.iter().zip(or.findings) {
        if !identities(f).all(|i| new_ids.contains(&i)) {
            d.fixed.push(out);
        }
    }
    let mut checks: Vec<CheckDiff> = nr
        .checks
        .iter()
        .map(|c| CheckDiff {
            rule: c.rule.clone(),
            title: c.title.clone(),
            old: or
                .checks
                .iter()
                .find(|o| o.rule == c.rule)
                .map_or("absent", |o| o.status),
            new: c.status,
        })
        .collect();
    for c in &or.checks {
        if !checks.iter().any(|x| x.rule == c.rule) {
            checks.push(CheckDiff {
                rule: c.rule.clone(),
                title: c.title.clone(),
                old: c.status,
                new: "absent",
            });
        }
    }
    (d, checks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(addr_label([0, u32::MAX]), "any");
        let a = u32::from(Ipv4Addr::new(10, 1, 0, 0));
        assert_eq!(addr_label([a, a + 0xffff]), "10.1.0.0/16");
        assert_eq!(addr_label([a + 4, a + 4]), "10.1.0.4");
        assert_eq!(addr_label([a + 1, a + 2]), "10.1.0.1-10.1.0.2");
        assert_eq!(service_label([6, 6], &[[25, 25], [80, 81]]), "tcp/25,80-81");
        assert_eq!(service_label([17, 17], &[[0, 65535]]), "udp");
        assert_eq!(service_label([0, 255], &[[0, 65535]]), "ip");
        assert_eq!(service_label([7, 16], &[[0, 65535]]), "proto 7-16");
    }

    /// The boxes of a summary cover exactly the projection of the set.
    #[test]
    fn summary_is_the_exact_projection() {
        let mut s = Space::new();
        let src = s.prefix(Field::SrcIp, Ipv4Addr::new(10, 1, 0, 0), 16);
        let dst = s.prefix(Field::DstIp, Ipv4Addr::new(10, 2, 3, 4), 32);
        let tcp = s.eq(Field::Proto, 6);
        let p25 = s.eq(Field::DstPort, 25);
        let p8x = s.range(Field::DstPort, 8000, 8080);
        let ports = s.or(p25, p8x);
        let mac = s.eq(Field::SrcMac, 7);
        let mut set = s.and(src, dst);
        set = s.and(set, tcp);
        set = s.and(set, ports);
        set = s.and(set, mac);
        let udp = s.eq(Field::Proto, 17);
        let any_src = s.and(dst, udp);
        let set = s.or(set, any_src);
        let steer = Steering {
            src_zone: FALSE,
            prefs: vec![],
        };
        let fs = summarise(&mut s, set, FALSE, &steer);
        assert!(fs.complete);
        let rows: Vec<(String, String, String)> = fs
            .ranges
            .iter()
            .map(|r| {
                (
                    r.src.clone(),
                    r.dst.clone(),
                    r.services
                        .iter()
                        .map(|s| s.label.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("any".into(), "10.2.3.4".into(), "udp".into()),
                (
                    "10.1.0.0/16".into(),
                    "10.2.3.4".into(),
                    "tcp/25,8000-8080".into()
                ),
            ]
        );
        for r in &fs.ranges {
            assert!(s.contains(set, &r.packet), "witness {:?}", r.packet);
        }
    }
}
