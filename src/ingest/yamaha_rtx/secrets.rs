//! Yamaha RTX secret forms. Most are caught by the vendor-neutral pass (`login password`,
//! `administrator password`, `ipsec ike pre-shared-key N text X`); these are the
//! positional ones, where the secret follows a name rather than a keyword.

/// Index of the first secret token of an RTX line (tokens as written), if it has one:
/// `login user NAME PASS`, `pp auth myname NAME PASS`, `pp auth username NAME PASS …`,
/// `l2tp tunnel auth on KEY`. Everything from that token on is secret.
pub fn secret_from(words: &[&str]) -> Option<usize> {
    let k = match words {
        ["login", "user", _, _, ..] => 3,
        ["pp", "auth", "myname" | "username", _, _, ..] => 4,
        ["l2tp", "tunnel", "auth", "on", _, ..] => 4,
        _ => return None,
    };
    Some(k)
}
