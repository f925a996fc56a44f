//! Cisco IOS / IOS-XE keyword tables.
//! The vendor-neutral structural pass in `ingest::redact` reads these (every dialect's
//! tables on every line: a quoted line is not always labelled with its dialect).

/// Words whose value (after optional type digits and modifiers) is secret.
pub const SECRET_WORDS: &[&str] = &[
    "secret",
    "password",
    "community",
    "key-string",
    "key",
    "pre-shared-key",
    "authentication-key",
    "message-digest-key",
    "psk",
    "wpa-psk",
    "passphrase",
    "password-encrypt",
    "server-key",
];
/// `authentication` is followed by a secret only after these (HSRP, VRRP, GLBP, NHRP):
/// `standby 1 authentication X`, `ip nhrp authentication X`.
pub const AUTHENTICATION_CONTEXT: &[&str] = &["standby", "vrrp", "glbp", "nhrp", "hsrp"];
/// In `snmp-server user … auth sha X priv aes 128 Y`, `auth` and `priv` take secrets.
pub const SNMP_USER_WORDS: &[&str] = &["auth", "priv"];
/// Lines whose rest is free text (searched like a comment).
pub const FREE_TEXT: &[&str] = &["description", "remark"];

/// Index of the community string in `snmp-server host ADDR [traps|informs]
/// [version 1|2c|3 [auth|noauth|priv]] COMMUNITY …`.
pub fn snmp_host_community(toks: &[&str]) -> Option<usize> {
    if toks.len() < 4 || toks[0] != "snmp-server" || toks[1] != "host" {
        return None;
    }
    let mut i = 3;
    if matches!(toks.get(i), Some(&"traps" | &"informs")) {
        i += 1;
    }
    if toks.get(i) == Some(&"vrf") {
        i += 2;
    }
    if toks.get(i) == Some(&"version") {
        i += 2;
        if matches!(toks.get(i), Some(&"auth" | &"noauth" | &"priv")) {
            i += 1;
        }
    }
    (i < toks.len()).then_some(i)
}
