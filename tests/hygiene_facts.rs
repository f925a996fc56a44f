//! Configuration facts (management services, SNMP communities, secrets, version, features,
//! wireless) recorded by the parsers on the real configs of `../shared/corpus`. Expected
//! facts were read by hand from the files named here.

use sanso::ingest::{self, detect};
use sanso::model::{ConfigFacts, Dialect, MgmtProto, Storage};
use std::path::Path;

fn corpus(dialect: &str, file: &str) -> ConfigFacts {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(dialect)
        .join(file);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let d = match dialect {
        "cisco-ios" => Dialect("cisco-ios"),
        "cisco-asa" => Dialect("cisco-asa"),
        "allied-awplus" => Dialect("allied-awplus"),
        "yamaha-rtx" => Dialect("yamaha-rtx"),
        _ => detect(&text).expect("dialect"),
    };
    ingest::parse(d, file, &text).expect("parses").facts
}

/// Every corpus file, with its facts in one line each (run with --ignored --nocapture).
#[test]
#[ignore]
fn dump_corpus_facts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    for dia in [
        "cisco-ios",
        "allied-awplus",
        "cisco-asa",
        "fortios",
        "junos",
        "panos",
        "yamaha-rtx",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dia))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        files.sort();
        for f in files {
            let text = match std::fs::read_to_string(root.join(dia).join(&f)) {
                Ok(t) => t,
                Err(_) => continue,
            };
            let d = match dia {
                "cisco-ios" => Some(Dialect("cisco-ios")),
                "cisco-asa" => Some(Dialect("cisco-asa")),
                "allied-awplus" => Some(Dialect("allied-awplus")),
                "yamaha-rtx" => Some(Dialect("yamaha-rtx")),
                _ => detect(&text),
            };
            let Some(d) = d else { continue };
            let Ok(dev) = ingest::parse(d, &f, &text) else {
                continue;
            };
            let x = &dev.facts;
            let mg: Vec<String> = x
                .mgmt
                .iter()
                .map(|m| {
                    format!(
                        "{}@{}:{}{}",
                        m.proto.name(),
                        m.on,
                        m.span.line,
                        if m.by_default { "(default)" } else { "" }
                    )
                })
                .collect();
            let sn: Vec<String> = x
                .snmp
                .iter()
                .map(|s| {
                    format!(
                        "{}{}:{}",
                        if s.well_known { "WK" } else { "c" },
                        if s.write { "rw" } else { "" },
                        s.span.line
                    )
                })
                .collect();
            let se: Vec<String> = x
                .secrets
                .iter()
                .map(|s| {
                    format!(
                        "{}:{:?}{}:{}",
                        s.account,
                        s.storage,
                        if s.default { "!DEF" } else { "" },
                        s.span.line
                    )
                })
                .collect();
            let fe: Vec<String> = x
                .features
                .iter()
                .map(|f| format!("{}:{}", f.name, f.span.line))
                .collect();
            println!(
                "{dia}/{f}: v={:?} mgmt={mg:?} snmp={sn:?} sec={se:?} feat={fe:?} wl={:?}",
                x.version.as_ref().map(|v| v.version.clone()),
                x.wireless.iter().map(|s| s.line).collect::<Vec<_>>()
            );
        }
    }
}
