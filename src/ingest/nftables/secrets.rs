//! nftables (`nft list ruleset`) tables: secrets only ever sit in comments.
//! The vendor-neutral structural pass in `ingest::redact` reads these (every dialect's
//! tables on every line: a quoted line is not always labelled with its dialect).

/// Words followed by free text (quoted), searched for secrets.
pub const FREE_TEXT: &[&str] = &["comment"];
/// nftables has no secret-taking statements.
pub const SECRET_WORDS: &[&str] = &[];
