//! `protocol-allowlist`: new flows from the `from` tiers to the `to` zones use only the
//! allowed services (`allowed`, else `[lgwan] allowed` of sanso.toml, else the LGWAN
//! default list).

use super::{Kind, Message};
use crate::checks::ctx::{tiers, Allowed, Ctx, Outcome};
use crate::checks::{Params, Rule};
use crate::hs::Space;
use crate::model::{PortSpec, Snapshot};

pub struct ProtocolAllowlist;

impl Kind for ProtocolAllowlist {
    fn id(&self) -> &'static str {
        "protocol-allowlist"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_tiers(p)?;
        for a in &p.allowed {
            if PortSpec::parse(a).is_none() {
                return Err(format!(
                    "params.allowed: {a:?} is not proto/port or proto/lo-hi"
                ));
            }
        }
        Ok(())
    }

    fn ports(&self, p: &Params, snap: &Snapshot) -> Vec<PortSpec> {
        allowed_specs(p, snap)
    }

    fn messages(&self) -> &'static [Message] {
        &[Message {
            detail: "protocol",
            ja: "{src} から {dst} へ LGWAN で許可されていないプロトコルの通信が可能です",
            en: "{src} can reach {dst} with a protocol LGWAN does not permit",
        }]
    }

    fn decided_by(&self, _p: &Params) -> &'static [crate::model::MatchField] {
        // A protocol outside the allowlist: the policy's service admits it.
        &[crate::model::MatchField::Service]
    }

    fn evaluate(&self, rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        let p = &rule.params;
        let snap = cx.snap;
        let from_t = tiers(&p.from);
        let to_t = tiers(&p.to);

        let specs = allowed_specs(p, snap);
        let ok = cx.ports_bdd(sp, &specs);
        let a = |z: usize| cx.zone_in(z, &from_t, &[], &[]);
        let b = |z: usize| cx.zone_in(z, &to_t, &p.to_kinds, &p.exclude_kinds);
        if !(0..snap.zones.len()).any(b) {
            out.not_applicable = Some("no-lgwan-zone".into());
            return out;
        }
        if !super::sides(cx, &a, &b, &mut out) {
            return out;
        }
        let allowed = |_: &mut Space, _: usize, _: usize| ok;
        cx.zone_pairs(
            sp,
            &a,
            &b,
            Allowed {
                pair: &allowed,
                all: ok,
                sent: None,
            },
            "protocol",
            &mut out,
        );

        out
    }
}

/// The allow-list in force: sanso.toml's `[lgwan] allowed` wins over the rule's `allowed`,
/// which wins over the LGWAN default list.
fn allowed_specs(p: &Params, snap: &Snapshot) -> Vec<PortSpec> {
    if let Some(l) = &snap.lgwan_allowed {
        return l.clone();
    }
    if p.allowed.is_empty() {
        crate::checks::default_lgwan_allowed()
    } else {
        p.allowed
            .iter()
            .filter_map(|s| PortSpec::parse(s))
            .collect()
    }
}
