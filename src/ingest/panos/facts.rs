//! Configuration facts of PAN-OS (any of its three forms, as paths): management-port
//! `disable-telnet no` / `disable-http no`, interface management profiles with `http` /
//! `telnet yes`, SNMPv2c communities, `mgt-config users` password hashes, GlobalProtect
//! portals and gateways. A PAN-OS configuration does not state the software release (the
//! XML `version` attribute is the schema's), so no version is recorded.

use super::lexing::{brace_form, form, set_form, xml_form, Form, Path};
use crate::ingest::facts::{crypt_storage, fingerprint, is_default, well_known_community};
use crate::model::{Device, Feature, MgmtProto, MgmtService, SecretFact, SnmpCommunity};

/// The words after the first occurrence of `seq` in `w`.
fn after<'a>(w: &'a [String], seq: &[&str]) -> Option<&'a [String]> {
    (0..w.len().saturating_sub(seq.len() - 1))
        .find(|&i| seq.iter().enumerate().all(|(j, s)| w[i + j] == *s))
        .map(|i| &w[i + seq.len()..])
}

pub(super) fn scan(text: &str, dev: &mut Device) {
    let paths: Vec<Path> = match form(text) {
        Form::Xml => xml_form(&dev.file, text).unwrap_or_default(),
        Form::Set => set_form(text).0,
        Form::Brace => brace_form(text).0,
    };
    for p in &paths {
        let w = &p.words;
        let ln = p.first;
        let yes = |r: &[String], k: &str, v: &str| r.len() == 2 && r[0] == k && r[1] == v;
        if let Some(r) = after(w, &["deviceconfig", "system", "service"]) {
            if yes(r, "disable-telnet", "no") {
                mgmt(dev, MgmtProto::Telnet, "management port", ln);
            }
            if yes(r, "disable-http", "no") {
                mgmt(dev, MgmtProto::Http, "management port", ln);
            }
        }
        if let Some([name, k, v]) = after(w, &["profiles", "interface-management-profile"]) {
            for (key, proto) in [("http", MgmtProto::Http), ("telnet", MgmtProto::Telnet)] {
                if k == key && v == "yes" {
                    let on = format!("interface-management-profile {name}");
                    mgmt(dev, proto, &on, ln);
                }
            }
        }
        if let Some(r) = after(w, &["snmp-community-string"]) {
            if let Some(c) = r.first() {
                dev.facts.snmp.push(SnmpCommunity {
                    well_known: well_known_community(c),
                    write: false,
                    span: dev.span(ln),
                });
            }
        }
        if let Some([user, k, h]) = after(w, &["mgt-config", "users"]) {
            if k == "phash" {
                dev.facts.secrets.push(SecretFact {
                    account: user.clone(),
                    storage: crypt_storage(h),
                    default: is_default(h, false),
                    fingerprint: Some(fingerprint(h, false)),
                    span: dev.span(ln),
                });
            }
        }
        for kind in ["global-protect-portal", "global-protect-gateway"] {
            if after(w, &["global-protect", kind]).is_some_and(|r| !r.is_empty())
                && !dev.facts.features.iter().any(|f| f.name == "globalprotect")
            {
                dev.facts.features.push(Feature {
                    name: "globalprotect".into(),
                    span: dev.span(ln),
                });
            }
        }
    }
}

fn mgmt(dev: &mut Device, proto: MgmtProto, on: &str, ln: u32) {
    if !dev
        .facts
        .mgmt
        .iter()
        .any(|m| m.proto == proto && m.on == on)
    {
        dev.facts.mgmt.push(MgmtService {
            proto,
            on: on.into(),
            span: dev.span(ln),
            by_default: false,
        });
    }
}
