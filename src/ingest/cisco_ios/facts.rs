//! Configuration facts of IOS / IOS-XE and AlliedWare Plus (the same line grammar):
//! `line vty` transports and `line` passwords, `ip http server`, AW+ `service telnet|http`, SNMP communities,
//! `enable` and `username` secrets, the `version` line, wireless (`dot11`, `Dot11Radio`,
//! IOS-XE WLC `wlan`). The lines themselves are classed by the main parser.

use crate::ingest::facts::{
    cisco_type7, crypt_storage, fingerprint, is_default, well_known_community,
};
use crate::model::{
    Device, Feature, FirmwareVersion, MgmtProto, MgmtService, SecretFact, SnmpCommunity, Storage,
};

/// An open `line vty` stanza.
struct Vty {
    name: String,
    line: u32,
    transport: bool,
    login: bool,
}

pub(in crate::ingest) fn scan(text: &str, dev: &mut Device, awplus: bool) {
    let mut vty: Option<Vty> = None;
    let mut vtys: Vec<Vty> = vec![];
    let mut http: Option<u32> = None;
    // An open `interface Dot11Radio…` stanza: (line, shut down).
    let mut radio: Option<(u32, bool)> = None;
    // The open `line …` stanza (vty, con, aux): its `password` is a login secret.
    let mut line_name: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let t: Vec<&str> = raw.split_whitespace().collect();
        let indented = raw.starts_with(' ') || raw.starts_with('\t');
        if t.is_empty() || t[0].starts_with('!') {
            continue;
        }
        if indented {
            if let Some(r) = radio.as_mut() {
                match t.as_slice() {
                    ["shutdown"] => r.1 = true,
                    ["no", "shutdown"] => r.1 = false,
                    _ => {}
                }
            }
            if let (Some(name), ["password", rest @ ..]) = (&line_name, t.as_slice()) {
                secret(dev, name, false, rest, ln, awplus);
            }
            if let Some(v) = vty.as_mut() {
                match t.as_slice() {
                    ["transport", "input", rest @ ..] => {
                        v.transport = true;
                        if rest.iter().any(|p| *p == "telnet" || *p == "all") {
                            dev.facts.mgmt.push(MgmtService {
                                proto: MgmtProto::Telnet,
                                on: v.name.clone(),
                                span: dev.span(ln),
                                by_default: false,
                            });
                        }
                    }
                    ["login", ..] | ["password", ..] => v.login = true,
                    ["no", "login"] => v.login = false,
                    _ => {}
                }
            }
            continue;
        }
        vtys.extend(vty.take());
        if let Some((l, false)) = radio.take() {
            dev.facts.wireless.push(dev.span(l));
        }
        line_name = (t[0] == "line").then(|| t.join(" "));
        let k = |j: usize| t.get(j).copied().unwrap_or("");
        match (k(0), k(1)) {
            ("line", "vty") => {
                vty = Some(Vty {
                    name: t.join(" "),
                    line: ln,
                    transport: false,
                    login: false,
                })
            }
            ("version", v) if !v.is_empty() && t.len() == 2 => {
                // IOS-XE numbers its trains from 16 (Everest) on; classic IOS stays below.
                let xe = v
                    .split('.')
                    .next()
                    .and_then(|m| m.parse::<u32>().ok())
                    .is_some_and(|m| m >= 16);
                dev.facts.version = Some(FirmwareVersion {
                    product: if awplus {
                        "awplus"
                    } else if xe {
                        "ios-xe"
                    } else {
                        "ios"
                    }
                    .into(),
                    version: v.into(),
                    span: dev.span(ln),
                })
            }
            ("ip", "http") => match k(2) {
                "server" => {
                    http = Some(ln);
                    feature(dev, "http-server", ln);
                }
                "secure-server" => feature(dev, "http-server", ln),
                _ => {}
            },
            ("no", "ip") if k(2) == "http" && k(3) == "server" => http = None,
            ("service", "telnet") if awplus => mgmt(dev, MgmtProto::Telnet, "service telnet", ln),
            ("service", "http") if awplus => {
                mgmt(dev, MgmtProto::Http, "service http", ln);
                feature(dev, "http-server", ln);
            }
            ("snmp-server", "community") if t.len() >= 3 => dev.facts.snmp.push(SnmpCommunity {
                well_known: well_known_community(t[2]),
                write: t[3..].iter().any(|w| w.eq_ignore_ascii_case("rw")),
                span: dev.span(ln),
            }),
            ("enable", "secret" | "password") => {
                let mut j = 2;
                if k(2) == "level" {
                    j = 4;
                }
                secret(
                    dev,
                    "enable",
                    k(1) == "secret",
                    &t[j.min(t.len())..],
                    ln,
                    awplus,
                );
            }
            ("username", user) if !user.is_empty() => {
                if let Some(p) = t.iter().position(|w| *w == "secret" || *w == "password") {
                    secret(dev, user, t[p] == "secret", &t[p + 1..], ln, awplus);
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
            ("dot11", "ssid") | ("wlan", _) => dev.facts.wireless.push(dev.span(ln)),
            // A radio counts unless it is shut down.
            ("interface", n) if n.to_ascii_lowercase().starts_with("dot11radio") => {
                radio = Some((ln, false))
            }
            _ => {}
        }
    }
    vtys.extend(vty.take());
    if let Some((l, false)) = radio.take() {
        dev.facts.wireless.push(dev.span(l));
    }
    if let Some(ln) = http {
        mgmt(dev, MgmtProto::Http, "ip http server", ln);
    }
    // Classic IOS (12.x, 15.x) vty lines accept every transport, Telnet included, unless
    // `transport input` says otherwise; IOS-XE 16 and later images differ by release, so
    // the default is assumed only where the config states a classic IOS version.
    let classic = !awplus
        && dev
            .facts
            .version
            .as_ref()
            .and_then(|v| v.version.split('.').next()?.parse::<u32>().ok())
            .is_some_and(|major| major < 16);
    for v in vtys {
        if classic && v.login && !v.transport {
            dev.facts.mgmt.push(MgmtService {
                proto: MgmtProto::Telnet,
                on: v.name,
                span: dev.span(v.line),
                by_default: true,
            });
        }
    }
}

fn mgmt(dev: &mut Device, proto: MgmtProto, on: &str, ln: u32) {
    dev.facts.mgmt.push(MgmtService {
        proto,
        on: on.into(),
        span: dev.span(ln),
        by_default: false,
    });
}

fn feature(dev: &mut Device, name: &str, ln: u32) {
    if !dev.facts.features.iter().any(|f| f.name == name) {
        dev.facts.features.push(Feature {
            name: name.into(),
            span: dev.span(ln),
        });
    }
}

/// `[type] value` after `secret` / `password` (IOS types 0, 4, 5, 7, 8, 9; AW+ `password
/// 8 $1$…` is MD5-crypt).
fn secret(dev: &mut Device, account: &str, is_secret: bool, rest: &[&str], ln: u32, awplus: bool) {
    let (ty, value) = match rest {
        [ty, v, ..] if ty.len() == 1 && ty.chars().all(|c| c.is_ascii_digit()) => (*ty, *v),
        [v, ..] => ("0", *v),
        [] => return,
    };
    let (storage, clear) = match (is_secret, ty) {
        (_, "0") => (Storage::Clear, Some(value.to_string())),
        (false, "7") => match cisco_type7(value) {
            Some(c) => (Storage::Reversible, Some(c)),
            None => (Storage::Reversible, None),
        },
        (true, "4" | "5") => (Storage::WeakHash, None),
        (true, "8" | "9") => (Storage::Strong, None),
        _ if value.starts_with('$') || awplus => (crypt_storage(value), None),
        _ => (Storage::Strong, None),
    };
    let (default, fp) = match &clear {
        Some(c) => (is_default(c, true), fingerprint(c, true)),
        None => (is_default(value, false), fingerprint(value, false)),
    };
    dev.facts.secrets.push(SecretFact {
        account: account.into(),
        storage,
        default,
        fingerprint: Some(fp),
        span: dev.span(ln),
    });
}
