//! `sanso diff`: exact gained/lost flows per zone pair and findings new/fixed/unchanged,
//! checked against the planted fixture changes, hand-made edits and the simulator.

mod common;
use common::{cli, copy_dir, root};
use sanso::hs::Packet;
use sanso::model::Snapshot;
use sanso::net::Graph;
use sanso::query::diff::{Diff, FlowRange, PairDiff};
use sanso::report::Lang;
use sanso_testkit::sim::Sim;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

fn lib_diff(old: &Path, new: &Path) -> Diff {
    sanso::query::diff::run(old, new, Lang::En, &mut |_| {}).unwrap()
}

fn pair<'a>(d: &'a Diff, src: &str, dst: &str) -> &'a PairDiff {
    d.flows
        .iter()
        .find(|p| p.src == src && p.dst == dst)
        .unwrap_or_else(|| panic!("no change listed for {src} → {dst}"))
}

/// (src, dst, services, other_headers_only) of each range.
fn rows(ranges: &[FlowRange]) -> Vec<(String, String, String, bool)> {
    ranges
        .iter()
        .map(|r| {
            let svc: Vec<&str> = r.services.iter().map(|s| s.label.as_str()).collect();
            (
                r.src.clone(),
                r.dst.clone(),
                svc.join(" "),
                r.other_headers_only,
            )
        })
        .collect()
}

fn row(src: &str, dst: &str, svc: &str, other: bool) -> (String, String, String, bool) {
    (src.into(), dst.into(), svc.into(), other)
}

/// Address/wildcard pair of an IOS ACL line as a prefix string.
fn acl_prefix(addr: &str, wildcard: &str) -> String {
    let w: std::net::Ipv4Addr = wildcard.parse().unwrap();
    format!("{addr}/{}", 32 - u32::from(w).count_ones())
}

fn line_containing(fixture_name: &str, file: &str, needle: &str) -> String {
    let text = std::fs::read_to_string(fixture(fixture_name).join(file)).unwrap();
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {file}"))
        .to_string()
}

/// Does some edge point of zone `src` deliver `p` to an edge point of zone `dst`,
/// by the brute-force simulator?
fn sim_delivers(snap: &Snapshot, g: &Graph, src: &str, dst: &str, p: &Packet) -> bool {
    let zone = |n: &str| snap.zones.iter().position(|z| z.name == n);
    let (Some(sz), Some(dz)) = (zone(src), zone(dst)) else {
        return false;
    };
    let sim = Sim::new(snap, g);
    (0..g.points.len())
        .filter(|&i| g.points[i].zones.contains(&sz))
        .any(|i| {
            sim.run(g, i, p)
                .iter()
                .any(|&k| g.points[k].zones.contains(&dz))
        })
}

#[test]
fn planted_changes_show_as_new_findings_and_exact_gained_flows() {
    let old = fixture("sample-city");
    let new = fixture("sample-city-violating");
    let d = lib_diff(&old, &new);

    // Every planted finding is new; nothing was there before.
    let audit = sanso::checks::audit::run(&new).unwrap();
    let planted: BTreeSet<(String, String, String)> = audit
        .eval
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.subject.src.clone(), f.subject.dst.clone()))
        .collect();
    // 11 planted findings, and 4 of ONLY-ALLOWED-DEVICES: the violating city keeps the
    // terminal ports without 802.1X that the compliant one now authenticates (lg-core
    // Gi1/0/10, lg-floor1 1–8, mn-floor1 1–2 without control, mn-floor1 3–8 sticky only).
    // Two pairs share a cause with another (plants 2 and 7): 13 findings, 15 pairs.
    assert_eq!(audit.eval.findings.len(), 13);
    assert_eq!(
        audit
            .eval
            .findings
            .iter()
            .map(|f| 1 + f.also.len())
            .sum::<usize>(),
        15
    );
    let new_ids: BTreeSet<(String, String, String)> = d
        .findings
        .new
        .iter()
        .map(|f| (f.rule.clone(), f.src.clone(), f.dst.clone()))
        .collect();
    assert_eq!(new_ids, planted);
    assert_eq!(d.findings.new.len(), 13);
    assert!(new_ids.contains(&(
        "MN-ISOLATION".into(),
        "mn-terminals".into(),
        "lg-terminals".into()
    )));
    assert!(d.findings.fixed.is_empty() && d.findings.unchanged.is_empty());
    assert!(d.verdict.violation_added);
    assert_eq!(d.exit_code(), 1);
    // The checks with planted findings go from pass to violated; the others (the newer
    // checks nothing was planted for) keep their verdict.
    let hit: BTreeSet<&str> = planted.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(hit.len(), 9);
    for c in &d.checks {
        if hit.contains(c.rule.as_str()) {
            assert_eq!((c.old, c.new), ("pass", "violated"), "{}", c.rule);
        } else {
            assert_eq!(c.old, c.new, "{}", c.rule);
        }
    }

    // Planted mn-core line `permit ip 10.10.20.0 0.0.0.255 10.20.10.0 0.0.0.255` (MAINT-OUT)
    // plus the new link: exactly that box is gained from mn-terminals to lg-terminals.
    let l = line_containing(
        "sample-city-violating",
        "configs/mn-core.cfg",
        "10 permit ip 10.10.20.0",
    );
    let t: Vec<&str> = l.split_whitespace().collect();
    let p = pair(&d, "mn-terminals", "lg-terminals");
    assert_eq!(
        rows(&p.gained.ranges),
        vec![row(
            &acl_prefix(t[3], t[4]),
            &acl_prefix(t[5], t[6]),
            "ip",
            false
        )]
    );
    assert!(p.lost.ranges.is_empty());

    // fw-lgwan policy 20 (mail relay 10.30.20.25 → 10.20.20.25) gained "HTTP".
    let p = pair(&d, "inet-dmz", "lg-servers");
    assert_eq!(
        rows(&p.gained.ranges),
        vec![row("10.30.20.25", "10.20.20.25", "tcp/80", false)]
    );

    // fw-mn policy 1: dstaddr juki-net-server (.10) → juki-net-all (/24), HTTPS → HTTPS SSH;
    // and juki-cs's port lost port security, so .10 tcp/443 now passes any source MAC.
    let p = pair(&d, "mn-servers", "juki-net");
    assert_eq!(
        rows(&p.gained.ranges),
        vec![
            row(
                "10.10.10.21",
                "192.168.100.0-192.168.100.9",
                "tcp/22,443",
                false
            ),
            row("10.10.10.21", "192.168.100.10", "tcp/22", false),
            row(
                "10.10.10.21",
                "192.168.100.11-192.168.100.255",
                "tcp/22,443",
                false
            ),
            row("10.10.10.21", "192.168.100.10", "tcp/443", true),
        ]
    );
    let mac_only = &p.gained.ranges[3];
    let registered = "00:1b:21:0a:0b:0c".parse::<sanso::model::Mac>().unwrap();
    assert_ne!(mac_only.packet.src_mac, registered);

    // The planted changes only open things.
    for p in &d.flows {
        assert!(p.lost.ranges.is_empty(), "{} → {} lost", p.src, p.dst);
        assert!(p.gained.complete);
    }

    // Every gained witness: delivered in NEW by the simulator, not in OLD.
    let os = Snapshot::load(&old).unwrap();
    let og = Graph::build(&os);
    let ns = Snapshot::load(&new).unwrap();
    let ng = Graph::build(&ns);
    let mut checked = 0;
    for p in &d.flows {
        for r in &p.gained.ranges {
            let w = &r.packet;
            assert!(
                sim_delivers(&ns, &ng, &p.src, &p.dst, w),
                "{} → {}: {w:?} not delivered in new",
                p.src,
                p.dst
            );
            assert!(
                !sim_delivers(&os, &og, &p.src, &p.dst, w),
                "{} → {}: {w:?} already delivered in old",
                p.src,
                p.dst
            );
            let inside =
                |v: std::net::Ipv4Addr, [lo, hi]: [std::net::Ipv4Addr; 2]| lo <= v && v <= hi;
            assert!(inside(w.src_ip, r.src_range) && inside(w.dst_ip, r.dst_range));
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked}");
}

fn json(args: &[&str]) -> (i32, String, Value) {
    let (code, out, _) = cli(args);
    let v = serde_json::from_str(&out).unwrap();
    (code, out, v)
}

fn json_rows(v: &Value) -> Vec<(String, String, String, String, String)> {
    let mut out = vec![];
    for p in v.as_array().unwrap() {
        for (side, key) in [("+", "gained"), ("-", "lost")] {
            for r in p[key]["ranges"].as_array().unwrap() {
                let svc: Vec<&str> = r["services"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["label"].as_str().unwrap())
                    .collect();
                out.push((
                    format!("{} → {}", p["src"], p["dst"]),
                    side.to_string(),
                    r["src"].to_string(),
                    r["dst"].to_string(),
                    format!("{} {}", svc.join(" "), r["other_headers_only"]),
                ));
            }
        }
    }
    out
}

#[test]
fn json_is_deterministic_and_reverse_direction_fixes_everything() {
    let args = [
        "diff",
        "fixtures/sample-city",
        "fixtures/sample-city-violating",
        "--format",
        "json",
    ];
    let (code, a, fwd) = json(&args);
    let (_, b, _) = json(&args);
    assert_eq!(code, 1);
    assert_eq!(a, b, "JSON differs between runs");
    assert_eq!(fwd["schema"], "sanso.diff/v2");
    // 11 planted + 4 ONLY-ALLOWED-DEVICES (see above).
    assert_eq!(fwd["verdict"]["findings_new"], 13);

    let (code, _, rev) = json(&[
        "diff",
        "fixtures/sample-city-violating",
        "fixtures/sample-city",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(rev["verdict"]["violation_added"], false);
    assert_eq!(rev["verdict"]["findings_fixed"], 13);
    assert_eq!(rev["verdict"]["findings_new"], 0);
    assert_eq!(rev["findings"]["fixed"].as_array().unwrap().len(), 13);
    // What one direction gains the other loses, range for range.
    let flip = |rows: Vec<(String, String, String, String, String)>| {
        rows.into_iter()
            .map(|(p, s, a, b, c)| (p, if s == "+" { "-".into() } else { "+".into() }, a, b, c))
            .collect::<Vec<_>>()
    };
    assert_eq!(flip(json_rows(&fwd["flows"])), json_rows(&rev["flows"]));
    assert!(!json_rows(&rev["flows"]).is_empty());
}

#[test]
fn a_snapshot_against_itself_is_empty() {
    let (code, out, _) = cli(&[
        "diff",
        "fixtures/sample-city-violating",
        "fixtures/sample-city-violating",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["flows"].as_array().unwrap().len(), 0);
    assert_eq!(v["findings"]["new"].as_array().unwrap().len(), 0);
    assert_eq!(v["findings"]["fixed"].as_array().unwrap().len(), 0);
    assert_eq!(v["findings"]["unchanged"].as_array().unwrap().len(), 13);
    assert_eq!(v["verdict"]["violation_added"], false);

    let (code, text, err) = cli(&[
        "diff",
        "fixtures/sample-city",
        "fixtures/sample-city",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0);
    assert!(text.contains("no change"), "{text}");
    assert!(text.contains("Verdict: this change adds no violation"));
    // stderr is not a terminal here: no progress bar.
    assert_eq!(err, "");
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from} in {file}");
    std::fs::write(&p, text.replace(from, to)).unwrap();
}

#[test]
fn one_acl_line_edit_gains_exactly_the_freed_source_range() {
    let dir = std::env::temp_dir().join(format!("sanso-diff-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixture("sample-city"), &dir);
    // The Internet edge ACL denied 10.0.0.0/8 sources; narrow it to 10.0.0.0/9.
    edit(
        &dir,
        "configs/inet-core.cfg",
        " 10 deny   ip 10.0.0.0 0.255.255.255 any",
        " 10 deny   ip 10.0.0.0 0.127.255.255 any",
    );
    // A name with markup, to check HTML escaping.
    edit(
        &dir,
        "sanso.toml",
        "name  = \"サンプル市\"",
        "name  = \"<script>x</script> & 市\"",
    );
    let d = lib_diff(&fixture("sample-city"), &dir);
    let html = sanso::render::diff::html(&d, Lang::Ja, 1_700_000_000);
    let (code, _, _) = cli(&["diff", "fixtures/sample-city", dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0);

    assert!(!d.flows.is_empty());
    for p in &d.flows {
        assert_eq!(p.src, "security-cloud", "only Internet-side sources change");
        assert!(p.lost.ranges.is_empty());
        for r in &p.gained.ranges {
            assert_eq!(
                (r.src.as_str(), r.other_headers_only),
                ("10.128.0.0/9", false)
            );
            assert_eq!(r.services.len(), 1);
            assert_eq!(r.services[0].label, "ip");
        }
    }
    assert_eq!(
        rows(&pair(&d, "security-cloud", "inet-terminals").gained.ranges),
        vec![row("10.128.0.0/9", "10.30.10.0/24", "ip", false)]
    );
    assert_eq!(
        rows(&pair(&d, "security-cloud", "inet-dmz").gained.ranges),
        vec![row("10.128.0.0/9", "10.30.20.0/24", "ip", false)]
    );
    assert!(d.findings.new.is_empty() && d.findings.fixed.is_empty());
    assert!(!d.verdict.violation_added);

    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<style>") && !html.contains("<script"));
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt; &amp; 市"));
    assert!(html.contains("<code>10.128.0.0/9</code>"));
}

#[test]
fn input_errors_exit_2() {
    let (code, out, err) = cli(&["diff", "fixtures/sample-city", "fixtures/no-such-city"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("no-such-city"), "{err}");
    // The error says which side is broken, as the usage names them.
    assert!(err.contains("NEW fixtures/no-such-city"), "{err}");
    // The global --quiet flag is accepted anywhere; input errors still print.
    let (code, _, err) = cli(&[
        "diff",
        "--quiet",
        "fixtures/no-such-city",
        "fixtures/sample-city",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-city"), "{err}");
    assert!(err.contains("OLD fixtures/no-such-city"), "{err}");
    assert!(!err.contains("NEW"), "{err}");
}

#[test]
fn ranges_read_as_cidr_blocks_and_complements() {
    use sanso::query::diff::Service;
    use sanso::render::diff::{addrs_readable, cidrs, services_readable};
    let ip = |s: &str| u32::from(s.parse::<std::net::Ipv4Addr>().unwrap());
    // 0.0.0.0–10.10.19.255 by hand: 0–7.x (/5), 8–9.x (/7), 10.0–10.7 (/13), 10.8–10.9
    // (/15), 10.10.0–10.10.15 (/20), 10.10.16–10.10.19 (/22).
    assert_eq!(
        cidrs(0, ip("10.10.19.255")),
        [
            "0.0.0.0/5",
            "8.0.0.0/7",
            "10.0.0.0/13",
            "10.8.0.0/15",
            "10.10.0.0/20",
            "10.10.16.0/22"
        ]
    );
    assert_eq!(cidrs(0, u32::MAX), ["0.0.0.0/0"]);
    // The two boxes the old diff printed around 10.10.20.0/24 read as one complement.
    let around = [[0, ip("10.10.19.255")], [ip("10.10.21.0"), u32::MAX]];
    assert_eq!(
        addrs_readable(&around, true),
        "全アドレス（10.10.20.0/24 を除く）"
    );
    assert_eq!(addrs_readable(&around, false), "any except 10.10.20.0/24");
    // A /24 but one host: the enclosing block minus the host.
    let holed = [
        [ip("192.168.100.0"), ip("192.168.100.9")],
        [ip("192.168.100.11"), ip("192.168.100.255")],
    ];
    assert_eq!(
        addrs_readable(&holed, false),
        "192.168.100.0/24 except 192.168.100.10"
    );
    // Few blocks stay blocks; one address has no /32.
    assert_eq!(
        addrs_readable(
            &[
                [ip("10.1.0.0"), ip("10.1.1.255")],
                [ip("10.9.0.5"), ip("10.9.0.5")]
            ],
            false
        ),
        "10.1.0.0/23, 10.9.0.5"
    );
    assert_eq!(addrs_readable(&[[0, u32::MAX]], true), "全アドレス");

    // The service list: everything but tcp/25, 53, 443 and udp/53.
    let svc = |p: [u8; 2], ports: &[[u16; 2]]| Service {
        label: String::new(),
        proto: p,
        dst_ports: ports.to_vec(),
    };
    let all = [[0, 65535]];
    let mut svcs = vec![
        svc([0, 5], &all),
        svc([6, 6], &[[0, 24], [26, 52], [54, 442], [444, 65535]]),
        svc([7, 16], &all),
        svc([17, 17], &[[0, 52], [54, 65535]]),
        svc([18, 255], &all),
    ];
    for s in &mut svcs {
        s.label = format!("x{}", s.proto[0]).repeat(8);
    }
    assert_eq!(
        services_readable(&svcs, true),
        "全ポート（tcp/25, 53, 443; udp/53 を除く）"
    );
    assert_eq!(
        services_readable(&svcs, false),
        "all ports except tcp/25, 53, 443; udp/53"
    );
    // Every protocol, every port.
    assert_eq!(
        services_readable(&[svc([0, 255], &all)], false),
        "all services"
    );
    // A short list stays as it is.
    let mut one = svc([6, 6], &[[22, 22]]);
    one.label = "tcp/22".into();
    assert_eq!(services_readable(&[one], false), "tcp/22");
}

#[test]
fn line_diff_by_hand() {
    use sanso::query::diff::{line_diff, Hunk};
    let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // b → x at line 2, e appended at line 5.
    assert_eq!(
        line_diff(&v(&["a", "b", "c", "d"]), &v(&["a", "x", "c", "d", "e"])),
        vec![
            Hunk {
                old_line: 2,
                new_line: 2,
                removed: v(&["b"]),
                added: v(&["x"])
            },
            Hunk {
                old_line: 5,
                new_line: 5,
                removed: vec![],
                added: v(&["e"])
            },
        ]
    );
    assert!(line_diff(&v(&["a"]), &v(&["a"])).is_empty());
    assert_eq!(
        line_diff(&[], &v(&["n"])),
        vec![Hunk {
            old_line: 1,
            new_line: 1,
            removed: vec![],
            added: v(&["n"])
        }]
    );
}

/// Behind the planted MN-ISOLATION finding: the lines of its cited files that NEW has
/// and OLD has not (a plain set difference of the fixture files, read here) are listed as
/// added — at least those inside the cited part of each file (first to last cited line),
/// or all of the file's when none is there; an unrelated change elsewhere in a cited file
/// (another plant's sticky port security on mn-floor1) is not. diff.html carries the tool version,
/// guideline edition and every input's SHA-256 (hashed here from the files).
#[test]
fn new_findings_show_changed_config_lines_and_html_carries_provenance() {
    use sha2::Digest;
    let (old, new) = (fixture("sample-city"), fixture("sample-city-violating"));
    let d = lib_diff(&old, &new);
    let (i, f) = d
        .findings
        .new
        .iter()
        .enumerate()
        .find(|(_, f)| f.rule == "MN-ISOLATION")
        .unwrap();
    let mut cited: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for c in f.path.iter().flat_map(|h| h.lines.iter()).chain(&f.cause) {
        let (file, n) = c.rsplit_once(':').unwrap();
        cited.entry(file).or_default().push(n.parse().unwrap());
    }
    let mut checked = 0;
    let mut sticky_seen = false;
    for (file, lines) in &cited {
        let read = |dir: &Path| -> Vec<String> {
            std::fs::read_to_string(dir.join(file))
                .unwrap_or_default()
                .lines()
                .map(|l| sanso::ingest::redact::redact_line(l.trim_end()))
                .collect()
        };
        let (o, n) = (read(&old), read(&new));
        let (lo, hi) = (
            lines.iter().min().unwrap().saturating_sub(1),
            lines.iter().max().unwrap() + 1,
        );
        let added: Vec<(usize, &String)> = n
            .iter()
            .enumerate()
            .map(|(k, l)| (k + 1, l))
            .filter(|(_, l)| !o.contains(l))
            .collect();
        let near: Vec<&(usize, &String)> =
            added.iter().filter(|(k, _)| *k >= lo && *k <= hi).collect();
        let want: BTreeSet<&String> = if near.is_empty() {
            added.iter().map(|(_, l)| *l).collect()
        } else {
            near.iter().map(|(_, l)| *l).collect()
        };

        let listed: BTreeSet<&String> = d
            .changed_lines
            .iter()
            .filter(|c| c.finding == i && c.file == *file)
            .flat_map(|c| c.hunks.iter().flat_map(|h| h.added.iter()))
            .collect();
        for l in &want {
            assert!(listed.contains(l), "{file}: added line {l:?} not listed");
        }
        checked += want.len();
        sticky_seen |= listed.iter().any(|l| l.contains("sticky"));
    }
    assert!(
        !sticky_seen,
        "an unrelated change is listed behind MN-ISOLATION"
    );
    // The planted core-to-core link and its route are among them.
    assert!(checked >= 5, "{checked}");
    let text = sanso::render::diff::text(&d, Lang::En);
    assert!(
        text.contains("changed lines in configs/mn-core.cfg"),
        "{text}"
    );

    let html = sanso::render::diff::html(&d, Lang::Ja, 1_700_000_000);
    assert!(html.contains("@page") && html.contains("@media print"));
    assert!(html.contains("平成30年9月版"));
    assert!(html.contains(&format!("sanso {}", env!("CARGO_PKG_VERSION"))));
    assert!(html.contains("2023-11-14 22:13:20 UTC"));
    assert!(html.contains("変更された設定行"));
    for (dir, s) in [(&old, &d.old), (&new, &d.new)] {
        assert!(!s.inputs.is_empty());
        for inp in &s.inputs {
            let bytes = std::fs::read(dir.join(&inp.path)).unwrap();
            let sha: String = sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert!(
                html.contains(&format!("<code>{sha}</code>")),
                "{}",
                inp.path
            );
        }
    }
}
