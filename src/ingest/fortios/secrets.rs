//! FortiOS keyword tables.
//! The vendor-neutral structural pass in `ingest::redact` reads these (every dialect's
//! tables on every line: a quoted line is not always labelled with its dialect).

/// `set <attr>` attributes whose value is secret (besides the suffixes in
/// [`crate::ingest::redact::SECRET_SUFFIXES`]).
pub const SECRET_SET: &[&str] = &[
    "password",
    "passwd",
    "psksecret",
    "psksecret2",
    "secret",
    "key",
    "auth-pwd",
    "authpasswd",
    "private-key",
    "priv-pwd",
    "ppk-secret",
    "md5-key",
    "md5-keys",
    "login-passwd",
    "ldap-password",
    "radius-secret",
    "server-secret",
    "auth-key",
    "enc-key",
    "authkey",
    "enckey",
    "auth-pass",
    "apikey",
    "api-key",
    "token",
    "passphrase",
    "key-string",
    "pre-shared-key",
    "psk",
    "authentication-key",
    "sso-password",
];
/// `set <attr>` attributes starting with these are key material (`hostkey-rsa2048`).
pub const SECRET_SET_PREFIXES: &[&str] = &["hostkey", "private-key", "psksecret"];
/// Inside `config system snmp community`, `set name` is the community string.
pub const SNMP_COMMUNITY_CONFIG: &str = "system snmp community";
/// Attributes holding free text.
pub const FREE_TEXT: &[&str] = &["comments", "comment", "description"];

/// Whether `set <attr> …` carries a secret.
pub fn secret_attr(attr: &str) -> bool {
    SECRET_SET.contains(&attr)
        || SECRET_SET_PREFIXES.iter().any(|p| attr.starts_with(p))
        || crate::ingest::redact::secret_suffix(attr)
}
