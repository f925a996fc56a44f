//! The `sanso.report/v2` JSON document (`sanso audit --format json`, `findings.json`).

use crate::checks::audit::Audit;
use crate::render::Render;
use crate::report::Report;

/// Pretty-printed JSON of the report, with a final newline.
pub struct Json;

impl Render for Json {
    fn name(&self) -> &'static str {
        "json"
    }
    fn extension(&self) -> &'static str {
        "json"
    }
    fn render(&self, _audit: &Audit, report: &Report) -> String {
        json(report)
    }
}

/// The report as pretty-printed JSON, with a final newline.
pub fn json(report: &Report) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(report).expect("report serialises")
    )
}
