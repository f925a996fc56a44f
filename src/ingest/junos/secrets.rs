//! Junos keyword tables for `ingest::redact`.
//!
//! Junos secret forms: `encrypted-password "$6$…"`, `authentication-key "$9$…"`,
//! `secret "$9$…"` (RADIUS / TACACS+), `pre-shared-key ascii-text|hexadecimal "$9$…"`,
//! `authentication-password` / `privacy-password` (SNMPv3), `community NAME` (SNMP),
//! `key-chain … key N secret …`, `hello-authentication-key`, `md5 N key …`. The
//! vendor-neutral pass covers the `*-password` / `*-key` / `secret` / `community` words; the
//! words below introduce a secret only Junos writes, and the modifiers sit between a
//! keyword and its value (tests/secrets.rs plants each).

/// Words whose value is secret in Junos and in no other dialect's table.
pub const SECRET_WORDS: &[&str] = &["ascii-text", "hexadecimal", "simple-password"];
