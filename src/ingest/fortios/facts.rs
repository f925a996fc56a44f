//! Configuration facts of FortiOS: `set allowaccess` with `http` / `telnet` on an
//! interface, SNMP communities, `config system admin` passwords (`ENC` is a one-way
//! vendor hash; an admin without `set password` has none), the `#config-version=` header,
//! SSL-VPN listening (`config vpn ssl settings` with a `source-interface`, status not
//! disabled), wireless (`wireless-controller vap` SSIDs, managed `wtp` access points).

use super::lexing::tokenize;
use crate::ingest::facts::{fingerprint, is_default, well_known_community};
use crate::model::{
    Device, Feature, FirmwareVersion, MgmtProto, MgmtService, SecretFact, SnmpCommunity, Storage,
};

enum Frame {
    Config(String),
    /// `edit NAME` (line) and, for `system admin`, whether a password was set.
    Edit {
        name: String,
        line: u32,
        password: bool,
    },
}

pub(super) fn scan(text: &str, dev: &mut Device) {
    let mut stack: Vec<Frame> = vec![];
    let mut open_quote = false;
    // SSL-VPN settings of the open `config vpn ssl settings`: (source-interface line,
    // status disabled).
    let mut ssl: (Option<u32>, bool) = (None, false);
    for (i, raw) in text.lines().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if open_quote {
            // A multi-line quoted value (certificate, key): nothing here until it closes.
            if raw.contains('"') {
                open_quote = false;
            }
            continue;
        }
        let line = raw.trim();
        if ln == 1 || line.starts_with("#config-version=") {
            if let Some(v) = line
                .strip_prefix("#config-version=")
                .and_then(header_version)
            {
                dev.facts.version = Some(FirmwareVersion {
                    product: "fortios".into(),
                    version: v,
                    span: dev.span(ln),
                });
            }
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (t, open) = tokenize(line);
        if open {
            open_quote = true;
        }
        let k = |j: usize| t.get(j).map(String::as_str).unwrap_or("");
        let path = stack
            .iter()
            .rev()
            .find_map(|f| match f {
                Frame::Config(p) => Some(p.clone()),
                _ => None,
            })
            .unwrap_or_default();
        match k(0) {
            "config" => {
                stack.push(Frame::Config(t[1..].join(" ")));
                if t[1..].join(" ") == "vpn ssl settings" {
                    ssl = (None, false);
                }
            }
            "edit" => {
                if path == "wireless-controller wtp" {
                    dev.facts.wireless.push(dev.span(ln));
                }
                stack.push(Frame::Edit {
                    name: k(1).to_string(),
                    line: ln,
                    password: false,
                });
            }
            "next" => {
                if let Some(Frame::Edit {
                    name,
                    line,
                    password,
                }) = stack.pop()
                {
                    if path == "system admin" && !password {
                        // The factory `admin` has no password.
                        dev.facts.secrets.push(SecretFact {
                            default: name == "admin",
                            account: name,
                            storage: Storage::Empty,
                            fingerprint: None,
                            span: dev.span(line),
                        });
                    }
                }
            }
            "end" => {
                while let Some(Frame::Edit { .. }) = stack.last() {
                    stack.pop();
                }
                if let Some(Frame::Config(p)) = stack.pop() {
                    if p == "vpn ssl settings" {
                        if let (Some(l), false) = ssl {
                            dev.facts.features.push(Feature {
                                name: "ssl-vpn".into(),
                                span: dev.span(l),
                            });
                        }
                    }
                }
            }
            "set" => {
                let edit = match stack.last_mut() {
                    Some(Frame::Edit { name, password, .. }) => Some((name.clone(), password)),
                    _ => None,
                };
                match (path.as_str(), k(1)) {
                    ("system interface", "allowaccess") => {
                        let on = edit
                            .map(|e| format!("interface {}", e.0))
                            .unwrap_or_default();
                        for (p, proto) in [("http", MgmtProto::Http), ("telnet", MgmtProto::Telnet)]
                        {
                            if t[2..].iter().any(|w| w == p) {
                                dev.facts.mgmt.push(MgmtService {
                                    proto,
                                    on: on.clone(),
                                    span: dev.span(ln),
                                    by_default: false,
                                });
                            }
                        }
                    }
                    ("system snmp community", "name") => dev.facts.snmp.push(SnmpCommunity {
                        well_known: well_known_community(k(2)),
                        write: false,
                        span: dev.span(ln),
                    }),
                    ("system admin", "password") => {
                        if let Some((name, password)) = edit {
                            *password = true;
                            let (storage, value, clear) = if k(2) == "ENC" {
                                (Storage::Strong, k(3), false)
                            } else {
                                (Storage::Clear, k(2), true)
                            };
                            dev.facts.secrets.push(SecretFact {
                                account: name,
                                storage,
                                default: is_default(value, clear),
                                fingerprint: Some(fingerprint(value, clear)),
                                span: dev.span(ln),
                            });
                        }
                    }
                    ("vpn ssl settings", "source-interface") if t.len() > 2 => ssl.0 = Some(ln),
                    ("vpn ssl settings", "status") => ssl.1 = k(2) == "disable",
                    ("wireless-controller vap", "ssid") if edit.is_some() => {
                        dev.facts.wireless.push(dev.span(ln))
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// `FGT60E-6.4.8-FW-build1914-220103:opmode=…` → `6.4.8`.
fn header_version(h: &str) -> Option<String> {
    let head = h.split(':').next()?;
    let fw = head.find("-FW")?;
    let before = &head[..fw];
    let v = &before[before.rfind('-')? + 1..];
    (v.split('.').count() == 3 && v.split('.').all(|p| p.parse::<u32>().is_ok())).then(|| v.into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_version_reads_the_release() {
        assert_eq!(
            super::header_version("FGVMK6-6.4.4-FW-build1803-201209:opmode=1:vdom=0:user=admin")
                .as_deref(),
            Some("6.4.4")
        );
        assert_eq!(super::header_version("garbage"), None);
    }
}
