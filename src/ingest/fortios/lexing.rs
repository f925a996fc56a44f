//! Pass 1: the line-numbered `config` / `edit` / `set` / `next` / `end` tree (lexer,
//! tree builder, line marking), the merged table view of repeated blocks and edits,
//! and the value-parsing helpers the stages share.

use super::Ctx;
use crate::model::*;
use std::collections::HashMap;
use std::net::Ipv4Addr;

// ---------------------------------------------------------------------------
// Lexer

/// One statement: tokens of one line, or of several lines when a quoted string
/// spans line breaks.
#[derive(Clone, Debug)]
pub(super) struct Stmt {
    pub(super) first: u32,
    pub(super) last: u32,
    pub(super) indent: usize,
    pub(super) toks: Vec<String>,
}

impl Stmt {
    pub(super) fn kw(&self) -> &str {
        self.toks.first().map(|s| s.as_str()).unwrap_or("")
    }
}

pub(super) fn lex(ctx: &mut Ctx, raw: &[&str]) -> Vec<Stmt> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < raw.len() {
        let line = raw[i];
        let trimmed = line.trim_start();
        let no = i as u32 + 1;
        if trimmed.trim().is_empty() || trimmed.starts_with('#') {
            ctx.ok(no);
            i += 1;
            continue;
        }
        let indent = line.len() - trimmed.len();
        let mut q = QuoteScan::default();
        q.feed(trimmed);
        let mut last = i;
        // A quoted string left open continues on the next line(s) (certificates,
        // replacement messages), up to a bound.
        while q.open() && last + 1 < raw.len() && last - i < MAX_CONTINUATION {
            last += 1;
            q.feed("\n");
            q.feed(raw[last]);
        }
        if q.open() {
            // Never closed: report this line alone and go on with the next one.
            let st = Stmt {
                first: no,
                last: no,
                indent,
                toks: vec![],
            };
            ctx.bad_stmt(&st, "unterminated quoted string", &Scope::Device);
            i += 1;
            continue;
        }
        let mut buf = trimmed.to_string();
        for l in &raw[i + 1..=last] {
            buf.push('\n');
            buf.push_str(l);
        }
        let (toks, _) = tokenize(&buf);
        let st = Stmt {
            first: no,
            last: last as u32 + 1,
            indent,
            toks,
        };
        if !st.toks.is_empty() {
            out.push(st);
        } else {
            ctx.ok_stmt(&st);
        }
        i = last + 1;
    }
    out
}

pub(super) const MAX_CONTINUATION: usize = 5000;

/// Incremental quote tracker with the same rules as [`tokenize`].
#[derive(Default)]
pub(super) struct QuoteScan {
    pub(super) quote: Option<char>,
    pub(super) escape: bool,
    pub(super) have: bool,
}

impl QuoteScan {
    pub(super) fn open(&self) -> bool {
        self.quote.is_some()
    }
    pub(super) fn feed(&mut self, s: &str) {
        for c in s.chars() {
            match self.quote {
                Some(q) => {
                    if self.escape {
                        self.escape = false;
                    } else if c == '\\' {
                        self.escape = true;
                    } else if c == q {
                        self.quote = None;
                    }
                }
                None => {
                    if c == '"' || (c == '\'' && !self.have) {
                        self.have = true;
                        self.quote = Some(c);
                    } else {
                        self.have = !c.is_whitespace();
                    }
                }
            }
        }
    }
}

/// Split a statement into tokens. Double quotes group (with `\` escapes); adjacent
/// quoted and unquoted parts join (`"new"_x` is `new_x`). Returns (tokens, quote open).
pub(super) fn tokenize(s: &str) -> (Vec<String>, bool) {
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' || (c == '\'' && !have) {
            have = true;
            let q = c;
            let mut closed = false;
            while let Some(d) = chars.next() {
                if d == '\\' {
                    if let Some(e) = chars.next() {
                        cur.push(e);
                    }
                } else if d == q {
                    closed = true;
                    break;
                } else {
                    cur.push(d);
                }
            }
            if !closed {
                toks.push(cur);
                return (toks, true);
            }
        } else if c.is_whitespace() {
            if have {
                toks.push(std::mem::take(&mut cur));
                have = false;
            }
        } else {
            have = true;
            cur.push(c);
        }
    }
    if have {
        toks.push(cur);
    }
    (toks, false)
}

// ---------------------------------------------------------------------------
// Generic tree

#[derive(Clone, Debug)]
pub(super) enum Node {
    Block(Block),
    Edit(Edit),
    Cmd(Stmt),
}

#[derive(Clone, Debug)]
pub(super) struct Block {
    pub(super) open: Stmt,
    pub(super) path: Vec<String>,
    pub(super) items: Vec<Node>,
    pub(super) close: Option<Stmt>,
}

#[derive(Clone, Debug)]
pub(super) struct Edit {
    pub(super) open: Stmt,
    pub(super) name: String,
    pub(super) items: Vec<Node>,
    pub(super) close: Option<Stmt>,
}

pub(super) enum Close {
    End(Stmt),
    Next(Stmt),
    /// Terminated by something that belongs to an outer level (not consumed).
    Implicit,
    Eof,
}

pub(super) const MAX_DEPTH: usize = 48;

pub(super) struct TreeBuilder<'s> {
    pub(super) stmts: &'s [Stmt],
    pub(super) i: usize,
    /// Without VDOM wrappers, a `config` in column 0 always starts a top-level
    /// section: use it to recover from a missing `end`.
    pub(super) indent_heuristic: bool,
}

impl TreeBuilder<'_> {
    pub(super) fn items(&mut self, in_edit: bool, depth: usize) -> (Vec<Node>, Close) {
        let mut items = Vec::new();
        while let Some(s) = self.stmts.get(self.i) {
            match s.kw() {
                "config" if depth < MAX_DEPTH => {
                    if depth > 0 && self.indent_heuristic && s.indent == 0 {
                        return (items, Close::Implicit);
                    }
                    self.i += 1;
                    let (sub, close) = self.items(false, depth + 1);
                    items.push(Node::Block(Block {
                        open: s.clone(),
                        path: s.toks[1..].to_vec(),
                        items: sub,
                        close: match close {
                            Close::End(e) => Some(e),
                            _ => None,
                        },
                    }));
                }
                "edit" if depth < MAX_DEPTH => {
                    if in_edit {
                        return (items, Close::Implicit);
                    }
                    self.i += 1;
                    let (sub, close) = self.items(true, depth + 1);
                    items.push(Node::Edit(Edit {
                        open: s.clone(),
                        name: s.toks.get(1).cloned().unwrap_or_default(),
                        items: sub,
                        close: match close {
                            Close::Next(e) => Some(e),
                            _ => None,
                        },
                    }));
                }
                "next" if in_edit => {
                    self.i += 1;
                    return (items, Close::Next(s.clone()));
                }
                "end" if in_edit => return (items, Close::Implicit),
                "end" if depth > 0 => {
                    self.i += 1;
                    return (items, Close::End(s.clone()));
                }
                _ => {
                    self.i += 1;
                    items.push(Node::Cmd(s.clone()));
                }
            }
        }
        (items, Close::Eof)
    }
}

/// Mark every line of a node: understood (`how == None`) or unrecognized.
pub(super) fn mark_node(ctx: &mut Ctx, n: &Node, how: Option<(&str, &Scope)>) {
    match n {
        Node::Cmd(s) => mark_stmt(ctx, s, how),
        Node::Block(b) => mark_block(ctx, b, how),
        Node::Edit(e) => {
            mark_stmt(ctx, &e.open, how);
            for it in &e.items {
                mark_node(ctx, it, how);
            }
            match &e.close {
                Some(c) => mark_stmt(ctx, c, how),
                None => ctx.bad(
                    e.open.first,
                    "edit without matching next",
                    how.map(|h| h.1).unwrap_or(&Scope::None),
                ),
            }
        }
    }
}

pub(super) fn mark_block(ctx: &mut Ctx, b: &Block, how: Option<(&str, &Scope)>) {
    mark_stmt(ctx, &b.open, how);
    for it in &b.items {
        mark_node(ctx, it, how);
    }
    match &b.close {
        Some(c) => mark_stmt(ctx, c, how),
        None => ctx.bad(
            b.open.first,
            "config block without matching end",
            how.map(|h| h.1).unwrap_or(&Scope::None),
        ),
    }
}

/// Mark a whole section understood and count its lines as irrelevant to forwarding.
pub(super) fn mark_irrelevant(ctx: &mut Ctx, b: &Block, reason: &str) {
    ctx.irr = Some(reason.to_string());
    mark_block(ctx, b, None);
    ctx.irr = None;
}

pub(super) fn mark_stmt(ctx: &mut Ctx, s: &Stmt, how: Option<(&str, &Scope)>) {
    match how {
        None => ctx.ok_stmt(s),
        Some((r, sc)) => ctx.bad_stmt(s, r, sc),
    }
}

/// Does the block hold any statement with an effect (anything but nested empty blocks)?
pub(super) fn block_has_content(b: &Block) -> bool {
    b.items.iter().any(|n| match n {
        Node::Block(sub) => block_has_content(sub),
        _ => true,
    })
}

/// Value of a direct `set key v` in a block (last one wins).
pub(super) fn direct_val<'b>(b: &'b Block, key: &str) -> Option<&'b str> {
    let mut v = None;
    for n in &b.items {
        if let Node::Cmd(s) = n {
            if s.kw() == "set" && s.toks.get(1).map(|k| k == key).unwrap_or(false) {
                v = Some(s.toks.get(2).map(|s| s.as_str()).unwrap_or(""));
            }
        }
    }
    v
}

/// Sections whose feature stays off with the values given: their lines have no
/// effect on forwarding (SD-WAN with status disabled, standalone HA, SSL VPN with no
/// listening interface, disabled explicit web proxy).
pub(super) fn inert_by_default(b: &Block) -> bool {
    let p: Vec<&str> = b.path.iter().map(|s| s.as_str()).collect();
    match p.as_slice() {
        ["system", "sdwan"] | ["system", "virtual-wan-link"] => {
            direct_val(b, "status") != Some("enable")
        }
        ["system", "ha"] => {
            matches!(direct_val(b, "mode"), None | Some("standalone"))
                && b.items.iter().all(|n| matches!(n, Node::Cmd(_)))
        }
        ["vpn", "ssl", "settings"] => direct_val(b, "source-interface").is_none(),
        ["web-proxy", "explicit"] => direct_val(b, "status") != Some("enable"),
        _ => false,
    }
}

/// Descend through `config vdom` / `edit <vdom>` and `config global` wrappers and
/// collect the sections.
pub(super) fn walk_top(
    ctx: &mut Ctx,
    nodes: Vec<Node>,
    out: &mut Vec<Block>,
    vdoms: &mut Vec<String>,
) {
    for n in nodes {
        match n {
            Node::Block(b)
                if b.path.len() == 1 && (b.path[0] == "vdom" || b.path[0] == "global") =>
            {
                ctx.ok_stmt(&b.open);
                match &b.close {
                    Some(c) => ctx.ok_stmt(c),
                    None => ctx.bad(
                        b.open.first,
                        "config block without matching end",
                        &Scope::Device,
                    ),
                }
                if b.path[0] == "global" {
                    walk_top(ctx, b.items, out, vdoms);
                    continue;
                }
                for it in b.items {
                    match it {
                        Node::Edit(e) => {
                            ctx.ok_stmt(&e.open);
                            match &e.close {
                                Some(c) => ctx.ok_stmt(c),
                                None => ctx.bad(
                                    e.open.first,
                                    "edit without matching next",
                                    &Scope::Device,
                                ),
                            }
                            if !e.items.is_empty() {
                                if !vdoms.contains(&e.name) {
                                    vdoms.push(e.name.clone());
                                }
                                if vdoms.first() != Some(&e.name) {
                                    ctx.bad(
                                        e.open.first,
                                        "multiple VDOMs merged into one device model",
                                        &Scope::Device,
                                    );
                                }
                            }
                            walk_top(ctx, e.items, out, vdoms);
                        }
                        other => mark_node(
                            ctx,
                            &other,
                            Some(("unexpected statement in config vdom", &Scope::Device)),
                        ),
                    }
                }
            }
            Node::Block(b) => out.push(b),
            Node::Edit(e) => mark_node(
                ctx,
                &Node::Edit(e),
                Some(("edit outside of a config block", &Scope::Device)),
            ),
            Node::Cmd(s) => {
                let (r, sc) = match s.kw() {
                    "end" => ("end without matching config", Scope::None),
                    "next" => ("next outside of an edit", Scope::None),
                    _ => ("statement outside of a config block", Scope::Device),
                };
                ctx.bad_stmt(&s, r, &sc);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Tables: merged view of repeated blocks and edits

#[derive(Clone, Debug)]
pub(super) struct Attr {
    pub(super) key: String,
    pub(super) vals: Vec<String>,
    pub(super) stmts: Vec<Stmt>,
}

impl Attr {
    pub(super) fn line(&self) -> u32 {
        self.stmts.last().map(|s| s.first).unwrap_or(0)
    }
}

#[derive(Clone, Debug, Default)]
pub(super) struct Obj {
    pub(super) name: String,
    pub(super) opens: Vec<Stmt>,
    pub(super) attrs: Vec<Attr>,
    pub(super) subs: Vec<Block>,
}

impl Obj {
    pub(super) fn get(&self, k: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.key == k)
    }
    pub(super) fn val(&self, k: &str) -> Option<&str> {
        self.get(k).and_then(|a| a.vals.first()).map(|s| s.as_str())
    }
    pub(super) fn line(&self) -> u32 {
        self.opens.first().map(|s| s.first).unwrap_or(0)
    }
}

#[derive(Debug, Default)]
pub(super) struct Table {
    pub(super) objs: Vec<Obj>,
    pub(super) direct: Obj,
    /// name → position in `objs`.
    pub(super) index: HashMap<String, usize>,
}

impl Table {
    pub(super) fn reindex(&mut self) {
        self.index = self
            .objs
            .iter()
            .enumerate()
            .map(|(i, o)| (o.name.clone(), i))
            .collect();
    }
}

pub(super) type ResetFn = fn(&str) -> &'static [&'static str];

pub(super) fn no_reset(_: &str) -> &'static [&'static str] {
    &[]
}

pub(super) fn mark_obj_ok(ctx: &mut Ctx, o: &Obj) {
    for a in &o.attrs {
        for s in &a.stmts {
            ctx.ok_stmt(s);
        }
    }
    for b in &o.subs {
        mark_block(ctx, b, None);
    }
}

pub(super) fn build_table(ctx: &mut Ctx, blocks: &[Block], scope: &Scope, reset: ResetFn) -> Table {
    let mut t = Table::default();
    for b in blocks {
        ctx.ok_stmt(&b.open);
        match &b.close {
            Some(c) => ctx.ok_stmt(c),
            None => ctx.bad(b.open.first, "config block without matching end", scope),
        }
        for it in &b.items {
            match it {
                Node::Edit(e) => {
                    ctx.ok_stmt(&e.open);
                    match &e.close {
                        Some(c) => ctx.ok_stmt(c),
                        None => ctx.bad(e.open.first, "edit without matching next", scope),
                    }
                    if e.open.toks.len() != 2 {
                        ctx.bad_stmt(&e.open, "malformed edit statement", scope);
                    }
                    let idx = match t.index.get(&e.name) {
                        Some(&i) => i,
                        None => {
                            t.objs.push(Obj {
                                name: e.name.clone(),
                                ..Obj::default()
                            });
                            t.index.insert(e.name.clone(), t.objs.len() - 1);
                            t.objs.len() - 1
                        }
                    };
                    t.objs[idx].opens.push(e.open.clone());
                    for n in &e.items {
                        apply_item(ctx, &mut t.objs[idx], n, scope, reset);
                    }
                }
                Node::Cmd(s) => match s.kw() {
                    "set" | "unset" | "append" | "select" | "unselect" => {
                        apply_item(ctx, &mut t.direct, it, scope, reset)
                    }
                    _ => {
                        table_cmd(ctx, &mut t, s, scope);
                        t.reindex();
                    }
                },
                Node::Block(_) => apply_item(ctx, &mut t.direct, it, scope, reset),
            }
        }
    }
    t
}

pub(super) fn apply_item(ctx: &mut Ctx, o: &mut Obj, n: &Node, scope: &Scope, reset: ResetFn) {
    let s = match n {
        Node::Block(b) => {
            o.subs.push(b.clone());
            return;
        }
        Node::Edit(e) => {
            mark_node(ctx, n, Some(("edit outside of a config block", scope)));
            let _ = e;
            return;
        }
        Node::Cmd(s) => s,
    };
    let kw = s.kw();
    if !matches!(kw, "set" | "unset" | "append" | "select" | "unselect") || s.toks.len() < 2 {
        ctx.bad_stmt(s, &format!("unexpected statement `{kw}`"), scope);
        return;
    }
    let key = s.toks[1].clone();
    let vals: Vec<String> = s.toks[2..].to_vec();
    let pos = o.attrs.iter().position(|a| a.key == key);
    match kw {
        "set" => {
            let changed = pos.map(|i| o.attrs[i].vals != vals).unwrap_or(true);
            if let Some(i) = pos {
                let old = o.attrs.remove(i);
                for st in &old.stmts {
                    ctx.ok_stmt(st);
                }
            }
            if changed {
                for dep in reset(&key) {
                    if let Some(i) = o.attrs.iter().position(|a| a.key == *dep) {
                        let old = o.attrs.remove(i);
                        for st in &old.stmts {
                            ctx.ok_stmt(st);
                        }
                    }
                }
            }
            o.attrs.push(Attr {
                key,
                vals,
                stmts: vec![s.clone()],
            });
        }
        "unset" => {
            ctx.ok_stmt(s);
            if let Some(i) = pos {
                let old = o.attrs.remove(i);
                for st in &old.stmts {
                    ctx.ok_stmt(st);
                }
            }
        }
        "append" | "select" => match pos {
            Some(i) => {
                let a = &mut o.attrs[i];
                for v in vals {
                    if !a.vals.contains(&v) {
                        a.vals.push(v);
                    }
                }
                a.stmts.push(s.clone());
            }
            None => o.attrs.push(Attr {
                key,
                vals,
                stmts: vec![s.clone()],
            }),
        },
        _ => {
            // unselect
            ctx.ok_stmt(s);
            if let Some(i) = pos {
                o.attrs[i].vals.retain(|v| !vals.contains(v));
            }
        }
    }
}

pub(super) fn table_cmd(ctx: &mut Ctx, t: &mut Table, s: &Stmt, scope: &Scope) {
    let toks = &s.toks;
    let find = |t: &Table, n: &str| t.objs.iter().position(|o| o.name == n);
    match (s.kw(), toks.len()) {
        ("rename", 4) if toks[2] == "to" => match (find(t, &toks[1]), find(t, &toks[3])) {
            (Some(i), None) => {
                t.objs[i].name = toks[3].clone();
                ctx.ok_stmt(s);
            }
            (None, _) => ctx.bad_stmt(s, "rename of an undefined entry", scope),
            (Some(_), Some(_)) => ctx.bad_stmt(s, "rename target already exists", scope),
        },
        ("delete", 2) => match find(t, &toks[1]) {
            Some(i) => {
                let o = t.objs.remove(i);
                mark_obj_ok(ctx, &o);
                ctx.ok_stmt(s);
            }
            None => ctx.bad_stmt(s, "delete of an undefined entry", scope),
        },
        ("purge", 1) => {
            for o in std::mem::take(&mut t.objs) {
                mark_obj_ok(ctx, &o);
            }
            ctx.ok_stmt(s);
        }
        ("move", 4) if toks[2] == "before" || toks[2] == "after" => {
            match (find(t, &toks[1]), find(t, &toks[3])) {
                (Some(a), Some(_)) => {
                    let o = t.objs.remove(a);
                    let b = find(t, &toks[3]).unwrap_or(t.objs.len());
                    let at = if toks[2] == "before" { b } else { b + 1 };
                    t.objs.insert(at.min(t.objs.len()), o);
                    ctx.ok_stmt(s);
                }
                _ => ctx.bad_stmt(s, "move of an undefined entry", scope),
            }
        }
        ("clone", 4) if toks[2] == "to" => match (find(t, &toks[1]), find(t, &toks[3])) {
            (Some(i), None) => {
                let mut o = t.objs[i].clone();
                o.name = toks[3].clone();
                o.opens = vec![s.clone()];
                t.objs.push(o);
                ctx.ok_stmt(s);
            }
            (None, _) => ctx.bad_stmt(s, "clone of an undefined entry", scope),
            (Some(_), Some(_)) => ctx.bad_stmt(s, "clone target already exists", scope),
        },
        (kw, _) => ctx.bad_stmt(s, &format!("unsupported table command `{kw}`"), scope),
    }
}

// ---------------------------------------------------------------------------
// Value parsing helpers

pub(super) fn mask_len(m: Ipv4Addr) -> Option<u8> {
    let m = u32::from(m);
    (m.leading_ones() + m.trailing_zeros() == 32).then_some(m.leading_ones() as u8)
}

/// `A M`, `A/len` or `A/M` → (address, prefix length).
pub(super) fn parse_addr_mask(vals: &[String]) -> Result<(Ipv4Addr, u8), String> {
    let bad = || format!("malformed address/mask `{}`", vals.join(" "));
    match vals {
        [one] => {
            let (a, l) = one.split_once('/').ok_or_else(bad)?;
            let a: Ipv4Addr = a.parse().map_err(|_| bad())?;
            if let Ok(len) = l.parse::<u8>() {
                if len <= 32 {
                    return Ok((a, len));
                }
                return Err(bad());
            }
            let m: Ipv4Addr = l.parse().map_err(|_| bad())?;
            Ok((a, mask_len(m).ok_or_else(bad)?))
        }
        [a, m] => {
            let a: Ipv4Addr = a.parse().map_err(|_| bad())?;
            let m: Ipv4Addr = m.parse().map_err(|_| bad())?;
            Ok((a, mask_len(m).ok_or_else(bad)?))
        }
        _ => Err(bad()),
    }
}

pub(super) fn prefix_match(a: Ipv4Addr, len: u8) -> IpMatch {
    if len == 0 {
        IpMatch::Any
    } else {
        IpMatch::prefix(a, len)
    }
}

pub(super) fn parse_port_range(s: &str) -> Option<PortRange> {
    let (lo, hi) = match s.split_once('-') {
        Some((a, b)) => (a.parse().ok()?, b.parse().ok()?),
        None => {
            let p = s.parse().ok()?;
            (p, p)
        }
    };
    (lo <= hi).then_some(PortRange { lo, hi })
}

/// `dst[:src]` port range item.
pub(super) fn parse_port_item(s: &str) -> Option<(PortRange, PortRange)> {
    match s.split_once(':') {
        Some((d, sr)) => Some((parse_port_range(d)?, parse_port_range(sr)?)),
        None => Some((parse_port_range(s)?, PortRange::ANY)),
    }
}

pub(super) fn is_enable(a: &Attr) -> bool {
    a.vals.first().map(|v| v == "enable").unwrap_or(false)
}
