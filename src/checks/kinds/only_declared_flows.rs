//! `only-declared-flows`: between the `from` tiers and the `to` zones, only the declared
//! 特定通信 (`declared = "tokutei"`: the destination decides) or 無害化 paths
//! (`declared = "mugaika"`: source, destination and ports must match) open flows; with
//! `tokutei_roles`, so does a 特定通信 from a host of those roles, matched as exactly.

use super::{Kind, Message};
use crate::checks::ctx::{tiers, Allowed, Ctx, Outcome, Plain};
use crate::checks::{Params, Rule, Subject};
use crate::hs::{Space, FALSE};
use crate::model::{PortSpec, Snapshot, Tier};

pub struct OnlyDeclaredFlows;

/// The 特定通信 declared from hosts of `params.tokutei_roles` (empty unless the rule names
/// roles): with `declared = "mugaika"` they open their exact flow like a 無害化 path.
fn role_tokutei<'a>(
    p: &'a Params,
    snap: &'a Snapshot,
) -> impl Iterator<Item = &'a crate::model::Flow> + 'a {
    snap.tokutei.iter().filter(move |f| match f.from {
        crate::model::Endpoint::Host(h) => p.tokutei_roles.contains(&snap.hosts[h].role),
        crate::model::Endpoint::Zone(_) => false,
    })
}

impl Kind for OnlyDeclaredFlows {
    fn id(&self) -> &'static str {
        "only-declared-flows"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_tiers(p)?;
        for t in &p.declared_from {
            if Tier::parse(t).is_none() {
                return Err(format!("params.declared_from: unknown tier {t:?}"));
            }
        }
        for m in &p.methods {
            if p.declared != "mugaika" {
                return Err("params.methods restricts declared = \"mugaika\" only".into());
            }
            if !crate::model::MUGAIKA_METHODS.contains(&m.as_str()) {
                return Err(format!(
                    "params.methods: unknown method {m:?} ({})",
                    crate::model::MUGAIKA_METHODS.join(" | ")
                ));
            }
        }
        for r in &p.tokutei_roles {
            if p.declared != "mugaika" {
                return Err("params.tokutei_roles needs declared = \"mugaika\"".into());
            }
            if !super::HOST_ROLES.contains(&r.as_str()) {
                return Err(format!(
                    "params.tokutei_roles: unknown host role {r:?} ({})",
                    super::HOST_ROLES.join(" | ")
                ));
            }
        }
        match p.declared.as_str() {
            "tokutei" | "mugaika" => Ok(()),
            d => Err(format!(
                "params.declared must be \"tokutei\" or \"mugaika\", not {d:?}"
            )),
        }
    }

    fn ports(&self, p: &Params, snap: &Snapshot) -> Vec<PortSpec> {
        let flows = if p.declared == "mugaika" {
            &snap.mugaika
        } else {
            &snap.tokutei
        };
        flows
            .iter()
            .chain(role_tokutei(p, snap))
            .flat_map(|f| f.ports.iter().copied())
            .collect()
    }

    fn messages(&self) -> &'static [Message] {
        &[
            Message {
                detail: "tokutei",
                ja: "{src} から {dst} への特定通信として宣言されていない通信が可能です",
                en: "{src} can reach {dst} with traffic that is not a declared 特定通信",
            },
            Message {
                detail: "tokutei-to-internal-tier",
                ja: "特定通信「{flow}」は {src} と {dst} の間に宣言されていますが、LGWAN接続系・インターネット接続系との特定通信は認められません",
                en: "特定通信 \"{flow}\" is declared between {src} and {dst}; 特定通信 with LGWAN接続系 or インターネット接続系 is not allowed",
            },
            Message {
                detail: "mugaika",
                ja: "{src} から {dst} へ無害化経路以外の通信が可能です",
                en: "{src} can reach {dst} outside the declared 無害化 paths",
            },
        ]
    }

    fn evaluate(&self, rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        let p = &rule.params;
        let snap = cx.snap;
        let from_t = tiers(&p.from);
        let to_t = tiers(&p.to);

        let opened_from = tiers(&p.declared_from);
        let declared: Vec<&crate::model::Flow> = if p.declared == "mugaika" {
            &snap.mugaika
        } else {
            &snap.tokutei
        }
        .iter()
        .filter(|f| {
            p.methods.is_empty() || f.method.as_ref().is_some_and(|m| p.methods.contains(m))
        })
        .filter(|f| {
            opened_from.is_empty()
                || opened_from.contains(&snap.zones[snap.endpoint_zone(f.from)].tier)
        })
        .chain(role_tokutei(p, snap))
        .collect();
        let a = |z: usize| cx.zone_in(z, &from_t, &p.from_kinds, &[]);
        let b = |z: usize| cx.zone_in(z, &to_t, &p.to_kinds, &p.exclude_kinds);
        let exact = p.declared == "mugaika";
        // Declared flows that the tier model forbids outright.
        if !exact {
            for f in &declared {
                let (fz, tz) = (snap.endpoint_zone(f.from), snap.endpoint_zone(f.to));
                let bad = |z: usize| matches!(snap.zones[z].tier, Tier::Lgwan | Tier::Internet);
                let mn = |z: usize| snap.zones[z].tier == Tier::Mynumber;
                if (mn(fz) && bad(tz)) || (mn(tz) && bad(fz)) {
                    out.plains.push(Plain::new(Subject {
                        src: snap.endpoint_name(f.from).into(),
                        dst: snap.endpoint_name(f.to).into(),
                        flow: Some(f.name.clone()),
                        detail: "tokutei-to-internal-tier".into(),
                    }));
                }
            }
        }
        if !super::sides(cx, &a, &b, &mut out) {
            return out;
        }
        let allowed = |sp: &mut Space, sz: usize, dz: usize| {
            let mut acc = FALSE;
            for f in &declared {
                // 無害化 flows must match exactly (source, destination, ports); for
                // 特定通信 the destination decides, and TOKUTEI-IP/PORT/PATH judge the rest.
                let (fz, tz) = (snap.endpoint_zone(f.from), snap.endpoint_zone(f.to));
                let same_dir = if exact {
                    fz == sz
                } else {
                    snap.zones[fz].tier == snap.zones[sz].tier
                };
                if !same_dir || tz != dz {
                    continue;
                }
                let x = if exact {
                    let sd = sp.and(cx.ep_src(f.from), cx.ep_dst(f.to));
                    let pb = cx.ports_bdd(sp, &f.ports);
                    sp.and(sd, pb)
                } else {
                    cx.ep_dst(f.to)
                };
                acc = sp.or(acc, x);
            }
            acc
        };
        // Across rewrites a 無害化 flow is its source and ports as sent and its
        // destination as delivered: a firewall that translates the VDI terminal's source
        // (FortiGate `set nat enable`) does not make the declared flow undeclared.
        let as_sent = |sp: &mut Space, sz: usize, dz: usize| {
            let mut v = vec![];
            for f in &declared {
                let (fz, tz) = (snap.endpoint_zone(f.from), snap.endpoint_zone(f.to));
                if fz != sz || tz != dz {
                    continue;
                }
                let pb = cx.ports_bdd(sp, &f.ports);
                let c = sp.and(cx.ep_src(f.from), pb);
                v.push((c, cx.ep_dst(f.to)));
            }
            v
        };
        let sent: Option<crate::checks::ctx::SentFlows> = if exact { Some(&as_sent) } else { None };
        let (a, b): (&dyn Fn(usize) -> bool, &dyn Fn(usize) -> bool) = (&a, &b);
        for (x, y) in [(a, b), (b, a)].into_iter().take(1 + p.both_ways as usize) {
            cx.zone_pairs(
                sp,
                x,
                y,
                Allowed {
                    pair: &allowed,
                    all: FALSE,
                    sent,
                },
                &p.declared,
                &mut out,
            );
        }

        out
    }
}
