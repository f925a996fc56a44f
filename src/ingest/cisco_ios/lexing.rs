//! Line and stanza reading (banners, certificate blocks, indentation contexts) and the
//! token-level helpers every stage uses (addresses, masks, VLAN ids and lists, MACs).

use super::{un, Ctx, Flavor, Out, Parser, BANNER, COMMENT, PKI};
use crate::model::{Mac, Scope, VlanSet};
use std::net::Ipv4Addr;

impl Parser {
    pub(in crate::ingest) fn line(&mut self, ln: u32, raw: &str) -> Out {
        // Multi-line banner text runs until the closing delimiter.
        if let Some(delim) = &self.banner {
            if raw.contains(delim.as_str()) {
                self.banner = None;
                self.provisional.clear();
            } else {
                self.provisional.push(ln);
            }
            return Out::Irr(BANNER);
        }
        let trimmed = raw.trim();
        // Certificate / key hex blocks run until `quit`, whatever their indentation.
        if self.hex {
            if trimmed == "quit" {
                self.hex = false;
                self.provisional.clear();
            } else {
                self.provisional.push(ln);
            }
            return Out::Irr(PKI);
        }
        if trimmed.is_empty() {
            return Out::Irr(COMMENT);
        }
        let indent = raw.len() - raw.trim_start().len();
        // A comment ends no stanza, wherever it stands: IOS reads `!` as nothing, so an
        // indented line after a column-0 `!` still belongs to the mode it was typed in
        // (`router bgp` stanzas that separate their address families by `!`).
        if trimmed.starts_with('!') {
            return Out::Irr(COMMENT);
        }
        let toks: Vec<&str> = trimmed.split_whitespace().collect();
        let kw: Vec<String> = toks.iter().map(|t| t.to_ascii_lowercase()).collect();
        if indent == 0 {
            self.ctx = Ctx::Top;
            return match self.flavor {
                Flavor::Ios => self.top(ln, trimmed, &toks, &kw),
                Flavor::AwPlus => self.awp_top(ln, trimmed, &toks, &kw),
            };
        }
        let ctx = self.ctx.clone();
        match ctx {
            Ctx::Top => un("indented line outside a known stanza", Scope::Device),
            Ctx::Skip(r) => Out::Irr(r),
            Ctx::Group { kind, name } => self.groups.member(ln, kind, &name, &toks, &kw),
            Ctx::HexChain => {
                if matches!(
                    kw.first().map(String::as_str),
                    Some("certificate" | "key-string")
                ) {
                    self.hex = true;
                    self.provisional = vec![ln];
                }
                Out::Irr(PKI)
            }
            Ctx::Unknown { scope, what } => un(format!("inside `{what}`"), scope),
            Ctx::Vlan => self.vlan_sub(&kw),
            Ctx::Router { idx } => self.router_sub(ln, idx, &toks, &kw),
            Ctx::VlanDb => self.awp_vlan_db(ln, &toks, &kw),
            Ctx::AwAcl { name, kind } => self.awp_acl_entry(ln, &name, kind, &toks),
            Ctx::Acl { name, extended } => self.acl_sub(ln, &name, extended, &toks, &kw),
            Ctx::Iface {
                idx,
                base,
                parent,
                irr_parent,
            } => {
                let base = base.unwrap_or(indent);
                let nested = indent > base;
                let scopes: Vec<Scope> = idx
                    .iter()
                    .filter_map(|&i| self.dev.interfaces.get(i))
                    .map(|i| Scope::Interface(i.name.clone()))
                    .collect();
                let out = if nested {
                    match (&parent, irr_parent) {
                        (None, Some(r)) => Out::Irr(r),
                        (parent, _) => match parent {
                            Some(s) if !matches!(s, Scope::Interface(_)) => {
                                un("line in a sub-mode of an unsupported command", s.clone())
                            }
                            _ => {
                                Out::UnMany("line in an interface sub-mode".into(), scopes.clone())
                            }
                        },
                    }
                } else {
                    match self.flavor {
                        Flavor::Ios => self.iface_sub(ln, &idx, &toks, &kw),
                        Flavor::AwPlus => self.awp_iface_sub(ln, &idx, &toks, &kw),
                    }
                };
                if !nested {
                    let irr_parent = match &out {
                        Out::Irr(r) => Some(*r),
                        _ => None,
                    };
                    let parent = match &out {
                        Out::Ok | Out::Irr(_) => None,
                        Out::Un(_, s) => Some(s.clone()),
                        Out::UnMany(..) => Some(Scope::Interface(String::new())),
                    };
                    self.ctx = Ctx::Iface {
                        idx: idx.clone(),
                        base: Some(base),
                        parent,
                        irr_parent,
                    };
                }
                match out {
                    Out::Ok | Out::Irr(_) => {
                        let sp = self.span(ln);
                        for &i in &idx {
                            if let Some(itf) = self.dev.interfaces.get_mut(i) {
                                itf.lines.push(sp.clone());
                            }
                        }
                        out
                    }
                    Out::Un(reason, Scope::Interface(_)) => Out::UnMany(reason, scopes),
                    other => other,
                }
            }
        }
    }
}

// ---------------------------------------------------------------------- helpers

pub(in crate::ingest) fn ip(s: &str) -> Option<Ipv4Addr> {
    s.parse().ok()
}

/// Prefix length of a contiguous netmask.
pub(in crate::ingest) fn mask_len(m: Ipv4Addr) -> Option<u8> {
    let v = u32::from(m);
    let len = v.leading_ones();
    if v.checked_shl(len).unwrap_or(0) == 0 {
        u8::try_from(len).ok()
    } else {
        None
    }
}

pub(in crate::ingest) fn parse_cidr(s: &str) -> Option<(Ipv4Addr, u8)> {
    let (a, l) = s.split_once('/')?;
    let l: u8 = l.parse().ok()?;
    (l <= 32).then_some(())?;
    Some((ip(a)?, l))
}

pub(in crate::ingest) fn vlan_id(s: &str) -> Option<u16> {
    s.parse::<u16>().ok().filter(|v| (1..=4094).contains(v))
}

/// `10,20-30` → set. Errors name the bad item.
pub(crate) fn parse_vlan_list(s: &str) -> Result<VlanSet, String> {
    let mut set = VlanSet::none();
    for item in s.split(',') {
        let item = item.trim();
        if item.is_empty() {
            return Err("empty item".into());
        }
        let (a, b) = match item.split_once('-') {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (item, item),
        };
        let (Some(a), Some(b)) = (vlan_id(a), vlan_id(b)) else {
            return Err(format!("`{item}` is not a VLAN id / range in 1-4094"));
        };
        if a > b {
            return Err(format!("`{item}` is a reversed range"));
        }
        set.add(a, b);
    }
    Ok(set)
}

pub(in crate::ingest) fn parse_mac(s: &str) -> Option<Mac> {
    let mut bytes = [0u8; 6];
    let groups: Vec<&str> = s.split('.').collect();
    if groups.len() == 3 {
        for (gi, g) in groups.iter().enumerate() {
            if g.is_empty() || g.len() > 4 {
                return None;
            }
            let v = u16::from_str_radix(g, 16).ok()?;
            let [hi, lo] = v.to_be_bytes();
            bytes[gi * 2] = hi;
            bytes[gi * 2 + 1] = lo;
        }
    } else {
        let parts: Vec<&str> = s.split([':', '-']).collect();
        if parts.len() != 6 {
            return None;
        }
        for (i, p) in parts.iter().enumerate() {
            if p.is_empty() || p.len() > 2 {
                return None;
            }
            bytes[i] = u8::from_str_radix(p, 16).ok()?;
        }
    }
    Some(Mac::new(
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5],
    ))
}
