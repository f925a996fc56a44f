//! `filter-hygiene`: filters that hide holes. IOS ACLs whose first entry permits every
//! packet (they filter nothing) and FortiOS accept policies from all to all with every
//! service; entries fully shadowed by earlier entries (exact, over the header-space
//! algebra), naming the earlier lines that cover them; interfaces applying an ACL that is
//! not defined (IOS then filters nothing); ACLs defined and never applied
//! (informational, `minor_severity`). Linux netfilter rule sets are not judged here.

use super::{Kind, Message};
use crate::checks::ctx::{Ctx, Outcome, Plain};
use crate::checks::{Params, Rule, Subject};
use crate::hs::{Bdd, Space, FALSE, TRUE};
use crate::model::{Action, Device, PortSpec, Snapshot, Span};
use crate::net::path::Hop;
use std::collections::BTreeSet;

pub struct FilterHygiene;

const MESSAGES: &[Message] = &[
    Message {
        detail: "filter-permits-all",
        ja: "{src} のフィルタ {dst} は最初の行ですべての通信を許可しています（何も遮断しません）",
        en: "Filter {dst} on {src} permits every packet with its first entry (it filters nothing)",
    },
    Message {
        detail: "policy-permits-all",
        ja: "{src} のポリシー {dst} は送信元・宛先・サービスを限定せずに許可しています",
        en: "Policy {dst} on {src} accepts any source, destination and service",
    },
    Message {
        detail: "shadowed-entry",
        ja: "{src} の {dst} は先行する行（{flow}）に完全に覆われ、評価されません",
        en: "Entry {dst} on {src} is fully shadowed by earlier entries ({flow}) and never applies",
    },
    Message {
        detail: "undefined-acl",
        ja: "{src} のインターフェース {dst} は未定義の ACL「{flow}」を適用しています（何も遮断されません）",
        en: "Interface {dst} on {src} applies ACL \"{flow}\", which is not defined (nothing is filtered)",
    },
    Message {
        detail: "unused-acl",
        ja: "{src} の ACL「{dst}」はどのインターフェースにも適用されていません（参考）",
        en: "ACL \"{dst}\" on {src} is applied to no interface (informational)",
    },
];

impl Kind for FilterHygiene {
    fn id(&self) -> &'static str {
        "filter-hygiene"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_common(p, MESSAGES, false)?;
        if p.minor_severity.is_empty() {
            return Err("params.minor_severity is the severity of unused objects".into());
        }
        Ok(())
    }

    fn ports(&self, _p: &Params, _snap: &Snapshot) -> Vec<PortSpec> {
        vec![]
    }

    fn messages(&self) -> &'static [Message] {
        MESSAGES
    }

    fn evaluate(&self, _rule: &Rule, cx: &Ctx, sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        let mut judged = false;
        for d in &cx.snap.devices {
            judged |= !d.acls.is_empty() || !d.policies.is_empty();
            acls(d, cx, sp, &mut out);
            policies(d, cx, sp, &mut out);
        }
        if !judged {
            out.not_applicable = Some("no-filter".into());
        }
        out
    }
}

fn plain(d: &Device, dst: String, flow: Option<String>, detail: usize, lines: Vec<&Span>) -> Plain {
    Plain {
        subject: Subject {
            src: d.name.clone(),
            dst,
            flow,
            detail: MESSAGES[detail].detail.into(),
        },
        minor: detail == 4,
        evidence: vec![Hop {
            device: d.name.clone(),
            in_if: None,
            out: None,
            lines: lines.iter().map(|s| s.to_string()).collect(),
        }],
    }
}

/// Entries of a first-match list (match set, span) that earlier entries cover entirely,
/// each with the earlier entries that overlap it.
fn shadowed(sp: &mut Space, entries: &[(Bdd, &Span)]) -> Vec<(usize, Vec<usize>)> {
    let mut seen = FALSE;
    let mut out = vec![];
    for (i, &(m, _)) in entries.iter().enumerate() {
        if m != FALSE && sp.diff(m, seen) == FALSE {
            out.push((i, overlapping(sp, entries, i)));
        }
        seen = sp.or(seen, m);
    }
    out
}

/// The entries before `i` that overlap it.
fn overlapping(sp: &mut Space, entries: &[(Bdd, &Span)], i: usize) -> Vec<usize> {
    (0..i)
        .filter(|&j| sp.and(entries[j].0, entries[i].0) != FALSE)
        .collect()
}

fn lines_of(entries: &[(Bdd, &Span)], idx: &[usize]) -> String {
    idx.iter()
        .map(|&j| entries[j].1.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn acls(d: &Device, cx: &Ctx, sp: &mut Space, out: &mut Outcome) {
    let mut bound: BTreeSet<&str> = BTreeSet::new();
    for i in &d.interfaces {
        for r in [&i.acl_in, &i.acl_out].into_iter().flatten() {
            bound.insert(&r.name);
            if !d.acls.contains_key(&r.name) {
                out.plains.push(plain(
                    d,
                    i.name.clone(),
                    Some(r.name.clone()),
                    3,
                    vec![&r.span],
                ));
            }
        }
    }
    for (name, acl) in &d.acls {
        if !bound.contains(name.as_str()) {
            out.plains
                .push(plain(d, name.clone(), None, 4, vec![&acl.span]));
            continue;
        }
        if let Some(first) = acl.rules.first() {
            if first.action == Action::Permit && sp.matches(&first.m) == TRUE {
                out.plains
                    .push(plain(d, name.clone(), None, 0, vec![&first.span]));
            }
        }
        // A last entry on the ACL's own header line is the default action a parser made
        // explicit (AlliedWare Plus hardware ACLs permit what no entry matches), not a
        // line the operator wrote: it is never reported as shadowed.
        let written = match acl.rules.last() {
            Some(r) if r.span == acl.span && acl.rules.len() > 1 => acl.rules.len() - 1,
            _ => acl.rules.len(),
        };
        // The graph's first-match sets when it lowered this ACL (the same entries in the
        // same space): an entry is shadowed exactly when it matches something and decides
        // nothing.
        let lowered =
            cx.g.acl_matches
                .get(&(d.name.clone(), name.clone()))
                .filter(|v| v.len() == acl.rules.len());
        let entries: Vec<(Bdd, &Span)> = acl.rules[..written]
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    lowered.map_or_else(|| sp.matches(&r.m), |v| v[i].0),
                    &r.span,
                )
            })
            .collect();
        let found = match lowered {
            Some(v) => (0..written)
                .filter(|&i| v[i].0 != FALSE && v[i].1 == FALSE)
                .map(|i| (i, overlapping(sp, &entries, i)))
                .collect(),
            None => shadowed(sp, &entries),
        };
        for (i, by) in found {
            let mut lines = vec![entries[i].1];
            lines.extend(by.iter().map(|&j| entries[j].1));
            out.plains.push(plain(
                d,
                entries[i].1.to_string(),
                Some(lines_of(&entries, &by)),
                2,
                lines,
            ));
        }
    }
}

fn policies(d: &Device, cx: &Ctx, sp: &mut Space, out: &mut Outcome) {
    // The graph's match of each policy it lowered (same policy, same space, so the same
    // set); the others are built here.
    let lowered =
        cx.g.policy_matches
            .get(&d.name)
            .filter(|v| v.len() == d.policies.len());
    let live: Vec<(usize, &crate::model::Policy)> = d
        .policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.enabled && p.dnat.is_empty())
        .collect();
    // Each policy's match once: rebuilding earlier policies' matches for every later
    // policy was quadratic in `matches` calls (800 policies: 93 % of the audit).
    let ms: Vec<Bdd> = live
        .iter()
        .map(|&(pi, p)| match lowered.and_then(|v| v[pi]) {
            Some(m) => m,
            None => sp.matches(&p.m),
        })
        .collect();
    let live: Vec<&crate::model::Policy> = live.into_iter().map(|(_, p)| p).collect();
    for (p, &m) in live.iter().zip(&ms) {
        if p.action == Action::Permit && m == TRUE {
            out.plains.push(plain(
                d,
                format!("{} ({})", p.id, p.span),
                None,
                1,
                vec![&p.span],
            ));
        }
    }
    // Shadowing among policies whose interfaces cover the later one's.
    let covers = |a: &[String], b: &[String]| {
        a.iter().any(|x| x == "any") || b.iter().all(|x| a.contains(x))
    };
    // Whether an earlier policy counts depends on the later one only through its
    // (srcintf, dstintf) lists, so one running union per distinct pair of lists (few per
    // device) gives the same `seen` as the union over every earlier covering policy.
    let mut keys: Vec<(&[String], &[String])> = vec![];
    for p in &live {
        let k = (p.src_intf.as_slice(), p.dst_intf.as_slice());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut acc = vec![FALSE; keys.len()];
    for (i, p) in live.iter().enumerate() {
        let m = ms[i];
        let k = keys
            .iter()
            .position(|&(a, b)| a == p.src_intf.as_slice() && b == p.dst_intf.as_slice())
            .unwrap_or(0);
        let seen = acc[k];
        for (ki, &(a, b)) in keys.iter().enumerate() {
            if covers(&p.src_intf, a) && covers(&p.dst_intf, b) {
                acc[ki] = sp.or(acc[ki], m);
            }
        }
        if m == FALSE {
            continue;
        }
        let earlier = (0..i).filter(|&j| {
            covers(&live[j].src_intf, &p.src_intf) && covers(&live[j].dst_intf, &p.dst_intf)
        });
        if sp.diff(m, seen) != FALSE {
            continue;
        }
        let by: Vec<usize> = earlier.filter(|&j| sp.and(ms[j], m) != FALSE).collect();
        let mut lines = vec![&p.span];
        lines.extend(by.iter().map(|&j| &live[j].span));
        let names = by
            .iter()
            .map(|&j| format!("{} ({})", live[j].id, live[j].span))
            .collect::<Vec<_>>()
            .join(", ");
        out.plains.push(plain(
            d,
            format!("{} ({})", p.id, p.span),
            Some(names),
            2,
            lines,
        ));
    }
}
