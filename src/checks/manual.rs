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
    /// The models it is asked in (empty: every model; docs/models.md).
    pub models: &'static [&'static str],
}

impl ManualItem {
    pub fn applies(&self, model: &str) -> bool {
        self.models.is_empty() || self.models.contains(&model)
    }
}

/// The items asked under `model`, in report order.
pub fn manual_for(model: &str) -> impl Iterator<Item = &'static ManualItem> + '_ {
    MANUAL.iter().filter(move |m| m.applies(model))
}

/// The items, in report order.
pub const MANUAL: [ManualItem; 10] = [
    ManualItem {
        id: "MANUAL-MFA",
        title_ja: "多要素認証",
        title_en: "multi-factor authentication",
        clause: "3.(1)②(ア) 情報のアクセス対策",
        models: &[],
    },
    ManualItem {
        id: "MANUAL-USB",
        title_ja: "USB 持ち出し制御",
        title_en: "USB / removable media control",
        clause: "3.(1)②(イ) 情報の持ち出し不可設定",
        models: &[],
    },
    ManualItem {
        id: "MANUAL-CCTV",
        title_ja: "監視カメラ",
        title_en: "surveillance cameras",
        clause: "第2編 物理的セキュリティ (2) 管理区域の入退室管理等",
        models: &[],
    },
    ManualItem {
        id: "MANUAL-OPS",
        title_ja: "運用体制",
        title_en: "operations and organisation",
        clause: "第2編 組織体制",
        models: &[],
    },
    ManualItem {
        id: "MANUAL-WIRELESS-CONFIG",
        title_ja: "機器の無線 LAN 設定",
        title_en: "wireless configuration on the devices",
        clause: "3.(4)③",
        models: &[],
    },
    ManualItem {
        id: "MANUAL-ALPHA-PRIME-WIRELESS",
        title_ja: "LGWAN接続系の無線 LAN の条件（暗号化・IEEE 802.1X 認証）",
        title_en: "conditions of wireless LAN in LGWAN接続系 (encryption, IEEE 802.1X)",
        clause: "3.(4)③; 6.1(13) 無線 LAN 及びネットワークの盗聴対策",
        models: &["alpha-prime"],
    },
    ManualItem {
        id: "MANUAL-ALPHA-PRIME-SCREEN",
        title_ja: "マイナンバー利用事務系への画面転送の条件（画面転送用プロトコル以外の禁止・データ持ち出し不可）",
        title_en: "conditions of screen transfer into マイナンバー利用事務系 (screen-transfer protocol only, no data export)",
        clause: "3.(1)① 解説 マイナンバー利用事務系に係る画面転送の方式",
        models: &["alpha-prime"],
    },
    ManualItem {
        id: "MANUAL-BETA-PRIME-EDR",
        title_ja: "未知の不正プログラム対策（エンドポイント対策・EDR）",
        title_en: "unknown-malware countermeasures (endpoint detection and response)",
        clause: "3.(3)③ 解説 β'モデルを採用する場合の必須のセキュリティ対策",
        models: &["beta-prime"],
    },
    ManualItem {
        id: "MANUAL-BETA-PRIME-LOG",
        title_ja: "業務システムログ管理（収集・分析・保管）",
        title_en: "business-system log management (collection, analysis, retention)",
        clause: "3.(3)③ 解説 β'モデルを採用する場合の必須のセキュリティ対策",
        models: &["beta-prime"],
    },
    ManualItem {
        id: "MANUAL-BETA-PRIME-ACCESS",
        title_ja: "情報資産単位でのアクセス制御（業務システム単位、文書管理サーバは課室単位）",
        title_en: "access control per information asset (per business system; per section on document servers)",
        clause: "3.(3)③ 解説 β'モデルを採用する場合の必須のセキュリティ対策",
        models: &["beta-prime"],
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
    fn manual_items_name_known_models() {
        for m in super::MANUAL {
            for x in m.models {
                assert!(crate::checks::MODELS.contains(x), "{}: {x}", m.id);
            }
        }
        assert_eq!(super::manual_for("alpha").count(), 5);
        assert_eq!(super::manual_for("beta").count(), 5);
        assert_eq!(super::manual_for("alpha-prime").count(), 7);
        assert_eq!(super::manual_for("beta-prime").count(), 8);
    }

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
