//! Configuration facts beyond forwarding: management services, SNMP communities, stored
//! administrator secrets, the firmware version and features a config states, wireless
//! configuration. Parsers record them vendor-neutrally (with the line that states each);
//! the hygiene checks judge them. No secret value is ever kept: a stored secret is
//! represented by its storage class and a keyed digest computed by the parser.

use super::Span;
use serde::Serialize;

/// Everything a config states about its own security hygiene.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ConfigFacts {
    /// Management access services enabled, plain-text or not.
    pub mgmt: Vec<MgmtService>,
    pub snmp: Vec<SnmpCommunity>,
    /// Administrator and login secrets (enable, local users, admin accounts).
    pub secrets: Vec<SecretFact>,
    /// The firmware version the config states (its header or `version` line).
    pub version: Option<FirmwareVersion>,
    /// Features a known-exploited vulnerability may need (SSL-VPN, web UI, …).
    pub features: Vec<Feature>,
    /// Wireless LAN configuration with an effect (SSIDs, managed APs, radio interfaces).
    pub wireless: Vec<Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MgmtProto {
    Telnet,
    /// HTTP (not HTTPS) management.
    Http,
}

impl MgmtProto {
    pub fn name(self) -> &'static str {
        match self {
            MgmtProto::Telnet => "Telnet",
            MgmtProto::Http => "HTTP",
        }
    }
}

/// A plain-text management service a config enables, and where (`line vty 0 4`,
/// `interface port1`, `global`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MgmtService {
    pub proto: MgmtProto,
    pub on: String,
    pub span: Span,
    /// Enabled by the platform default (no line turns it on): `span` is the stanza that
    /// relies on the default.
    pub by_default: bool,
}

/// One SNMP community. The name itself is a secret and is not kept: only whether it is a
/// well-known one (public, private, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SnmpCommunity {
    pub well_known: bool,
    /// SNMPv1/v2c write access (rw).
    pub write: bool,
    pub span: Span,
}

/// How a secret is stored in the config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Storage {
    /// No password at all (`nopassword`, an admin account without one).
    Empty,
    /// Clear text (Cisco type 0, `enable password` without encryption, RTX `login password`).
    Clear,
    /// Reversible obfuscation (Cisco type 7, Junos `$9$`).
    Reversible,
    /// A weak one-way hash (MD5-crypt: Cisco `secret 5`, `$1$`).
    WeakHash,
    /// A strong one-way hash (SHA-256/scrypt/PBKDF2, SHA-512-crypt) or vendor encryption
    /// that is not reversible from the config (FortiOS `ENC`).
    Strong,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretFact {
    /// The account it belongs to (`enable`, a user name); never the secret.
    pub account: String,
    pub storage: Storage,
    /// A vendor factory default (a known default password or its well-known hash).
    pub default: bool,
    /// Keyed digest of the stored value (or of the clear text when the storage is
    /// reversible), equal for equal secrets within one run; never serialized.
    #[serde(skip)]
    pub fingerprint: Option<[u8; 16]>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FirmwareVersion {
    /// `fortios`, `ios`, `ios-xe`, `asa`, `junos`, `panos`, `rtx`, `awplus`.
    pub product: String,
    /// As stated (`7.0.11`, `15.2(4)M`, `9.16(4)`): the checks compare it.
    pub version: String,
    pub span: Span,
}

/// A feature turned on: `ssl-vpn`, `http-server` (web UI), `webvpn`, `globalprotect`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Feature {
    pub name: String,
    pub span: Span,
}
