//! Secrets never leave sanso: every config text that reaches an output goes through
//! [`redact_line`]. The patterns cover IOS/IOS-XE, FortiOS, and Linux dumps.

/// Placeholder written in place of a secret.
pub const REDACTED: &str = "<redacted>";

/// IOS keywords after which the rest of the line is secret.
const IOS_SECRET_AFTER: &[&str] = &[
    "secret",
    "password",
    "community",
    "key-string",
    "key",
    "pre-shared-key",
    "authentication-key",
    "message-digest-key",
    "md5",
    "psk",
    "wpa-psk",
    "passphrase",
];

/// FortiOS `set <name>` attributes whose value is secret.
const FORTI_SECRET_SET: &[&str] = &[
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
    "community",
    "login-passwd",
    "ldap-password",
    "radius-secret",
    "server-secret",
];

/// Replace any secret in one config line. Leading indentation is kept.
pub fn redact_line(line: &str) -> String {
    // FortiOS encrypted values: `ENC <base64>` anywhere on the line.
    let mut out = redact_enc(line);
    let trimmed = out.trim_start();
    let indent = &out[..out.len() - trimmed.len()];
    let toks: Vec<&str> = trimmed.split_whitespace().collect();
    if toks.first() == Some(&"set") && toks.len() >= 3 {
        let attr = toks[1].to_ascii_lowercase();
        // Suffixes catch the many per-feature variants (`secondary-secret`, `sso-password`).
        if FORTI_SECRET_SET.contains(&attr.as_str())
            || attr.ends_with("-password")
            || attr.ends_with("-secret")
            || attr.ends_with("-psk")
            || attr == "passphrase"
        {
            return format!("{indent}set {} {REDACTED}", toks[1]);
        }
    }
    // `snmp-server community X ...`: the community is the secret.
    if toks.len() >= 3 && toks[0] == "snmp-server" && toks[1] == "community" {
        return format!("{indent}snmp-server community {REDACTED}");
    }
    if toks.len() >= 3 && toks[0] == "snmp-server" && (toks[1] == "host" || toks[1] == "user") {
        return format!("{indent}{} {} {REDACTED}", toks[0], toks[1]);
    }
    if let Some(pos) = toks.iter().position(|t| {
        let t = t.to_ascii_lowercase();
        IOS_SECRET_AFTER.contains(&t.as_str())
    }) {
        // `no ... password` with nothing after it carries no secret.
        if pos + 1 < toks.len() {
            let kept = toks[..=pos].join(" ");
            out = format!("{indent}{kept} {REDACTED}");
        }
    }
    out
}

fn redact_enc(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("ENC ") {
        out.push_str(&rest[..i]);
        out.push_str("ENC ");
        out.push_str(REDACTED);
        let after = &rest[i + 4..];
        let end = after
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ios_secrets() {
        for (l, secret) in [
            ("enable secret 5 $1$abcd$XYZ", "$1$abcd$XYZ"),
            ("username admin privilege 15 secret 9 $9$qq", "$9$qq"),
            (" password 7 0822455D0A16", "0822455D0A16"),
            ("snmp-server community S3cr3t RO", "S3cr3t"),
            (" key-string 7 1234ABCD", "1234ABCD"),
            ("crypto isakmp key MyPsk address 1.2.3.4", "MyPsk"),
            ("wpa-psk ascii 0 WirelessPsk", "WirelessPsk"),
            (" authentication passphrase Phrase1", "Phrase1"),
        ] {
            let r = redact_line(l);
            assert!(!r.contains(secret), "{l} -> {r}");
            assert!(r.contains(REDACTED));
        }
    }

    #[test]
    fn fortios_secrets() {
        for (l, secret) in [
            ("        set password ENC AAAAbbbbCCCC==", "AAAAbbbbCCCC"),
            ("    set psksecret ENC qwerty", "qwerty"),
            ("    set passwd hunter2", "hunter2"),
            ("set something \"ENC zzz\" other", "zzz"),
            ("    set passphrase \"Plain Phrase\"", "Plain Phrase"),
            ("    set secondary-secret plain2", "plain2"),
        ] {
            let r = redact_line(l);
            assert!(!r.contains(secret), "{l} -> {r}");
        }
    }

    #[test]
    fn ordinary_lines_unchanged() {
        for l in [
            " ip address 10.0.0.1 255.255.255.0",
            "access-list 101 permit tcp any host 10.1.1.1 eq 443",
            "    set srcintf \"port1\"",
        ] {
            assert_eq!(redact_line(l), l);
        }
    }
}
