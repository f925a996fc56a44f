//! Header-space meaning of Linux netfilter chains (the model's [`Netfilter`]).
//!
//! A hook runs its base chains in priority order; a packet must be accepted by each to
//! go on. Inside a chain, rules are first-match with `jump` (come back on `return` or at
//! the end), `goto` (the target's end returns to our caller) and `return`. NAT chains
//! see only the first packet of a connection (`established` = 0); their verdicts become
//! header rewrites for the engine. Evaluated once per (input, output) interface context,
//! so `iifname`/`oifname` conditions are constants here.

use crate::engine::Rewrite;
use crate::hs::{mac_u64, Bdd, Field, Space, FALSE, TRUE};
use crate::model::{
    Action, CtState, NatTo, Netfilter, NfChain, NfHook, NfKind, NfMatch, NfVerdict,
};
use crate::model::{PortRange, Span};
use std::net::Ipv4Addr;

/// Protocols with a transport header carrying ports (`th dport` needs one).
pub const PORT_PROTOS: [u8; 4] = [6, 17, 132, 136];

/// jump/goto nesting beyond this is a loop (the kernel refuses such rulesets).
pub const MAX_DEPTH: usize = 32;

/// Interfaces known at a hook: `iif` is unset for locally generated packets, `oif` before
/// the routing decision.
#[derive(Clone, Copy, Debug, Default)]
pub struct HookCtx<'a> {
    pub iif: Option<&'a str>,
    pub oif: Option<&'a str>,
    /// Primary IPv4 address of `iif` (`redirect`) and `oif` (`masquerade`).
    pub iif_addr: Option<Ipv4Addr>,
    pub oif_addr: Option<Ipv4Addr>,
}

/// `eth*` (nft) and `eth+` (iptables) match by prefix.
pub fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern
        .strip_suffix('*')
        .or_else(|| pattern.strip_suffix('+'))
    {
        Some(prefix) => name.starts_with(prefix),
        None => pattern == name,
    }
}

/// Base chains attached to `hook`, in the order the kernel runs them.
pub fn hook_chains(nf: &Netfilter, hook: NfHook) -> Vec<&NfChain> {
    let mut v: Vec<(i32, usize, &NfChain)> = nf
        .chains
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match c.base {
            Some((h, _, prio)) if h == hook => Some((prio, i, c)),
            _ => None,
        })
        .collect();
    v.sort_by_key(|x| (x.0, x.1));
    v.into_iter().map(|x| x.2).collect()
}

fn ranges(s: &mut Space, f: Field, rs: &[PortRange]) -> Bdd {
    let mut acc = FALSE;
    for r in rs {
        let b = s.range(f, r.lo as u64, r.hi as u64);
        acc = s.or(acc, b);
    }
    acc
}

fn protos(s: &mut Space, ps: &[u8]) -> Bdd {
    let mut acc = FALSE;
    for p in ps {
        let b = s.eq(Field::Proto, *p as u64);
        acc = s.or(acc, b);
    }
    acc
}

/// The packets a condition holds for. Header fields a packet lacks never match, negated
/// or not (`th dport != 22` is false for ICMP), as in the kernel.
pub fn cond_bdd(s: &mut Space, neg: bool, m: &NfMatch, ctx: &HookCtx) -> Bdd {
    let (domain, inner) = match m {
        NfMatch::SrcIp(a) => (TRUE, s.addrs(Field::SrcIp, a)),
        NfMatch::DstIp(a) => (TRUE, s.addrs(Field::DstIp, a)),
        NfMatch::Proto(ps) => (TRUE, protos(s, ps)),
        NfMatch::SrcPort(rs) => (protos(s, &PORT_PROTOS), ranges(s, Field::SrcPort, rs)),
        NfMatch::DstPort(rs) => (protos(s, &PORT_PROTOS), ranges(s, Field::DstPort, rs)),
        NfMatch::IcmpType(ts) => {
            let r: Vec<PortRange> = ts.iter().map(|t| PortRange::single(*t as u16)).collect();
            (protos(s, &[1]), ranges(s, Field::IcmpType, &r))
        }
        NfMatch::IcmpCode(cs) => {
            let r: Vec<PortRange> = cs.iter().map(|t| PortRange::single(*t as u16)).collect();
            (protos(s, &[1]), ranges(s, Field::IcmpCode, &r))
        }
        NfMatch::Iif(names) | NfMatch::Oif(names) => {
            let itf = if matches!(m, NfMatch::Iif(_)) {
                ctx.iif
            } else {
                ctx.oif
            };
            let Some(itf) = itf else {
                // Unset interface: the comparison has nothing to compare, so no match.
                return FALSE;
            };
            let hit = names.iter().any(|n| name_matches(n, itf));
            return if hit != neg { TRUE } else { FALSE };
        }
        NfMatch::SrcMac(ms) | NfMatch::DstMac(ms) => {
            let f = if matches!(m, NfMatch::SrcMac(_)) {
                Field::SrcMac
            } else {
                Field::DstMac
            };
            let mut acc = FALSE;
            for x in ms {
                let b = s.eq(f, mac_u64(*x));
                acc = s.or(acc, b);
            }
            (TRUE, acc)
        }
        NfMatch::Vlan(rs) => {
            let r: Vec<PortRange> = rs.iter().map(|&(lo, hi)| PortRange { lo, hi }).collect();
            let tagged = s.range(Field::Vlan, 1, 4094);
            (tagged, ranges(s, Field::Vlan, &r))
        }
        NfMatch::CtState(states) => {
            let mut acc = FALSE;
            for st in states {
                let b = match st {
                    CtState::New => s.eq(Field::Established, 0),
                    CtState::Established | CtState::Related => s.eq(Field::Established, 1),
                    // No packet of a modelled flow is invalid or untracked.
                    CtState::Invalid | CtState::Untracked => FALSE,
                };
                acc = s.or(acc, b);
            }
            (TRUE, acc)
        }
    };
    let x = if neg { s.not(inner) } else { inner };
    s.and(domain, x)
}

/// A part of what a chain lets through: the packets, the lines that decided, and the
/// rewrite applied to them (NAT).
#[derive(Clone, Debug)]
pub struct Piece {
    pub pred: Bdd,
    pub lines: Vec<Span>,
    pub rw: Option<Rewrite>,
}

fn nat_rewrite(s: &mut Space, v: &NfVerdict, ctx: &HookCtx) -> Option<Option<Rewrite>> {
    let to = |s: &mut Space, ip: Field, port: Field, n: &NatTo| {
        let mut set = vec![];
        if let Some((lo, hi)) = n.addr {
            set.push((ip, s.range(ip, u32::from(lo) as u64, u32::from(hi) as u64)));
        }
        if let Some(p) = n.port {
            set.push((port, s.range(port, p.lo as u64, p.hi as u64)));
        }
        Rewrite { set }
    };
    Some(match v {
        NfVerdict::Dnat(n) => Some(to(s, Field::DstIp, Field::DstPort, n)),
        NfVerdict::Snat(n) => Some(to(s, Field::SrcIp, Field::SrcPort, n)),
        NfVerdict::Masquerade => {
            // No address on the output interface: the kernel drops the packet.
            let a = ctx.oif_addr?;
            Some(Rewrite {
                set: vec![(Field::SrcIp, s.eq(Field::SrcIp, u32::from(a) as u64))],
            })
        }
        NfVerdict::Redirect(port) => {
            let a = ctx.iif_addr?;
            let n = NatTo {
                addr: Some((a, a)),
                port: *port,
            };
            Some(to(s, Field::DstIp, Field::DstPort, &n))
        }
        _ => return None,
    })
}

struct Eval<'a> {
    nf: &'a Netfilter,
    ctx: HookCtx<'a>,
    accepted: Vec<Piece>,
    /// jump/goto targets that do not exist or nest too deep (reported by the caller).
    broken: Vec<Span>,
}

impl Eval<'_> {
    /// Run `chain` on `input`; accepted parts go to `self.accepted` (with `via` lines
    /// prepended). Returns what comes back to the caller (`return` or the chain's end).
    fn run(
        &mut self,
        s: &mut Space,
        chain: &NfChain,
        input: Bdd,
        via: &[Span],
        depth: usize,
    ) -> Bdd {
        let mut rest = input;
        let mut back = FALSE;
        for r in &chain.rules {
            if rest == FALSE {
                break;
            }
            let mut hit = rest;
            for c in &r.conds {
                let b = cond_bdd(s, c.neg, &c.m, &self.ctx);
                hit = s.and(hit, b);
                if hit == FALSE {
                    break;
                }
            }
            if hit == FALSE {
                continue;
            }
            let mut lines = via.to_vec();
            lines.push(r.span.clone());
            match &r.verdict {
                NfVerdict::Continue => {}
                NfVerdict::Accept => {
                    self.accepted.push(Piece {
                        pred: hit,
                        lines,
                        rw: None,
                    });
                    rest = s.diff(rest, hit);
                }
                NfVerdict::Drop | NfVerdict::Reject => rest = s.diff(rest, hit),
                NfVerdict::Return => {
                    back = s.or(back, hit);
                    rest = s.diff(rest, hit);
                }
                NfVerdict::Jump(t) | NfVerdict::Goto(t) => {
                    let target = self.nf.chain(t);
                    let came_back = match target {
                        Some(c) if depth < MAX_DEPTH => self.run(s, c, hit, &lines, depth + 1),
                        _ => {
                            // Unknown target: the kernel would not load this; keep the
                            // packets (over-report) and let the caller mark it unproven.
                            self.broken.push(r.span.clone());
                            hit
                        }
                    };
                    rest = s.diff(rest, hit);
                    if matches!(r.verdict, NfVerdict::Jump(_)) {
                        rest = s.or(rest, came_back);
                    } else {
                        back = s.or(back, came_back);
                    }
                }
                v => {
                    if let Some(rw) = nat_rewrite(s, v, &self.ctx) {
                        self.accepted.push(Piece {
                            pred: hit,
                            lines,
                            rw,
                        });
                    }
                    rest = s.diff(rest, hit);
                }
            }
        }
        s.or(back, rest)
    }
}

/// What base chain `chain` passes on from `input` in context `ctx`, and the lines of
/// jumps that could not be followed.
pub fn base_chain(
    s: &mut Space,
    nf: &Netfilter,
    chain: &NfChain,
    input: Bdd,
    ctx: HookCtx,
) -> (Vec<Piece>, Vec<Span>) {
    let is_nat = matches!(chain.base, Some((_, NfKind::Nat, _)));
    let mut ev = Eval {
        nf,
        ctx,
        accepted: vec![],
        broken: vec![],
    };
    // NAT chains see only a connection's first packet; the rest passes untouched.
    let first = if is_nat {
        let new = s.eq(Field::Established, 0);
        let later = s.diff(input, new);
        if later != FALSE {
            ev.accepted.push(Piece {
                pred: later,
                lines: vec![],
                rw: None,
            });
        }
        s.and(input, new)
    } else {
        input
    };
    let end = ev.run(s, chain, first, &[], 0);
    if end != FALSE && chain.policy == Action::Permit {
        ev.accepted.push(Piece {
            pred: end,
            lines: vec![chain.span.clone()],
            rw: None,
        });
    }
    (ev.accepted, ev.broken)
}
