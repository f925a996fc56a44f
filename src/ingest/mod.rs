//! Dialect detection and dispatch. Each parser turns one config file into a
//! [`crate::model::Device`], recording every line it did not understand.

pub mod awplus;
pub mod cisco_asa;
pub mod cisco_ios;
pub mod draft;
pub mod facts;
pub mod fortios;
pub mod iptables;
pub mod junos;
pub mod linux;
pub mod nftables;
pub mod panos;
pub mod redact;
pub mod routing;
pub mod snapshot;
pub mod source;
pub mod state;
pub mod yamaha_rtx;

use crate::model::{Device, Dialect};

/// A file that could not be parsed at all (not: a line that was not understood).
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ParseError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// A configuration dialect: one folder under `ingest/` and one line in [`REGISTRY`].
pub trait Syntax: Sync {
    /// The id users write in `[[device]] dialect = …` and reports show.
    fn id(&self) -> &'static str;
    /// Other names accepted for the id in `sanso.toml`.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }
    /// What one line (leading blanks removed) says about the file being in this dialect.
    fn marker(&self, line: &str) -> Marker;
    /// Parse `text` (from `file`, relative to the snapshot root) into a device.
    fn parse(&self, file: &str, text: &str) -> Result<Device, ParseError>;
    /// Record the configuration facts of `text` (management services, SNMP communities,
    /// secrets as digests, version, features, wireless) on the parsed `dev`. Dialects
    /// without such statements keep the default (none).
    fn facts(&self, _text: &str, _dev: &mut Device) {}
}

/// How strongly a line points to a dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    None,
    /// Common to several syntaxes (`interface …`, `!`): counts only if nothing decides.
    Weak,
    /// Only this dialect writes it: decides.
    Decisive,
}

/// Every dialect sanso reads. Adding one is its folder plus a line here.
pub static REGISTRY: &[&dyn Syntax] = &[
    &fortios::SYNTAX,
    &junos::SYNTAX,
    &panos::SYNTAX,
    &nftables::SYNTAX,
    &iptables::SYNTAX,
    &yamaha_rtx::SYNTAX,
    &awplus::SYNTAX,
    &cisco_asa::SYNTAX,
    &cisco_ios::SYNTAX,
];

/// The registered dialect with this id or alias.
pub fn by_id(id: &str) -> Option<&'static dyn Syntax> {
    REGISTRY
        .iter()
        .copied()
        .find(|d| d.id() == id || d.aliases().contains(&id))
}

/// The ids of every registered dialect, for messages.
pub fn ids() -> Vec<&'static str> {
    REGISTRY.iter().map(|d| d.id()).collect()
}

/// Guess the dialect of a config file from its text: the first decisive line of its
/// first 400 decides; otherwise the dialect with the most weak hits (registry order on
/// ties).
pub fn detect(text: &str) -> Option<Dialect> {
    let mut weak = vec![0usize; REGISTRY.len()];
    for raw in text.lines().take(400) {
        let l = raw.trim_start();
        for (i, d) in REGISTRY.iter().enumerate() {
            match d.marker(l) {
                Marker::Decisive => return Some(Dialect(d.id())),
                Marker::Weak => weak[i] += 1,
                Marker::None => {}
            }
        }
    }
    let best = (0..REGISTRY.len()).max_by_key(|&i| (weak[i], std::cmp::Reverse(i)))?;
    (weak[best] > 0).then(|| Dialect(REGISTRY[best].id()))
}

/// Parse `text` (from `file`, relative to the snapshot root) as `dialect`.
pub fn parse(dialect: Dialect, file: &str, text: &str) -> Result<Device, ParseError> {
    match by_id(dialect.id()) {
        Some(d) => d.parse(file, text).map(|mut dev| {
            d.facts(text, &mut dev);
            dev
        }),
        None => Err(ParseError {
            file: file.into(),
            line: 1,
            message: format!("dialect {} is not registered", dialect.id()),
        }),
    }
}

/// Default device name: the file name without extension.
/// Reason for IPv6 lines counted as recognised (`Device::irrelevant_line`) by the
/// dialects that do so (ASA, RTX, AlliedWare Plus): sanso's header space is IPv4 only
/// (docs/semantics.md, "Scope: IPv4 only"), so an IPv6 line cannot change a verdict.
pub const IPV6_OUT_OF_SCOPE: &str =
    "IPv6: outside the IPv4 header space sanso audits (docs/semantics.md, Scope)";

pub fn stem(file: &str) -> String {
    let base = file.rsplit('/').next().unwrap_or(file);
    match base.rfind('.') {
        Some(i) if i > 0 => base[..i].to_string(),
        _ => base.to_string(),
    }
}
