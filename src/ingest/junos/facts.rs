//! Configuration facts of Junos (either format, read through the shared lexer as
//! set-paths, `apply-groups` expanded): `system services telnet`, `system services
//! web-management http` (J-Web over HTTP; `https` is the J-Web feature), SNMP communities
//! and their `authorization`, `root-authentication` and `login user` hashes, the `version`
//! statement. Deactivated statements state nothing.

use super::lexing::{expand_groups, lex};
use crate::ingest::facts::{crypt_storage, fingerprint, is_default, well_known_community};
use crate::model::{
    Device, Feature, FirmwareVersion, MgmtProto, MgmtService, SecretFact, SnmpCommunity,
};
use std::collections::BTreeMap;

pub(super) fn scan(text: &str, dev: &mut Device) {
    let leaves = expand_groups(lex(text).leaves).leaves;
    // community name → (line, write)
    let mut snmp: BTreeMap<String, (u32, bool)> = BTreeMap::new();
    for l in leaves.iter().filter(|l| l.active) {
        let w: Vec<&str> = l.w.iter().map(String::as_str).collect();
        let ln = l.line;
        match w.as_slice() {
            ["version", v] => {
                dev.facts.version = Some(FirmwareVersion {
                    product: "junos".into(),
                    version: v.trim_matches('"').into(),
                    span: dev.span(ln),
                })
            }
            ["system", "services", "telnet", ..] => {
                mgmt(dev, MgmtProto::Telnet, "system services telnet", ln)
            }
            ["system", "services", "web-management", proto, ..]
                if *proto == "http" || *proto == "https" =>
            {
                if *proto == "http" {
                    mgmt(
                        dev,
                        MgmtProto::Http,
                        "system services web-management http",
                        ln,
                    );
                }
                if !dev.facts.features.iter().any(|f| f.name == "http-server") {
                    dev.facts.features.push(Feature {
                        name: "http-server".into(),
                        span: dev.span(ln),
                    });
                }
            }
            ["snmp", "community", name, rest @ ..] => {
                let e = snmp.entry((*name).to_string()).or_insert((ln, false));
                if rest.first() == Some(&"authorization") && rest.get(1) == Some(&"read-write") {
                    e.1 = true;
                }
            }
            ["system", "root-authentication", "encrypted-password", h] => {
                secret(dev, "root", h, ln)
            }
            ["system", "login", "user", u, "authentication", "encrypted-password", h] => {
                secret(dev, u, h, ln)
            }
            _ => {}
        }
    }
    for (name, (ln, write)) in snmp {
        dev.facts.snmp.push(SnmpCommunity {
            well_known: well_known_community(&name),
            write,
            span: dev.span(ln),
        });
    }
    dev.facts
        .mgmt
        .dedup_by(|a, b| a.proto == b.proto && a.on == b.on);
}

fn mgmt(dev: &mut Device, proto: MgmtProto, on: &str, ln: u32) {
    dev.facts.mgmt.push(MgmtService {
        proto,
        on: on.into(),
        span: dev.span(ln),
        by_default: false,
    });
}

fn secret(dev: &mut Device, account: &str, h: &str, ln: u32) {
    let h = h.trim_matches('"');
    dev.facts.secrets.push(SecretFact {
        account: account.into(),
        storage: crypt_storage(h),
        default: is_default(h, false),
        fingerprint: Some(fingerprint(h, false)),
        span: dev.span(ln),
    });
}
