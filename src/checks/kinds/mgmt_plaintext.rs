//! `mgmt-plaintext`: no device accepts management over Telnet or HTTP (credentials and
//! sessions in clear text). Explicit lines are the finding; a service the platform enables
//! by default (classic IOS vty lines without `transport input`) is the lesser finding.

use super::{Kind, Message};
use crate::checks::ctx::{Ctx, Outcome};
use crate::checks::{Params, Rule};
use crate::hs::Space;
use crate::model::{MgmtProto, PortSpec, Snapshot};

pub struct MgmtPlaintext;

const MESSAGES: &[Message] = &[
    Message {
        detail: "mgmt-telnet",
        ja: "{src} は Telnet（平文）による管理接続を受け付けます（{dst}）",
        en: "{src} accepts management over Telnet (clear text) on {dst}",
    },
    Message {
        detail: "mgmt-http",
        ja: "{src} は HTTP（平文）による管理画面を公開しています（{dst}）",
        en: "{src} serves its management web UI over HTTP (clear text) on {dst}",
    },
    Message {
        detail: "mgmt-telnet-default",
        ja: "{src} の {dst} は transport input の指定がなく、この版の既定で Telnet を受け付けます",
        en: "{dst} of {src} has no transport input and accepts Telnet by this release's default",
    },
];

impl Kind for MgmtPlaintext {
    fn id(&self) -> &'static str {
        "mgmt-plaintext"
    }
    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_hygiene(p, MESSAGES)?;
        if p.minor_severity.is_empty() {
            return Err("params.minor_severity is the severity of services on by default".into());
        }
        Ok(())
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
            for (proto, by_default, detail) in [
                (MgmtProto::Telnet, false, "mgmt-telnet"),
                (MgmtProto::Http, false, "mgmt-http"),
                (MgmtProto::Telnet, true, "mgmt-telnet-default"),
            ] {
                let ms: Vec<_> = d
                    .facts
                    .mgmt
                    .iter()
                    .filter(|m| m.proto == proto && m.by_default == by_default)
                    .collect();
                if ms.is_empty() {
                    continue;
                }
                let on: Vec<&str> = ms.iter().map(|m| m.on.as_str()).collect();
                let spans: Vec<_> = ms.iter().map(|m| &m.span).collect();
                out.plains.push(super::config_finding(
                    &d.name,
                    on.join(", "),
                    detail,
                    by_default,
                    &spans,
                ));
            }
        }
        out
    }
}
