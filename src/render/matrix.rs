//! `sanso matrix` as text, CSV and JSON: one cell per zone pair, the services of its new
//! flows.

use crate::query::matrix::{Cell, Matrix};
use crate::render::csv_field;
use crate::report::Lang;

/// Schema id of `sanso matrix --format json`.
pub const SCHEMA: &str = "sanso.matrix/v1";

/// A cell in a few words: `-` (no new flows), `any` (every new flow into the zone),
/// `all-svc` (every listed service and other), or the services.
pub fn summary(c: &Cell) -> String {
    if c.empty {
        return "-".into();
    }
    let mut v = vec![];
    if c.any {
        v.push("any".to_string());
    }
    if c.every_service() {
        v.push("all-svc".to_string());
    } else {
        v.extend(c.services.iter().cloned());
    }
    v.join(" ")
}

/// The `sanso.matrix/v1` document: the zones, and one entry per zone pair with new flows
/// (`from`, `to`, `any`, `services` as in the text: `tcp/22` … `icmp`, `other`).
pub fn json(m: &Matrix) -> String {
    let mut pairs = vec![];
    for (s, row) in m.cells.iter().enumerate() {
        for (d, c) in row.iter().enumerate() {
            if c.empty {
                continue;
            }
            pairs.push(serde_json::json!({
                "from": m.zones[s],
                "to": m.zones[d],
                "any": c.any,
                "services": c.services,
            }));
        }
    }
    let doc = serde_json::json!({
        "schema": SCHEMA,
        "tool": { "name": "sanso", "version": env!("CARGO_PKG_VERSION") },
        "zones": m.zones,
        "pairs": pairs,
    });
    format!(
        "{}\n",
        serde_json::to_string_pretty(&doc).expect("matrix serialises")
    )
}

/// CSV, UTF-8 with BOM (for spreadsheet software).
pub fn csv(m: &Matrix, lang: Lang) -> String {
    let corner = if lang == Lang::Ja {
        "送信元＼宛先"
    } else {
        "from\\to"
    };
    let mut out = String::from("\u{feff}");
    out.push_str(corner);
    for z in &m.zones {
        out.push(',');
        out.push_str(&csv_field(z));
    }
    out.push_str("\r\n");
    for (i, row) in m.cells.iter().enumerate() {
        out.push_str(&csv_field(&m.zones[i]));
        for c in row {
            out.push(',');
            out.push_str(&csv_field(&summary(c)));
        }
        out.push_str("\r\n");
    }
    out
}

fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// The matrix as an aligned terminal table (rows: from, columns: to) with a legend.
pub fn text(m: &Matrix, lang: Lang) -> String {
    let corner = if lang == Lang::Ja {
        "送信元＼宛先"
    } else {
        "from\\to"
    };
    let n = m.zones.len();
    let mut cols: Vec<Vec<String>> = vec![];
    let mut first = vec![corner.to_string()];
    first.extend(m.zones.iter().cloned());
    cols.push(first);
    for d in 0..n {
        let mut c = vec![m.zones[d].clone()];
        for s in 0..n {
            c.push(summary(&m.cells[s][d]));
        }
        cols.push(c);
    }
    let widths: Vec<usize> = cols
        .iter()
        .map(|c| c.iter().map(|s| width(s)).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in 0..=n {
        let line: Vec<String> = cols
            .iter()
            .zip(&widths)
            .map(|(c, &w)| pad(&c[r], w))
            .collect();
        out.push_str(line.join(" | ").trim_end());
        out.push('\n');
        if r == 0 {
            let sep: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            out.push_str(&sep.join("-+-"));
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(if lang == Lang::Ja {
        "凡例: - = 新規通信なし / all-svc = 一覧の全サービス(tcp/22,25,53,80,443,445,3389 udp/53,123 icmp)とその他を含む / any = 宛先ゾーンへの全新規通信\n"
    } else {
        "Legend: - = no new flows / all-svc = every listed service (tcp/22,25,53,80,443,445,3389 udp/53,123 icmp) and other / any = every new flow into the zone\n"
    });
    out
}

#[cfg(test)]
mod tests {
    use super::csv;
    use crate::query::matrix::{Cell, Matrix};
    use crate::report::Lang;

    #[test]
    fn csv_cells_that_look_like_formulas_stay_text() {
        let cell = |services: &[&str]| Cell {
            empty: services.is_empty(),
            any: false,
            services: services.iter().map(|s| s.to_string()).collect(),
        };
        let m = Matrix {
            zones: vec!["=HYPERLINK(\"http://x\",\"y\")".into(), "@lg".into()],
            cells: vec![
                vec![cell(&[]), cell(&["tcp/443"])],
                vec![cell(&[]), cell(&[])],
            ],
        };
        // Header: the formula zone gets a ' and, holding quotes and a comma, is quoted
        // with its quotes doubled; "@lg" gets a '; "-" (no flows) stays as it is.
        assert_eq!(
            csv(&m, Lang::En),
            "\u{feff}from\\to,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@lg\r\n\
             \"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-,tcp/443\r\n\
             '@lg,-,-\r\n"
        );
    }
}
