//! `role-presence`: no host of `roles` (e.g. a wireless access point) is declared in a
//! zone of the `from` tiers. With role `ap`, a device with an interface in such a zone
//! whose configuration has wireless LAN lines (FortiOS `wireless-controller` SSIDs or
//! managed APs, Cisco `dot11 ssid`, `Dot11Radio`, WLC `wlan`) is a finding as well.

use super::{Kind, Message};
use crate::checks::ctx::{tiers, Ctx, Outcome, Plain};
use crate::checks::{Params, Rule, Subject};
use crate::hs::Space;
use crate::model::{PortSpec, Snapshot};

pub struct RolePresence;

const MESSAGES: &[Message] = &[
    Message {
        detail: "wireless-ap",
        ja: "無線 LAN アクセスポイント {src} が {dst} に置かれています",
        en: "The wireless access point {src} sits in {dst}",
    },
    Message {
        detail: "wireless-config",
        ja: "{dst} に接続する機器 {src} の設定に無線 LAN（SSID・アクセスポイント）があります",
        en: "{src}, a device in {dst}, has wireless LAN configuration (SSIDs or access points)",
    },
];

impl Kind for RolePresence {
    fn id(&self) -> &'static str {
        "role-presence"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_common(p, MESSAGES, true)?;
        if p.from.is_empty() {
            return Err("params.from names at least one tier".into());
        }
        if p.minor_from.iter().any(|t| !p.from.contains(t)) {
            return Err("params.minor_from names tiers of params.from".into());
        }
        if !p.minor_from.is_empty() && p.minor_severity.is_empty() {
            return Err("params.minor_from needs params.minor_severity".into());
        }
        let q = Params {
            to: p.from.clone(),
            ..p.clone()
        };
        super::check_tiers(&q)
    }

    fn ports(&self, _p: &Params, _snap: &Snapshot) -> Vec<PortSpec> {
        vec![]
    }

    fn messages(&self) -> &'static [Message] {
        MESSAGES
    }

    fn evaluate(&self, rule: &Rule, cx: &Ctx, _sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        let p = &rule.params;
        let snap = cx.snap;
        let from_t = tiers(&p.from);
        let minor_t = tiers(&p.minor_from);
        if !(0..snap.zones.len()).any(|z| from_t.contains(&snap.zones[z].tier)) {
            out.not_applicable = Some("no-source-zone".into());
            return out;
        }
        let detail = if p.detail.is_empty() {
            MESSAGES[0].detail.to_string()
        } else {
            p.detail.clone()
        };
        for h in &snap.hosts {
            let tier = snap.zones[h.zone].tier;
            if p.roles.contains(&h.role) && from_t.contains(&tier) {
                let mut f = Plain::new(Subject {
                    src: h.name.clone(),
                    dst: snap.zones[h.zone].name.clone(),
                    flow: None,
                    detail: detail.clone(),
                });
                f.minor = minor_t.contains(&tier);
                out.plains.push(f);
            }
        }
        if p.roles.iter().any(|r| r == "ap") {
            for d in snap.devices.iter().filter(|d| !d.facts.wireless.is_empty()) {
                let mut zones: Vec<&str> = vec![];
                for pt in cx.g.points.iter().filter(|pt| pt.device == d.name) {
                    for &z in &pt.zones {
                        let zn = snap.zones[z].name.as_str();
                        if from_t.contains(&snap.zones[z].tier) && !zones.contains(&zn) {
                            zones.push(zn);
                        }
                    }
                }
                if zones.is_empty() {
                    continue;
                }
                let spans: Vec<_> = d.facts.wireless.iter().collect();
                out.plains.push(super::config_finding(
                    &d.name,
                    zones.join(", "),
                    "wireless-config",
                    false,
                    &spans,
                ));
            }
        }
        out
    }
}
