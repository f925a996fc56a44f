//! The guideline the rule pack's clauses cite: its edition (stated here and nowhere else)
//! and the headings of the cited sections, so an output can print a clause id with its
//! full Japanese text and group rules by the section they cite.
//!
//! Headings are copied from the guideline text (../shared/seeds/001_*: 第3編 第2章 3.
//! 情報システム全体の強靭性の向上, 6. 技術的セキュリティ, and 第4編 参考５); the edition
//! is the last revision that text records (H30.9 一部改定).

/// The guideline's title.
pub const GUIDELINE: &str = "地方公共団体における情報セキュリティポリシーに関するガイドライン";
/// The edition the clause ids of the rule pack refer to.
pub const EDITION: &str = "平成30年9月版";

/// `「title」（edition）`, as printed on reports.
pub fn guideline() -> String {
    format!("「{GUIDELINE}」（{EDITION}）")
}

/// Section id → heading. A clause id is shown with the headings of every prefix of its
/// section id (`3.` › `3.(1)` › `3.(1)①`).
const HEADINGS: &[(&str, &str)] = &[
    ("3.", "第3編 第2章 3. 情報システム全体の強靭性の向上"),
    ("3.(1)", "(1) マイナンバー利用事務系"),
    ("3.(1)①", "① マイナンバー利用事務系と他の領域との分離"),
    ("3.(1)②", "② 情報のアクセス及び持ち出しにおける対策"),
    ("3.(2)", "(2) LGWAN接続系"),
    ("3.(2)①", "① LGWAN接続系とインターネット接続系の分割"),
    ("3.(3)", "(3) インターネット接続系"),
    (
        "3.(3)②",
        "② 市区町村のインターネット接続口を集約する自治体情報セキュリティクラウドへの参加",
    ),
    ("3.(4)", "(4) その他のセキュリティ対策"),
    ("3.(4)①", "① プリンタ・複合機の情報セキュリティ対策"),
    ("3.(4)②", "② 本庁・支所・出先機関間でのネットワーク通信"),
    (
        "3.(4)③",
        "③ マイナンバー利用事務系とLGWAN接続系における無線LANの利用",
    ),
    ("3.(4)④", "④ 修正プログラム及びパターンファイルの更新"),
    ("3.(4)⑥", "⑥ VPN接続による外部との通信"),
    (
        "3.(4)⑧",
        "⑧ J-ALERT等のLGWAN接続系とインターネット接続系の双方への接続が必要な情報システムへの対応",
    ),
    ("5.", "第3編 第2章 5. 人的セキュリティ"),
    ("5.4", "5.4. ID 及びパスワード等の管理"),
    ("6.", "第3編 第2章 6. 技術的セキュリティ"),
    ("6.x", "第3編 第2章 6. 技術的セキュリティ"),
    ("6.1", "6.1. コンピュータ及びネットワークの管理"),
    ("6.5", "6.5. 不正アクセス対策"),
    ("6.6", "6.6. セキュリティ情報の収集"),
    (
        "参考5",
        "第4編 参考５ 自治体情報システム強靱性向上モデル 要件シートの一例",
    ),
    ("参考", "第4編 参考資料"),
];

/// The section id a clause part starts with (`3.(1)①` of `3.(1)① 例文`, `参考5` of
/// `参考5 No.2`, `6.x`), or None when the part continues the previous one (`解説 (1)①`).
fn section(part: &str) -> Option<&str> {
    if part.starts_with(|c: char| c.is_ascii_digit()) {
        let end = part
            .char_indices()
            .find(|&(_, c)| {
                !(c.is_ascii_digit() || matches!(c, '.' | '(' | ')' | 'x') || is_circled(c))
            })
            .map_or(part.len(), |(i, _)| i);
        return Some(&part[..end]);
    }
    if let Some(rest) = part.strip_prefix("参考") {
        let n = rest
            .char_indices()
            .find(|&(_, c)| !c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        return Some(&part[.."参考".len() + n]);
    }
    None
}

fn is_circled(c: char) -> bool {
    ('①'..='⑳').contains(&c)
}

/// The sections a rule's clause string cites, in order, without repeats: a part without
/// its own section id (`解説 (1)①` after `3.(1)① 例文`) belongs to the one before it.
pub fn sections(clause: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for part in clause.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match section(part) {
            Some(s) if !out.iter().any(|o| o == s) => out.push(s.to_string()),
            Some(_) => {}
            None if out.is_empty() => out.push(part.to_string()),
            None => {}
        }
    }
    out
}

/// The full Japanese heading of a section id: the headings of its prefixes joined, or
/// the id itself when the guideline table has none.
pub fn heading(section: &str) -> String {
    let mut parts = vec![];
    for (i, c) in section.char_indices() {
        let end = i + c.len_utf8();
        if matches!(c, '.' | ')') || is_circled(c) || end == section.len() {
            if let Some((_, h)) = HEADINGS.iter().find(|(k, _)| *k == &section[..end]) {
                parts.push(*h);
            }
        }
    }
    if parts.is_empty() {
        section.to_string()
    } else {
        parts.join(" › ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_parts_stay_with_their_section() {
        assert_eq!(sections("3.(1)① 例文; 解説 (1)①"), ["3.(1)①"]);
        assert_eq!(
            sections("3.(2)① 例文; 解説 (ア)(イ) (注6); 参考5 No.6 ②"),
            ["3.(2)①", "参考5"]
        );
        assert_eq!(
            sections("参考5 No.1, No.5 (なお書き); 6.x 自動識別の設定"),
            ["参考5", "6.x"]
        );
        assert_eq!(sections("3.(3) 解説 (注8)(b)"), ["3.(3)"]);
        assert_eq!(
            sections("参考5 No.1 ①-2; 参考 フロアSW/L3SW"),
            ["参考5", "参考"]
        );
    }

    #[test]
    fn headings_chain_every_level() {
        assert_eq!(
            heading("3.(1)①"),
            "第3編 第2章 3. 情報システム全体の強靭性の向上 › (1) マイナンバー利用事務系 › ① マイナンバー利用事務系と他の領域との分離"
        );
        assert_eq!(
            heading("3.(4)⑥"),
            "第3編 第2章 3. 情報システム全体の強靭性の向上 › (4) その他のセキュリティ対策 › ⑥ VPN接続による外部との通信"
        );
        assert_eq!(heading("9.(9)"), "9.(9)");
    }

    #[test]
    fn every_rule_clause_has_a_heading() {
        for r in crate::checks::load_builtin().unwrap() {
            for s in sections(&r.clause) {
                assert_ne!(heading(&s), s, "{}: {s} has no heading", r.id);
            }
        }
    }
}
