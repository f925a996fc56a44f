//! `isolation`: no new flow between the `from` tiers and the `to` zones (both ways with
//! `both_ways`).

use super::{Kind, Message};
use crate::checks::ctx::{tiers, Allowed, Ctx, Outcome};
use crate::checks::{Params, Rule};
use crate::hs::{Space, FALSE};
use crate::model::{PortSpec, Snapshot};

pub struct Isolation;

impl Kind for Isolation {
    fn id(&self) -> &'static str {
        "isolation"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_tiers(p)
    }

    fn ports(&self, p: &Params, snap: &Snapshot) -> Vec<PortSpec> {
        let _ = (p, snap);
        vec![]
    }

    fn messages(&self) -> &'static [Message] {
        &[Message {
            detail: "isolation",
            ja: "{src} から {dst} へ通信できます（領域間の分離違反）",
            en: "{src} can open flows to {dst} (tiers not isolated)",
        }]
    }

    fn evaluate(&self, rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        let p = &rule.params;
        let _ = cx.snap;
        let from_t = tiers(&p.from);
        let to_t = tiers(&p.to);

        let a = |z: usize| cx.zone_in(z, &from_t, &p.from_kinds, &[]);
        let b = |z: usize| cx.zone_in(z, &to_t, &p.to_kinds, &p.exclude_kinds);
        if !super::sides(cx, &a, &b, &mut out) {
            return out;
        }
        let none = |_: &mut Space, _: usize, _: usize| FALSE;
        cx.zone_pairs(
            sp,
            &a,
            &b,
            Allowed {
                pair: &none,
                all: FALSE,
                sent: None,
            },
            "isolation",
            &mut out,
        );
        if p.both_ways {
            cx.zone_pairs(
                sp,
                &b,
                &a,
                Allowed {
                    pair: &none,
                    all: FALSE,
                    sent: None,
                },
                "isolation",
                &mut out,
            );
        }

        out
    }
}
