//! Cisco ASA keyword tables for `ingest::redact`.
//!
//! ASA writes most secrets in the IOS forms the vendor-neutral pass already redacts
//! (`enable password X encrypted`, `username U password X …`, `snmp-server host IF A
//! community X`, `ikev1 pre-shared-key X`, `key X` under `aaa-server`). These are the
//! words only ASA writes.

/// Words whose value is secret in ASA and in no other dialect's table.
pub const SECRET_WORDS: &[&str] = &["passwd", "ldap-login-password", "shared-secret"];
