//! `topology-record`: topology.toml (the network's configuration record, its
//! ネットワーク構成図) agrees with what the devices themselves report. A declared link whose
//! end the neighbour tables (LLDP, CDP in `state/`) show cabled elsewhere, and a link the
//! neighbour tables show that topology.toml lacks, are findings: the record is wrong, and a
//! link missing from it can hide a path. Without neighbour tables, or without a
//! topology.toml to compare, there is nothing to judge.

use super::{Kind, Message};
use crate::checks::ctx::{Ctx, Outcome, Plain};
use crate::checks::{Params, Rule, Subject};
use crate::hs::Space;
use crate::model::{Link, LinkEnd, PortSpec, Snapshot};
use crate::net::path::Hop;

pub struct TopologyRecord;

const MESSAGES: &[Message] = &[
    Message {
        detail: "declared-link-contradicted",
        ja: "topology.toml のリンク {src} は機器の隣接情報と食い違っています（隣接情報では {dst}）",
        en: "The link {src} in topology.toml contradicts the devices' neighbour tables ({dst})",
    },
    Message {
        detail: "undeclared-neighbour-link",
        ja: "機器の隣接情報（{dst}）にあるリンク {src} が topology.toml にありません",
        en: "The link {src} that the devices' neighbour tables show ({dst}) is missing from topology.toml",
    },
];

fn pair(l: &Link) -> String {
    format!("{} — {}", l.a, l.b)
}

fn other<'a>(l: &'a Link, e: &LinkEnd) -> Option<&'a LinkEnd> {
    if &l.a == e {
        Some(&l.b)
    } else if &l.b == e {
        Some(&l.a)
    } else {
        None
    }
}

fn evidence(l: &Link) -> Vec<String> {
    match &l.observed {
        Some(o) => o.evidence.iter().map(|s| s.to_string()).collect(),
        None if l.line > 0 => vec![format!("topology.toml:{}", l.line)],
        None => vec![],
    }
}

fn hop(e: &LinkEnd, lines: Vec<String>) -> Hop {
    let (device, in_if) = match e {
        LinkEnd::Port { device, interface } => (device.clone(), Some(interface.clone())),
        LinkEnd::Host(h) => (h.clone(), None),
    };
    Hop {
        device,
        in_if,
        out: None,
        lines,
    }
}

impl Kind for TopologyRecord {
    fn id(&self) -> &'static str {
        "topology-record"
    }

    fn check_params(&self, p: &Params) -> Result<(), String> {
        super::check_common(p, MESSAGES, false)
    }

    fn ports(&self, _p: &Params, _snap: &Snapshot) -> Vec<PortSpec> {
        vec![]
    }

    fn messages(&self) -> &'static [Message] {
        MESSAGES
    }

    fn evaluate(&self, _rule: &Rule, cx: &Ctx, _sp: &mut Space) -> Outcome {
        let mut out = Outcome::new();
        let snap = cx.snap;
        if snap.observed_links.is_empty() {
            out.not_applicable = Some("no-neighbour-state".into());
            return out;
        }
        if !snap.inputs.iter().any(|f| f == "topology.toml") {
            out.not_applicable = Some("no-topology-record".into());
            return out;
        }
        let declared: Vec<&Link> = snap
            .links
            .iter()
            .filter(|l| l.line > 0 && l.inferred.is_none() && l.observed.is_none())
            .collect();
        let same = |d: &Link, o: &Link| (d.a == o.a && d.b == o.b) || (d.a == o.b && d.b == o.a);
        // Declared links an observation contradicts: one finding per (declared, observed).
        for d in &declared {
            for o in &snap.observed_links {
                if same(d, o) {
                    continue;
                }
                let hit = [&d.a, &d.b].into_iter().find(|e| other(o, e).is_some());
                if let Some(e) = hit {
                    let mut ev = vec![hop(e, evidence(d))];
                    ev.push(hop(e, evidence(o)));
                    out.plains.push(Plain {
                        subject: Subject {
                            src: pair(d),
                            dst: format!(
                                "{} — {}, {}",
                                e,
                                other(o, e).expect("found"),
                                o.observed.as_ref().map(|x| x.from.as_str()).unwrap_or("")
                            ),
                            flow: None,
                            detail: MESSAGES[0].detail.into(),
                        },
                        minor: false,
                        evidence: ev,
                    });
                }
            }
        }
        // Observed links touching no declared link: the record lacks them.
        for o in &snap.observed_links {
            let touches = declared
                .iter()
                .any(|d| other(d, &o.a).is_some() || other(d, &o.b).is_some());
            if touches {
                continue;
            }
            out.plains.push(Plain {
                subject: Subject {
                    src: pair(o),
                    dst: o
                        .observed
                        .as_ref()
                        .map(|x| x.from.clone())
                        .unwrap_or_default(),
                    flow: None,
                    detail: MESSAGES[1].detail.into(),
                },
                minor: false,
                evidence: vec![hop(&o.a, evidence(o))],
            });
        }
        out
    }
}
