//! `port-admission`: every access switchport that is an edge point of a zone of the
//! `from` tiers admits only registered devices — static port-security MACs, or 802.1X /
//! MAB that authenticates (not open or multi-host mode). Shut-down ports are not judged.
//! Port security that only learns (sticky or dynamic, no static MAC filling its maximum)
//! is the lesser finding (`minor_severity`).

use super::{Kind, Message};
use crate::checks::ctx::{tiers, Ctx, Outcome, Plain};
use crate::checks::{Params, Rule, Subject};
use crate::hs::Space;
use crate::model::{AuthAdmit, IfMode, PortSpec, Snapshot};
use crate::net::path::Hop;
use std::collections::BTreeMap;

pub struct PortAdmission;

const MESSAGES: &[Message] = &[
    Message {
        detail: "unregistered-ports",
        ja: "{src} のアクセスポート {dst} は登録機器以外も接続できます（ポートセキュリティ・802.1X/MAB なし）",
        en: "Access ports {dst} of {src} admit unregistered devices (no port security, no 802.1X / MAB)",
    },
    Message {
        detail: "learned-macs-only",
        ja: "{src} のアクセスポート {dst} のポートセキュリティは MAC アドレスを学習するだけです（静的登録なし）",
        en: "Port security on access ports {dst} of {src} only learns MAC addresses (none registered statically)",
    },
];

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Admits {
    Registered,
    Learned,
    Anyone,
}

impl Kind for PortAdmission {
    fn id(&self) -> &'static str {
        "port-admission"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_common(p, MESSAGES, false)?;
        if p.minor_severity.is_empty() {
            return Err("params.minor_severity is the severity of learned-only ports".into());
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
        let snap = cx.snap;
        let from_t = tiers(&rule.params.from);
        // (device, what the ports admit) → (ports, their lines)
        let mut groups: BTreeMap<(String, Admits), Vec<(String, String)>> = BTreeMap::new();
        let mut judged = 0;
        for pt in &cx.g.points {
            if !pt
                .zones
                .iter()
                .any(|&z| from_t.contains(&snap.zones[z].tier))
            {
                continue;
            }
            let Some(d) = cx.device(&pt.device) else {
                continue;
            };
            let Some(i) = d.interface(&pt.interface) else {
                continue;
            };
            if i.shutdown || !matches!(i.mode, IfMode::Access { .. }) {
                continue;
            }
            judged += 1;
            let auth_ok = i
                .port_auth
                .as_ref()
                .is_some_and(|a| a.admit != AuthAdmit::Any);
            let admits = match (&i.port_security, auth_ok) {
                (_, true) => Admits::Registered,
                (Some(ps), false) if !ps.macs.is_empty() => Admits::Registered,
                (Some(_), false) => Admits::Learned,
                (None, false) => Admits::Anyone,
            };
            if admits == Admits::Registered {
                continue;
            }
            let mut line = i.span.to_string();
            if let Some(s) = i.port_security.as_ref().map(|p| &p.span) {
                line = format!("{line} {s}");
            }
            groups
                .entry((d.name.clone(), admits))
                .or_default()
                .push((i.name.clone(), line));
        }
        if judged == 0 {
            out.not_applicable = Some("no-access-port".into());
            return out;
        }
        for ((dev, admits), ports) in groups {
            let names: Vec<&str> = ports.iter().map(|p| p.0.as_str()).collect();
            // A range stanza gives several ports the same lines: cite each once.
            let mut lines: Vec<String> = vec![];
            for l in ports.iter().flat_map(|p| p.1.split(' ')) {
                if !lines.iter().any(|x| x == l) {
                    lines.push(l.to_string());
                }
            }
            out.plains.push(Plain {
                subject: Subject {
                    src: dev.clone(),
                    dst: names.join(", "),
                    flow: None,
                    detail: if admits == Admits::Anyone {
                        MESSAGES[0].detail.into()
                    } else {
                        MESSAGES[1].detail.into()
                    },
                },
                minor: admits == Admits::Learned,
                evidence: vec![Hop {
                    device: dev,
                    in_if: None,
                    out: None,
                    lines,
                }],
            });
        }
        out
    }
}
