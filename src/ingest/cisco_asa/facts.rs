//! Configuration facts of Cisco ASA: `telnet` management access, `http server enable`
//! (ASDM, HTTPS only: a web-services feature, not a plain-text service), WebVPN /
//! AnyConnect enabled on an interface, SNMP communities (ASA SNMP is read-only), `enable
//! password`, `passwd` and `username` secrets, the `ASA Version` line.

use crate::ingest::facts::{crypt_storage, fingerprint, is_default, well_known_community};
use crate::model::{
    Device, Feature, FirmwareVersion, MgmtProto, MgmtService, SecretFact, SnmpCommunity, Storage,
};

pub(super) fn scan(text: &str, dev: &mut Device) {
    let mut in_webvpn = false;
    for (i, raw) in text.lines().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t: Vec<&str> = raw.split_whitespace().collect();
        if t.is_empty() || t[0].starts_with('!') || t[0] == ":" {
            continue;
        }
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        if indented {
            if in_webvpn && t[0] == "enable" && t.len() >= 2 {
                feature(dev, "webvpn", ln);
            }
            continue;
        }
        in_webvpn = t[0] == "webvpn";
        let k = |j: usize| t.get(j).copied().unwrap_or("");
        match (k(0), k(1)) {
            ("ASA", "Version") if t.len() == 3 => {
                dev.facts.version = Some(FirmwareVersion {
                    product: "asa".into(),
                    version: t[2].into(),
                    span: dev.span(ln),
                })
            }
            // `telnet ADDR MASK IF` (not `telnet timeout N`).
            ("telnet", a) if t.len() == 4 && a.contains('.') => dev.facts.mgmt.push(MgmtService {
                proto: MgmtProto::Telnet,
                on: format!("interface {}", t[3]),
                span: dev.span(ln),
                by_default: false,
            }),
            ("http", "server") if k(2) == "enable" => feature(dev, "http-server", ln),
            ("snmp-server", "community") if t.len() >= 3 => community(dev, t[2], ln),
            ("snmp-server", "host") => {
                if let Some(p) = t.iter().position(|w| *w == "community") {
                    if let Some(c) = t.get(p + 1) {
                        community(dev, c, ln);
                    }
                }
            }
            ("enable", "password") if t.len() >= 3 => secret(dev, "enable", &t[2..], ln),
            ("passwd", _) if t.len() >= 2 => secret(dev, "login (passwd)", &t[1..], ln),
            ("username", user) if !user.is_empty() => {
                if let Some(p) = t.iter().position(|w| *w == "password") {
                    secret(dev, user, &t[p + 1..], ln);
                } else if t.contains(&"nopassword") {
                    dev.facts.secrets.push(SecretFact {
                        account: user.into(),
                        storage: Storage::Empty,
                        default: false,
                        fingerprint: None,
                        span: dev.span(ln),
                    });
                }
            }
            _ => {}
        }
    }
}

fn feature(dev: &mut Device, name: &str, ln: u32) {
    if !dev.facts.features.iter().any(|f| f.name == name) {
        dev.facts.features.push(Feature {
            name: name.into(),
            span: dev.span(ln),
        });
    }
}

fn community(dev: &mut Device, name: &str, ln: u32) {
    dev.facts.snmp.push(SnmpCommunity {
        well_known: well_known_community(name),
        write: false,
        span: dev.span(ln),
    });
}

/// `VALUE [encrypted|pbkdf2] …`: `encrypted` is the MD5-based ASA hash, `pbkdf2` the
/// PBKDF2 one; a value without either was typed in clear text.
fn secret(dev: &mut Device, account: &str, rest: &[&str], ln: u32) {
    let Some(value) = rest.first() else { return };
    let storage = if rest.contains(&"pbkdf2") {
        Storage::Strong
    } else if rest.contains(&"encrypted") {
        if value.starts_with('$') {
            crypt_storage(value)
        } else {
            Storage::WeakHash
        }
    } else {
        Storage::Clear
    };
    let clear = storage == Storage::Clear;
    dev.facts.secrets.push(SecretFact {
        account: account.into(),
        storage,
        default: is_default(value, clear),
        fingerprint: Some(fingerprint(value, clear)),
        span: dev.span(ln),
    });
}
