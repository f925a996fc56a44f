//! `password-reuse`: no administrator secret is the same on two or more devices (equal
//! keyed digests of the stored value, or of the clear text when the storage is reversible),
//! none is a vendor default, none is empty. Findings name devices, accounts and lines,
//! never a value or a digest.

use super::{Kind, Message};
use crate::checks::ctx::{Ctx, Outcome, Plain};
use crate::checks::{Params, Rule, Subject};
use crate::hs::Space;
use crate::model::{PortSpec, Snapshot, Storage};
use crate::net::path::Hop;
use std::collections::{BTreeMap, BTreeSet};

pub struct PasswordReuse;

const MESSAGES: &[Message] = &[
    Message {
        detail: "secret-reused",
        ja: "同じパスワードが複数の機器 {src} で使われています（{dst}）",
        en: "The same password is used on several devices, {src} ({dst})",
    },
    Message {
        detail: "default-password",
        ja: "{src} のアカウント {dst} のパスワードが製品の初期値のままです",
        en: "Account {dst} of {src} still has the vendor's default password",
    },
    Message {
        detail: "empty-password",
        ja: "{src} のアカウント {dst} にパスワードが設定されていません",
        en: "Account {dst} of {src} has no password",
    },
];

impl Kind for PasswordReuse {
    fn id(&self) -> &'static str {
        "password-reuse"
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
        // digest → (device, account, line) in device order
        let mut by_fp: BTreeMap<[u8; 16], Vec<(&str, &str, String)>> = BTreeMap::new();
        for d in &cx.snap.devices {
            for s in &d.facts.secrets {
                if let Some(fp) = s.fingerprint {
                    by_fp
                        .entry(fp)
                        .or_default()
                        .push((&d.name, &s.account, s.span.to_string()));
                }
                let detail = if s.storage == Storage::Empty {
                    "empty-password"
                } else if s.default {
                    "default-password"
                } else {
                    continue;
                };
                out.plains.push(super::config_finding(
                    &d.name,
                    s.account.clone(),
                    detail,
                    false,
                    &[&s.span],
                ));
            }
        }
        for uses in by_fp.into_values() {
            let devices: BTreeSet<&str> = uses.iter().map(|u| u.0).collect();
            if devices.len() < 2 {
                continue;
            }
            let mut hops: Vec<Hop> = vec![];
            let mut at: Vec<String> = vec![];
            for (dev, account, line) in &uses {
                at.push(format!("{dev} {account}"));
                match hops.iter_mut().find(|h| h.device == *dev) {
                    Some(h) => h.lines.push(line.clone()),
                    None => hops.push(Hop {
                        device: dev.to_string(),
                        in_if: None,
                        out: None,
                        lines: vec![line.clone()],
                    }),
                }
            }
            out.plains.push(Plain {
                subject: Subject {
                    src: devices.into_iter().collect::<Vec<_>>().join(", "),
                    dst: at.join(", "),
                    flow: None,
                    detail: "secret-reused".into(),
                },
                minor: false,
                evidence: hops,
            });
        }
        out
    }
}
