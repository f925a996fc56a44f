//! The 自己点検票 (`checklist.csv`): one row per check and one per item configuration
//! cannot prove ([`crate::checks::MANUAL`]). Always Japanese.

use crate::checks::audit::Audit;
use crate::checks::MANUAL;
use crate::render::{csv_field, status_ja, Render};
use crate::report::Report;

/// UTF-8 with BOM, CRLF line ends (opens correctly in spreadsheet software).
pub struct Checklist;

impl Render for Checklist {
    fn name(&self) -> &'static str {
        "checklist"
    }
    fn extension(&self) -> &'static str {
        "csv"
    }
    /// Rows come from the audit's own results and rule pack (titles in Japanese whatever
    /// the report's language).
    fn render(&self, audit: &Audit, _report: &Report) -> String {
        checklist_csv(audit)
    }
}

/// The checklist of `a`.
pub fn checklist_csv(a: &Audit) -> String {
    let mut out = String::from("\u{feff}ルールID,項目,ガイドライン条項,判定,検出件数\r\n");
    for c in &a.eval.checks {
        let rule = a.rules.iter().find(|r| r.id == c.rule);
        let n = a.eval.findings.iter().filter(|f| f.rule == c.rule).count();
        let row = [
            c.rule.clone(),
            rule.map(|r| r.title_ja.clone()).unwrap_or_default(),
            rule.map(|r| r.clause.clone()).unwrap_or_default(),
            status_ja(c.status.id()).to_string(),
            n.to_string(),
        ];
        let row: Vec<String> = row.iter().map(|s| csv_field(s)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    for m in MANUAL {
        out.push_str(&format!("{},{},-,要手動確認,\r\n", m.id, m.title_ja));
    }
    out
}
