//! Regression tests for crashes found by fuzzing (fuzz/README.md) and reported in issue
//! 12: malformed input must give an unrecognised line with a reason or an input error
//! with file:line, and the CLI must end quietly when its reader goes away — never a panic.

use sanso::model::Device;

fn reason_of(d: &Device, line: u32) -> &str {
    d.unrecognized
        .iter()
        .find(|u| u.line == line)
        .map(|u| u.reason.as_str())
        .unwrap_or_else(|| panic!("line {line} not unrecognised: {:?}", d.unrecognized))
}

/// `interface range` whose first name ends in a multi-byte character split the name
/// inside that character (cisco_ios.rs expand_range).
#[test]
fn ios_interface_range_with_multibyte_name_is_unrecognised() {
    let text =
        "hostname sw1\ninterface range GigabitEthernet1/0/1\u{fffd} - 8\n switchport mode access\n";
    let d = sanso::ingest::cisco_ios::parse("configs/sw1.cfg", text).expect("parse");
    assert!(reason_of(&d, 2).contains("interface range"), "{d:?}");
}

/// `ip address A 0.0.0.0`: IOS rejects the mask; it was read as a /0 connected network.
#[test]
fn ios_interface_mask_zero_is_unrecognised() {
    for addr in ["10.0.0.1 0.0.0.0", "10.0.0.1/0"] {
        let text = format!("hostname r1\ninterface GigabitEthernet0/1\n ip address {addr}\n");
        let d = sanso::ingest::cisco_ios::parse("configs/r1.cfg", &text).expect("parse");
        assert!(reason_of(&d, 3).contains("0.0.0.0"), "{addr}: {d:?}");
        let i = d.interface("GigabitEthernet0/1").expect("interface");
        assert!(i.addresses.is_empty(), "{addr}: {:?}", i.addresses);
    }
    // A default route keeps its 0.0.0.0 mask.
    let d =
        sanso::ingest::cisco_ios::parse("configs/r1.cfg", "ip route 0.0.0.0 0.0.0.0 10.0.0.2\n")
            .expect("parse");
    assert!(d.unrecognized.is_empty(), "{:?}", d.unrecognized);
    assert_eq!(d.routes.len(), 1);
}

fn fixture_copy(name: &str, tag: &str) -> std::path::PathBuf {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("sanso-nopanic-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy(&root.join("fixtures").join(name), &dir);
    dir
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &p);
        } else {
            std::fs::copy(e.path(), p).unwrap();
        }
    }
}

/// A zone whose first subnet is `255.255.255.252/30`: the witness steering address
/// `network + 10` overflowed u32 (rules.rs src_prefs/dst_prefs), a panic in debug and a
/// wrap to 0.0.0.6 in release.
#[test]
fn zone_at_the_top_of_the_address_space_does_not_overflow() {
    let dir = fixture_copy("sample-city-violating", "top30");
    let inv = dir.join("sanso.toml");
    let text = std::fs::read_to_string(&inv).unwrap();
    let text = text
        .replace(
            "subnets = [\"192.168.100.0/24\"]",
            "subnets = [\"255.255.255.252/30\", \"192.168.100.0/24\"]",
        )
        .replace(
            "subnets = [\"10.10.10.0/24\"]",
            "subnets = [\"255.255.255.248/30\", \"10.10.10.0/24\"]",
        );
    std::fs::write(&inv, text).unwrap();
    let audit = sanso::checks::audit::run(&dir).expect("snapshot loads");
    let r = audit.report(sanso::report::Lang::En);
    assert!(!r.findings.is_empty());
    for f in &r.findings {
        let w = serde_json::to_value(&f.witness).unwrap().to_string();
        assert!(!w.contains("0.0.0.6"), "wrapped address in witness: {w}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `sanso matrix fixtures/sample-city | head -1` panicked in `print!` on the broken
/// pipe. Every command writing to stdout must end quietly with its usual exit code.
#[test]
fn commands_end_quietly_when_stdout_is_closed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (args, code) in [
        (&["matrix", "fixtures/sample-city"][..], 0),
        (
            &["matrix", "fixtures/sample-city", "--format", "csv"][..],
            0,
        ),
        (
            &[
                "audit",
                "fixtures/sample-city-violating",
                "--format",
                "json",
            ][..],
            1,
        ),
        (&["rules"][..], 0),
        (&["rules", "--markdown"][..], 0),
    ] {
        // A pipe whose reading end is already closed: the first write gets EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sanso"))
            .args(args)
            .arg("--quiet")
            .current_dir(root)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.is_empty(), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(code), "{args:?}");
    }
}

/// The dialects added without a fuzz run of their own (Yamaha RTX; AlliedWare Plus, whose
/// target `fuzz/fuzz_targets/awplus.rs` was not run at length): every corpus file, with
/// each line cut after each of its words, with each word dropped, and with each word
/// doubled, in every context the file gives it. A malformed line must come back as an
/// unrecognised line or a parse error, never a panic.
#[test]
fn new_dialects_survive_mangled_corpus_lines() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut cases = 0usize;
    for (dir, id) in [
        ("yamaha-rtx", "yamaha-rtx"),
        ("allied-awplus", "allied-awplus"),
        ("cisco-asa", "cisco-asa"),
        ("panos", "panos"),
    ] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("corpus {dir}: {e}"))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "corpus {dir} is empty");
        let syntax = sanso::ingest::by_id(id).unwrap_or_else(|| panic!("{id} not registered"));
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let words: Vec<&str> = line.split_whitespace().collect();
                let mut variants = vec![];
                for k in 0..words.len() {
                    variants.push(words[..k].join(" "));
                    let mut w = words.clone();
                    w.remove(k);
                    variants.push(w.join(" "));
                    let mut w = words.clone();
                    w.insert(k, words[k]);
                    variants.push(w.join(" "));
                }
                let indent = &line[..line.len() - line.trim_start().len()];
                for v in variants {
                    let mut t: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                    t[i] = format!("{indent}{v}");
                    // Ok or a ParseError both do; a panic fails the test.
                    let _ = syntax.parse("configs/x.cfg", &t.join("\n"));
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 1000, "only {cases} mangled files");
}

/// Two fuzzed PAN-OS inputs (fuzz/regressions/panos/, found 2026-12-03): mangled lines in
/// the brace form left statements without `;`, each holding many `[ … ]` lists, which
/// expanded into their product — 1.4 s and 350 MB for 2.7 KB, and out of memory (over
/// 6 GB) for 3 KB. A statement with several lists is now one unrecognised line; both
/// inputs parse in about a millisecond. They are fed exactly as the fuzz target does.
#[test]
fn panos_fuzzed_statements_with_many_lists_do_not_multiply() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/panos");
    for f in [
        "oom-17c481df1ab3fdac3dda3e17de44fd229fcbc3b7",
        "slow-unit-050c262f9d6a4c282464ff798b6f40958f0dd38d",
    ] {
        let data = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let (form, rest) = data.split_first().expect("non-empty input");
        // The first byte picks the form in fuzz/fuzz_targets/panos.rs; both are brace form.
        assert_eq!(form % 3, 1, "{f}");
        let text = format!("config {{\n{}", String::from_utf8_lossy(rest));
        let d = sanso::ingest::panos::parse("configs/fuzz.xml", &text).expect("parse");
        assert!(
            d.unrecognized
                .iter()
                .any(|u| u.reason.contains("more than one `[ … ]` list")),
            "{f}: {:?}",
            d.unrecognized
        );
        assert!(d.interfaces.len() < 100, "{f}: {}", d.interfaces.len());
        let _ = sanso::ingest::detect(&text);
    }
}
