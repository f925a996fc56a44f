//! A finding whose witness path crosses a line sanso does not understand says so (issue 12):
//! "this packet may be stopped by configs/x.cfg:12, which sanso does not understand".

mod common;
use common::{cli, copy_dir, root};
use serde_json::Value;

fn audit(dir: &std::path::Path, lang: &str) -> Value {
    let (_, out, err) = cli(&[
        "audit",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--lang",
        lang,
    ]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

fn mn_isolation(r: &Value) -> &Value {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "MN-ISOLATION")
        .unwrap_or_else(|| panic!("no MN-ISOLATION finding: {}", r["findings"]))
}

#[test]
fn a_witness_path_through_an_unknown_acl_line_carries_the_caveat() {
    let dir = std::env::temp_dir().join(format!("sanso-caveat-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("fixtures/sample-city-violating"), &dir);
    // The rogue maintenance link's out ACL on mn-core (the MN-ISOLATION witness leaves
    // through it) gets an entry sanso cannot read; it could drop the packet.
    let f = dir.join("configs/mn-core.cfg");
    let text = std::fs::read_to_string(&f).unwrap();
    let anchor = " 10 permit ip 10.10.20.0 0.0.0.255 10.20.10.0 0.0.0.255\n";
    assert!(text.contains(anchor));
    let new = text.replacen(anchor, &format!(" 5 frobnicate ip any any\n{anchor}"), 1);
    std::fs::write(&f, &new).unwrap();
    let line = new.lines().position(|l| l.contains("frobnicate")).unwrap() + 1;
    let cited = format!("configs/mn-core.cfg:{line}");

    let r = audit(&dir, "en");
    let fnd = mn_isolation(&r);
    assert_eq!(
        fnd["may_be_stopped_by"],
        serde_json::json!([cited]),
        "{fnd}"
    );
    assert_eq!(
        fnd["caveat"],
        format!("this packet may be stopped by {cited}, which sanso does not understand")
    );
    let ja = audit(&dir, "ja");
    assert!(
        mn_isolation(&ja)["caveat"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "sanso が解釈できない {cited} で止められる可能性があります"
            )),
        "{}",
        mn_isolation(&ja)
    );
    // The terminal report shows it under the finding.
    let (_, text_out, _) = cli(&["audit", dir.to_str().unwrap(), "--lang", "en"]);
    assert!(
        text_out.contains(&format!("caveat: this packet may be stopped by {cited}")),
        "{text_out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn findings_on_fully_understood_paths_have_no_caveat() {
    let r = audit(&root().join("fixtures/sample-city-violating"), "en");
    assert!(r["findings"].as_array().unwrap().len() >= 5);
    for f in r["findings"].as_array().unwrap() {
        assert!(f.get("caveat").is_none(), "{f}");
        assert!(f.get("may_be_stopped_by").is_none(), "{f}");
    }
}
