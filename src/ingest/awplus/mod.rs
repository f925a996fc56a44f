//! Allied Telesis AlliedWare Plus (AW+) parser.
//!
//! AW+ syntax is IOS-like, so this dialect runs the shared line engine of
//! [`crate::ingest::cisco_ios`] (stanzas by indentation, ACL entry grammar, switchport,
//! port security, 802.1X, static routes, accounting of every line) with
//! [`Flavor::AwPlus`], and adds what AW+ writes differently, as `impl Parser` blocks in
//! this folder:
//!
//! - [`top`]: top-level commands (`vlan database`, AW+ management lines, firewall `zone` /
//!   `application` definitions, `nat`, `firewall`, `mlag`, `nvo vxlan`, `openflow`), `ip
//!   route A/len GW`;
//! - [`interfaces`]: interface names (`port1.0.1`, ranges `port1.0.1-1.0.24`, comma
//!   lists, `vlan10`, `sa1`, `po1`, `eth1`), `access-group`, `auth-mac` / `auth-web` /
//!   `auth host-mode`, `switchport trunk native vlan none`;
//! - [`acls`]: numbered (software 1-199, 1300-2699; hardware IP 3000-3699; hardware MAC
//!   4000-4699) and named (`access-list standard|extended|hardware NAME`) ACLs with
//!   prefix-length addresses; hardware ACLs permit what no entry matches.
//!
//! See docs/dialects/allied-awplus.md for what is modelled, irrelevant and unrecognised.

mod acls;
mod covered;
mod interfaces;
pub mod secrets;
mod top;

use super::cisco_ios::{parse_flavoured, Flavor};
use super::ParseError;
use crate::model::{Device, Dialect};

/// The `allied-awplus` dialect ([`crate::ingest::REGISTRY`]).
pub struct AwPlus;
pub const SYNTAX: AwPlus = AwPlus;
pub const DIALECT: Dialect = Dialect("allied-awplus");

impl super::Syntax for AwPlus {
    fn id(&self) -> &'static str {
        "allied-awplus"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["awplus", "alliedware", "alliedware-plus", "aw+"]
    }
    fn marker(&self, l: &str) -> super::Marker {
        if decisive(l) {
            super::Marker::Decisive
        } else {
            super::Marker::None
        }
    }
    fn parse(&self, file: &str, text: &str) -> Result<Device, ParseError> {
        parse(file, text)
    }
    fn facts(&self, text: &str, dev: &mut Device) {
        super::cisco_ios::facts::scan(text, dev, true);
    }
}

/// Lines only AlliedWare Plus writes (Cisco IOS never does: its switch ports are
/// `GigabitEthernet…`, it has no hardware ACL keyword, `ntp source` names an interface,
/// `password 8` is not an IOS type, its OpenFlow agent is configured in a sub-mode).
/// Not `network A.B.C.D/len` under `router bgp`: Arista EOS, Cisco ASA and IOS-XR write
/// it too (a file holding only a BGP stanza stays undetected; set its dialect).
fn decisive(l: &str) -> bool {
    let l = l.trim_end();
    let word = |p: &str| l.strip_prefix(p);
    if let Some(rest) = word("interface port") {
        return rest.starts_with(|c: char| c.is_ascii_digit());
    }
    if let Some(rest) = word("ntp source ") {
        return rest.parse::<std::net::Ipv4Addr>().is_ok();
    }
    if l.starts_with("username ") {
        let t: Vec<&str> = l.split_whitespace().collect();
        return t
            .windows(3)
            .any(|w| w[0] == "password" && w[1] == "8" && w[2].starts_with("$1$"));
    }
    l.starts_with("access-list hardware ")
        || l == "vlan database"
        || l == "hostname awplus"
        || l.starts_with("lldp holdtime-multiplier ")
        || l.starts_with("lldp faststart-count ")
        || l == "lldp non-strict-med-tlv-order-check"
        || l.starts_with("openflow controller ")
        || l.starts_with("openflow datapath-id ")
        || l.starts_with("auth-mac enable")
        || l == "switchport trunk native vlan none"
}

/// Parse one AlliedWare Plus configuration (`show running-config`).
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and also return the number of understood lines (see
/// [`crate::ingest::cisco_ios::parse_with_stats`]: every line is understood or has an
/// unrecognized entry).
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    parse_flavoured(file, text, Flavor::AwPlus)
}

/// Switch ports and aggregators (`port1.0.1`, `sa1`, `po1`): switchports unless they
/// carry an address. Other interfaces (`eth1`, `lo`, `vlan1`) are not.
pub fn is_switch_port(name: &str) -> bool {
    ["port", "sa", "po"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    })
}

pub use interfaces::expand_names;
