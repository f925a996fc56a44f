//! iptables-save tables: secrets only ever sit in comments.
//! The vendor-neutral structural pass in `ingest::redact` reads these (every dialect's
//! tables on every line: a quoted line is not always labelled with its dialect).

/// Options followed by free text, searched for secrets.
pub const FREE_TEXT: &[&str] = &["--comment"];
/// iptables has no secret-taking options.
pub const SECRET_WORDS: &[&str] = &[];
