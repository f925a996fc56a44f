//! Guideline items that configuration cannot prove: every report lists them for the
//! auditor to confirm by hand (HTML report, 自己点検票), with their clause; and the 11
//! ransomware items of the 2025 guidance (data/ransomware-11.toml) mapped to the checks
//! that cover them.

use serde::Deserialize;

/// One item to confirm by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManualItem {
    pub id: &'static str,
    pub title_ja: &'static str,
    pub title_en: &'static str,
    /// The guideline text it comes from.
    pub clause: &'static str,
}

/// The items, in report order.
pub const MANUAL: [ManualItem; 5] = [
    ManualItem {
        id: "MANUAL-MFA",
        title_ja: "多要素認証",
        title_en: "multi-factor authentication",
        clause: "3.(1)②(ア) 情報のアクセス対策",
    },
    ManualItem {
        id: "MANUAL-USB",
        title_ja: "USB 持ち出し制御",
        title_en: "USB / removable media control",
        clause: "3.(1)②(イ) 情報の持ち出し不可設定",
    },
    ManualItem {
        id: "MANUAL-CCTV",
        title_ja: "監視カメラ",
        title_en: "surveillance cameras",
        clause: "第2編 物理的セキュリティ (2) 管理区域の入退室管理等",
    },
    ManualItem {
        id: "MANUAL-OPS",
        title_ja: "運用体制",
        title_en: "operations and organisation",
        clause: "第2編 組織体制",
    },
    ManualItem {
        id: "MANUAL-WIRELESS-CONFIG",
        title_ja: "機器の無線 LAN 設定",
        title_en: "wireless configuration on the devices",
        clause: "3.(4)③",
    },
];

/// One of the 11 ransomware items: the checks that cover it and what stays manual.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RansomItem {
    pub no: u32,
    pub text: String,
    pub checks: Vec<String>,
    /// What configuration cannot show (empty: the checks cover the item).
    pub manual: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RansomFile {
    source: String,
    item: Vec<RansomItem>,
}

/// The mapping file as shipped.
pub const RANSOMWARE_TOML: &str = include_str!("../../data/ransomware-11.toml");

/// The 11 items and the source they are quoted from; an unreadable file (a build that
/// broke it — a test keeps it readable) gives no items rather than a crash.
pub fn ransomware() -> (String, Vec<RansomItem>) {
    match toml::from_str::<RansomFile>(RANSOMWARE_TOML) {
        Ok(f) => (f.source, f.item),
        Err(e) => (format!("data/ransomware-11.toml: {e}"), vec![]),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn eleven_items_each_covered_or_manual() {
        let (_, items) = super::ransomware();
        assert_eq!(items.len(), 11);
        for (i, it) in items.iter().enumerate() {
            assert_eq!(it.no as usize, i + 1);
            assert!(!it.checks.is_empty() || !it.manual.is_empty(), "{}", it.no);
        }
    }
}
