//! Configuration facts (management services, SNMP communities, secrets, version, features,
//! wireless) recorded by the parsers on the real configs of `../shared/corpus`, and the
//! hygiene checks judging them on an unseen town with one planted fault per check and its
//! clean twin. Expected facts were read by hand from the files named here.

mod common;
use sanso::checks::Status;
use sanso::ingest::{self, detect};
use sanso::model::{ConfigFacts, Dialect, MgmtProto, Storage};
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// The dialect a corpus folder holds (IOS-like files are not all detected decisively).
fn dialect_of(folder: &str, text: &str) -> Option<Dialect> {
    match folder {
        "cisco-ios" | "cisco-asa" | "allied-awplus" | "yamaha-rtx" => {
            ingest::by_id(folder).map(|s| Dialect(s.id()))
        }
        _ => detect(text),
    }
}

fn corpus(folder: &str, file: &str) -> ConfigFacts {
    let p = corpus_dir().join(folder).join(file);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let d = dialect_of(folder, &text).expect("dialect");
    ingest::parse(d, file, &text).expect("parses").facts
}

fn mgmt(f: &ConfigFacts) -> Vec<(MgmtProto, String, u32, bool)> {
    f.mgmt
        .iter()
        .map(|m| (m.proto, m.on.clone(), m.span.line, m.by_default))
        .collect()
}

#[test]
fn ios_vty_transports_http_server_and_secrets() {
    // `line vty 0 2` / ` transport input telnet` (277), `line vty 3 5` / ssh only.
    let f = corpus("cisco-ios", "bf_hybrid-cloud-aws_lhr-border-02.cfg");
    assert_eq!(
        mgmt(&f),
        vec![(MgmtProto::Telnet, "line vty 0 2".into(), 277, false)]
    );
    // version 15.2; `line vty 0 4` (180) has ` login` and no transport input: the classic
    // IOS default accepts Telnet.
    let f = corpus("cisco-ios", "bf_example-candidate_as3border1.cfg");
    assert_eq!(
        mgmt(&f),
        vec![(MgmtProto::Telnet, "line vty 0 4".into(), 180, true)]
    );
    // IOS-XE 16.4: `ip http server` (178) with secure-server; every vty `transport input
    // ssh`; `username cisco privilege 15 password 0 …` (104) is the clear-text default.
    let f = corpus("cisco-ios", "lv_cisco_private_asn_DuplicatePrivate_run.txt");
    assert_eq!(
        mgmt(&f),
        vec![(MgmtProto::Http, "ip http server".into(), 178, false)]
    );
    let v = f.version.as_ref().unwrap();
    assert_eq!((v.product.as_str(), v.version.as_str()), ("ios-xe", "16.4"));
    assert_eq!(
        f.features
            .iter()
            .map(|x| x.name.as_str())
            .collect::<Vec<_>>(),
        ["http-server"]
    );
    assert_eq!(f.secrets.len(), 1);
    assert_eq!(
        (
            f.secrets[0].storage,
            f.secrets[0].default,
            f.secrets[0].span.line
        ),
        (Storage::Clear, true, 104)
    );
    // `interface Dot11Radio0` (285) is not shut down.
    let f = corpus("cisco-ios", "bf_unit-tests_cisco_interface");
    assert_eq!(f.wireless.iter().map(|s| s.line).collect::<Vec<_>>(), [285]);
}

#[test]
fn awplus_services_and_the_factory_manager_hash() {
    // `no service telnet` (15) states no Telnet; `service http` (18) is the HTTP GUI;
    // `username manager … password 8 $1$bJoVec4D…` (8) is the factory hash of `friend`.
    let f = corpus("allied-awplus", "awp_config_complete.cfg");
    assert_eq!(
        mgmt(&f),
        vec![(MgmtProto::Http, "service http".into(), 18, false)]
    );
    assert_eq!(f.secrets.len(), 1);
    assert_eq!(
        (f.secrets[0].storage, f.secrets[0].default),
        (Storage::WeakHash, true)
    );
    // Three users with other MD5 hashes: weak, not default.
    let f = corpus("allied-awplus", "awp_user_config.cfg");
    assert!(f
        .secrets
        .iter()
        .all(|s| s.storage == Storage::WeakHash && !s.default));
    assert_eq!(f.secrets.len(), 3);
}

#[test]
fn asa_telnet_snmp_and_hashes() {
    // `telnet 0.0.0.0 0.0.0.0 inside` (10); `telnet timeout 5` is not a service.
    let f = corpus("cisco-asa", "bf_allinone_asaNode");
    assert_eq!(
        mgmt(&f),
        vec![(MgmtProto::Telnet, "interface inside".into(), 10, false)]
    );
    // Two `public` communities (327 host, 330 community), read-only; `http server enable`
    // is ASDM over HTTPS (a feature, not clear text); `enable password … encrypted`,
    // `passwd … encrypted`, `username mpenning password … encrypted` are MD5-based.
    let f = corpus("cisco-asa", "ccp_sample_01.asa");
    assert!(f.mgmt.is_empty());
    let snmp: Vec<(bool, bool, u32)> = f
        .snmp
        .iter()
        .map(|c| (c.well_known, c.write, c.span.line))
        .collect();
    assert_eq!(snmp, [(true, false, 327), (true, false, 330)]);
    assert_eq!(
        f.features
            .iter()
            .map(|x| (x.name.as_str(), x.span.line))
            .collect::<Vec<_>>(),
        [("http-server", 325)]
    );
    assert_eq!(
        f.secrets.iter().map(|s| s.storage).collect::<Vec<_>>(),
        [Storage::WeakHash; 3]
    );
    assert_eq!(f.version.unwrap().version, "9.0(3)");
}

#[test]
fn fortios_allowaccess_admin_and_ssl_vpn() {
    // `set allowaccess ping https ssh http fgfm` on loopback123 (102); admin `ENC SH2…`;
    // `config vpn ssl settings` without a source-interface does not listen.
    let f = corpus("fortios", "lv_fortios_first_basic_d2_fw_show.txt");
    assert_eq!(
        mgmt(&f),
        vec![(MgmtProto::Http, "interface loopback123".into(), 102, false)]
    );
    assert_eq!(f.version.unwrap().version, "6.4.4");
    assert_eq!(
        f.secrets
            .iter()
            .map(|s| (s.storage, s.span.line))
            .collect::<Vec<_>>(),
        [(Storage::Strong, 137)]
    );
    assert!(f.features.is_empty());
}

#[test]
fn junos_panos_rtx_services_and_secrets() {
    // `set system services web-management http` (17), root `$1$` hash (3).
    let f = corpus("junos", "bf_srx-testbed_junos-srx-1.cfg");
    assert_eq!(
        mgmt(&f),
        vec![(
            MgmtProto::Http,
            "system services web-management http".into(),
            17,
            false
        )]
    );
    assert_eq!(f.version.unwrap().version, "15.1X49-D15.4");
    assert_eq!(
        (f.secrets[0].account.as_str(), f.secrets[0].storage),
        ("root", Storage::WeakHash)
    );
    // `disable-telnet yes;` (498), `disable-http no;` (499); admin has the factory phash.
    let f = corpus("panos", "lv_palo_alto_nat_10_pa");
    assert_eq!(
        mgmt(&f),
        vec![(MgmtProto::Http, "management port".into(), 499, false)]
    );
    assert!(f.secrets.iter().any(|s| s.account == "admin" && s.default));
    assert!(f.version.is_none());
    // `login password …` (5), `administrator password …` (6) in clear; `httpd host any` (20).
    let f = corpus("yamaha-rtx", "tfrtx_rtx_config_raw.txt");
    assert_eq!(mgmt(&f), vec![(MgmtProto::Http, "httpd".into(), 20, false)]);
    let s: Vec<(&str, Storage, u32)> = f
        .secrets
        .iter()
        .take(2)
        .map(|s| (s.account.as_str(), s.storage, s.span.line))
        .collect();
    assert_eq!(
        s,
        [
            ("login", Storage::Clear, 5),
            ("administrator", Storage::Clear, 6)
        ]
    );
}

/// Files read by hand that state no plain-text management, no well-known or writable
/// community and no weak storage: nothing may be recorded against them.
#[test]
fn no_false_positives_on_hand_checked_files() {
    for (folder, file) in [
        ("junos", "lv_juniper_resolution_r1_display-set.txt"),
        ("junos", "lv_junos_community_delete_sender_display-set.txt"),
        ("junos", "bf_juniper_juniper-wildcards"),
        ("panos", "lv_panos_ebgp_loop_prevention_d2_show.txt"),
        ("cisco-ios", "lv_ios_add_path_as2rr_run.txt"),
        ("fortios", "bf_fortios_fortios_ignored"),
    ] {
        let f = corpus(folder, file);
        assert!(f.mgmt.is_empty(), "{file}: {:?}", f.mgmt);
        assert!(f.snmp.iter().all(|c| !c.well_known && !c.write), "{file}");
        assert!(f.wireless.is_empty(), "{file}");
        assert!(f.features.is_empty(), "{file}");
    }
}

/// No fact carries a secret: the serialized facts of every corpus file hold none of the
/// values the files store (clear text, type 7, hashes, ENC blobs, communities).
#[test]
fn facts_never_hold_a_secret_value() {
    let mut n = 0;
    for folder in [
        "cisco-ios",
        "allied-awplus",
        "cisco-asa",
        "fortios",
        "junos",
        "panos",
        "yamaha-rtx",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(corpus_dir().join(folder))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for p in files {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let Some(d) = dialect_of(folder, &text) else {
                continue;
            };
            let Ok(dev) = ingest::parse(d, "f", &text) else {
                continue;
            };
            let json = serde_json::to_string(&dev.facts).unwrap();
            for s in &dev.facts.secrets {
                let line = text.lines().nth(s.span.line as usize - 1).unwrap();
                // The stored value is the last long token of its line.
                // Keywords and the account name are not values.
                let keyword = |w: &str| {
                    w == s.account || w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                };
                for w in line
                    .split_whitespace()
                    .filter(|w| w.len() >= 6 && !keyword(w))
                {
                    if w.starts_with('$') || w.len() >= 12 {
                        assert!(!json.contains(w.trim_matches('"')), "{}: {w}", p.display());
                        n += 1;
                    }
                }
            }
        }
    }
    assert!(n > 50, "only {n} secret values checked");
}

#[test]
fn kev_table_is_well_formed() {
    let t = sanso::checks::kinds::known_exploited::kev();
    assert!(!t.compiled.starts_with("unreadable"), "{}", t.compiled);
    assert!(
        t.compiled.len() == 10 && t.compiled.as_bytes()[4] == b'-',
        "{}",
        t.compiled
    );
    for e in &t.entries {
        assert!(e.cve.starts_with("CVE-"), "{}", e.cve);
        assert!(
            e.sources.iter().any(|s| s.contains("cisa.gov")),
            "{}: no CISA KEV source",
            e.cve
        );
        assert!(!e.affected.is_empty());
    }
    for cve in [
        "CVE-2022-42475",
        "CVE-2023-27997",
        "CVE-2024-21762",
        "CVE-2023-20198",
        "CVE-2024-3400",
    ] {
        assert!(t.entries.iter().any(|e| e.cve == cve), "{cve}");
    }
}

// ------------------------------------------------------------------ an unseen town

const FGT: &str = r#"#config-version=FG100F-VERSION-FW-build1577-240131:opmode=0:vdom=0:user=admin
config system global
    set hostname "fw-net"
end
config system admin
    edit "admin"
        set accprofile "super_admin"
        set password ENC SH2nQ7bX4vLr9Tk2Wm8Pz5Hc3Jd6Fs1Ga0Ye
    next
end
config system interface
    edit "port1"
        set vdom "root"
        set ip 203.0.113.2 255.255.255.248
        set allowaccess ping
    next
    edit "port2"
        set vdom "root"
        set ip 10.30.10.1 255.255.255.0
        set allowaccess ping https ssh
    next
end
config vpn ssl settings
    set servercert "Fortinet_Factory"
    set source-interface "port1"
    set source-address "all"
end
config firewall policy
end
"#;

fn ios(
    host: &str,
    net: &str,
    enable: &str,
    user: &str,
    transport: &str,
    community: &str,
    radio: &str,
) -> String {
    format!(
        "version 15.4\nhostname {host}\n!\nenable secret 9 {enable}\nusername admin privilege 15 {user}\n!\n\
         interface GigabitEthernet0/0\n ip address {net}.1 255.255.255.0\n!\ninterface Dot11Radio0\n no ip address\n {radio}\n!\n\
         snmp-server community {community} RO\n!\nline vty 0 4\n login local\n transport input {transport}\n!\nend\n"
    )
}

/// Write a town: a LGWAN branch router, a LGWAN floor router, an Internet-tier FortiGate.
fn town(dir: &Path, planted: bool) {
    let p = |a: &'static str, b: &'static str| if planted { b } else { a };
    std::fs::create_dir_all(dir.join("configs")).unwrap();
    std::fs::write(
        dir.join("sanso.toml"),
        "[organization]\nname = \"未見町\"\nmodel = \"alpha\"\n\n\
         [[zone]]\nname = \"lg-a\"\ntier = \"lgwan\"\nkind = \"terminals\"\nsubnets = [\"10.20.10.0/24\"]\n\n\
         [[zone]]\nname = \"lg-b\"\ntier = \"lgwan\"\nkind = \"terminals\"\nsubnets = [\"10.20.20.0/24\"]\n\n\
         [[zone]]\nname = \"net\"\ntier = \"internet\"\nkind = \"terminals\"\nsubnets = [\"10.30.10.0/24\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("topology.toml"), "# no links\n").unwrap();
    let a_enable = "$9$Aa1Bb2Cc3Dd4Ee$Ff5Gg6Hh7Ii8Jj9Kk0Ll1Mm2Nn3Oo4Pp5Qq6Rr7Ss8Tt";
    let b_enable = p(
        "$9$Uu9Vv8Ww7Xx6Yy$Zz5Aa4Bb3Cc2Dd1Ee0Ff9Gg8Hh7Ii6Jj5Kk4Ll3Mm2Nn",
        a_enable,
    );
    std::fs::write(
        dir.join("configs/lg-a.cfg"),
        ios(
            "lg-a",
            "10.20.10",
            a_enable,
            "secret 9 $9$Qq1Ww2Ee3Rr4Tt$Yy5Uu6Ii7Oo8Pp9Aa0Ss1Dd2Ff3Gg4Hh5Jj6Kk7Ll8Z",
            p("ssh", "ssh telnet"),
            p("Lg4-ops-ro", "public"),
            "shutdown",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("configs/lg-b.cfg"),
        ios(
            "lg-b",
            "10.20.20",
            b_enable,
            p(
                "secret 9 $9$Mm1Nn2Bb3Vv4Cc$Xx5Zz6Ll7Kk8Jj9Hh0Gg1Ff2Dd3Ss4Aa5Pp6Oo7Ii8U",
                "password 7 022D000346145C300D59",
            ),
            "ssh",
            "Lg7-ops-ro",
            p("shutdown", "no shutdown"),
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("configs/fw-net.conf"),
        FGT.replace("VERSION", p("7.2.7", "7.2.6")),
    )
    .unwrap();
}

#[test]
fn unseen_town_planted_faults_and_clean_twin() {
    const IDS: [&str; 6] = [
        "MGMT-PLAINTEXT",
        "SNMP-DEFAULT-COMMUNITY",
        "PASSWORD-REUSE",
        "WEAK-PASSWORD-STORAGE",
        "KNOWN-EXPLOITED-VERSION",
        "NO-WIRELESS",
    ];
    // (rule, the device its finding must name)
    let planted = [
        ("MGMT-PLAINTEXT", "lg-a"),
        ("SNMP-DEFAULT-COMMUNITY", "lg-a"),
        ("PASSWORD-REUSE", "lg-a, lg-b"),
        ("WEAK-PASSWORD-STORAGE", "lg-b"),
        ("KNOWN-EXPLOITED-VERSION", "fw-net"),
        ("NO-WIRELESS", "lg-b"),
    ];
    for plant in [false, true] {
        let dir = common::fresh_dir("hygiene", if plant { "planted" } else { "clean" });
        town(&dir, plant);
        let a = sanso::checks::audit::run(&dir).unwrap();
        for id in IDS {
            let c = a.eval.checks.iter().find(|c| c.rule == id).unwrap();
            let want = if plant {
                Status::Violated
            } else {
                Status::Pass
            };
            assert_eq!(c.status, want, "{id} planted={plant}: {:?}", c.note);
        }
        let got: Vec<(String, String)> = a
            .eval
            .findings
            .iter()
            .filter(|f| IDS.contains(&f.rule.as_str()))
            .map(|f| (f.rule.clone(), f.subject.src.clone()))
            .collect();
        let want: Vec<(String, String)> = if plant {
            planted
                .iter()
                .map(|(r, d)| (r.to_string(), d.to_string()))
                .collect()
        } else {
            vec![]
        };
        let mut got_sorted = got.clone();
        got_sorted.sort();
        let mut want_sorted = want;
        want_sorted.sort();
        assert_eq!(got_sorted, want_sorted, "planted={plant}");
        if plant {
            // The 7.2.6 SSL-VPN hits CVE-2024-21762 only (7.2.6 is past the other two).
            let k = a
                .eval
                .findings
                .iter()
                .find(|f| f.rule == "KNOWN-EXPLOITED-VERSION")
                .unwrap();
            assert!(
                k.subject.dst.contains("CVE-2024-21762"),
                "{}",
                k.subject.dst
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
