//! The Linux kernel as referee of the engine. Random networks of hosts, Linux routers
//! (nftables or iptables, static routes, NAT) and Linux bridges are built in network
//! namespaces joined by veth pairs, dumped with the real tools (`ip -j addr`, `ip -j route`,
//! `nft list ruleset`, `iptables-save`, `bridge -j link|vlan`, `sysctl`), loaded by sanso,
//! and every probe's predicted verdict (does the first packet reach the destination
//! host?) is compared with what the kernel delivered.
//!
//! The audit's MN-ISOLATION verdict is judged too: each host segment is a zone of a tier
//! (`net::tiers`; routers are declared as nothing, most keep `OUTPUT ACCEPT`), a batch of
//! socket probes MN ↔ other over the ports the rules mention must find sanso saying
//! `violated` whenever one arrives, and each finding's witness, sent from the host of its
//! source point, must arrive. (Probes that do not arrive prove nothing: the kernel can
//! show a crossing, never the absence of one.)
//!
//! Needs root and `ip netns`: where namespaces cannot be created the test prints a loud
//! SKIP and passes; missing tools fail it (CI installs them in .ci/run).
//!
//! Environment:
//! - `SANSO_REFEREE_CASES` (default 200): minimum number of probes in the run.
//! - `SANSO_REFEREE_SEED` (default 0x5a5a0001): seed of the run; network i uses a seed
//!   derived from it, printed on every failure.
//! - `SANSO_REFEREE_NET`: run only the network with this seed (a printed reproduction).
//! - `SANSO_REFEREE_PROBES` (default 8): probes per network.
//! - `SANSO_REFEREE_VERDICT_PROBES` (default 24): new-flow probes between My Number and
//!   other-tier hosts per network for the MN-ISOLATION verdict (below).
//! - `SANSO_REFEREE_RULES=0`: networks without filter/NAT rules (harness self-test).
//! - `SANSO_REFEREE_WAIT_MS` (default 150): how long to wait for a probe to arrive; a
//!   predicted delivery that does not arrive is re-sent with ten times the wait first.
//! - `SANSO_REFEREE_SHRINK=0`: do not shrink disagreements; `SANSO_REFEREE_KEEP=1`: keep
//!   namespaces and dumps; `SANSO_REFEREE_VERBOSE=1`: timings and every verdict.

mod referee;

use referee::lab::{self, Lab};
use referee::net::{self, GenOpts, Net, Node};
use referee::probe::{self, Probe, Tap};
use referee::rng::{mix, Rng};
use referee::{predict, render};
use sanso::model::Snapshot;
use sanso::net::Graph;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TOOLS: [&str; 10] = [
    "ip",
    "bridge",
    "sysctl",
    "bash",
    "nft",
    "iptables-nft-restore",
    "iptables-nft-save",
    "iptables-legacy-restore",
    "iptables-legacy-save",
    "iptables",
];

#[derive(Clone, Copy, Debug)]
struct Cfg {
    seed: u64,
    cases: usize,
    per_net: usize,
    only_net: Option<u64>,
    gen: GenOpts,
    keep: bool,
    wait: Duration,
    shrink: bool,
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    let r = match v.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => v.parse(),
    };
    Some(r.unwrap_or_else(|_| panic!("{name}={v}: not a number")))
}

/// `SANSO_REFEREE_VERBOSE=1`: per-network timings and every probe's verdicts.
fn verbose(msg: impl FnOnce() -> String) {
    if env_u64("SANSO_REFEREE_VERBOSE") == Some(1) {
        eprintln!("referee: {}", msg());
    }
}

fn find_tool(t: &str) -> bool {
    std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .any(|d| Path::new(d).join(t).is_file())
}

/// Checks the tools (missing = failure) and whether namespaces work here (not = skip).
/// Returns whether the kernel has VLAN-filtering bridges.
fn preflight() -> Option<bool> {
    // Root's tools live in sbin; a CI environment may not have it on PATH.
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::set_var("PATH", format!("{path}:/usr/sbin:/sbin:/usr/bin:/bin"));
    let missing: Vec<&str> = TOOLS.iter().copied().filter(|t| !find_tool(t)).collect();
    assert!(
        missing.is_empty(),
        "kernel referee: missing tools {missing:?}: install iproute2 nftables iptables (see .ci/run)"
    );
    let ns = format!("{}{}-pre", lab::NS_PREFIX, std::process::id());
    let ok = |args: &[&str]| {
        Command::new(args[0])
            .args(&args[1..])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let skip = |why: &str| {
        eprintln!(
            "\n################################################################\n\
             ## SKIPPED: kernel referee cannot run here: {why}\n\
             ## (needs root and network namespaces; 0 cases were checked)\n\
             ################################################################\n"
        );
    };
    if !ok(&["ip", "netns", "add", &ns]) {
        skip("`ip netns add` failed");
        return None;
    }
    let veth = ok(&[
        "ip", "-n", &ns, "link", "add", "rva", "type", "veth", "peer", "name", "rvb",
    ]);
    let nft = ok(&["ip", "netns", "exec", &ns, "nft", "list", "ruleset"]);
    let vlan = ok(&[
        "ip",
        "-n",
        &ns,
        "link",
        "add",
        "br0",
        "type",
        "bridge",
        "vlan_filtering",
        "1",
    ]);
    ok(&["ip", "netns", "del", &ns]);
    if !veth {
        skip("veth pairs cannot be created");
        return None;
    }
    assert!(
        nft,
        "kernel referee: `nft list ruleset` fails inside a namespace"
    );
    if !vlan {
        eprintln!(
            "\n################################################################\n\
             ## NOTE: this kernel has no VLAN-filtering bridges\n\
             ## (`ip link add br0 type bridge vlan_filtering 1` fails):\n\
             ## switches are VLAN-unaware bridges in this run.\n\
             ################################################################\n"
        );
    }
    Some(vlan)
}

/// What a failed case reports.
enum Fail {
    /// The lab could not be built or dumped: a harness or environment problem.
    Harness(String),
    /// sanso could not load the dump completely: a parser / loader gap.
    Gap(String),
}

struct Case {
    lab: Lab,
    graph: Graph,
    /// Edge point of each host of the net.
    points: Vec<usize>,
    /// Address of each host of the net.
    ips: Vec<std::net::Ipv4Addr>,
    dir: PathBuf,
}

fn work_dir() -> PathBuf {
    std::env::temp_dir().join(format!("sanso-referee-{}", std::process::id()))
}

fn prepare(net: &Net, tag: &str, keep: bool) -> Result<Case, Fail> {
    let t0 = Instant::now();
    let lab = Lab::build(net, tag, keep).map_err(Fail::Harness)?;
    let dir = work_dir().join(tag);
    let t1 = Instant::now();
    lab.dump(net, &dir).map_err(Fail::Harness)?;
    verbose(|| format!("{tag}: lab {:?}, dump {:?}", t1 - t0, t1.elapsed()));
    let t2 = Instant::now();
    let snap = Snapshot::load(&dir).map_err(|e| Fail::Gap(format!("snapshot load: {e}")))?;
    let mut gaps = String::new();
    for e in &snap.file_errors {
        writeln!(gaps, "  {}:{}: {}", e.file, e.line, e.message).unwrap();
    }
    for d in &snap.devices {
        for u in &d.unrecognized {
            writeln!(
                gaps,
                "  {}:{}: {:?} — {} ({:?})",
                d.file, u.line, u.text, u.reason, u.scope
            )
            .unwrap();
        }
    }
    for n in net
        .routers
        .iter()
        .map(|r| &r.name)
        .chain(net.switches.iter().map(|s| &s.name))
    {
        if !snap.devices.iter().any(|d| &d.name == n) {
            writeln!(gaps, "  device {n} (configs/{n}/) was not loaded").unwrap();
        }
    }
    if !gaps.is_empty() {
        return Err(Fail::Gap(format!(
            "unrecognised input in the dump:\n{gaps}"
        )));
    }
    let graph = Graph::build_sets(&snap);
    verbose(|| format!("{tag}: load + Graph::build_sets {:?}", t2.elapsed()));
    let mut points = vec![];
    for h in &net.hosts {
        let hi = snap
            .hosts
            .iter()
            .position(|x| x.name == h.name)
            .expect("hosts come from our sanso.toml");
        let p = graph
            .points
            .iter()
            .position(|p| p.host == Some(hi))
            .ok_or_else(|| Fail::Gap(format!("host {} has no edge point in the graph", h.name)))?;
        points.push(p);
    }
    Ok(Case {
        lab,
        graph,
        points,
        ips: (0..net.hosts.len()).map(|h| host_ip(net, h)).collect(),
        dir,
    })
}

fn host_ip(net: &Net, h: usize) -> std::net::Ipv4Addr {
    net.hosts[h].iface.addr.expect("addressed").0
}

fn open_taps(case: &Case, net: &Net) -> Result<Vec<Tap>, String> {
    (0..net.hosts.len())
        .map(|h| {
            Tap::open(&case.lab.ns(net, Node::Host(h)), "eth0")
                .map_err(|e| format!("packet socket on h{}: {e}", h + 1))
        })
        .collect()
}

/// Did the kernel deliver the probe's first packet to its target host?
fn kernel_verdict(
    case: &Case,
    net: &Net,
    taps: &mut [Tap],
    p: &Probe,
    wait: Duration,
) -> Result<bool, String> {
    let target = host_ip(net, p.target_host);
    taps[p.target_host].drain();
    let src_ns = case.lab.ns(net, Node::Host(p.src_host));
    let keep =
        probe::send(p, &src_ns, &mut taps[p.src_host]).map_err(|e| format!("sending {p}: {e}"))?;
    let got = taps[p.target_host]
        .wait_for(wait, |f| probe::is_probe(f, p, target))
        .map_err(|e| format!("capturing {p}: {e}"))?;
    drop(keep);
    Ok(got)
}

fn predicted(case: &mut Case, p: &Probe) -> predict::Prediction {
    let src = case.points[p.src_host];
    let dst = case.points[p.target_host];
    let to = case.ips[p.target_host];
    predict::predict(&mut case.graph, src, &p.packet(), dst, to)
}

fn verdict_word(b: bool) -> &'static str {
    if b {
        "delivered"
    } else {
        "not delivered"
    }
}

/// Setup script, dumped files and the probe: everything needed to replay a case by hand.
fn reproduction(net: &Net, script: &str, dir: &Path, p: &Probe, pred: bool, got: bool) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "network seed {:#018x}: {} routers, {} switches, {} hosts, {} rules",
        net.seed,
        net.routers.len(),
        net.switches.len(),
        net.hosts.len(),
        net.rule_count()
    )
    .unwrap();
    writeln!(s, "probe: {p}").unwrap();
    writeln!(
        s,
        "sanso: {}   kernel: {}",
        verdict_word(pred),
        verdict_word(got)
    )
    .unwrap();
    writeln!(
        s,
        "replay: SANSO_REFEREE_NET={:#x} cargo test --test kernel_referee -- --nocapture",
        net.seed
    )
    .unwrap();
    writeln!(s, "--- setup (bash, as root) ---\n{script}").unwrap();
    writeln!(s, "--- dump ({}) ---", dir.display()).unwrap();
    let mut files = vec![];
    collect(dir, &mut files);
    files.sort();
    for f in files {
        let rel = f.strip_prefix(dir).unwrap_or(&f);
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        writeln!(s, "== {} ==\n{}", rel.display(), text.trim_end()).unwrap();
    }
    s
}

fn collect(d: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(d) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                collect(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

/// Re-run one probe on a (reduced) network: Some((predicted, kernel)).
fn replay(cfg: &Cfg, net: &Net, p: &Probe, tag: &str) -> Option<(bool, bool, String, PathBuf)> {
    let mut case = prepare(net, tag, false).ok()?;
    let mut taps = open_taps(&case, net).ok()?;
    let pred = predicted(&mut case, p).addressed;
    let wait = if pred { cfg.wait * 10 } else { cfg.wait };
    let got = kernel_verdict(&case, net, &mut taps, p, wait).ok()?;
    Some((pred, got, case.lab.script.clone(), case.dir.clone()))
}

/// Greedily disable rules (filter and NAT) while the same disagreement persists.
fn shrink(cfg: &Cfg, net: &Net, p: &Probe, pred: bool) -> Option<String> {
    let mut cur = net.clone();
    let mut best = None;
    let mut tries = 0;
    let mut slots = vec![];
    for (ri, rt) in net.routers.iter().enumerate() {
        for (ci, c) in rt.chains.iter().enumerate() {
            for k in 0..c.rules.len() {
                slots.push((ri, Some(ci), k));
            }
        }
        for k in 0..rt.nat.len() {
            slots.push((ri, None, k));
        }
    }
    for (ri, ci, k) in slots {
        if tries >= 40 {
            break;
        }
        tries += 1;
        let mut t = cur.clone();
        match ci {
            Some(ci) => t.routers[ri].chains[ci].rules[k].enabled = false,
            None => t.routers[ri].nat[k].enabled = false,
        }
        let tag = format!("{:x}-s{tries}", net.seed & 0xffff_ffff);
        if let Some((pr, got, script, dir)) = replay(cfg, &t, p, &tag) {
            if pr == pred && got != pr {
                best = Some(reproduction(&t, &script, &dir, p, pr, got));
                cur = t;
            }
        }
    }
    best
}

#[derive(Default)]
struct Tally {
    nets: usize,
    probes: usize,
    delivered: usize,
    rechecked: usize,
    /// `deliveries` reached the target's point only with frames addressed elsewhere.
    flood_only: usize,
    /// MN-ISOLATION: networks judged, new-flow probes MN ↔ other sent / delivered,
    /// sanso's verdicts (violated), witnesses replayed / not probeable.
    verdicts: usize,
    verdict_probes: usize,
    verdict_delivered: usize,
    violated: usize,
    witnesses: usize,
    unprobeable: usize,
    /// Witnesses with a source the kernel treats as martian.
    martian: usize,
    failures: Vec<String>,
}

fn run_net(cfg: &Cfg, net_seed: u64, t: &mut Tally) {
    let net = net::generate(net_seed, cfg.gen);
    let tag = format!("{:x}", net_seed & 0xffff_ffff);
    let mut case = match prepare(&net, &tag, cfg.keep) {
        Ok(c) => c,
        Err(Fail::Harness(e)) => panic!(
            "kernel referee: building network {net_seed:#018x} failed: {e}\n--- setup ---\n{}",
            render::setup_script("sref-X-", &net)
        ),
        Err(Fail::Gap(e)) => {
            t.nets += 1;
            let dir = work_dir().join(&tag);
            t.failures.push(format!(
                "PARSER GAP in network {net_seed:#018x} (dump kept in {}):\n{e}",
                dir.display()
            ));
            return;
        }
    };
    t.nets += 1;
    let mut taps = open_taps(&case, &net).unwrap_or_else(|e| panic!("kernel referee: {e}"));
    let mut r = Rng::new(mix(net_seed ^ 0x70b3));
    let mut next_id = 0;
    let mut used = HashSet::new();
    let probes = probe::generate(&mut r, &net, cfg.per_net, &mut next_id, &mut used);
    let mut keep_dir = false;
    for p in &probes {
        let pr = predicted(&mut case, p);
        t.flood_only += (pr.reaches_point && !pr.addressed) as usize;
        let pred = pr.addressed;
        let mut got = kernel_verdict(&case, &net, &mut taps, p, cfg.wait)
            .unwrap_or_else(|e| panic!("kernel referee: {e}"));
        if pred && !got {
            // Not there yet is not "dropped": re-send with a fresh tag and a long wait.
            next_id += 1;
            let again = p.retagged(next_id, probe::fresh_sport(&mut r, &mut used));
            got = kernel_verdict(&case, &net, &mut taps, &again, cfg.wait * 10)
                .unwrap_or_else(|e| panic!("kernel referee: {e}"));
            t.rechecked += 1;
        }
        t.probes += 1;
        t.delivered += got as usize;
        verbose(|| {
            format!(
                "  {p}: sanso {}, kernel {}",
                verdict_word(pred),
                verdict_word(got)
            )
        });
        if pred == got {
            continue;
        }
        keep_dir = true;
        let mut msg = format!(
            "DISAGREEMENT (run seed {:#x}):\n{}",
            cfg.seed,
            reproduction(&net, &case.lab.script, &case.dir, p, pred, got)
        );
        // Shrinking rebuilds the lab once per rule: only for the first disagreements.
        if cfg.shrink && net.rule_count() > 0 && t.failures.len() < 2 {
            if let Some(min) = shrink(cfg, &net, p, pred) {
                write!(
                    msg,
                    "\n--- minimal reproduction (rules dropped while it persists) ---\n{min}"
                )
                .unwrap();
            }
        }
        eprintln!("{msg}");
        t.failures.push(msg);
    }
    if let Err(msg) = judge_isolation(cfg, &net, &case, &mut taps, &mut r, &mut next_id, t) {
        keep_dir = true;
        let msg = format!(
            "MN-ISOLATION DISAGREEMENT (run seed {:#x}):\n{msg}\n{}",
            cfg.seed,
            isolation_reproduction(&net, &case.lab.script, &case.dir)
        );
        eprintln!("{msg}");
        t.failures.push(msg);
    }
    if !keep_dir && !cfg.keep {
        let _ = std::fs::remove_dir_all(&case.dir);
    }
}

/// Ports and protocols the verdict probes use: every destination port a rule or a DNAT of
/// the network mentions (both ends of a range), plus tcp/22, udp/53 and ICMP echo.
fn verdict_services(net: &Net) -> Vec<(u8, u16)> {
    let mut v: Vec<(u8, u16)> = vec![(6, 22), (17, 53), (1, 0)];
    for rt in &net.routers {
        for c in &rt.chains {
            for rule in &c.rules {
                for cond in &rule.conds {
                    if let net::Cond::Dport { proto, ports } = cond {
                        for &(lo, hi) in ports {
                            v.push((*proto, lo));
                            v.push((*proto, hi));
                        }
                    }
                }
            }
        }
        for n in &rt.nat {
            if let net::NatKind::Dnat {
                proto,
                port,
                to_port,
                ..
            } = &n.kind
            {
                v.push((*proto, port.unwrap_or(0)));
                if let Some(p) = to_port {
                    v.push((*proto, *p));
                }
            }
        }
    }
    v.sort();
    v.dedup();
    v
}

/// A socket probe from `s` to `dst` (meant for `target`) over `(proto, port)`.
fn socket_probe(
    net: &Net,
    s: usize,
    target: usize,
    dst: std::net::Ipv4Addr,
    (proto, port): (u8, u16),
    id: u32,
    sport: u16,
) -> Option<Probe> {
    let own = &net.hosts[s].iface;
    let (src_ip, len) = own.addr?;
    let nh = if net::in_net(dst, (src_ip, len)) {
        dst
    } else {
        net.hosts[s].gw
    };
    let dst_mac = net.mac_in_domain(net.host_ifref(s), nh)?;
    Some(Probe {
        id,
        src_host: s,
        target_host: target,
        crafted: false,
        proto,
        src_ip,
        dst_ip: dst,
        src_mac: own.mac,
        dst_mac,
        sport: if proto == 1 { 0 } else { sport },
        dport: if proto == 1 { 0 } else { port },
    })
}

/// `SANSO_REFEREE_VERDICT_PROBES` (default 24): new-flow probes MN ↔ other per network.
fn verdict_cap() -> usize {
    env_u64("SANSO_REFEREE_VERDICT_PROBES").unwrap_or(24) as usize
}

/// The audit's MN-ISOLATION verdict against the kernel, in the directions that are sound:
/// a new flow the kernel delivers between a My Number host and another tier's host makes
/// a `pass` wrong; a `violated` is right only if each finding's witness, sent from the
/// host of its source point, arrives (probes that do not arrive prove nothing: the kernel
/// cannot show that no packet crosses).
fn judge_isolation(
    cfg: &Cfg,
    net: &Net,
    case: &Case,
    taps: &mut [Tap],
    r: &mut Rng,
    next_id: &mut u32,
    t: &mut Tally,
) -> Result<(), String> {
    let tiers = net::tiers(net);
    let mn: Vec<bool> = (0..net.hosts.len())
        .map(|h| net::host_is_mn(net, &tiers, h))
        .collect();
    let audit = sanso::checks::audit::run(&case.dir).map_err(|e| format!("audit: {e}"))?;
    let status = audit
        .eval
        .checks
        .iter()
        .find(|c| c.rule == "MN-ISOLATION")
        .map(|c| format!("{:?}", c.status).to_lowercase())
        .ok_or("no MN-ISOLATION result")?;
    let findings: Vec<&sanso::checks::Finding> = audit
        .eval
        .findings
        .iter()
        .filter(|f| f.rule == "MN-ISOLATION")
        .collect();
    t.verdicts += 1;
    t.violated += (status == "violated") as usize;

    // New-flow probes MN ↔ other, both ways, sent in one batch and collected once.
    let services = verdict_services(net);
    let mut cands = vec![];
    for a in 0..net.hosts.len() {
        for b in 0..net.hosts.len() {
            if mn[a] == mn[b] {
                continue;
            }
            for &sv in &services {
                cands.push((a, b, case.ips[b], sv));
            }
        }
    }
    for rt in &net.routers {
        for n in rt.nat.iter().filter(|n| n.enabled) {
            if let net::NatKind::Dnat {
                vip,
                proto,
                port,
                target_host,
                ..
            } = &n.kind
            {
                for a in (0..net.hosts.len()).filter(|&a| mn[a] != mn[*target_host]) {
                    cands.push((a, *target_host, *vip, (*proto, port.unwrap_or(0))));
                }
            }
        }
    }
    let cap = verdict_cap();
    // A seeded partial shuffle: which `cap` candidates are sent.
    for i in 0..cands.len().min(cap) {
        let j = i + r.below((cands.len() - i) as u64) as usize;
        cands.swap(i, j);
    }
    cands.truncate(cap);
    let mut sport = 61000u16;
    let mut batch = vec![];
    for (a, b, dst, sv) in cands {
        *next_id += 1;
        sport += 1;
        if let Some(p) = socket_probe(net, a, b, dst, sv, *next_id, sport) {
            batch.push(p);
        }
    }
    let got = send_batch(case, net, taps, &batch, cfg.wait)?;
    t.verdict_probes += batch.len();
    t.verdict_delivered += got.iter().filter(|&&g| g).count();
    verbose(|| {
        format!(
            "  MN-ISOLATION: sanso {status}, {} findings; kernel delivered {} of {} MN<->other probes",
            findings.len(),
            got.iter().filter(|&&g| g).count(),
            batch.len()
        )
    });
    if status != "violated" {
        if let Some(i) = got.iter().position(|&g| g) {
            return Err(format!(
                "sanso: MN-ISOLATION {status}   kernel: delivered the new flow {}",
                batch[i]
            ));
        }
    }

    // Every witness, sent as a crafted frame from its source point's host, arrives.
    let point_name = |pi: usize| {
        let p = &case.graph.points[pi];
        format!("{}:{}", p.device, p.interface)
    };
    let mut wits = vec![];
    for f in findings {
        let w = f.witness.as_ref().ok_or("a finding without a witness")?;
        let arrives = f.delivered.as_ref().unwrap_or(w);
        let sp = f.src_point.clone().unwrap_or_default();
        let Some(src) = (0..net.hosts.len()).find(|&h| point_name(case.points[h]) == sp) else {
            return Err(format!(
                "sanso's witness {w:?} ({} → {}) starts at {sp}, which is no host: a router's own traffic taken as tier traffic",
                f.subject.src, f.subject.dst
            ));
        };
        let target = (0..net.hosts.len()).find(|&h| case.ips[h] == arrives.dst_ip);
        let icmp_ok = w.proto != 1 || (w.icmp_type == 8 && w.icmp_code == 0);
        // The kernel discards martian sources (0/8, 127/8, multicast and above, its own
        // addresses) before any rule; sanso does not model that, and picks the lowest
        // source when the zone's own addresses are filtered. Such a witness is counted,
        // not replayed.
        let o = w.src_ip.octets();
        let martian = o[0] == 0
            || o[0] == 127
            || o[0] >= 224
            || net
                .routers
                .iter()
                .flat_map(|r| r.ifaces.iter())
                .any(|i| i.addr.is_some_and(|a| a.0 == w.src_ip));
        if martian {
            t.martian += 1;
            continue;
        }
        let (Some(target), true, true, 0) =
            (target, matches!(w.proto, 1 | 6 | 17), icmp_ok, w.vlan)
        else {
            t.unprobeable += 1;
            continue;
        };
        let own = net.hosts[src].iface.addr.expect("addressed");
        let nh = if net::in_net(w.dst_ip, own) {
            w.dst_ip
        } else {
            net.hosts[src].gw
        };
        let Some(dst_mac) = net.mac_in_domain(net.host_ifref(src), nh) else {
            t.unprobeable += 1;
            continue;
        };
        *next_id += 1;
        let p = Probe {
            id: *next_id,
            src_host: src,
            target_host: target,
            crafted: true,
            proto: w.proto,
            src_ip: w.src_ip,
            dst_ip: w.dst_ip,
            src_mac: w.src_mac.octets(),
            dst_mac,
            sport: w.src_port,
            dport: w.dst_port,
        };
        t.witnesses += 1;
        wits.push((p, f));
    }
    // All at once; one that does not arrive is re-sent alone with ten times the wait.
    // A TCP witness is recognised by its source port: two with the same target and port
    // are not sent together (the later one is judged alone).
    let mut seen = HashSet::new();
    let alone: Vec<bool> = wits
        .iter()
        .map(|(p, _)| p.proto == 6 && !seen.insert((p.target_host, p.sport)))
        .collect();
    let batch: Vec<Probe> = wits
        .iter()
        .zip(&alone)
        .filter(|x| !*x.1)
        .map(|x| x.0 .0.clone())
        .collect();
    let sent = send_batch(case, net, taps, &batch, cfg.wait)?;
    let mut sent = sent.into_iter();
    let got: Vec<bool> = alone
        .iter()
        .map(|&a| !a && sent.next().unwrap_or(false))
        .collect();
    for ((p, f), ok) in wits.into_iter().zip(got) {
        if ok {
            continue;
        }
        *next_id += 1;
        let again = Probe {
            id: *next_id,
            ..p.clone()
        };
        if !kernel_verdict(case, net, taps, &again, cfg.wait * 10)? {
            return Err(format!(
                "sanso: MN-ISOLATION violated ({} → {}, from {})   kernel: the witness {p} was not delivered",
                f.subject.src,
                f.subject.dst,
                f.src_point.clone().unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// Send `batch` at once, wait `wait`, and read each target's captures: which arrived.
fn send_batch(
    case: &Case,
    net: &Net,
    taps: &mut [Tap],
    batch: &[Probe],
    wait: Duration,
) -> Result<Vec<bool>, String> {
    for tap in taps.iter_mut() {
        tap.drain();
    }
    let mut keep = vec![];
    for p in batch {
        let ns = case.lab.ns(net, Node::Host(p.src_host));
        keep.push(
            probe::send(p, &ns, &mut taps[p.src_host]).map_err(|e| format!("sending {p}: {e}"))?,
        );
    }
    std::thread::sleep(wait);
    let got: Vec<std::cell::Cell<bool>> = batch.iter().map(|_| Default::default()).collect();
    let targets: HashSet<usize> = batch.iter().map(|p| p.target_host).collect();
    for &h in &targets {
        let target = case.ips[h];
        taps[h]
            .wait_for(Duration::from_millis(10), |f| {
                for (i, p) in batch.iter().enumerate() {
                    if p.target_host == h && probe::is_probe(f, p, target) {
                        got[i].set(true);
                    }
                }
                false
            })
            .map_err(|e| format!("capturing: {e}"))?;
    }
    drop(keep);
    Ok(got.iter().map(|c| c.get()).collect())
}

/// Seed, replay command, setup script and dump of a network whose verdict disagreed.
fn isolation_reproduction(net: &Net, script: &str, dir: &Path) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "network seed {:#018x}: {} routers, {} switches, {} hosts, {} rules; segment tiers {:?}",
        net.seed,
        net.routers.len(),
        net.switches.len(),
        net.hosts.len(),
        net.rule_count(),
        net::tiers(net)
    )
    .unwrap();
    writeln!(
        s,
        "replay: SANSO_REFEREE_NET={:#x} cargo test --test kernel_referee -- --nocapture\n\
         audit:  cargo run -- audit {}",
        net.seed,
        dir.display()
    )
    .unwrap();
    writeln!(s, "--- setup (bash, as root) ---\n{script}").unwrap();
    writeln!(s, "--- dump ({}) ---", dir.display()).unwrap();
    let mut files = vec![];
    collect(dir, &mut files);
    files.sort();
    for f in files {
        let rel = f.strip_prefix(dir).unwrap_or(&f);
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        writeln!(s, "== {} ==\n{}", rel.display(), text.trim_end()).unwrap();
    }
    s
}

#[test]
fn kernel_referee() {
    let Some(vlan_bridges) = preflight() else {
        return;
    };
    lab::sweep_stale();
    let cfg = Cfg {
        seed: env_u64("SANSO_REFEREE_SEED").unwrap_or(0x5a5a_0001),
        cases: env_u64("SANSO_REFEREE_CASES").unwrap_or(200) as usize,
        per_net: env_u64("SANSO_REFEREE_PROBES").unwrap_or(8).max(1) as usize,
        only_net: env_u64("SANSO_REFEREE_NET"),
        gen: GenOpts {
            rules: env_u64("SANSO_REFEREE_RULES") != Some(0),
            vlan_bridges,
        },
        keep: env_u64("SANSO_REFEREE_KEEP") == Some(1),
        wait: Duration::from_millis(env_u64("SANSO_REFEREE_WAIT_MS").unwrap_or(150)),
        shrink: env_u64("SANSO_REFEREE_SHRINK") != Some(0),
    };
    let start = Instant::now();
    let mut t = Tally::default();
    match cfg.only_net {
        Some(s) => run_net(&cfg, s, &mut t),
        None => {
            let mut i = 0u64;
            while t.probes < cfg.cases && t.failures.len() < 10 {
                run_net(&cfg, mix(cfg.seed.wrapping_add(i)), &mut t);
                i += 1;
                if i.is_multiple_of(25) {
                    eprintln!(
                        "referee: {} networks, {} probes, {} failures, {:.0}s",
                        t.nets,
                        t.probes,
                        t.failures.len(),
                        start.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }
    let _ = std::fs::remove_dir(work_dir());
    eprintln!(
        "kernel referee: seed {:#x}: {} networks, {} probes ({} delivered, {} not), {} re-sent, {} reached the target's port only by flooding; MN-ISOLATION judged on {} networks ({} violated): {} new-flow probes MN<->other ({} delivered), {} witnesses replayed, {} not probeable, {} with a martian source; {} failures, {:.1}s",
        cfg.seed,
        t.nets,
        t.probes,
        t.delivered,
        t.probes - t.delivered,
        t.rechecked,
        t.flood_only,
        t.verdicts,
        t.violated,
        t.verdict_probes,
        t.verdict_delivered,
        t.witnesses,
        t.unprobeable,
        t.martian,
        t.failures.len(),
        start.elapsed().as_secs_f64()
    );
    assert!(
        t.failures.is_empty(),
        "kernel referee: {} failures (seed {:#x}):\n\n{}",
        t.failures.len(),
        cfg.seed,
        t.failures.join("\n\n")
    );
    // A harness whose probes never arrive would agree with an engine that drops everything.
    assert!(
        t.delivered > 0 && t.delivered < t.probes || t.probes < 20,
        "kernel referee: {} of {} probes delivered: the harness is not exercising both verdicts",
        t.delivered,
        t.probes
    );
}
