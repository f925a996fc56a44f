//! The 自己点検票 (`checklist.csv`): one row per check and one per item configuration
//! cannot prove under the model in force ([`crate::checks::MANUAL`]), each with its guideline clause and empty
//! 確認者 / 確認日 / 備考 columns for the reviewer's sign-off. Always Japanese.

use crate::checks::audit::Audit;
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

/// The checklist of `a`: every check of the model in force with its verdict, the items
/// configuration cannot prove (要手動確認, with their clause), then the 11 ransomware items
/// of the 2025 guidance with the checks that cover them. The last column links the two:
/// on a check row the ransomware items it covers, on an item row its checks.
pub fn checklist_csv(a: &Audit) -> String {
    let (_, items) = crate::checks::manual::ransomware();
    let mut out = String::from(
        "\u{feff}ルールID,項目,ガイドライン条項,判定,検出件数,ランサムウェア対策11項目,確認者,確認日,備考\r\n",
    );
    // The last three columns (確認者, 確認日, 備考) are left empty for the reviewer.
    let mut row = |cells: [String; 6]| {
        let cells: Vec<String> = cells.iter().map(|s| csv_field(s)).collect();
        out.push_str(&cells.join(","));
        out.push_str(",,,");
        out.push_str("\r\n");
    };
    for c in &a.eval.checks {
        let rule = a.rules.iter().find(|r| r.id == c.rule);
        let n = a.eval.findings.iter().filter(|f| f.rule == c.rule).count();
        let covers: Vec<String> = items
            .iter()
            .filter(|it| it.checks.contains(&c.rule))
            .map(|it| it.no.to_string())
            .collect();
        row([
            c.rule.clone(),
            rule.map(|r| r.title_ja.clone()).unwrap_or_default(),
            rule.map(|r| r.clause.clone()).unwrap_or_default(),
            status_ja(c.status.id()).to_string(),
            n.to_string(),
            covers.join(" "),
        ]);
    }
    for m in crate::checks::manual_for(&a.snapshot.model) {
        row([
            m.id.into(),
            m.title_ja.into(),
            m.clause.into(),
            "要手動確認".into(),
            String::new(),
            String::new(),
        ]);
    }
    for it in &items {
        let (verdict, n, checks) = ransom_verdict(a, it);
        row([
            format!("RANSOM-{:02}", it.no),
            it.text.clone(),
            format!("11項目 {}", it.no),
            verdict.into(),
            n,
            checks,
        ]);
    }
    out
}

/// An item's verdict from the checks that cover it: 違反 / 未証明 if one of them is, else
/// 要手動確認 when part of it is out of configuration scope, else 適合 (or 対象外 when
/// none of its checks ran). Also the findings count and the checks (those not in this
/// pack marked).
pub fn ransom_verdict(
    a: &Audit,
    it: &crate::checks::manual::RansomItem,
) -> (&'static str, String, String) {
    use crate::checks::Status;
    let ran: Vec<&crate::checks::CheckResult> = a
        .eval
        .checks
        .iter()
        .filter(|c| it.checks.contains(&c.rule))
        .collect();
    let n = a
        .eval
        .findings
        .iter()
        .filter(|f| it.checks.contains(&f.rule))
        .count();
    let has = |s: Status| ran.iter().any(|c| c.status == s);
    let verdict = if has(Status::Violated) {
        status_ja("violated")
    } else if has(Status::Unproven) {
        status_ja("unproven")
    } else if !it.manual.is_empty() {
        "要手動確認"
    } else if has(Status::Pass) {
        status_ja("pass")
    } else {
        status_ja("not-applicable")
    };
    let checks: Vec<String> = it
        .checks
        .iter()
        .map(|c| {
            if a.rules.iter().any(|r| &r.id == c) {
                c.clone()
            } else {
                format!("{c}（未搭載）")
            }
        })
        .collect();
    let n = if ran.is_empty() {
        String::new()
    } else {
        n.to_string()
    };
    (verdict, n, checks.join(" "))
}
