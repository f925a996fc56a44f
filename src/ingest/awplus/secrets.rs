//! AlliedWare Plus keyword tables for `ingest::redact`.
//!
//! AW+ secret forms are IOS-like and the vendor-neutral pass already redacts them with the
//! IOS tables (`username X privilege P password 8 HASH`, `enable password|secret`,
//! `snmp-server community NAME`, `radius-server key`, `radius-server host A key K`,
//! `tacacs-server key`, `ntp authentication-key N md5 K`, `auth-mac password K`);
//! tests/secrets.rs plants each of them. What AW+ adds:

/// Words whose value is secret in AW+ only: `crypto isakmp key K address A` is IOS too;
/// AW+ `wpa-personal passphrase` / `security … key` (wireless) and `key K` inside
/// `radius-server host A key K` are covered by `passphrase` / `key`. The DHCP client's
/// `vendor-identifying-specific` carries no secret.
pub const SECRET_WORDS: &[&str] = &["passphrase", "pre-shared-key", "key"];
