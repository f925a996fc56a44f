//! Palo Alto Networks PAN-OS configuration parser (firewalls, and Panorama exports of
//! one managed firewall).
//!
//! Three input forms (XML running config, `set` commands, brace form) are lowered to one
//! tree of words (`lexing.rs`, `tree.rs`); the tree is normalised so that device,
//! vsys, shared, Panorama and device-group settings sit at known places, and the model
//! is built once from it (`build.rs`). Every line ends up modelled, irrelevant or
//! unrecognised.

mod build;
mod facts;
mod lexing;
pub mod secrets;
mod tree;

use super::ParseError;
use crate::ingest::redact::FileRedaction;
use crate::model::*;
use tree::{Lines, Node, St};

/// The `panos` dialect ([`crate::ingest::REGISTRY`]).
pub struct Panos;
pub const SYNTAX: Panos = Panos;
pub const DIALECT: Dialect = Dialect("panos");

/// Top-level words of the `set` form that only PAN-OS writes.
const SET_DECISIVE: &[&str] = &[
    "set deviceconfig ",
    "set network interface ethernet ",
    "set network virtual-router ",
    "set rulebase ",
    "set zone ",
    "set vsys ",
    "set device-group ",
    "set template ",
    "set template-stack ",
    "set mgt-config ",
    "set shared ",
    "set address-group ",
    "set service-group ",
    "set policy panorama ",
];

impl super::Syntax for Panos {
    fn id(&self) -> &'static str {
        "panos"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["paloalto", "pan-os"]
    }
    fn marker(&self, l: &str) -> super::Marker {
        let xml = l.starts_with("<config ") && l.contains("urldb=")
            || l.starts_with("<deviceconfig>")
            || l.starts_with("<mgt-config>");
        let brace = l == "deviceconfig {" || l == "mgt-config {";
        if xml || brace || SET_DECISIVE.iter().any(|p| l.starts_with(p)) {
            super::Marker::Decisive
        } else {
            super::Marker::None
        }
    }
    fn parse(&self, file: &str, text: &str) -> Result<Device, ParseError> {
        parse(file, text)
    }
    fn facts(&self, text: &str, dev: &mut Device) {
        facts::scan(text, dev);
    }
}

/// Parse a PAN-OS configuration into a [`Device`].
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and also return the number of understood lines (`understood +
/// unrecognized.len() == lines`).
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    let raw: Vec<&str> = text.lines().collect();
    if raw.len() >= u32::MAX as usize {
        return Err(ParseError {
            file: file.to_string(),
            line: 1,
            message: "file too large".into(),
        });
    }
    let (paths, bad, moves) = match lexing::form(text) {
        lexing::Form::Xml => (lexing::xml_form(file, text)?, vec![], vec![]),
        lexing::Form::Set => lexing::set_form(text),
        lexing::Form::Brace => {
            let (p, b) = lexing::brace_form(text);
            (p, b, vec![])
        }
    };
    let mut lines = Lines::new(raw.len());
    for (l, r) in &bad {
        lines.bad_line(*l, r, &Scope::Device);
    }
    let mut root = Node::new("");
    for p in &paths {
        let w = normalise(&p.words);
        root.insert(&w, (p.first, p.last));
    }
    // `move rulebase security rules R top|bottom|before X|after X`, in file order.
    for (line, w) in &moves {
        let Some(i) = w
            .iter()
            .position(|x| x == "rules")
            .filter(|&i| i + 2 < w.len())
        else {
            lines.bad_line(
                *line,
                "`move` of something other than a rule",
                &Scope::Policy,
            );
            continue;
        };
        let at = normalise(&w[..=i]);
        let r = match root.path_mut(&at) {
            Some(n) => n.move_kid(&w[i + 1], &w[i + 2..]),
            None => Err("`move` in a rulebase that has no rules".into()),
        };
        match r {
            Ok(()) => lines.ok_line(*line),
            Err(e) => lines.bad_line(*line, &format!("`move`: {e}"), &Scope::Policy),
        }
    }
    let mut registered = vec![false; raw.len()];
    for p in &paths {
        for l in p.first..=p.last {
            if let Some(r) = registered.get_mut(l as usize - 1) {
                *r = true;
            }
        }
    }
    lines.structure(&root);
    let mut d = Device::new(super::stem(file), file, DIALECT);
    d.stateful = true;
    d.policy_based = true;
    build::build(&mut d, &root, &mut lines);
    Ok(finish(d, &raw, lines, &registered))
}

/// Where a path belongs, whatever form and product wrote it:
/// - `dev …`: device settings (`network`, `deviceconfig`, …) of the firewall, also when a
///   Panorama template carries them (`template T config devices D …`);
/// - `vsys V …`: zones, objects and rulebases of a virtual system (`vsys1` when the
///   firewall has only one and the config does not say);
/// - `shared …`, `pushed …` (`policy panorama …`: rules and objects Panorama pushed),
///   `dg G …` (Panorama device groups); anything else stays where it is.
fn normalise(w: &[String]) -> Vec<String> {
    let s = |x: &str| x.to_string();
    let mut w: &[String] = w;
    if w.first().map(String::as_str) == Some("config") {
        w = &w[1..];
    }
    let mut out: Vec<String> = vec![];
    // Block headers on the way to a known place (`config {`, `devices {`,
    // `localhost.localdomain {`, `policy {`, `template T { config {`) only carry structure.
    let head: Vec<&str> = w.iter().map(String::as_str).collect();
    let structure = matches!(
        head.as_slice(),
        [] | ["devices"]
            | ["devices", _]
            | ["policy"]
            | ["template", _, "config"]
            | ["template", _, "config", "devices"]
            | ["template", _, "config", "devices", _]
    );
    if structure {
        return vec![s(STRUCTURE)];
    }
    match w.first().map(String::as_str) {
        Some("devices") if w.len() >= 2 => return device_level(&w[2..]),
        Some("template") if w.len() >= 4 && w[2] == "config" => {
            let rest = &w[3..];
            match rest.first().map(String::as_str) {
                // A template's device settings are the managed firewall's own.
                Some("devices") if rest.len() >= 2 => return device_level(&rest[2..]),
                Some("shared") => return rest.to_vec(),
                _ => return w.to_vec(),
            }
        }
        Some("policy") if w.get(1).map(String::as_str) == Some("panorama") => {
            out.push(s("pushed"));
            out.extend(w[2..].iter().cloned());
            return out;
        }
        Some("device-group") if w.len() >= 2 => {
            out.push(s("dg"));
            out.extend(w[1..].iter().cloned());
            return out;
        }
        Some("shared" | "mgt-config" | "readonly" | "template" | "template-stack" | "panorama") => {
            return w.to_vec()
        }
        _ => {}
    }
    device_level(w)
}

/// Where block headers that only carry structure go.
pub(crate) const STRUCTURE: &str = "(structure)";

const VSYS_WORDS: &[&str] = &[
    "zone",
    "address",
    "address-group",
    "service",
    "service-group",
    "rulebase",
    "application",
    "application-group",
    "application-filter",
    "application-tag",
    "profiles",
    "profile-group",
    "schedule",
    "tag",
    "import",
    "external-list",
    "region",
    "log-settings",
    "display-name",
    "setting",
    "dynamic-user-group",
    "threats",
    "reports",
    "report-group",
    "pdf-summary-report",
    "email-scheduler",
    "ocsp-responder",
    "ssl-tls-service-profile",
    "certificate",
    "certificate-profile",
    "authentication-profile",
    "server-profile",
    "user-id-collector",
    "captive-portal",
    "global-protect",
    "response-page",
];

fn device_level(w: &[String]) -> Vec<String> {
    let s = |x: &str| x.to_string();
    match w.first().map(String::as_str) {
        Some("vsys") if w.len() == 1 => vec![s(STRUCTURE)],
        Some("vsys") => {
            let mut v = vec![s("vsys")];
            v.extend(w[1..].iter().cloned());
            v
        }
        Some(k) if VSYS_WORDS.contains(&k) => {
            let mut v = vec![s("vsys"), s("vsys1")];
            v.extend(w.iter().cloned());
            v
        }
        _ => {
            let mut v = vec![s("dev")];
            v.extend(w.iter().cloned());
            v
        }
    }
}

fn finish(mut d: Device, raw: &[&str], lines: Lines, registered: &[bool]) -> (Device, u32) {
    let mut understood = 0u32;
    let red = FileRedaction::new(raw.iter().copied());
    d.irrelevant = lines.irrelevant_counts();
    for (i, st) in lines.st.into_iter().enumerate() {
        let line = i as u32 + 1;
        let (reason, scope) = match st {
            St::Ok | St::Irr(_) | St::Structure => {
                understood += 1;
                continue;
            }
            // Lines with no path (closing braces and tags, comments) and empty blocks
            // (`panorama {` directly closed) configure nothing.
            St::Pending if !registered[i] || raw[i].trim_end().ends_with('{') => {
                understood += 1;
                continue;
            }
            St::Pending => (
                "line not interpreted by the PAN-OS parser".to_string(),
                Scope::Device,
            ),
            St::Bad(r, s) => (r, s),
        };
        d.unrecognized.push(Unrecognized {
            file: None,
            line,
            text: red.line(line, raw[i]),
            reason,
            scope,
        });
    }
    d.lines = raw.len() as u32;
    (d, understood)
}
