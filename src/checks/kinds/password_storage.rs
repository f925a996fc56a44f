//! `password-storage`: administrator secrets are stored one-way with a strong hash. Clear
//! text and reversible storage (Cisco type 7, `enable password`) are the finding; an MD5
//! or DES crypt hash (Cisco `secret 5`, `$1$`) is the lesser one.

use super::{Kind, Message};
use crate::checks::ctx::{Ctx, Outcome};
use crate::checks::{Params, Rule};
use crate::hs::Space;
use crate::model::{PortSpec, Snapshot, Storage};

pub struct PasswordStorage;

const MESSAGES: &[Message] = &[
    Message {
        detail: "password-cleartext",
        ja: "{src} のパスワードが平文で保存されています（{dst}）",
        en: "Passwords of {src} are stored in clear text ({dst})",
    },
    Message {
        detail: "password-reversible",
        ja: "{src} のパスワードが復号できる形式（Cisco type 7 等）で保存されています（{dst}）",
        en: "Passwords of {src} are stored reversibly (Cisco type 7 or similar) ({dst})",
    },
    Message {
        detail: "password-weak-hash",
        ja: "{src} のパスワードが弱いハッシュ（MD5 等）で保存されています（{dst}）",
        en: "Passwords of {src} are stored with a weak hash (MD5 or similar) ({dst})",
    },
];

impl Kind for PasswordStorage {
    fn id(&self) -> &'static str {
        "password-storage"
    }
    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_hygiene(p, MESSAGES)?;
        if p.minor_severity.is_empty() {
            return Err("params.minor_severity is the severity of weak hashes".into());
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
            for (storage, detail) in [
                (Storage::Clear, "password-cleartext"),
                (Storage::Reversible, "password-reversible"),
                (Storage::WeakHash, "password-weak-hash"),
            ] {
                let ss: Vec<_> = d
                    .facts
                    .secrets
                    .iter()
                    .filter(|s| s.storage == storage)
                    .collect();
                if ss.is_empty() {
                    continue;
                }
                let mut accounts: Vec<&str> = ss.iter().map(|s| s.account.as_str()).collect();
                accounts.dedup();
                let spans: Vec<_> = ss.iter().map(|s| &s.span).collect();
                out.plains.push(super::config_finding(
                    &d.name,
                    accounts.join(", "),
                    detail,
                    storage == Storage::WeakHash,
                    &spans,
                ));
            }
        }
        out
    }
}
