//! Shared helpers for the configuration facts parsers record ([`crate::model::ConfigFacts`]):
//! the keyed digest of a secret (computed here so the clear text never leaves the parser),
//! Cisco type 7 decoding (reversible storage is compared by its clear text), the storage
//! class of a stored hash, and the lists of well-known SNMP communities and vendor default
//! passwords. Each dialect's `facts.rs` reads its own syntax with these.

use crate::model::Storage;
use sha2::{Digest, Sha256};
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

/// A per-process random key: digests are comparable within one run and useless outside
/// it (an offline guess against a digest that leaked would need the key).
fn key() -> &'static [u8; 16] {
    static KEY: OnceLock<[u8; 16]> = OnceLock::new();
    KEY.get_or_init(|| {
        let a = RandomState::new().hash_one(0x5a_u8).to_le_bytes();
        let b = RandomState::new().hash_one(0xa5_u8).to_le_bytes();
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&a);
        k[8..].copy_from_slice(&b);
        k
    })
}

/// Keyed digest of a secret. `clear` is true when `value` is the clear text (so that the
/// same password stored as type 0 and type 7 compares equal); a stored hash or vendor
/// encryption is digested as written (equal only when copied).
pub fn fingerprint(value: &str, clear: bool) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(key());
    h.update(if clear { b"c:" } else { b"h:" });
    h.update(value.as_bytes());
    let d = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

/// Decode a Cisco type 7 string (the Vigenère-like obfuscation of `service
/// password-encryption`); `None` when it is not well-formed.
pub fn cisco_type7(s: &str) -> Option<String> {
    const XLAT: &[u8] = b"dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";
    let b = s.as_bytes();
    if b.len() < 4 || !b.len().is_multiple_of(2) {
        return None;
    }
    let seed: usize = s.get(..2)?.parse().ok()?;
    let mut out = Vec::with_capacity(b.len() / 2);
    for (i, pair) in b[2..].chunks(2).enumerate() {
        let v = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        out.push(v ^ XLAT.get((seed + i) % XLAT.len())?);
    }
    String::from_utf8(out).ok()
}

/// Storage class of a crypt-style hash as written (`$1$` MD5-crypt, `$5$`/`$6$`
/// SHA-crypt, `$8$`/`$9$` Cisco PBKDF2/scrypt, `$sha1$`, a 13-character DES crypt).
pub fn crypt_storage(h: &str) -> Storage {
    let h = h.trim_matches('"');
    if h.starts_with("$1$") {
        return Storage::WeakHash;
    }
    if h.starts_with("$sha1$")
        || h.starts_with("$5$")
        || h.starts_with("$6$")
        || h.starts_with("$8$")
        || h.starts_with("$9$")
        || h.starts_with("$14$")
    {
        return Storage::Strong;
    }
    if h.len() == 13
        && h.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'/')
    {
        // Traditional DES crypt: 56-bit, 8 characters at most.
        return Storage::WeakHash;
    }
    Storage::Strong
}

/// SNMP community names that scanners and worms try first (vendor defaults included).
pub const WELL_KNOWN_COMMUNITIES: &[&str] = &[
    "public",
    "private",
    "community",
    "snmp",
    "snmpd",
    "default",
    "cisco",
    "manager",
    "admin",
    "secret",
    "write",
    "read",
    "test",
    "monitor",
    "system",
    "all",
    "ilmi",
    "tivoli",
    "openview",
    "mngt",
    "network",
    "router",
    "switch",
    "security",
];

pub fn well_known_community(name: &str) -> bool {
    let n = name.trim_matches('"').to_ascii_lowercase();
    WELL_KNOWN_COMMUNITIES.contains(&n.as_str())
}

/// Vendor factory passwords and the first guesses of a password list (compared with the
/// clear text of clear or reversible storage).
pub const DEFAULT_PASSWORDS: &[&str] = &[
    "cisco", "admin", "password", "friend", "manager", "default", "changeme", "fortinet",
    "juniper", "123456", "12345678", "1234", "root", "Cisco", "Admin", "Password", "secret",
];

/// Stored hashes that are vendor factory defaults, identical on every unit (so a copied
/// hash, not a chosen password): AlliedWare Plus `manager` / `friend`, PAN-OS `admin` /
/// `admin`.
pub const DEFAULT_HASHES: &[&str] = &["$1$bJoVec4D$JwOJGPr7YqoExA0GVasdE0", "fnRL/G5lXVMug"];

/// Is this clear text (or stored hash) a vendor default?
pub fn is_default(value: &str, clear: bool) -> bool {
    let v = value.trim_matches('"');
    if clear {
        DEFAULT_PASSWORDS.contains(&v)
    } else {
        DEFAULT_HASHES.contains(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type7_decodes_the_textbook_example() {
        // Cisco's own documentation example: "0822455D0A16" is "cisco".
        assert_eq!(cisco_type7("0822455D0A16").as_deref(), Some("cisco"));
        assert_eq!(cisco_type7("08"), None);
        assert_eq!(cisco_type7("zz1234"), None);
    }

    #[test]
    fn equal_secrets_have_equal_digests_and_clear_differs_from_hash() {
        assert_eq!(fingerprint("abc", true), fingerprint("abc", true));
        assert_ne!(fingerprint("abc", true), fingerprint("abc", false));
        assert_ne!(fingerprint("abc", true), fingerprint("abd", true));
    }

    #[test]
    fn crypt_classes() {
        assert_eq!(crypt_storage("$1$ab$cdef"), Storage::WeakHash);
        assert_eq!(crypt_storage("$6$ab$cdef"), Storage::Strong);
        assert_eq!(crypt_storage("fnRL/G5lXVMug"), Storage::WeakHash);
    }
}
