//! AlliedWare Plus keyword tables for `ingest::redact`.
//!
//! AW+ secret forms are the IOS ones, and the vendor-neutral pass redacts them with the
//! IOS tables: `username X privilege P password 8 HASH`, `enable password|secret`,
//! `snmp-server community NAME`, `snmp-server user … auth … priv …`, `radius-server key`,
//! `radius-server host A key K`, `tacacs-server key`, `ntp authentication-key N md5 K`,
//! `auth-mac password K` (tests/secrets.rs plants each). This table is where a secret
//! keyword only AW+ writes goes; none is known today.

/// Words whose value is secret in AW+ and in no other dialect's table.
pub const SECRET_WORDS: &[&str] = &[];
