//! Linux host files (keepalived, WireGuard, strongSwan, wpa_supplicant, hostapd forms
//! that may appear in a device folder or in comments). `_` is read as `-`.
//! The vendor-neutral structural pass in `ingest::redact` reads these (every dialect's
//! tables on every line: a quoted line is not always labelled with its dialect).

pub const SECRET_WORDS: &[&str] = &[
    "auth-pass",
    "privatekey",
    "presharedkey",
    "psk",
    "secret",
    "secrets",
    "password",
    "passwd",
    "wpa-passphrase",
    "wep-key0",
    "wep-key1",
    "wep-key2",
    "wep-key3",
    "rpcsecret",
    "apikey",
    "token",
    "bearer",
];
