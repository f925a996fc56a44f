//! Guideline items that configuration cannot prove: every report lists them for the
//! auditor to confirm by hand (HTML report, 自己点検票).

/// One item to confirm by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManualItem {
    pub id: &'static str,
    pub title_ja: &'static str,
    pub title_en: &'static str,
}

/// The items, in report order.
pub const MANUAL: [ManualItem; 4] = [
    ManualItem {
        id: "MANUAL-MFA",
        title_ja: "多要素認証",
        title_en: "multi-factor authentication",
    },
    ManualItem {
        id: "MANUAL-USB",
        title_ja: "USB 持ち出し制御",
        title_en: "USB / removable media control",
    },
    ManualItem {
        id: "MANUAL-CCTV",
        title_ja: "監視カメラ",
        title_en: "surveillance cameras",
    },
    ManualItem {
        id: "MANUAL-OPS",
        title_ja: "運用体制",
        title_en: "operations and organisation",
    },
];
