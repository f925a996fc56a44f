//! Configuration facts of Yamaha RTX: `telnetd service on`, `httpd service on` / `httpd
//! host` (the web GUI is HTTP), SNMP communities (`snmp community read-write` is write
//! access), `login password`, `administrator password` and `login user` secrets (clear
//! text unless `encrypted`), the `# RTX… Rev.x.y.z` header. Only explicit lines count:
//! what the platform default enables is not assumed.

use crate::ingest::facts::{crypt_storage, fingerprint, is_default, well_known_community};
use crate::model::{
    Device, FirmwareVersion, MgmtProto, MgmtService, SecretFact, SnmpCommunity, Storage,
};

pub(super) fn scan(text: &str, dev: &mut Device) {
    let mut http: Vec<u32> = vec![];
    let mut http_off = false;
    for (i, raw) in text.lines().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t: Vec<&str> = raw.split_whitespace().collect();
        let k = |j: usize| t.get(j).copied().unwrap_or("");
        if k(0) == "#" {
            if let Some(rev) = t.iter().find_map(|w| w.strip_prefix("Rev.")) {
                if dev.facts.version.is_none() && k(1).starts_with("RT") {
                    dev.facts.version = Some(FirmwareVersion {
                        product: "rtx".into(),
                        version: rev.into(),
                        span: dev.span(ln),
                    });
                }
            }
            continue;
        }
        match (k(0), k(1), k(2)) {
            ("telnetd", "service", "on") => dev.facts.mgmt.push(MgmtService {
                proto: MgmtProto::Telnet,
                on: "telnetd".into(),
                span: dev.span(ln),
                by_default: false,
            }),
            ("httpd", "service", "on") => http.push(ln),
            ("httpd", "service", "off") => http_off = true,
            ("httpd", "host", h) if !h.is_empty() && h != "none" => http.push(ln),
            ("snmp" | "snmpv2c", "community", access) if t.len() == 4 => {
                dev.facts.snmp.push(SnmpCommunity {
                    well_known: well_known_community(t[3]),
                    write: access == "read-write",
                    span: dev.span(ln),
                })
            }
            ("login", "password", _) => secret(dev, "login", &t[2..], ln),
            ("administrator", "password", _) => secret(dev, "administrator", &t[2..], ln),
            ("login", "user", user) if t.len() >= 4 => secret(dev, user, &t[3..], ln),
            _ => {}
        }
    }
    if !http_off {
        if let Some(&ln) = http.first() {
            dev.facts.mgmt.push(MgmtService {
                proto: MgmtProto::Http,
                on: "httpd".into(),
                span: dev.span(ln),
                by_default: false,
            });
        }
    }
}

/// `VALUE` (clear text) or `encrypted VALUE`; `*` is a placeholder, not a password.
fn secret(dev: &mut Device, account: &str, rest: &[&str], ln: u32) {
    let (storage, value) = match rest {
        // RTX's own encryption is not documented as one-way: only a crypt hash is judged.
        ["encrypted", v, ..] if v.starts_with('$') => (crypt_storage(v), *v),
        ["encrypted", v, ..] => (Storage::Strong, *v),
        [v, ..] if *v != "*" => (Storage::Clear, *v),
        _ => return,
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
