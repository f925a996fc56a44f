//! Outputs, rendered from a report: terminal text, JSON, HTML with SVG diagrams, SARIF,
//! the 自己点検票 CSV ([`Render`] implementations), the evidence bundle that writes them
//! all, and the text/CSV/HTML of `trace`, `matrix` and `diff`.
//!
//! Renderers read the [`Report`] and the [`Audit`] it was built from — never the snapshot
//! folder: quoted config lines and input hashes are the ones the loader recorded
//! ([`crate::model::SourceFile`]). Dependencies run one way: [`evidence`] calls the
//! others; [`html`] calls [`svg`]; everything may use the small shared pieces here.

pub mod checklist;
pub mod clause;
pub mod diff;
pub mod evidence;
pub mod html;
pub mod json;
pub mod matrix;
pub mod sarif;
pub mod svg;
pub mod terminal;
pub mod trace;

use crate::checks::audit::Audit;
use crate::report::{Lang, Report};

/// One output of an audit. `report` was built from `audit` (in the output's language:
/// [`Report::lang`]).
pub trait Render {
    /// What the output is called (`--format` value, or bundle file stem).
    fn name(&self) -> &'static str;
    /// File name extension when written to a file.
    fn extension(&self) -> &'static str;
    /// The whole output.
    fn render(&self, audit: &Audit, report: &Report) -> String;
}

pub use checklist::Checklist;
pub use html::Html;
pub use json::Json;
pub use sarif::Sarif;
pub use terminal::Terminal;

/// HTML-escape text (also safe inside double- or single-quoted attributes).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// One CSV field: quoted when it holds `,` `"` or a line end, and a cell that a
/// spreadsheet would read as a formula (first character `=`, `+`, `-`, `@`, tab or CR) is
/// prefixed with `'` so it stays text (a lone `-`, the "nothing" mark, is left as it is).
pub fn csv_field(s: &str) -> String {
    let formula = s != "-" && s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let s = if formula {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The Japanese label of a check status id (`pass`, `violated`, `unproven`, anything else
/// = not applicable), shared by every Japanese output.
pub fn status_ja(id: &str) -> &'static str {
    match id {
        "pass" => "適合",
        "violated" => "違反",
        "unproven" => "未証明",
        _ => "対象外",
    }
}

/// `ja` or `en` by language.
pub(crate) fn tr(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests;
