//! Dialect detection and dispatch. Each parser turns one config file into a
//! [`crate::model::Device`], recording every line it did not understand.

pub mod cisco_ios;
pub mod fortios;
pub mod iptables;
pub mod linux;
pub mod nftables;
pub mod redact;
pub mod snapshot;
pub mod source;

use crate::model::{Device, Dialect};

/// A file that could not be parsed at all (not: a line that was not understood).
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ParseError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// Guess the dialect of a config file from its text.
pub fn detect(text: &str) -> Option<Dialect> {
    let mut ios_score = 0;
    for raw in text.lines().take(400) {
        let l = raw.trim_start();
        if l.starts_with("config system ")
            || l.starts_with("config firewall ")
            || l.starts_with("config router ")
            || l.starts_with("#config-version=")
        {
            return Some(Dialect::Fortios);
        }
        if l.starts_with("table inet ")
            || l.starts_with("table ip ")
            || l.starts_with("table bridge ")
            || l.starts_with("table netdev ")
            || l.starts_with("table arp ")
            || l.starts_with("table ip6 ")
        {
            return Some(Dialect::Nftables);
        }
        if l.starts_with("{\"nftables\"") {
            return Some(Dialect::Nftables);
        }
        if l.starts_with("*filter")
            || l.starts_with("*nat")
            || l.starts_with("*mangle")
            || l.starts_with("*raw")
            || l.starts_with(":INPUT ")
        {
            return Some(Dialect::Iptables);
        }
        if l.starts_with("hostname ")
            || l.starts_with("interface ")
            || l.starts_with("ip access-list ")
            || l.starts_with("access-list ")
            || l.starts_with("version ")
            || l.starts_with("!RANCID-CONTENT-TYPE: cisco")
            || l == "!"
        {
            ios_score += 1;
        }
    }
    (ios_score > 0).then_some(Dialect::CiscoIos)
}

/// Parse `text` (from `file`, relative to the snapshot root) as `dialect`.
pub fn parse(dialect: Dialect, file: &str, text: &str) -> Result<Device, ParseError> {
    match dialect {
        Dialect::CiscoIos => cisco_ios::parse(file, text),
        Dialect::Fortios => fortios::parse(file, text),
        Dialect::Nftables if text.trim_start().starts_with('{') => nftables::parse_json(file, text),
        Dialect::Nftables => nftables::parse(file, text),
        Dialect::Iptables => iptables::parse(file, text),
    }
}

/// Default device name: the file name without extension.
pub fn stem(file: &str) -> String {
    let base = file.rsplit('/').next().unwrap_or(file);
    match base.rfind('.') {
        Some(i) if i > 0 => base[..i].to_string(),
        _ => base.to_string(),
    }
}
