//! `snmp-community`: no SNMPv1/v2c community is a well-known name (public, private, a
//! vendor default …) and none grants write access. The community itself is a secret and
//! never named: the finding cites its lines.

use super::{Kind, Message};
use crate::checks::ctx::{Ctx, Outcome};
use crate::checks::{Params, Rule};
use crate::hs::Space;
use crate::model::{PortSpec, Snapshot};

pub struct SnmpCommunity;

const MESSAGES: &[Message] = &[
    Message {
        detail: "snmp-well-known",
        ja:
            "{src} の SNMP コミュニティ名が推測されやすい既定値（public / private 等）です（{dst}）",
        en: "An SNMP community of {src} is a well-known default (public, private, …) ({dst})",
    },
    Message {
        detail: "snmp-write",
        ja: "{src} は SNMPv1/v2c の書込み（read-write）を許しています（{dst}）",
        en: "{src} grants SNMPv1/v2c write access (read-write) ({dst})",
    },
];

impl Kind for SnmpCommunity {
    fn id(&self) -> &'static str {
        "snmp-community"
    }
    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_hygiene(p, MESSAGES)
    }
    fn ports(&self, _p: &Params, _snap: &Snapshot) -> Vec<PortSpec> {
        vec![]
    }
    fn messages(&self) -> &'static [Message] {
        MESSAGES
    }
    fn evaluate(&self, _rule: &Rule, cx: &Ctx, _sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        if super::no_devices(cx, &mut out) {
            return out;
        }
        for d in &cx.snap.devices {
            for (detail, pick) in [
                (
                    "snmp-well-known",
                    (|c: &crate::model::SnmpCommunity| c.well_known) as fn(&_) -> bool,
                ),
                ("snmp-write", |c| c.write),
            ] {
                let spans: Vec<_> = d
                    .facts
                    .snmp
                    .iter()
                    .filter(|c| pick(c))
                    .map(|c| &c.span)
                    .collect();
                if spans.is_empty() {
                    continue;
                }
                let at: Vec<String> = spans.iter().map(|s| s.to_string()).collect();
                out.plains.push(super::config_finding(
                    &d.name,
                    at.join(", "),
                    detail,
                    false,
                    &spans,
                ));
            }
        }
        out
    }
}
