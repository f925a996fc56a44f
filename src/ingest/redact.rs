//! Secrets never leave sanso: every config text that reaches an output goes through this
//! module. Redaction is structural, not a list of whole commands:
//!
//! 1. a vendor-neutral pass over the tokens of a line: the value after a secret-like
//!    keyword (`password`, `secret`, `key`, `key-string`, `community`, `psk`, `*-key`,
//!    `*-password`, `*-secret`, …, in any dialect; `kw=value` and `kw: value` forms too),
//!    credentials in URLs (`scp://user:<redacted>@host`), whatever follows a PEM
//!    `-----BEGIN …-----` marker, Unix crypt hashes and long high-entropy tokens
//!    (base64/hex runs that are not addresses, interface names or words); quoted strings
//!    (descriptions, comments) are searched as free text;
//! 2. per-dialect keyword tables ([`cisco_ios`], [`fortios`], [`nftables`], [`iptables`],
//!    [`linux`], [`yamaha_rtx`]) that feed the structural pass; the pass uses all of them on every line,
//!    because a line quoted in a report is not always labelled with its dialect;
//! 3. context across lines ([`Redactor`], [`FileRedaction`]): PEM blocks and their base64
//!    continuation lines, Cisco `crypto pki certificate chain` / `key-string` hex blocks up
//!    to `quit`, FortiOS multi-line quoted secrets (`set private-key "-----BEGIN …`) and the
//!    FortiOS SNMP community `set name`.
//!
//! Callers that hold a whole file (or a sequence of lines in order) use [`redact_lines`],
//! [`redact_text`] or [`FileRedaction`]; [`redact_line`] stays for callers that have one
//! line and no context (it treats the line as the first line of a file). The secret value
//! is replaced by [`REDACTED`]; the keyword stays, so the line stays readable.

use std::borrow::Cow;

/// Placeholder written in place of a secret.
pub const REDACTED: &str = "<redacted>";

/// Cisco IOS / IOS-XE keyword tables.
pub use super::cisco_ios::secrets as cisco_ios;

/// FortiOS keyword tables.
pub use super::fortios::secrets as fortios;

/// AlliedWare Plus keyword tables (its forms are the IOS ones).
pub use super::awplus::secrets as awplus;

/// Cisco ASA keyword tables (beyond the IOS forms).
pub use super::cisco_asa::secrets as cisco_asa;
/// Juniper Junos tables (`pre-shared-key ascii-text "$9$…"`).
pub use super::junos::secrets as junos;

/// nftables (`nft list ruleset`) tables: secrets only ever sit in comments.
pub use super::nftables::secrets as nftables;

/// iptables-save tables: secrets only ever sit in comments.
pub use super::iptables::secrets as iptables;

/// Linux host files (keepalived, WireGuard, strongSwan, wpa_supplicant, hostapd forms
/// that may appear in a device folder or in comments). `_` is read as `-`.
pub use super::linux::secrets as linux;

/// Yamaha RTX positional forms (`login user NAME PASS`, `pp auth myname NAME PASS`,
/// `l2tp tunnel auth on KEY`).
pub use super::yamaha_rtx::secrets as yamaha_rtx;

/// PAN-OS tables (`phash`, and secret XML elements).
pub use super::panos::secrets as panos;

/// Secret words of every dialect (the vendor-neutral pass uses all tables).
const GENERIC_WORDS: &[&str] = &[
    "token",
    "apikey",
    "api-key",
    "auth-key",
    "enc-key",
    "md5-key",
    "md5-keys",
    "auth-pass",
    "psksecret",
    "private-key",
    "access-key",
    "secret-key",
    "client-secret",
    "credential",
    "credentials",
];

/// Keyword suffixes whose value is secret (`sso-password`, `radius-secret`, `ospf-md5-key`).
pub const SECRET_SUFFIXES: &[&str] = &[
    "-password",
    "-passwd",
    "-pwd",
    "-secret",
    "-psk",
    "-key",
    "-keys",
    "-token",
    "-passphrase",
    "-community",
    "-pass",
];

/// Words with a secret suffix that name something public.
const NOT_SECRET_WORDS: &[&str] = &[
    "trusted-key",
    "send-community",
    "public-key",
    "ssh-public-key",
];

/// Tokens between a secret keyword and its value: encryption types are numbers, these are
/// the words (`key-string 7 X`, `authentication text X`, `md5 X`, `ENC X`).
const MODIFIERS: &[&str] = &[
    "md5",
    "sha",
    "sha1",
    "sha256",
    "sha384",
    "sha512",
    "aes",
    "des",
    "3des",
    "text",
    "ascii",
    "hex",
    "encrypted",
    "unencrypted",
    "enc",
    "plain",
    "clear",
    "cleartext",
    "local",
    "remote",
    "=",
    ":",
    "is",
    "0x",
];

/// After these words the next token is not a value of the keyword before them.
const NOT_A_VALUE: &[&str] = &[
    "chain",
    "key-chain",
    "generate",
    "zeroize",
    "config-key",
    "storage",
    "export",
    "import",
    "pubkey-chain",
    "decrypt",
    "encrypt",
    "encryption",
    "policy",
    "rsa",
    "ec",
    "address",
    "hostname",
    "message-digest",
    "null",
    "mode",
    "ipv6",
    "enable",
    "disable",
    "none",
    "<redacted>",
];

/// Tokens that may follow a secret value and are kept with the rest of the line.
const KEEP_AFTER: &[&str] = &[
    "address",
    "ro",
    "rw",
    "view",
    "ipv6",
    "vrf",
    "no-xauth",
    "timeout",
    "hostname",
    "auth-port",
    "acct-port",
    "port",
    "level",
    "key",
];

pub(crate) fn secret_suffix(w: &str) -> bool {
    SECRET_SUFFIXES
        .iter()
        .any(|s| w.ends_with(s) && w.len() > s.len())
        && !NOT_SECRET_WORDS.contains(&w)
}

/// Lowercase, `_` as `-`, surrounding quotes and a trailing `:`/`=` removed.
fn norm(t: &str) -> String {
    let t = t.trim_matches(|c| c == '"' || c == '\'');
    let t = t.strip_suffix([':', '=']).unwrap_or(t);
    t.to_ascii_lowercase().replace('_', "-")
}

/// Whether `w` (normalised) introduces a secret value, given the tokens before it.
fn secret_word(w: &str, before: &[&str]) -> bool {
    let n = |x: &&str| norm(x);
    if w == "authentication" {
        return before
            .iter()
            .map(n)
            .any(|b| cisco_ios::AUTHENTICATION_CONTEXT.contains(&b.as_str()));
    }
    if w == "community" {
        // Route-map `set community 65000:1` / `match community LIST` are not SNMP.
        return !matches!(before.last().map(n).as_deref(), Some("set" | "match"));
    }
    if cisco_ios::SNMP_USER_WORDS.contains(&w) {
        return before.first().map(n).as_deref() == Some("snmp-server") && before.contains(&"user");
    }
    cisco_ios::SECRET_WORDS.contains(&w)
        || fortios::SECRET_SET.contains(&w)
        || nftables::SECRET_WORDS.contains(&w)
        || iptables::SECRET_WORDS.contains(&w)
        || linux::SECRET_WORDS.contains(&w)
        || awplus::SECRET_WORDS.contains(&w)
        || cisco_asa::SECRET_WORDS.contains(&w)
        || junos::SECRET_WORDS.contains(&w)
        || panos::SECRET_WORDS.contains(&w)
        || GENERIC_WORDS.contains(&w)
        || secret_suffix(w)
}

fn free_text_word(w: &str) -> bool {
    cisco_ios::FREE_TEXT.contains(&w)
        || nftables::FREE_TEXT.contains(&w)
        || iptables::FREE_TEXT.contains(&w)
}

// ------------------------------------------------------------------ context across lines

/// How one line must be redacted, given the lines before it ([`Redactor::step`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LineKind {
    /// No context: the structural pass alone.
    #[default]
    Plain,
    /// FortiOS `config system snmp community`: `set name` is the community string.
    NameIsSecret,
    /// Inside a key or certificate block: the whole line is secret.
    Secret,
    /// Last line of a PEM block: secret up to `-----END`.
    PemEnd,
    /// Last line of a multi-line quoted secret: secret up to the closing `"`.
    QuoteEnd,
}

impl LineKind {
    fn from_byte(b: u8) -> LineKind {
        [
            LineKind::Plain,
            LineKind::NameIsSecret,
            LineKind::Secret,
            LineKind::PemEnd,
            LineKind::QuoteEnd,
        ]
        .get(b as usize)
        .copied()
        // An unknown byte: treat the line as secret rather than quote it.
        .unwrap_or(LineKind::Secret)
    }

    /// Redact `line` (whole or trimmed) as a line of this kind.
    pub fn apply<'a>(self, line: &'a str) -> Cow<'a, str> {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let secret_upto = |at: Option<usize>| -> Cow<'a, str> {
            match at {
                Some(i) if trimmed[..i].trim().is_empty() => structural(line, false),
                Some(i) => {
                    let rest = structural(&trimmed[i..], false);
                    Cow::Owned(format!("{indent}{REDACTED}{rest}"))
                }
                None if trimmed.is_empty() => Cow::Borrowed(line),
                None => Cow::Owned(format!("{indent}{REDACTED}")),
            }
        };
        match self {
            LineKind::Plain => structural(line, false),
            LineKind::NameIsSecret => {
                let t: Vec<&str> = trimmed.split_whitespace().collect();
                if t.len() >= 3 && t[0] == "set" && t[1] == "name" {
                    Cow::Owned(format!("{indent}set name {REDACTED}"))
                } else {
                    structural(line, false)
                }
            }
            LineKind::Secret => secret_upto(None),
            LineKind::PemEnd => secret_upto(trimmed.find("-----END")),
            LineKind::QuoteEnd => secret_upto(trimmed.find('"')),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Block {
    #[default]
    None,
    /// Inside `-----BEGIN …-----` up to `-----END`.
    Pem,
    /// Inside a quoted secret value that spans lines, up to the closing `"`.
    Quote,
    /// Cisco hex block (`certificate …` in a pki chain, bare `key-string`) up to `quit`.
    UntilQuit,
}

/// Redacts the lines of one file in order, carrying the context that crosses lines.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    block: Block,
    pki_chain: bool,
    /// FortiOS `config …` path.
    forti: Vec<String>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Advance over the next line of the file; returns how that line must be redacted.
    /// Cheap (no allocation for ordinary lines): a parser can step every line and redact
    /// only the lines it reports.
    pub fn step(&mut self, line: &str) -> LineKind {
        let t = line.trim();
        match self.block {
            Block::Pem => {
                if line.contains("-----END") {
                    self.block = Block::None;
                    return LineKind::PemEnd;
                }
                return LineKind::Secret;
            }
            Block::Quote => {
                if line.contains('"') {
                    self.block = Block::None;
                    return LineKind::QuoteEnd;
                }
                return LineKind::Secret;
            }
            Block::UntilQuit => {
                if t == "quit" {
                    self.block = Block::None;
                    return LineKind::Plain;
                }
                return LineKind::Secret;
            }
            Block::None => {}
        }
        // Cisco pki chain: `certificate …` sub-stanzas hold hex up to `quit`.
        if !line.starts_with([' ', '\t']) {
            self.pki_chain = t.starts_with("crypto pki certificate chain");
        }
        if (self.pki_chain && t.starts_with("certificate")) || t == "key-string" {
            self.block = Block::UntilQuit;
            return LineKind::Plain;
        }
        // FortiOS config path.
        if let Some(rest) = t.strip_prefix("config ") {
            self.forti.push(rest.trim().to_string());
        } else if t == "end" {
            self.forti.pop();
        }
        if let Some(b) = t.find("-----BEGIN") {
            let quoted_open = t.starts_with("set ") && t.matches('"').count() % 2 == 1;
            if quoted_open {
                self.block = Block::Quote;
            } else if !t[b..].contains("-----END") {
                self.block = Block::Pem;
            }
            return LineKind::Plain;
        }
        if let Some(rest) = t.strip_prefix("set ") {
            // A secret FortiOS value opened with `"` and not closed on this line.
            let mut it = rest.splitn(2, char::is_whitespace);
            let attr = norm(it.next().unwrap_or(""));
            let value = it.next().unwrap_or("").trim_start();
            if fortios::secret_attr(&attr)
                && value.starts_with('"')
                && value.matches('"').count() % 2 == 1
            {
                self.block = Block::Quote;
            }
        }
        if self
            .forti
            .last()
            .is_some_and(|c| c == fortios::SNMP_COMMUNITY_CONFIG)
        {
            return LineKind::NameIsSecret;
        }
        LineKind::Plain
    }

    /// Redact the next line of the file.
    pub fn line<'a>(&mut self, line: &'a str) -> Cow<'a, str> {
        self.step(line).apply(line)
    }
}

/// The per-line context of one whole file (one byte per line), so that a parser can
/// redact any of its lines later, in any order: `FileRedaction::new(lines).line(n, text)`.
#[derive(Clone, Debug, Default)]
pub struct FileRedaction {
    kinds: Vec<LineKind>,
}

impl FileRedaction {
    pub fn new<'a>(lines: impl IntoIterator<Item = &'a str>) -> Self {
        let mut r = Redactor::new();
        FileRedaction {
            kinds: lines.into_iter().map(|l| r.step(l)).collect(),
        }
    }

    /// The context as one byte per line (`model::SourceFile::redaction`).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.kinds.iter().map(|k| *k as u8).collect()
    }

    /// Redacted `text`, line `n` (1-based) of a file whose context is `bytes`
    /// ([`FileRedaction::to_bytes`]).
    pub fn line_in(bytes: &[u8], n: usize, text: &str) -> String {
        let kind = n
            .checked_sub(1)
            .and_then(|i| bytes.get(i))
            .map_or(LineKind::Plain, |&b| LineKind::from_byte(b));
        kind.apply(text).into_owned()
    }

    /// Redacted `text` (the whole or trimmed text of line `n`, 1-based).
    pub fn line(&self, n: u32, text: &str) -> String {
        let kind = (n as usize)
            .checked_sub(1)
            .and_then(|i| self.kinds.get(i))
            .copied()
            .unwrap_or_default();
        kind.apply(text).into_owned()
    }
}

/// Redact every line of a file (or any sequence of lines, in order).
pub fn redact_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut r = Redactor::new();
    lines.into_iter().map(|l| r.line(l).into_owned()).collect()
}

/// Redact a whole text; line ends become `\n`.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for l in redact_lines(text.lines()) {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Replace any secret in one config line seen without context (as the first line of a
/// file). Leading indentation is kept.
/// A parser's reason for a line it did not understand, with every quoted token
/// (`` `…` ``) redacted as a line of its own: reasons quote the words they stumbled on,
/// and those may be a secret (an XML `<key>…</key>` element in a file of another dialect).
pub fn redact_reason(reason: &str) -> String {
    let parts: Vec<&str> = reason.split('`').collect();
    if parts.len() < 3 {
        return reason.to_string();
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 1 && i + 1 < parts.len() {
                redact_line(p)
            } else {
                p.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

pub fn redact_line(line: &str) -> String {
    Redactor::new().line(line).into_owned()
}

// ------------------------------------------------------------------ the structural pass

#[derive(Clone, Copy, Debug)]
struct Tok {
    start: usize,
    end: usize,
}

/// Whitespace-separated tokens; a quoted string (also inside a token, `k="a b"`) is one.
fn tokens(s: &str) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        let mut quote: Option<u8> = None;
        while i < b.len() {
            let c = b[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == b'"' || (c == b'\'' && i == start) => quote = Some(c),
                None if c.is_ascii_whitespace() => break,
                None => {}
            }
            i += 1;
        }
        out.push(Tok { start, end: i });
    }
    out
}

fn is_number(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit())
}

/// A lowercase dictionary-like word: in free text, not taken for a secret after a keyword
/// without `:`/`=` (`"uplink to key server"`).
fn plain_word(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|c| c.is_ascii_lowercase())
}

/// Unix crypt (`$1$salt$hash`, Cisco type 8/9 `$9$…`).
fn crypt_hash(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 8
        && b[0] == b'$'
        && t[1..].find('$').is_some_and(|i| (1..=2).contains(&i))
        && t[1..]
            .split('$')
            .next()
            .unwrap_or("")
            .bytes()
            .all(|c| c.is_ascii_alphanumeric())
}

/// A segment that looks random: long, letters and digits interleaved.
fn random_segment(s: &str) -> bool {
    // Hex ids of 16-19 digits name things (AWS `vpn-0dc7abdb974ff8a69`); base64 runs
    // mix cases.
    let mixed_case =
        s.bytes().any(|c| c.is_ascii_lowercase()) && s.bytes().any(|c| c.is_ascii_uppercase());
    if s.len() < 16 || (s.len() < 20 && !mixed_case) {
        return false;
    }
    let class = |c: u8| -> u8 {
        if c.is_ascii_digit() {
            0
        } else if c.is_ascii_lowercase() {
            1
        } else if c.is_ascii_uppercase() {
            2
        } else {
            3
        }
    };
    let b = s.as_bytes();
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let changes = b.windows(2).filter(|w| class(w[0]) != class(w[1])).count();
    digits >= 2 && letters >= 2 && changes * 4 >= s.len()
}

/// A long base64/hex-like token with a random-looking run that is not an address,
/// interface name, UUID or word.
fn high_entropy(t: &str) -> bool {
    let t = t.trim_matches(|c: char| "\"'(),;[]{}<>".contains(c));
    if crypt_hash(t) {
        return true;
    }
    if t.len() < 20
        || !t
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"+/=_-.:".contains(&c))
    {
        return false;
    }
    if interface_name(t) {
        return false;
    }
    t.split(|c: char| "+/=_-.:".contains(c))
        .any(random_segment)
        // base64 `+`/`/` split a random run into short pieces: judge the run whole.
        || t.split(['_', '.', ':', '-', '=']).any(|s| {
            let run = s.replace(['+', '/'], "");
            s.len() >= 24
                && (s.contains('+') || s.contains('/'))
                && run.bytes().filter(u8::is_ascii_digit).count() >= 4
                && random_segment(&run)
        })
}

/// `GigabitEthernet1/0/24`, `TenGigabitEthernet1/1/1.100`, `Port-channel10`.
fn interface_name(t: &str) -> bool {
    let head = t.trim_end_matches(|c: char| c.is_ascii_digit() || "/.:".contains(c));
    head.len() < t.len()
        && t[head.len()..].starts_with(|c: char| c.is_ascii_digit())
        && head.bytes().all(|c| c.is_ascii_alphabetic() || c == b'-')
}

/// `scheme://user:password@host` → `scheme://user:<redacted>@host`.
fn url_credentials(t: &str) -> Option<String> {
    let p = t.find("://")?;
    let auth_start = p + 3;
    let rest = &t[auth_start..];
    let auth_end = rest.find(['/', '"', '\'', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..auth_end];
    let at = auth.rfind('@')?;
    let userinfo = &auth[..at];
    let colon = userinfo.find(':')?;
    Some(format!(
        "{}{}{REDACTED}{}",
        &t[..auth_start],
        &userinfo[..=colon],
        &t[auth_start + at..]
    ))
}

/// `kw=value` / `kw:value` with a secret keyword → `kw=<redacted>`.
fn kv_secret(t: &str) -> Option<String> {
    let i = t.find(['=', ':'])?;
    let (k, v) = (&t[..i], &t[i + 1..]);
    let v = v.trim_matches('"');
    if v.is_empty() || k.is_empty() || v == REDACTED || v.starts_with("//") {
        return None;
    }
    if !secret_word(&norm(k), &[]) {
        return None;
    }
    let q = if t[i + 1..].starts_with('"') {
        "\""
    } else {
        ""
    };
    Some(format!("{}{q}{REDACTED}{q}", &t[..=i]))
}

/// The vendor-neutral pass over one line (`free` = inside free text: only single values
/// are redacted, never the rest of the sentence).
fn structural(line: &str, free: bool) -> Cow<'_, str> {
    // PAN-OS XML `<phash>…</phash>`, `<key>…</key>`.
    if let Some(x) = panos::xml_secret(line, |t| secret_word(t, &[])) {
        return Cow::Owned(x);
    }
    // FortiOS `ENC <base64>` anywhere (also inside quotes).
    if let Some(enc) = redact_enc(line) {
        return Cow::Owned(structural(&enc, free).into_owned());
    }
    // Whatever follows a PEM marker on the same line is key material.
    if let Some(b) = line.find("-----BEGIN") {
        let after = b + "-----BEGIN".len();
        let end = line[after..]
            .find("-----")
            .map(|i| after + i + 5)
            .unwrap_or(line.len());
        let tail = &line[end..];
        let head = structural_tokens(&line[..end], free);
        if tail.trim().trim_matches('"').is_empty() {
            return match head {
                Cow::Borrowed(_) => Cow::Borrowed(line),
                Cow::Owned(h) => Cow::Owned(h + tail),
            };
        }
        return Cow::Owned(format!("{head} {REDACTED}"));
    }
    structural_tokens(line, free)
}

/// The token rules of [`structural`] (no `ENC`, no PEM marker handling).
fn structural_tokens(line: &str, free: bool) -> Cow<'_, str> {
    let toks = tokens(line);
    let text = |k: usize| &line[toks[k].start..toks[k].end];
    let words: Vec<&str> = (0..toks.len()).map(text).collect();
    // (start, end, replacement), in order, not overlapping.
    let mut edits: Vec<(usize, usize, String)> = vec![];
    let n = toks.len();
    let rest_from = |k: usize| (toks[k].start, line.len());
    // FortiOS `set <attr> <value…>`.
    if !free && n >= 3 && words[0] == "set" && fortios::secret_attr(&norm(words[1])) {
        let only = n == 3 && matches!(norm(words[2]).as_str(), "enable" | "disable");
        if !only && !words[2..].contains(&REDACTED) {
            let (s, e) = rest_from(2);
            return Cow::Owned(format!("{}{REDACTED}{}", &line[..s], &line[e..]));
        }
    }
    if !free {
        if let Some(k) = yamaha_rtx::secret_from(&words) {
            if words[k] != REDACTED {
                let s = toks[k].start;
                return Cow::Owned(format!("{}{REDACTED}", &line[..s]));
            }
        }
        if let Some(k) = cisco_ios::snmp_host_community(&words) {
            if words[k] != REDACTED {
                edits.push((toks[k].start, toks[k].end, REDACTED.into()));
            }
        }
    }
    let mut i = 0;
    'tokens: while i < n {
        let w = words[i];
        if edits.last().is_some_and(|e| e.1 > toks[i].start) {
            i += 1;
            continue;
        }
        let nw = norm(w);
        // Free text after `description` / `remark` / `comment` (unquoted forms).
        if !free && free_text_word(&nw) && i + 1 < n {
            let s = toks[i + 1].start;
            let inner = structural(&line[s..], true);
            if let Cow::Owned(x) = inner {
                edits.push((s, line.len(), x));
            }
            break;
        }
        if secret_word(&nw, &words[..i]) && !w.starts_with(['"', '\'']) {
            let mut sep = w.ends_with([':', '=']);
            let mut j = i + 1;
            while j < n {
                let v = norm(words[j]);
                if v == "=" || v == ":" || v == "is" {
                    sep = true;
                    j += 1;
                } else if j + 1 < n
                    && (is_number(&v) || MODIFIERS.contains(&v.as_str()) || words[j] == "ENC")
                {
                    j += 1;
                } else {
                    break;
                }
            }
            if j >= n {
                break;
            }
            let v = norm(words[j]);
            if NOT_A_VALUE.contains(&v.as_str()) || words[j] == REDACTED {
                i = j;
                continue;
            }
            if secret_word(&v, &words[..j]) && j > i {
                i = j;
                continue;
            }
            // `key 1` (a key id), `tunnel key 123`: a lone number after `key` is not secret.
            if nw == "key" && j + 1 == n && is_number(&v) && v.len() <= 5 {
                break;
            }
            if free && !sep && plain_word(words[j]) {
                i = j + 1;
                continue;
            }
            if free || j + 1 >= n {
                let (s, e) = (toks[j].start, toks[j].end);
                let q = |x: &str| x.starts_with('"') && x.ends_with('"') && x.len() >= 2;
                let rep = if q(words[j]) {
                    format!("\"{REDACTED}\"")
                } else if free && words[j].ends_with(['"', '\'', ',', ';', ')']) {
                    // A quote closing the free text stays.
                    let last = &words[j][words[j].len() - 1..];
                    format!("{REDACTED}{last}")
                } else {
                    REDACTED.to_string()
                };
                edits.push((s, e, rep));
                i = j + 1;
                continue;
            }
            // Command syntax: keep what follows only when it is known syntax.
            let next = norm(words[j + 1]);
            if KEEP_AFTER.contains(&next.as_str()) || secret_word(&next, &words[..=j]) {
                edits.push((toks[j].start, toks[j].end, REDACTED.into()));
                i = j + 1;
                continue 'tokens;
            }
            edits.push((toks[j].start, line.len(), REDACTED.into()));
            break;
        }
        // Token-level forms.
        let rep = if w.starts_with(['"', '\'']) {
            let q = &w[..1];
            let closed = w.len() >= 2 && w.ends_with(q);
            let inner = &w[1..if closed { w.len() - 1 } else { w.len() }];
            match structural(inner, true) {
                Cow::Owned(x) => Some(format!("{q}{x}{}", if closed { q } else { "" })),
                Cow::Borrowed(_) => None,
            }
        } else if let Some(u) = url_credentials(w) {
            Some(u)
        } else if let Some(kv) = kv_secret(w) {
            Some(kv)
        } else if high_entropy(w) {
            Some(REDACTED.to_string())
        } else {
            None
        };
        if let Some(r) = rep {
            edits.push((toks[i].start, toks[i].end, r));
        }
        i += 1;
    }
    // Cisco pki / pubkey hex lines seen without their block: `3082032E 30820216 …`.
    if edits.is_empty()
        && n >= 4
        && words.iter().filter(|w| w.len() == 8).count() >= 3
        && words
            .iter()
            .all(|w| w.len() <= 8 && w.bytes().all(|c| c.is_ascii_hexdigit()))
    {
        return Cow::Owned(format!("{}{REDACTED}", &line[..toks[0].start]));
    }
    if edits.is_empty() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (s, e, r) in edits {
        if s < at {
            continue;
        }
        out.push_str(&line[at..s]);
        out.push_str(&r);
        at = e;
    }
    out.push_str(&line[at..]);
    Cow::Owned(out)
}

/// `ENC <value>` (FortiOS encrypted values), anywhere on the line; `None` if absent.
fn redact_enc(line: &str) -> Option<String> {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    let mut changed = false;
    while let Some(i) = rest.find("ENC ") {
        out.push_str(&rest[..i]);
        out.push_str("ENC ");
        let after = &rest[i + 4..];
        let end = after
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(after.len());
        if after[..end] != *REDACTED && end > 0 {
            changed = true;
            out.push_str(REDACTED);
        } else {
            out.push_str(&after[..end]);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
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
            (" standby 1 authentication md5 key-string Hs1", "Hs1"),
            (" standby 1 authentication PlainHsrp", "PlainHsrp"),
            (" vrrp 1 authentication text Vr1", "Vr1"),
            (" ip nhrp authentication NhrpK", "NhrpK"),
            ("snmp-server host 10.0.0.9 version 2c TrapComm", "TrapComm"),
            ("copy scp://u:UrlPw@10.0.0.1/x flash:", "UrlPw"),
            ("  3082032E 30820216 A0030201 02020101", "3082032E"),
        ] {
            let r = redact_line(l);
            assert!(!r.contains(secret), "{l} -> {r}");
            assert!(r.contains(REDACTED), "{l} -> {r}");
        }
        assert_eq!(
            redact_line("crypto isakmp key MyPsk address 1.2.3.4"),
            "crypto isakmp key <redacted> address 1.2.3.4"
        );
        assert_eq!(
            redact_line("snmp-server community S3cr3t RO 10"),
            "snmp-server community <redacted> RO 10"
        );
        assert_eq!(
            redact_line(" ip ospf message-digest-key 20 md5 7 0123456789ABCDEF012345"),
            " ip ospf message-digest-key 20 md5 7 <redacted>"
        );
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
            ("    set auth-key 0x1234abcd", "1234abcd"),
            ("    set comments \"vpn psk: hunter2\"", "hunter2"),
        ] {
            let r = redact_line(l);
            assert!(!r.contains(secret), "{l} -> {r}");
        }
    }

    #[test]
    fn blocks_across_lines() {
        let text = "crypto pki certificate chain TP\n certificate self-signed 01\n  3082032E 30820216\n  B7A6\n  \tquit\nhostname x\n\
config vpn certificate local\n    edit \"k\"\n        set private-key \"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG\nAbC1==\n-----END ENCRYPTED PRIVATE KEY-----\"\n    next\nend\n\
-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nzz\n-----END RSA PRIVATE KEY-----\n\
config system snmp community\n    edit 1\n        set name \"CommName\"\n    next\nend\n";
        let out = redact_text(text);
        for s in [
            "30820216", "B7A6", "MIIBvT", "AbC1", "MIIEpA", "\nzz", "CommName",
        ] {
            assert!(!out.contains(s), "{s} in\n{out}");
        }
        for keep in [
            "hostname x",
            "quit",
            "-----END RSA PRIVATE KEY-----",
            "    next",
        ] {
            assert!(out.contains(keep), "{keep} lost\n{out}");
        }
        assert_eq!(out.lines().count(), text.lines().count());
    }

    #[test]
    fn entropy() {
        assert!(high_entropy("SH2nBLmN8DbG2J6Qx0vFQ1jTGf1vmSdS1Qe3k"));
        assert!(high_entropy("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="));
        for w in [
            "GigabitEthernet1/0/24",
            "TenGigabitEthernet1/1/1.100",
            "2001:db8:0:1234:5678:9abc:def0:1",
            "5e7a9c2a-1b3d-51ea-8f3a-0a1b2c3d4e5f",
            "FGT60F1234567890",
            "LGWAN-Gateway-Server-01",
            "TP-self-signed-3218372431",
            "flash:cat9k_iosxe.17.03.04.SPA.bin",
        ] {
            assert!(!high_entropy(w), "{w}");
        }
    }

    #[test]
    fn ordinary_lines_unchanged() {
        for l in [
            " ip address 10.0.0.1 255.255.255.0",
            "access-list 101 permit tcp any host 10.1.1.1 eq 443",
            "    set srcintf \"port1\"",
            " description uplink to key server",
            "key chain KC",
            " key 1",
            "tunnel key 123",
            " set community 65000:1 additive",
            " match community as1_community",
            "ntp trusted-key 1",
            " standby 1 authentication md5 key-chain KC",
            " ip ospf authentication message-digest",
            " authentication port-control auto",
            "aaa authentication login default group tacacs+ local",
            "service password-encryption",
            "crypto key generate rsa modulus 2048",
            "    set comments \"This is the default CA certificate the SSL Inspection will use.\"",
            "    set uuid 5e7a9c2a-1b3d-51ea-8f3a-0a1b2c3d4e5f",
            "    set authmethod psk",
            "    set keylife 28800",
            " interface GigabitEthernet1/0/24",
            "add rule inet filter forward iifname \"eth0\" ip saddr 10.0.0.0/8 accept comment \"allow lgwan\"",
            "-A FORWARD -s 10.0.0.0/8 -m comment --comment \"mail relay\" -j ACCEPT",
            "        set private-key-retain enable",
        ] {
            assert_eq!(redact_line(l), l);
        }
    }

    #[test]
    fn idempotent() {
        for l in [
            "snmp-server community <redacted>",
            "    set password <redacted>",
            "    set psksecret ENC <redacted>",
            "crypto isakmp key <redacted> address 1.2.3.4",
            "  <redacted>",
        ] {
            assert_eq!(redact_line(l), l);
        }
    }
}
