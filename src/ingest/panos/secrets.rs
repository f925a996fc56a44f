//! PAN-OS keyword tables for `ingest::redact`.
//!
//! Forms: `phash HASH` (administrator password hash, `set mgt-config users U phash H`,
//! brace `phash H;`), `password-hash`, IKE `pre-shared-key key K` and SNMP / RADIUS /
//! LDAP `secret`, `auth-key`, `bind-password` (caught by the generic words and suffixes),
//! and the same values as XML elements (`<phash>H</phash>`, `<key>K</key>`).

/// Words whose value is secret in PAN-OS (beyond the generic table and suffixes).
pub const SECRET_WORDS: &[&str] = &["phash", "password-hash", "authkey", "privkey"];

/// An XML element `<tag>value</tag>` (or an opening `<tag>value` continued on later
/// lines) whose tag is secret: the line with the value replaced.
pub fn xml_secret(line: &str, is_secret: impl Fn(&str) -> bool) -> Option<String> {
    let t = line.trim_start();
    let rest = t.strip_prefix('<')?;
    let close = rest.find('>')?;
    let tag = &rest[..close];
    if tag.is_empty() || tag.contains([' ', '/']) || !is_secret(&tag.to_ascii_lowercase()) {
        return None;
    }
    let value_start = line.len() - t.len() + 1 + close + 1;
    let end = line[value_start..]
        .find("</")
        .map(|i| value_start + i)
        .unwrap_or(line.len());
    if line[value_start..end].trim().is_empty()
        || &line[value_start..end] == super::super::redact::REDACTED
    {
        return None;
    }
    Some(format!(
        "{}{}{}",
        &line[..value_start],
        super::super::redact::REDACTED,
        &line[end..]
    ))
}
