//! FortiOS (FortiGate) configuration parser.
//!
//! Two passes:
//! 1. A generic, line-numbered tree of `config` / `edit` / `set` / `next` / `end`
//!    statements (tolerant of missing `next`/`end` and stray `end`).
//! 2. Interpretation of the sections that matter for forwarding (interfaces, zones,
//!    addresses, services, policies, static routes) into the vendor-neutral model.
//!
//! Every line of the file ends up either understood or in `Device::unrecognized`.
//! Repeated `config X` blocks and repeated `edit N` of the same entry merge, as on the
//! device; `rename`, `delete`, `purge`, `move` and `clone` table commands are applied.

pub mod secrets;

use super::ParseError;
use crate::ingest::redact::FileRedaction;
use crate::model::*;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::net::Ipv4Addr;
use std::rc::Rc;

/// The `fortios` dialect ([`crate::ingest::REGISTRY`]).
pub struct Fortios;
pub const SYNTAX: Fortios = Fortios;
pub const DIALECT: Dialect = Dialect("fortios");

impl super::Syntax for Fortios {
    fn id(&self) -> &'static str {
        "fortios"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["fortigate"]
    }
    fn marker(&self, l: &str) -> super::Marker {
        let decisive = l.starts_with("config system ")
            || l.starts_with("config firewall ")
            || l.starts_with("config router ")
            || l.starts_with("#config-version=");
        if decisive {
            super::Marker::Decisive
        } else {
            super::Marker::None
        }
    }
    fn parse(&self, file: &str, text: &str) -> Result<Device, ParseError> {
        parse(file, text)
    }
}

/// Parse a FortiOS configuration into a [`Device`].
pub fn parse(file: &str, text: &str) -> Result<Device, ParseError> {
    parse_with_stats(file, text).map(|(d, _)| d)
}

/// Parse and also return the number of understood lines. Every line is either
/// understood or listed once in `Device::unrecognized`, so
/// `understood + unrecognized.len() == lines`.
pub fn parse_with_stats(file: &str, text: &str) -> Result<(Device, u32), ParseError> {
    let raw: Vec<&str> = text.lines().collect();
    if raw.len() >= u32::MAX as usize {
        return Err(ParseError {
            file: file.to_string(),
            line: 1,
            message: "file too large".into(),
        });
    }
    let mut ctx = Ctx {
        file,
        raw: raw.clone(),
        st: vec![St::Pending; raw.len()],
        irr: None,
        irrelevant: Default::default(),
    };
    let stmts = lex(&mut ctx, &raw);
    let heuristic = !stmts.iter().any(|s| {
        s.toks.len() == 2 && s.toks[0] == "config" && (s.toks[1] == "vdom" || s.toks[1] == "global")
    });
    let mut tb = TreeBuilder {
        stmts: &stmts,
        i: 0,
        indent_heuristic: heuristic,
    };
    let top = tb.items(false, 0).0;
    let mut sections: Vec<Block> = Vec::new();
    let mut vdoms: Vec<String> = Vec::new();
    walk_top(&mut ctx, top, &mut sections, &mut vdoms);
    let device = interpret(&mut ctx, sections);
    Ok(ctx.finish(device))
}

// ---------------------------------------------------------------------------
// Line accounting

#[derive(Clone, Debug)]
enum St {
    Pending,
    Ok,
    Unrec(String, Scope),
}

struct Ctx<'a> {
    file: &'a str,
    raw: Vec<&'a str>,
    st: Vec<St>,
    /// While set, lines marked understood are counted as irrelevant for this reason.
    irr: Option<String>,
    irrelevant: std::collections::BTreeMap<String, u32>,
}

fn scope_rank(s: &Scope) -> u8 {
    match s {
        Scope::None => 0,
        Scope::Device => 2,
        _ => 1,
    }
}

impl<'a> Ctx<'a> {
    fn span(&self, line: u32) -> Span {
        Span::new(self.file, line)
    }

    fn ok(&mut self, line: u32) {
        if let Some(s) = line
            .checked_sub(1)
            .and_then(|i| self.st.get_mut(i as usize))
        {
            if matches!(s, St::Pending) {
                *s = St::Ok;
                if let Some(r) = &self.irr {
                    *self.irrelevant.entry(r.clone()).or_default() += 1;
                }
            }
        }
    }

    fn ok_stmt(&mut self, s: &Stmt) {
        for l in s.first..=s.last {
            self.ok(l);
        }
    }

    fn bad(&mut self, line: u32, reason: &str, scope: &Scope) {
        if let Some(s) = line
            .checked_sub(1)
            .and_then(|i| self.st.get_mut(i as usize))
        {
            match s {
                St::Unrec(r, sc) => {
                    if !r.split("; ").any(|x| x == reason) {
                        r.push_str("; ");
                        r.push_str(reason);
                    }
                    if scope_rank(scope) > scope_rank(sc) {
                        *sc = scope.clone();
                    }
                }
                _ => *s = St::Unrec(reason.to_string(), scope.clone()),
            }
        }
    }

    fn bad_stmt(&mut self, s: &Stmt, reason: &str, scope: &Scope) {
        for l in s.first..=s.last {
            self.bad(l, reason, scope);
        }
    }

    fn finish(self, mut d: Device) -> (Device, u32) {
        let mut understood = 0u32;
        let red = FileRedaction::new(self.raw.iter().copied());
        for (i, st) in self.st.into_iter().enumerate() {
            let line = i as u32 + 1;
            let (reason, scope) = match st {
                St::Ok => {
                    understood += 1;
                    continue;
                }
                St::Pending => (
                    "line not interpreted by the FortiOS parser".to_string(),
                    Scope::Device,
                ),
                St::Unrec(r, s) => (r, s),
            };
            d.unrecognized.push(Unrecognized {
                file: None,
                line,
                text: red.line(line, self.raw[i]),
                reason,
                scope,
            });
        }
        d.lines = self.raw.len() as u32;
        for (r, n) in self.irrelevant {
            *d.irrelevant.entry(r).or_default() += n;
        }
        (d, understood)
    }
}

// ---------------------------------------------------------------------------
// Lexer

/// One statement: tokens of one line, or of several lines when a quoted string
/// spans line breaks.
#[derive(Clone, Debug)]
struct Stmt {
    first: u32,
    last: u32,
    indent: usize,
    toks: Vec<String>,
}

impl Stmt {
    fn kw(&self) -> &str {
        self.toks.first().map(|s| s.as_str()).unwrap_or("")
    }
}

fn lex(ctx: &mut Ctx, raw: &[&str]) -> Vec<Stmt> {
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

const MAX_CONTINUATION: usize = 5000;

/// Incremental quote tracker with the same rules as [`tokenize`].
#[derive(Default)]
struct QuoteScan {
    quote: Option<char>,
    escape: bool,
    have: bool,
}

impl QuoteScan {
    fn open(&self) -> bool {
        self.quote.is_some()
    }
    fn feed(&mut self, s: &str) {
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
fn tokenize(s: &str) -> (Vec<String>, bool) {
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
enum Node {
    Block(Block),
    Edit(Edit),
    Cmd(Stmt),
}

#[derive(Clone, Debug)]
struct Block {
    open: Stmt,
    path: Vec<String>,
    items: Vec<Node>,
    close: Option<Stmt>,
}

#[derive(Clone, Debug)]
struct Edit {
    open: Stmt,
    name: String,
    items: Vec<Node>,
    close: Option<Stmt>,
}

enum Close {
    End(Stmt),
    Next(Stmt),
    /// Terminated by something that belongs to an outer level (not consumed).
    Implicit,
    Eof,
}

const MAX_DEPTH: usize = 48;

struct TreeBuilder<'s> {
    stmts: &'s [Stmt],
    i: usize,
    /// Without VDOM wrappers, a `config` in column 0 always starts a top-level
    /// section: use it to recover from a missing `end`.
    indent_heuristic: bool,
}

impl TreeBuilder<'_> {
    fn items(&mut self, in_edit: bool, depth: usize) -> (Vec<Node>, Close) {
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
fn mark_node(ctx: &mut Ctx, n: &Node, how: Option<(&str, &Scope)>) {
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

fn mark_block(ctx: &mut Ctx, b: &Block, how: Option<(&str, &Scope)>) {
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
fn mark_irrelevant(ctx: &mut Ctx, b: &Block, reason: &str) {
    ctx.irr = Some(reason.to_string());
    mark_block(ctx, b, None);
    ctx.irr = None;
}

fn mark_stmt(ctx: &mut Ctx, s: &Stmt, how: Option<(&str, &Scope)>) {
    match how {
        None => ctx.ok_stmt(s),
        Some((r, sc)) => ctx.bad_stmt(s, r, sc),
    }
}

/// Does the block hold any statement with an effect (anything but nested empty blocks)?
fn block_has_content(b: &Block) -> bool {
    b.items.iter().any(|n| match n {
        Node::Block(sub) => block_has_content(sub),
        _ => true,
    })
}

/// Value of a direct `set key v` in a block (last one wins).
fn direct_val<'b>(b: &'b Block, key: &str) -> Option<&'b str> {
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
fn inert_by_default(b: &Block) -> bool {
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
fn walk_top(ctx: &mut Ctx, nodes: Vec<Node>, out: &mut Vec<Block>, vdoms: &mut Vec<String>) {
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
struct Attr {
    key: String,
    vals: Vec<String>,
    stmts: Vec<Stmt>,
}

impl Attr {
    fn line(&self) -> u32 {
        self.stmts.last().map(|s| s.first).unwrap_or(0)
    }
}

#[derive(Clone, Debug, Default)]
struct Obj {
    name: String,
    opens: Vec<Stmt>,
    attrs: Vec<Attr>,
    subs: Vec<Block>,
}

impl Obj {
    fn get(&self, k: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.key == k)
    }
    fn val(&self, k: &str) -> Option<&str> {
        self.get(k).and_then(|a| a.vals.first()).map(|s| s.as_str())
    }
    fn line(&self) -> u32 {
        self.opens.first().map(|s| s.first).unwrap_or(0)
    }
}

#[derive(Debug, Default)]
struct Table {
    objs: Vec<Obj>,
    direct: Obj,
    /// name → position in `objs`.
    index: HashMap<String, usize>,
}

impl Table {
    fn reindex(&mut self) {
        self.index = self
            .objs
            .iter()
            .enumerate()
            .map(|(i, o)| (o.name.clone(), i))
            .collect();
    }
}

type ResetFn = fn(&str) -> &'static [&'static str];

fn no_reset(_: &str) -> &'static [&'static str] {
    &[]
}

fn mark_obj_ok(ctx: &mut Ctx, o: &Obj) {
    for a in &o.attrs {
        for s in &a.stmts {
            ctx.ok_stmt(s);
        }
    }
    for b in &o.subs {
        mark_block(ctx, b, None);
    }
}

fn build_table(ctx: &mut Ctx, blocks: &[Block], scope: &Scope, reset: ResetFn) -> Table {
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

fn apply_item(ctx: &mut Ctx, o: &mut Obj, n: &Node, scope: &Scope, reset: ResetFn) {
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

fn table_cmd(ctx: &mut Ctx, t: &mut Table, s: &Stmt, scope: &Scope) {
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
// Section classification

enum Kind {
    Global,
    Interface,
    Zone,
    Address,
    AddrGrp,
    SvcCustom,
    SvcGroup,
    Policy,
    RouterStatic,
    Bgp,
    Vip,
    VipGrp,
    IpPool,
    Settings,
    /// Understood: no effect on IPv4 forwarding.
    Ignore,
    /// Not modeled.
    Unmodeled(Scope),
}

fn classify(path: &[String]) -> Kind {
    let p: Vec<&str> = path.iter().map(|s| s.as_str()).collect();
    let first = p.first().copied().unwrap_or("");
    let second = p.get(1).copied().unwrap_or("");
    match (first, second) {
        ("system", "global") if p.len() == 2 => Kind::Global,
        ("system", "interface") if p.len() == 2 => Kind::Interface,
        ("system", "zone") if p.len() == 2 => Kind::Zone,
        ("system", "settings") if p.len() == 2 => Kind::Settings,
        ("firewall", "address") if p.len() == 2 => Kind::Address,
        ("firewall", "addrgrp") if p.len() == 2 => Kind::AddrGrp,
        ("firewall", "service") if p == ["firewall", "service", "custom"] => Kind::SvcCustom,
        ("firewall", "service") if p == ["firewall", "service", "group"] => Kind::SvcGroup,
        ("firewall", "service") => Kind::Ignore, // category
        ("firewall", "policy") if p.len() == 2 => Kind::Policy,
        ("firewall", "vip") if p.len() == 2 => Kind::Vip,
        ("firewall", "vipgrp") if p.len() == 2 => Kind::VipGrp,
        ("firewall", "ippool") if p.len() == 2 => Kind::IpPool,
        ("router", "static") if p.len() == 2 => Kind::RouterStatic,
        ("router", "bgp") if p.len() == 2 => Kind::Bgp,
        ("system", s) => match s {
            "accprofile"
            | "admin"
            | "api-user"
            | "sso-admin"
            | "custom-language"
            | "dns"
            | "ntp"
            | "snmp"
            | "replacemsg"
            | "replacemsg-image"
            | "replacemsg-group"
            | "storage"
            | "console"
            | "email-server"
            | "fortiguard"
            | "automation-trigger"
            | "automation-action"
            | "automation-stitch"
            | "automation-destination"
            | "auto-install"
            | "ftm-push"
            | "object-tagging"
            | "password-policy"
            | "password-policy-guest-admin"
            | "fortisandbox"
            | "central-management"
            | "csf"
            | "auto-scale"
            | "alarm"
            | "sms-server"
            | "dhcp"
            | "ddns"
            | "fm"
            | "fortimanager"
            | "vdom-property"
            | "resource-limits"
            | "vdom-dns"
            | "dns-database"
            | "dns-server"
            | "ips-urlfilter-dns"
            | "ips-urlfilter-dns6"
            | "fips-cc"
            | "mem-mgr"
            | "tos-based-priority"
            | "external-resource"
            | "ptp"
            | "saml"
            | "federated-upgrade"
            | "fortiai"
            | "ipam"
            | "lte-modem"
            | "affinity-interrupt"
            | "affinity-packet-redistribution"
            | "global6"
            | "speed-test-server"
            | "speed-test-schedule"
            | "sflow"
            | "netflow"
            | "probe-response"
            // ALG helpers: they admit only the related sessions of flows a policy admitted.
            | "session-helper"
            // NPU offload tuning: speed, not forwarding decisions.
            | "np6"
            | "np6xlite"
            | "npu" => Kind::Ignore,
            "ha" | "ha-monitor" | "cluster-sync" | "standalone-cluster" | "session-ttl" => Kind::Unmodeled(Scope::None),
            "sdwan" | "virtual-wan-link" | "link-monitor" => Kind::Unmodeled(Scope::Routing),
            _ => Kind::Unmodeled(Scope::Device),
        },
        ("firewall", s) => match s {
            "address6"
            | "addrgrp6"
            | "multicast-address"
            | "multicast-address6"
            | "wildcard-fqdn"
            | "internet-service-name"
            | "internet-service-definition"
            | "internet-service-extension"
            | "internet-service-custom"
            | "internet-service-custom-group"
            | "internet-service-group"
            | "internet-service-addition"
            | "internet-service-append"
            | "schedule"
            | "ssh"
            | "ssl-ssh-profile"
            | "profile-protocol-options"
            | "profile-group"
            | "shaper"
            | "ldb-monitor"
            | "ssl"
            | "address6-template"
            | "decrypted-traffic-mirror"
            | "traffic-class"
            | "auth-portal"
            | "ssl-server"
            | "vendor-mac" => Kind::Ignore,
            "identity-based-route" => Kind::Unmodeled(Scope::Routing),
            _ => Kind::Unmodeled(Scope::Policy),
        },
        ("router", s) => match s {
            "access-list" | "access-list6" | "prefix-list" | "prefix-list6" | "route-map"
            | "aspath-list" | "community-list" | "extcommunity-list" | "key-chain" => Kind::Ignore,
            _ => Kind::Unmodeled(Scope::Routing),
        },
        ("vpn", "certificate") => Kind::Ignore,
        ("vpn", "ssl") if p.get(2) == Some(&"web") => Kind::Ignore,
        ("vpn", "ssl") => Kind::Unmodeled(Scope::None),
        ("web-proxy", "global") => Kind::Ignore,
        ("web-proxy", "explicit") => Kind::Unmodeled(Scope::Policy),
        (
            "switch-controller",
            "qos"
            | "lldp-profile"
            | "lldp-settings"
            | "initial-config"
            | "security-policy"
            | "storm-control-policy"
            | "storm-control"
            | "auto-config"
            | "ptp"
            | "remote-log"
            | "switch-profile"
            | "traffic-policy"
            | "switch-log"
            | "system"
            | "global"
            | "igmp-snooping"
            | "network-monitor-settings"
            | "mac-sync-settings"
            | "sflow"
            | "802-1X-settings"
            | "stp-settings"
            | "snmp-sysinfo"
            | "snmp-trap-threshold"
            | "snmp-community"
            | "snmp-user"
            | "custom-command"
            | "location"
            | "switch-interface-tag",
        ) => {
            // Profiles and templates: no effect until applied to a managed switch.
            Kind::Ignore
        }
        ("log", _)
        | ("report", _)
        | ("webfilter", _)
        | ("antivirus", _)
        | ("ips", _)
        | ("application", _)
        | ("user", _)
        | ("dlp", _)
        | ("emailfilter", _)
        | ("spamfilter", _)
        | ("dnsfilter", _)
        | ("icap", _)
        | ("waf", _)
        | ("voip", _)
        | ("wanopt", _)
        | ("certificate", _)
        | ("alertemail", _)
        | ("endpoint-control", _)
        | ("file-filter", _)
        | ("ssh-filter", _)
        | ("videofilter", _)
        | ("credential-store", _)
        | ("authentication", _)
        | ("dpdk", _)
        | ("gui", _)
        | ("ftp-proxy", _)
        | ("cifs", _)
        | ("sctp-filter", _)
        | ("automation", _) => Kind::Ignore,
        (
            "wireless-controller",
            "wids-profile" | "utm-profile" | "ble-profile" | "arrp-profile" | "setting" | "timers"
            | "log" | "global" | "qos-profile" | "bonjour-profile" | "region" | "apcfg-profile"
            | "mpsk-profile" | "syslog-profile" | "snmp" | "inter-controller",
        ) => {
            // Wireless profiles and controller settings: no effect until an SSID (vap)
            // or AP profile using them exists, and those stay unrecognised.
            Kind::Ignore
        }
        ("switch-controller", _)
        | ("wireless-controller", _)
        | ("extender-controller", _)
        | ("extension-controller", _)
        | ("web-proxy", _) => Kind::Unmodeled(Scope::None),
        _ => Kind::Unmodeled(Scope::Device),
    }
}

// ---------------------------------------------------------------------------
// Value parsing helpers

fn mask_len(m: Ipv4Addr) -> Option<u8> {
    let m = u32::from(m);
    (m.leading_ones() + m.trailing_zeros() == 32).then_some(m.leading_ones() as u8)
}

/// `A M`, `A/len` or `A/M` → (address, prefix length).
fn parse_addr_mask(vals: &[String]) -> Result<(Ipv4Addr, u8), String> {
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

fn prefix_match(a: Ipv4Addr, len: u8) -> IpMatch {
    if len == 0 {
        IpMatch::Any
    } else {
        IpMatch::prefix(a, len)
    }
}

fn parse_port_range(s: &str) -> Option<PortRange> {
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
fn parse_port_item(s: &str) -> Option<(PortRange, PortRange)> {
    match s.split_once(':') {
        Some((d, sr)) => Some((parse_port_range(d)?, parse_port_range(sr)?)),
        None => Some((parse_port_range(s)?, PortRange::ANY)),
    }
}

fn is_enable(a: &Attr) -> bool {
    a.vals.first().map(|v| v == "enable").unwrap_or(false)
}

// ---------------------------------------------------------------------------
// Interpretation

struct Sections {
    by_kind: Vec<(Kind, Block)>,
}

impl Sections {
    fn take(&self, f: fn(&Kind) -> bool) -> Vec<Block> {
        self.by_kind
            .iter()
            .filter(|(k, _)| f(k))
            .map(|(_, b)| b.clone())
            .collect()
    }
}

/// A resolved address object: its IPv4 items, and why it is not fully known.
#[derive(Clone, Debug)]
struct Resolved<T> {
    items: Vec<T>,
    problems: Vec<String>,
}

impl<T> Default for Resolved<T> {
    fn default() -> Self {
        Resolved {
            items: Vec::new(),
            problems: Vec::new(),
        }
    }
}

fn interpret(ctx: &mut Ctx, sections: Vec<Block>) -> Device {
    let mut by_kind = Vec::new();
    for b in sections {
        let k = classify(&b.path);
        match &k {
            Kind::Ignore => {
                let p: Vec<&str> = b.path.iter().take(2).map(|s| s.as_str()).collect();
                let reason = format!(
                    "`config {}`: management, logging, profiles or ALG helpers (no effect on forwarding)",
                    p.join(" ")
                );
                mark_irrelevant(ctx, &b, &reason)
            }
            Kind::Unmodeled(sc) => {
                if block_has_content(&b) && !inert_by_default(&b) {
                    let reason = format!("`config {}` is not modeled", b.path.join(" "));
                    mark_block(ctx, &b, Some((&reason, sc)));
                } else {
                    // An empty section leaves the defaults in place: no effect.
                    mark_block(ctx, &b, None);
                }
            }
            _ => by_kind.push((k, b)),
        }
    }
    let secs = Sections { by_kind };

    // system global
    let mut name = super::stem(ctx.file);
    let g = build_table(
        ctx,
        &secs.take(|k| matches!(k, Kind::Global)),
        &Scope::None,
        no_reset,
    );
    for o in &g.objs {
        for s in &o.opens {
            ctx.bad_stmt(s, "unexpected edit in system global", &Scope::None);
        }
        mark_obj_ok(ctx, o);
    }
    if let Some(h) = g.direct.val("hostname") {
        if !h.is_empty() {
            name = h.to_string();
        }
    }
    mark_obj_ok(ctx, &g.direct);

    let mut dev = Device::new(name, ctx.file, DIALECT);
    dev.stateful = true;
    dev.policy_based = true;

    settings(ctx, &secs.take(|k| matches!(k, Kind::Settings)));
    dev.interfaces = interfaces(ctx, &secs.take(|k| matches!(k, Kind::Interface)));
    let (zones, intrazone) = zones(
        ctx,
        &secs.take(|k| matches!(k, Kind::Zone)),
        &dev.interfaces,
    );
    let addrs = Addresses::build(
        ctx,
        &secs.take(|k| matches!(k, Kind::Address)),
        &secs.take(|k| matches!(k, Kind::AddrGrp)),
        &dev.interfaces,
    );
    let svcs = Services::build(
        ctx,
        &secs.take(|k| matches!(k, Kind::SvcCustom)),
        &secs.take(|k| matches!(k, Kind::SvcGroup)),
    );
    dev.policies = intrazone;
    let nat = Nat::build(
        ctx,
        &secs.take(|k| matches!(k, Kind::Vip)),
        &secs.take(|k| matches!(k, Kind::VipGrp)),
        &secs.take(|k| matches!(k, Kind::IpPool)),
        &dev.interfaces,
        &zones,
    );
    let pol = policies(
        ctx,
        &secs.take(|k| matches!(k, Kind::Policy)),
        &dev.interfaces,
        &zones,
        &addrs,
        &svcs,
        &nat,
    );
    dev.dnats = nat.vips.iter().filter_map(|v| v.1.clone()).collect();
    dev.policies.extend(pol);
    dev.routes = routes(
        ctx,
        &secs.take(|k| matches!(k, Kind::RouterStatic)),
        &dev.interfaces,
    );
    bgp(ctx, &secs.take(|k| matches!(k, Kind::Bgp)));
    dev
}

fn settings(ctx: &mut Ctx, blocks: &[Block]) {
    let sc = Scope::Device;
    let t = build_table(ctx, blocks, &sc, no_reset);
    for o in &t.objs {
        for s in &o.opens {
            ctx.bad_stmt(s, "unexpected edit in system settings", &sc);
        }
        mark_obj_ok(ctx, o);
    }
    for a in &t.direct.attrs {
        let ok = match a.key.as_str() {
            "opmode" => a.vals.first().map(|v| v == "nat").unwrap_or(false),
            "central-nat" if !is_enable(a) => true,
            "central-nat" => {
                for s in &a.stmts {
                    ctx.bad_stmt(
                        s,
                        "central NAT (`config firewall central-snat-map`) not modeled: policy NAT settings do not apply",
                        &sc,
                    );
                }
                continue;
            }
            "comments" | "status" => true,
            k => k.starts_with("gui-"),
        };
        for s in &a.stmts {
            if ok {
                ctx.ok_stmt(s);
            } else {
                ctx.bad_stmt(s, &format!("system setting `{}` not modeled", a.key), &sc);
            }
        }
    }
    for b in &t.direct.subs {
        mark_block(ctx, b, Some(("system settings sub-block not modeled", &sc)));
    }
}

const IFACE_IGNORED: &[&str] = &[
    "vdom",
    "allowaccess",
    "alias",
    "description",
    "role",
    "snmp-index",
    "speed",
    "mtu-override",
    "mtu",
    "lldp-reception",
    "lldp-transmission",
    "lldp-network-policy",
    "monitor-bandwidth",
    "estimated-upstream-bandwidth",
    "estimated-downstream-bandwidth",
    "inbandwidth",
    "outbandwidth",
    "device-identification",
    "device-user-identification",
    "device-identification-active-scan",
    "icmp-send-redirect",
    "fortiheartbeat",
    "color",
    "macaddr",
    "dedicated-to",
    "auto-auth-extension-device",
    "ap-discover",
    "fortilink-split-interface",
    "switch-controller-access-vlan",
    "switch-controller-feature",
    "switch-controller-igmp-snooping",
    "switch-controller-dhcp-snooping",
    "autogenerated",
    "detected-peer-mtu",
    "tcp-mss",
    "weight",
    "mediatype",
    "netbios-forward",
    "wins-ip",
    "security-mode",
    "interface-identifier",
    "distance",
    "priority",
    "dns-server-override",
    "defaultgw",
    "ping-serv-status",
    "gwdetect",
    "detectserver",
    "ha-priority",
    "trust-ip-1",
    "trust-ip-2",
    "trust-ip-3",
    "trust-ip6-1",
    "trust-ip6-2",
    "trust-ip6-3",
    "management-ip",
    "status-wait",
    "log",
    "preserve-session-route",
    "sflow-sampler",
    "netflow-sampler",
    "drop-fragment",
    "drop-overlapped-fragment",
];

fn interfaces(ctx: &mut Ctx, blocks: &[Block]) -> Vec<Interface> {
    let t = build_table(ctx, blocks, &Scope::Device, no_reset);
    for a in &t.direct.attrs {
        for s in &a.stmts {
            ctx.bad_stmt(s, "attribute outside of an interface entry", &Scope::Device);
        }
    }
    for b in &t.direct.subs {
        mark_block(
            ctx,
            b,
            Some(("unexpected block in system interface", &Scope::Device)),
        );
    }
    let names: HashSet<String> = t.objs.iter().map(|o| o.name.clone()).collect();
    let mut out = Vec::new();
    for o in &t.objs {
        let sc = Scope::Interface(o.name.clone());
        let mut ifc = Interface::new(o.name.clone(), ctx.span(o.line()));
        for s in o.opens.iter().skip(1) {
            ifc.lines.push(ctx.span(s.first));
        }
        let ty = o.val("type").unwrap_or("physical").to_string();
        let vlanid = o.get("vlanid");
        let parent_if = o.get("interface");
        let secondary_on = o.get("secondary-IP").map(is_enable).unwrap_or(false);
        for a in &o.attrs {
            let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
            let res: Result<(), (String, Scope)> = match a.key.as_str() {
                "ip" => match parse_addr_mask(&a.vals) {
                    Ok((ip, 0)) if !ip.is_unspecified() => Err((
                        format!("interface address {ip} with mask /0 (FortiOS rejects it)"),
                        sc.clone(),
                    )),
                    Ok((ip, len)) => {
                        if !ip.is_unspecified() {
                            ifc.addresses.insert(0, (ip, len));
                        }
                        Ok(())
                    }
                    Err(e) => Err((e, sc.clone())),
                },
                "mode" => match v0 {
                    "static" => Ok(()),
                    m => Err((
                        format!("address assigned dynamically ({m}): not known from configuration"),
                        sc.clone(),
                    )),
                },
                "status" => match v0 {
                    "up" => Ok(()),
                    "down" => {
                        ifc.shutdown = true;
                        Ok(())
                    }
                    _ => Err((format!("unknown status `{v0}`"), sc.clone())),
                },
                "type" => match v0 {
                    "physical" | "vlan" | "loopback" | "tunnel" | "aggregate" | "redundant" => {
                        Ok(())
                    }
                    other => Err((format!("interface type `{other}` not modeled"), sc.clone())),
                },
                "member" => Err((
                    format!("member list of {ty} interface not modeled"),
                    sc.clone(),
                )),
                "vlanid" => {
                    match v0.parse::<u16>() {
                        Ok(v) if (1..=4094).contains(&v) => {
                            match parent_if.and_then(|p| p.vals.first()) {
                            Some(p) if !names.contains(p) => Err((
                                format!("parent interface `{p}` does not exist (FortiOS rejects it)"),
                                sc.clone(),
                            )),
                            Some(p) => {
                                ifc.parent = Some((p.clone(), v));
                                Ok(())
                            }
                            None => Err(("vlanid without parent interface".into(), sc.clone())),
                        }
                        }
                        _ => Err((format!("invalid vlanid `{v0}`"), sc.clone())),
                    }
                }
                "interface" => {
                    if vlanid.is_none() && ty == "vlan" {
                        Err(("vlan interface without vlanid".into(), sc.clone()))
                    } else if a.vals.len() != 1 {
                        Err(("malformed parent interface".into(), sc.clone()))
                    } else if !names.contains(&a.vals[0]) {
                        Err((
                            format!(
                                "parent interface `{}` does not exist (FortiOS rejects it)",
                                a.vals[0]
                            ),
                            sc.clone(),
                        ))
                    } else {
                        Ok(())
                    }
                }
                "secondary-IP" => Ok(()),
                "vrf" => {
                    if v0 == "0" {
                        Ok(())
                    } else {
                        Err(("VRF not modeled".into(), Scope::Routing))
                    }
                }
                "fortilink" => {
                    if v0 == "enable" {
                        Err((
                            "FortiLink (managed switch) interface not modeled".into(),
                            sc.clone(),
                        ))
                    } else {
                        Ok(())
                    }
                }
                k if k.starts_with("ip6") || k.starts_with("ipv6") => {
                    Err(("IPv6 not modeled".into(), Scope::None))
                }
                k if IFACE_IGNORED.contains(&k) => Ok(()),
                k => Err((format!("interface attribute `{k}` not modeled"), sc.clone())),
            };
            match res {
                Ok(()) => {
                    for s in &a.stmts {
                        ctx.ok_stmt(s);
                        ifc.lines.push(ctx.span(s.first));
                    }
                }
                Err((r, scope)) => {
                    for s in &a.stmts {
                        ctx.bad_stmt(s, &r, &scope);
                    }
                }
            }
        }
        for b in &o.subs {
            let path = b.path.join(" ");
            if path == "secondaryip" {
                let st = build_table(ctx, std::slice::from_ref(b), &sc, no_reset);
                for a in st.direct.attrs.iter() {
                    for s in &a.stmts {
                        ctx.bad_stmt(s, "attribute outside of a secondary IP entry", &sc);
                    }
                }
                for so in &st.objs {
                    for a in &so.attrs {
                        let r = match a.key.as_str() {
                            "ip" if secondary_on => match parse_addr_mask(&a.vals) {
                                Ok((ip, len)) => {
                                    if !ip.is_unspecified() {
                                        ifc.addresses.push((ip, len));
                                    }
                                    Ok(())
                                }
                                Err(e) => Err(e),
                            },
                            // Inactive while secondary-IP is disabled.
                            _ if !secondary_on => Ok(()),
                            "allowaccess" | "gwdetect" | "ping-serv-status" | "detectserver"
                            | "detectprotocol" | "ha-priority" => Ok(()),
                            k => Err(format!("secondary IP attribute `{k}` not modeled")),
                        };
                        for s in &a.stmts {
                            match &r {
                                Ok(()) => {
                                    ctx.ok_stmt(s);
                                    ifc.lines.push(ctx.span(s.first));
                                }
                                Err(e) => ctx.bad_stmt(s, e, &sc),
                            }
                        }
                    }
                    for sb in &so.subs {
                        mark_block(ctx, sb, Some(("unexpected block in secondary IP", &sc)));
                    }
                }
            } else if path == "ipv6" {
                if block_has_content(b) {
                    mark_block(ctx, b, Some(("IPv6 not modeled", &Scope::None)));
                } else {
                    mark_block(ctx, b, None);
                }
            } else if !block_has_content(b) {
                mark_block(ctx, b, None);
            } else {
                let r = format!("interface block `config {path}` not modeled");
                mark_block(ctx, b, Some((&r, &sc)));
            }
        }
        ifc.lines.sort();
        ifc.lines.dedup();
        out.push(ifc);
    }
    out
}

/// Zone name → member interfaces; plus the implicit permit policies of
/// `intrazone allow` zones.
fn zones(
    ctx: &mut Ctx,
    blocks: &[Block],
    ifaces: &[Interface],
) -> (HashMap<String, Vec<String>>, Vec<Policy>) {
    let sc = Scope::Policy;
    let t = build_table(ctx, blocks, &sc, no_reset);
    for a in &t.direct.attrs {
        for s in &a.stmts {
            ctx.bad_stmt(s, "attribute outside of a zone entry", &sc);
        }
    }
    for b in &t.direct.subs {
        mark_block(ctx, b, Some(("unexpected block in system zone", &sc)));
    }
    let mut map = HashMap::new();
    let mut pols = Vec::new();
    for o in &t.objs {
        let mut members = Vec::new();
        let mut lines = vec![ctx.span(o.line())];
        for a in &o.attrs {
            let r: Result<(), String> = match a.key.as_str() {
                "interface" => {
                    let unknown: Vec<&String> = a
                        .vals
                        .iter()
                        .filter(|v| !ifaces.iter().any(|i| &i.name == *v))
                        .collect();
                    for v in &a.vals {
                        if !members.contains(v) {
                            members.push(v.clone());
                        }
                    }
                    if unknown.is_empty() {
                        Ok(())
                    } else {
                        Err(format!(
                            "zone member {} is not a defined interface",
                            unknown
                                .iter()
                                .map(|s| format!("`{s}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    }
                }
                "intrazone" => match a.vals.first().map(|s| s.as_str()) {
                    Some("allow") | Some("deny") => Ok(()),
                    _ => Err("invalid intrazone value".into()),
                },
                "description" | "tagging" => Ok(()),
                k => Err(format!("zone attribute `{k}` not modeled")),
            };
            for s in &a.stmts {
                match &r {
                    Ok(()) => {
                        ctx.ok_stmt(s);
                        lines.push(ctx.span(s.first));
                    }
                    Err(e) => ctx.bad_stmt(s, e, &sc),
                }
            }
        }
        for b in &o.subs {
            if b.path.first().map(|s| s == "tagging").unwrap_or(false) {
                mark_block(ctx, b, None);
            } else {
                mark_block(ctx, b, Some(("zone block not modeled", &sc)));
            }
        }
        if let Some(a) = o.get("intrazone") {
            if a.vals.first().map(|s| s == "allow").unwrap_or(false) && !members.is_empty() {
                pols.push(Policy {
                    id: format!("intrazone:{}", o.name),
                    src_intf: members.clone(),
                    dst_intf: members.clone(),
                    m: Match::any(),
                    action: Action::Permit,
                    enabled: true,
                    span: ctx.span(a.line()),
                    lines: lines.clone(),
                    snat: None,
                    dnat: vec![],
                });
            }
        }
        map.insert(o.name.clone(), members);
    }
    (map, pols)
}

// --- addresses -------------------------------------------------------------

/// Named objects (addresses or services) and groups of them, resolved on demand with
/// memoisation (each group is flattened once) and cycle detection.
struct Resolver<T> {
    kind: &'static str,
    leaves: HashMap<String, Resolved<T>>,
    groups: HashMap<String, (Vec<String>, Vec<String>)>,
    fallback: fn(&str) -> Option<Vec<T>>,
    cache: RefCell<HashMap<String, Rc<Resolved<T>>>>,
}

/// Order-preserving union with hash-based deduplication.
struct Union<T> {
    items: Vec<T>,
    seen: HashSet<T>,
    problems: Vec<String>,
    pseen: HashSet<String>,
}

impl<T: Clone + Eq + Hash> Union<T> {
    fn new() -> Self {
        Union {
            items: Vec::new(),
            seen: HashSet::new(),
            problems: Vec::new(),
            pseen: HashSet::new(),
        }
    }
    fn add(&mut self, r: &Resolved<T>) {
        for i in &r.items {
            if self.seen.insert(i.clone()) {
                self.items.push(i.clone());
            }
        }
        for p in &r.problems {
            self.add_problem(p);
        }
    }
    fn add_problem(&mut self, p: &str) {
        if self.pseen.insert(p.to_string()) {
            self.problems.push(p.to_string());
        }
    }
    fn finish(self) -> Resolved<T> {
        Resolved {
            items: self.items,
            problems: self.problems,
        }
    }
}

impl<T: Clone + Eq + Hash> Resolver<T> {
    fn resolve(&self, name: &str) -> Rc<Resolved<T>> {
        self.resolve_in(name, &mut Vec::new())
    }

    fn resolve_in(&self, name: &str, stack: &mut Vec<String>) -> Rc<Resolved<T>> {
        if let Some(r) = self.cache.borrow().get(name) {
            return r.clone();
        }
        let r = if let Some(r) = self.leaves.get(name) {
            r.clone()
        } else if let Some((members, problems)) = self.groups.get(name) {
            if stack.iter().any(|s| s == name) {
                // Not cached: the result depends on the entry point.
                return Rc::new(Resolved {
                    items: vec![],
                    problems: vec![format!("{} group cycle through `{name}`", self.kind)],
                });
            }
            let mut u = Union::new();
            for p in problems {
                u.add_problem(p);
            }
            stack.push(name.to_string());
            for m in members {
                let r = self.resolve_in(m, stack);
                u.add(&r);
            }
            stack.pop();
            u.finish()
        } else if let Some(items) = (self.fallback)(name) {
            Resolved {
                items,
                problems: vec![],
            }
        } else {
            Resolved {
                items: vec![],
                problems: vec![format!("undefined {} `{name}`", self.kind)],
            }
        };
        let r = Rc::new(r);
        self.cache.borrow_mut().insert(name.to_string(), r.clone());
        r
    }
}

type Addresses = Resolver<IpMatch>;
type Services = Resolver<Service>;

fn no_fallback<T>(_: &str) -> Option<Vec<T>> {
    None
}

impl Resolver<IpMatch> {
    fn build(ctx: &mut Ctx, ablocks: &[Block], gblocks: &[Block], ifaces: &[Interface]) -> Self {
        let sc = Scope::Policy;
        let mut addrs = HashMap::new();
        addrs.insert(
            "all".to_string(),
            Resolved {
                items: vec![IpMatch::Any],
                problems: vec![],
            },
        );
        addrs.insert("none".to_string(), Resolved::default());
        let t = build_table(ctx, ablocks, &sc, no_reset);
        for a in &t.direct.attrs {
            for s in &a.stmts {
                ctx.bad_stmt(s, "attribute outside of an address entry", &sc);
            }
        }
        for b in &t.direct.subs {
            mark_block(ctx, b, Some(("unexpected block in firewall address", &sc)));
        }
        for o in &t.objs {
            let ty = o.val("type").unwrap_or("ipmask");
            let mut r = Resolved::default();
            // (attribute, error) for attributes that fail.
            let mut errs: Vec<(&Attr, String, Scope)> = Vec::new();
            match ty {
                "ipmask" => match o.get("subnet") {
                    None => r.items.push(IpMatch::Any),
                    Some(a) => match parse_addr_mask(&a.vals) {
                        Ok((ip, len)) => r.items.push(prefix_match(ip, len)),
                        Err(e) => {
                            r.problems.push(format!("address `{}`: {e}", o.name));
                            errs.push((a, e, Scope::None));
                        }
                    },
                },
                "iprange" => {
                    let get = |k: &str| -> Result<Ipv4Addr, (Option<&Attr>, String)> {
                        match o.get(k) {
                            None => Ok(Ipv4Addr::UNSPECIFIED),
                            Some(a) => match a.vals.as_slice() {
                                [v] => v.parse().map_err(|_| (Some(a), format!("malformed {k}"))),
                                _ => Err((Some(a), format!("malformed {k}"))),
                            },
                        }
                    };
                    match (get("start-ip"), get("end-ip")) {
                        (Ok(lo), Ok(hi)) if lo <= hi => r.items.push(IpMatch::Range { lo, hi }),
                        (Ok(_), Ok(_)) => {
                            let e = "address range with start-ip after end-ip".to_string();
                            r.problems.push(format!("address `{}`: {e}", o.name));
                            if let Some(a) = o.get("end-ip").or(o.get("type")) {
                                errs.push((a, e, Scope::None));
                            }
                        }
                        (Err((a, e)), _) | (_, Err((a, e))) => {
                            r.problems.push(format!("address `{}`: {e}", o.name));
                            if let Some(a) = a {
                                errs.push((a, e, Scope::None));
                            }
                        }
                    }
                }
                "wildcard" => match o.get("wildcard") {
                    None => r.items.push(IpMatch::Any),
                    Some(a) => {
                        let p: Option<(Ipv4Addr, Ipv4Addr)> = match a.vals.as_slice() {
                            [x, m] => x.parse().ok().zip(m.parse().ok()),
                            _ => None,
                        };
                        match p {
                            Some((x, m)) => {
                                let m = u32::from(m);
                                r.items.push(IpMatch::Wildcard {
                                    addr: Ipv4Addr::from(u32::from(x) & m),
                                    wildcard: Ipv4Addr::from(!m),
                                })
                            }
                            None => {
                                let e = "malformed wildcard".to_string();
                                r.problems.push(format!("address `{}`: {e}", o.name));
                                errs.push((a, e, Scope::None));
                            }
                        }
                    }
                },
                "interface-subnet" => {
                    let ifc = o
                        .val("interface")
                        .and_then(|n| ifaces.iter().find(|i| i.name == n))
                        .and_then(|i| i.addresses.first());
                    match ifc {
                        Some(&(ip, len)) => r.items.push(prefix_match(ip, len)),
                        None => {
                            let e =
                                "interface-subnet address of an interface without a known address"
                                    .to_string();
                            r.problems.push(format!("address `{}`: {e}", o.name));
                            if let Some(a) = o.get("type") {
                                errs.push((a, e, Scope::None));
                            }
                        }
                    }
                }
                other => {
                    // Recognised: its addresses are known only at run time. The
                    // definition alone does nothing; every policy that uses it is
                    // unrecognised with this reason (policy scope).
                    let e = format!("{other} address cannot be resolved from configuration");
                    r.problems.push(format!("address `{}`: {e}", o.name));
                }
            }
            for a in &o.attrs {
                if let Some((_, e, s)) = errs.iter().find(|(x, _, _)| std::ptr::eq(*x, a)) {
                    for st in &a.stmts {
                        ctx.bad_stmt(st, e, s);
                    }
                    continue;
                }
                let known = matches!(
                    a.key.as_str(),
                    "type"
                        | "subnet"
                        | "start-ip"
                        | "end-ip"
                        | "wildcard"
                        | "interface"
                        | "fqdn"
                        | "country"
                        | "sdn"
                        | "sub-type"
                        | "wildcard-fqdn"
                        | "start-mac"
                        | "end-mac"
                        | "macaddr"
                        | "uuid"
                        | "comment"
                        | "color"
                        | "associated-interface"
                        | "allow-routing"
                        | "fabric-object"
                        | "visibility"
                        | "cache-ttl"
                        | "obj-type"
                        | "list"
                        | "filter"
                        | "sdn-addr-type"
                        | "clearpass-spt"
                        | "node-ip-only"
                        | "dirty"
                        | "policy-group"
                        | "tenant"
                        | "organization"
                        | "epg-name"
                        | "obj-id"
                        | "tag-detection-level"
                        | "tag-type"
                        | "fsso-group"
                        | "hw-vendor"
                        | "hw-model"
                        | "os"
                        | "sw-version"
                        | "route-tag"
                );
                for st in &a.stmts {
                    if known {
                        ctx.ok_stmt(st);
                    } else {
                        ctx.bad_stmt(
                            st,
                            &format!("address attribute `{}` not modeled", a.key),
                            &sc,
                        );
                    }
                }
            }
            for b in &o.subs {
                if b.path
                    .first()
                    .map(|s| s == "tagging" || s == "list")
                    .unwrap_or(false)
                {
                    mark_block(ctx, b, None);
                } else {
                    mark_block(ctx, b, Some(("address block not modeled", &sc)));
                }
            }
            addrs.insert(o.name.clone(), r);
        }

        let mut groups = HashMap::new();
        let t = build_table(ctx, gblocks, &sc, no_reset);
        for a in &t.direct.attrs {
            for s in &a.stmts {
                ctx.bad_stmt(s, "attribute outside of an address group entry", &sc);
            }
        }
        for b in &t.direct.subs {
            mark_block(ctx, b, Some(("unexpected block in firewall addrgrp", &sc)));
        }
        for o in &t.objs {
            let mut problems = Vec::new();
            let exclude = o.get("exclude").map(is_enable).unwrap_or(false);
            for a in &o.attrs {
                let r: Result<(), (String, Scope)> = match a.key.as_str() {
                    "member" | "uuid" | "comment" | "color" | "visibility" | "allow-routing"
                    | "fabric-object" | "category" | "type" => Ok(()),
                    "exclude" => Ok(()),
                    "exclude-member" if !exclude => Ok(()),
                    "exclude-member" => {
                        // The definition alone does nothing; policies using the group are
                        // unrecognised with this reason.
                        let e = "address group exclusion not modeled".to_string();
                        problems.push(format!("address group `{}`: {e}", o.name));
                        Ok(())
                    }
                    k => Err((
                        format!("address group attribute `{k}` not modeled"),
                        sc.clone(),
                    )),
                };
                for st in &a.stmts {
                    match &r {
                        Ok(()) => ctx.ok_stmt(st),
                        Err((e, s)) => ctx.bad_stmt(st, e, s),
                    }
                }
            }
            for b in &o.subs {
                if b.path.first().map(|s| s == "tagging").unwrap_or(false) {
                    mark_block(ctx, b, None);
                } else {
                    mark_block(ctx, b, Some(("address group block not modeled", &sc)));
                }
            }
            let members = o.get("member").map(|a| a.vals.clone()).unwrap_or_default();
            groups.insert(o.name.clone(), (members, problems));
        }
        Resolver {
            kind: "address",
            leaves: addrs,
            groups,
            fallback: no_fallback,
            cache: RefCell::new(HashMap::new()),
        }
    }
}

// --- services --------------------------------------------------------------

/// FortiOS factory-default services (FortiOS 6.4), used when the file does not
/// define them. (protocol, ranges): `tcp`/`udp`/`sctp` with port ranges,
/// `icmp` with an optional type, `ip` with a protocol number (0 = any), `none`.
const PREDEFINED: &[(&str, &[(&str, &str)])] = &[
    ("ALL", &[("ip", "0")]),
    ("ALL_TCP", &[("tcp", "1-65535")]),
    ("ALL_UDP", &[("udp", "1-65535")]),
    ("ALL_ICMP", &[("icmp", "")]),
    ("ALL_ICMP6", &[("none", "")]),
    ("PING", &[("icmp", "8")]),
    ("PING6", &[("none", "")]),
    ("TIMESTAMP", &[("icmp", "13")]),
    ("INFO_REQUEST", &[("icmp", "15")]),
    ("INFO_ADDRESS", &[("icmp", "17")]),
    ("GRE", &[("ip", "47")]),
    ("AH", &[("ip", "51")]),
    ("ESP", &[("ip", "50")]),
    ("OSPF", &[("ip", "89")]),
    ("DNS", &[("tcp", "53"), ("udp", "53")]),
    ("HTTP", &[("tcp", "80")]),
    ("HTTPS", &[("tcp", "443")]),
    ("IMAP", &[("tcp", "143")]),
    ("IMAPS", &[("tcp", "993")]),
    ("LDAP", &[("tcp", "389")]),
    ("LDAP_UDP", &[("udp", "389")]),
    ("DCE-RPC", &[("tcp", "135"), ("udp", "135")]),
    ("POP3", &[("tcp", "110")]),
    ("POP3S", &[("tcp", "995")]),
    ("SAMBA", &[("tcp", "139")]),
    ("SMB", &[("tcp", "445")]),
    ("SMTP", &[("tcp", "25")]),
    ("SMTPS", &[("tcp", "465")]),
    ("KERBEROS", &[("tcp", "88 464"), ("udp", "88 464")]),
    ("AOL", &[("tcp", "5190-5194")]),
    ("BGP", &[("tcp", "179")]),
    ("DHCP", &[("udp", "67-68")]),
    ("DHCP6", &[("udp", "546 547")]),
    ("FINGER", &[("tcp", "79")]),
    ("FTP", &[("tcp", "21")]),
    ("FTP_GET", &[("tcp", "21")]),
    ("FTP_PUT", &[("tcp", "21")]),
    ("GOPHER", &[("tcp", "70")]),
    ("H323", &[("tcp", "1720 1503"), ("udp", "1719")]),
    ("IKE", &[("udp", "500 4500")]),
    ("Internet-Locator-Service", &[("tcp", "389")]),
    ("IRC", &[("tcp", "6660-6669")]),
    ("L2TP", &[("tcp", "1701"), ("udp", "1701")]),
    ("REXEC", &[("tcp", "512")]),
    ("RSH", &[("tcp", "514:512-1023")]),
    ("SCCP", &[("tcp", "2000")]),
    ("MGCP", &[("udp", "2427 2727")]),
    ("WINFRAME", &[("tcp", "1494 2598")]),
    ("VNC", &[("tcp", "5900")]),
    ("RADIUS", &[("udp", "1812 1813")]),
    ("RADIUS-OLD", &[("udp", "1645 1646")]),
    ("RTSP", &[("tcp", "554 7070 8554"), ("udp", "554")]),
    ("NetMeeting", &[("tcp", "1720")]),
    ("NFS", &[("tcp", "111 2049"), ("udp", "111 2049")]),
    ("NNTP", &[("tcp", "119")]),
    ("NTP", &[("tcp", "123"), ("udp", "123")]),
    ("PC-Anywhere", &[("tcp", "5631"), ("udp", "5632")]),
    ("ONC-RPC", &[("tcp", "111"), ("udp", "111")]),
    ("PPTP", &[("tcp", "1723")]),
    ("QUAKE", &[("udp", "26000 27000 27910 27960")]),
    ("RAUDIO", &[("udp", "7070")]),
    ("RIP", &[("udp", "520")]),
    ("RLOGIN", &[("tcp", "513:512-1023")]),
    ("SIP", &[("tcp", "5060"), ("udp", "5060")]),
    ("SIP-MSNmessenger", &[("tcp", "1863")]),
    ("SNMP", &[("tcp", "161-162"), ("udp", "161-162")]),
    ("SSH", &[("tcp", "22")]),
    ("SYSLOG", &[("udp", "514")]),
    ("TALK", &[("udp", "517-518")]),
    ("TELNET", &[("tcp", "23")]),
    ("TFTP", &[("udp", "69")]),
    ("UUCP", &[("tcp", "540")]),
    ("VDOLIVE", &[("tcp", "7000-7010")]),
    ("WAIS", &[("tcp", "210")]),
    ("X-WINDOWS", &[("tcp", "6000-6063")]),
    ("MS-SQL", &[("tcp", "1433 1434")]),
    ("MYSQL", &[("tcp", "3306")]),
    ("RDP", &[("tcp", "3389")]),
    ("SQUID", &[("tcp", "3128")]),
    ("SOCKS", &[("tcp", "1080"), ("udp", "1080")]),
    ("WINS", &[("tcp", "1512"), ("udp", "1512")]),
    ("CVSPSERVER", &[("tcp", "2401"), ("udp", "2401")]),
    ("AFS3", &[("tcp", "7000-7009"), ("udp", "7000-7009")]),
    ("TRACEROUTE", &[("udp", "33434-33535")]),
    ("MMS", &[("tcp", "1755"), ("udp", "1024-5000")]),
    ("NONE", &[("tcp", "0")]),
];

fn port_services(p: u8, items: &[String]) -> Result<Vec<Service>, String> {
    let mut out = Vec::new();
    for it in items {
        let (d, s) = parse_port_item(it).ok_or_else(|| format!("malformed port range `{it}`"))?;
        out.push(Service {
            proto: Some(p),
            sport: s,
            dport: d,
            icmp_type: None,
            icmp_code: None,
        });
    }
    Ok(out)
}

fn predefined(name: &str) -> Option<Vec<Service>> {
    let (_, spec) = PREDEFINED.iter().find(|(n, _)| *n == name)?;
    let mut out = Vec::new();
    for (p, r) in spec.iter() {
        let items: Vec<String> = r.split_whitespace().map(String::from).collect();
        match *p {
            "tcp" => out.extend(port_services(proto::TCP, &items).ok()?),
            "udp" => out.extend(port_services(proto::UDP, &items).ok()?),
            "icmp" => out.push(Service {
                icmp_type: r.parse().ok(),
                ..Service::proto(proto::ICMP)
            }),
            "ip" => match r.parse::<u8>().ok()? {
                0 => out.push(Service::any()),
                n => out.push(Service::proto(n)),
            },
            _ => {}
        }
    }
    Some(out)
}

fn service_reset(key: &str) -> &'static [&'static str] {
    if key == "protocol" {
        &[
            "tcp-portrange",
            "udp-portrange",
            "sctp-portrange",
            "icmptype",
            "icmpcode",
            "protocol-number",
        ]
    } else {
        &[]
    }
}

impl Resolver<Service> {
    fn build(ctx: &mut Ctx, cblocks: &[Block], gblocks: &[Block]) -> Self {
        let sc = Scope::Policy;
        let mut custom = HashMap::new();
        let t = build_table(ctx, cblocks, &sc, service_reset);
        for a in &t.direct.attrs {
            for s in &a.stmts {
                ctx.bad_stmt(s, "attribute outside of a service entry", &sc);
            }
        }
        for b in &t.direct.subs {
            mark_block(
                ctx,
                b,
                Some(("unexpected block in firewall service custom", &sc)),
            );
        }
        for o in &t.objs {
            let protocol = o
                .val("protocol")
                .unwrap_or("TCP/UDP/SCTP")
                .to_ascii_uppercase();
            let mut r = Resolved::default();
            let proxy = o.get("proxy").map(is_enable).unwrap_or(false);
            if proxy {
                r.problems
                    .push(format!("service `{}` is an explicit-proxy service", o.name));
            }
            for a in &o.attrs {
                let key = a.key.as_str();
                let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
                let res: Result<(), (String, Scope)> = match key {
                    "protocol" => match protocol.as_str() {
                        "TCP/UDP/SCTP" | "ICMP" | "ICMP6" | "IP" => Ok(()),
                        // Explicit-proxy services: already a problem when referenced.
                        _ if proxy => Ok(()),
                        p => {
                            let e = format!("service protocol `{p}` not modeled");
                            r.problems.push(format!("service `{}`: {e}", o.name));
                            Err((e, Scope::None))
                        }
                    },
                    "tcp-portrange" | "udp-portrange" | "sctp-portrange"
                        if protocol == "TCP/UDP/SCTP" && !proxy =>
                    {
                        let p = match key {
                            "tcp-portrange" => proto::TCP,
                            "udp-portrange" => proto::UDP,
                            _ => proto::SCTP,
                        };
                        match port_services(p, &a.vals) {
                            Ok(v) => {
                                r.items.extend(v);
                                Ok(())
                            }
                            Err(e) => {
                                r.problems.push(format!("service `{}`: {e}", o.name));
                                Err((e, sc.clone()))
                            }
                        }
                    }
                    "icmptype" | "icmpcode" if protocol == "ICMP" || protocol == "ICMP6" => {
                        match v0.parse::<u8>() {
                            Ok(_) if a.vals.len() == 1 => Ok(()),
                            _ => {
                                let e = format!("invalid {key} `{}`", a.vals.join(" "));
                                r.problems.push(format!("service `{}`: {e}", o.name));
                                Err((e, sc.clone()))
                            }
                        }
                    }
                    "protocol-number" if protocol == "IP" => match v0.parse::<u8>() {
                        Ok(_) => Ok(()),
                        Err(_) => {
                            let e = format!("invalid protocol-number `{v0}`");
                            r.problems.push(format!("service `{}`: {e}", o.name));
                            Err((e, sc.clone()))
                        }
                    },
                    "tcp-portrange" | "udp-portrange" | "sctp-portrange" | "icmptype"
                    | "icmpcode" | "protocol-number" => {
                        if proxy {
                            Ok(())
                        } else {
                            Err((
                                format!("`{key}` does not apply to protocol {protocol} (ignored)"),
                                Scope::None,
                            ))
                        }
                    }
                    "iprange" => {
                        if v0 == "0.0.0.0" || v0.is_empty() {
                            Ok(())
                        } else {
                            let e = "service restricted to a destination address range not modeled"
                                .to_string();
                            r.problems.push(format!("service `{}`: {e}", o.name));
                            Err((e, Scope::None))
                        }
                    }
                    "fqdn" => {
                        if v0.is_empty() {
                            Ok(())
                        } else {
                            let e =
                                "service restricted to a destination FQDN not modeled".to_string();
                            r.problems.push(format!("service `{}`: {e}", o.name));
                            Err((e, Scope::None))
                        }
                    }
                    "proxy"
                    | "category"
                    | "comment"
                    | "color"
                    | "visibility"
                    | "uuid"
                    | "session-ttl"
                    | "check-reset-range"
                    | "tcp-halfclose-timer"
                    | "tcp-halfopen-timer"
                    | "tcp-timewait-timer"
                    | "udp-idle-timer"
                    | "app-service-type"
                    | "app-category"
                    | "application"
                    | "fabric-object"
                    | "helper"
                    | "tcp-rst-timer" => Ok(()),
                    k => Err((format!("service attribute `{k}` not modeled"), sc.clone())),
                };
                for st in &a.stmts {
                    match &res {
                        Ok(()) => ctx.ok_stmt(st),
                        Err((e, s)) => ctx.bad_stmt(st, e, s),
                    }
                }
            }
            match protocol.as_str() {
                "ICMP" => {
                    let num = |k: &str| o.val(k).and_then(|v| v.parse::<u8>().ok());
                    r.items.push(Service {
                        icmp_type: num("icmptype"),
                        icmp_code: num("icmpcode"),
                        ..Service::proto(proto::ICMP)
                    });
                }
                "IP" => match o.val("protocol-number").and_then(|v| v.parse::<u8>().ok()) {
                    None | Some(0) => r.items.push(Service::any()),
                    Some(n) => r.items.push(Service::proto(n)),
                },
                _ => {}
            }
            for b in &o.subs {
                mark_block(ctx, b, Some(("service block not modeled", &sc)));
            }
            custom.insert(o.name.clone(), r);
        }

        let mut groups = HashMap::new();
        let t = build_table(ctx, gblocks, &sc, no_reset);
        for a in &t.direct.attrs {
            for s in &a.stmts {
                ctx.bad_stmt(s, "attribute outside of a service group entry", &sc);
            }
        }
        for b in &t.direct.subs {
            mark_block(
                ctx,
                b,
                Some(("unexpected block in firewall service group", &sc)),
            );
        }
        for o in &t.objs {
            let mut problems = Vec::new();
            for a in &o.attrs {
                let r: Result<(), (String, Scope)> = match a.key.as_str() {
                    "member" | "comment" | "color" | "uuid" | "fabric-object" => Ok(()),
                    "proxy" => {
                        if is_enable(a) {
                            problems.push(format!(
                                "service group `{}` is an explicit-proxy group",
                                o.name
                            ));
                        }
                        Ok(())
                    }
                    k => Err((
                        format!("service group attribute `{k}` not modeled"),
                        sc.clone(),
                    )),
                };
                for st in &a.stmts {
                    match &r {
                        Ok(()) => ctx.ok_stmt(st),
                        Err((e, s)) => ctx.bad_stmt(st, e, s),
                    }
                }
            }
            for b in &o.subs {
                mark_block(ctx, b, Some(("service group block not modeled", &sc)));
            }
            let members = o.get("member").map(|a| a.vals.clone()).unwrap_or_default();
            groups.insert(o.name.clone(), (members, problems));
        }
        Resolver {
            kind: "service",
            leaves: custom,
            groups,
            fallback: predefined,
            cache: RefCell::new(HashMap::new()),
        }
    }
}

// --- policies --------------------------------------------------------------

const POLICY_IGNORED: &[&str] = &[
    "name",
    "uuid",
    "logtraffic",
    "logtraffic-start",
    "comments",
    "comment",
    "utm-status",
    "av-profile",
    "webfilter-profile",
    "dnsfilter-profile",
    "emailfilter-profile",
    "spamfilter-profile",
    "dlp-sensor",
    "file-filter-profile",
    "ips-sensor",
    "application-list",
    "voip-profile",
    "icap-profile",
    "waf-profile",
    "ssh-filter-profile",
    "videofilter-profile",
    "cifs-profile",
    "ssl-ssh-profile",
    "inspection-mode",
    "profile-protocol-options",
    "profile-type",
    "profile-group",
    "global-label",
    "label",
    "fsso",
    "fsso-agent-for-ntlm",
    "send-deny-packet",
    "auto-asic-offload",
    "np-acceleration",
    "tcp-mss-sender",
    "tcp-mss-receiver",
    "session-ttl",
    "timeout-send-rst",
    "traffic-shaper",
    "traffic-shaper-reverse",
    "per-ip-shaper",
    "capture-packet",
    "delay-tcp-npu-session",
    "ssl-mirror",
    "ssl-mirror-intf",
    "disclaimer",
    "vlan-cos-fwd",
    "vlan-cos-rev",
    "diffserv-forward",
    "diffserv-reverse",
    "diffservcode-forward",
    "diffservcode-rev",
    "wccp",
    "wanopt",
    "wanopt-detection",
    "wanopt-passive-opt",
    "wanopt-profile",
    "wanopt-peer",
    "webcache",
    "webcache-https",
    "block-notification",
    "replacemsg-override-group",
    "captive-portal-exempt",
    "email-collect",
    "permit-any-host",
    "permit-stun-host",
    "anti-replay",
    "vlan-filter",
    "policy-expiry",
    "match-vip-only",
    "fixedport",
    "cgn-session-quota",
    "cgn-resource-quota",
    "cgn-eif",
    "cgn-eim",
    "radius-mac-auth-bypass",
    "decrypted-traffic-mirror",
    "dynamic-shaping",
    "passive-wan-health-measurement",
    "app-monitor",
    "geoip-anycast",
    "geoip-match",
    "rtp-nat",
    "tcp-timeout-pid",
    "udp-timeout-pid",
    "schedule-timeout",
];

// --- NAT objects -------------------------------------------------------------

/// VIPs (destination NAT), VIP groups and IP pools (source NAT) of the device.
struct Nat {
    /// In file order: name → the modelled DNAT (`None` when not modelled: policies
    /// naming it are unrecognised with `why`).
    vips: Vec<(String, Option<Dnat>, String)>,
    vipgrps: HashMap<String, Vec<String>>,
    /// Pool name → its address range, or why it is not modelled.
    pools: HashMap<String, Result<(Ipv4Addr, Ipv4Addr), String>>,
}

fn ip_range(v: &str) -> Option<(Ipv4Addr, Ipv4Addr)> {
    match v.split_once('-') {
        Some((a, b)) => {
            let (a, b): (Ipv4Addr, Ipv4Addr) = (a.parse().ok()?, b.parse().ok()?);
            (a <= b).then_some((a, b))
        }
        None => {
            let a: Ipv4Addr = v.parse().ok()?;
            Some((a, a))
        }
    }
}

impl Nat {
    /// Indices into `Device::dnats` of a VIP or VIP group name; `None` if `name` is
    /// neither; `Err` when one is not modelled.
    fn vip_refs(&self, name: &str) -> Option<Result<Vec<usize>, String>> {
        let one = |n: &str| -> Option<Result<usize, String>> {
            let pos = self.vips.iter().position(|v| v.0 == n)?;
            let v = &self.vips[pos];
            Some(match &v.1 {
                Some(_) => Ok(self.vips[..pos].iter().filter(|x| x.1.is_some()).count()),
                None => Err(format!("VIP `{n}`: {}", v.2)),
            })
        };
        if let Some(r) = one(name) {
            return Some(r.map(|i| vec![i]));
        }
        let members = self.vipgrps.get(name)?;
        let mut out = vec![];
        for m in members {
            match one(m) {
                Some(Ok(i)) => out.push(i),
                Some(Err(e)) => return Some(Err(e)),
                None => return Some(Err(format!("VIP group `{name}`: undefined VIP `{m}`"))),
            }
        }
        Some(Ok(out))
    }

    fn build(
        ctx: &mut Ctx,
        vblocks: &[Block],
        gblocks: &[Block],
        pblocks: &[Block],
        ifaces: &[Interface],
        zones: &HashMap<String, Vec<String>>,
    ) -> Nat {
        let sc = Scope::Policy;
        let mut nat = Nat {
            vips: vec![],
            vipgrps: HashMap::new(),
            pools: HashMap::new(),
        };
        // IP pools.
        let t = build_table(ctx, pblocks, &sc, no_reset);
        mark_obj_ok(ctx, &t.direct);
        for o in &t.objs {
            let mut why: Option<String> = None;
            for a in &o.attrs {
                let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
                let r: Result<(), String> = match a.key.as_str() {
                    "startip" | "endip" => v0
                        .parse::<Ipv4Addr>()
                        .map(|_| ())
                        .map_err(|_| format!("malformed {} `{v0}`", a.key)),
                    "type" => match v0 {
                        "overload" | "one-to-one" => Ok(()),
                        t => Err(format!("IP pool type `{t}` not modeled")),
                    },
                    "source-startip" | "source-endip" => Ok(()),
                    "comments"
                    | "arp-reply"
                    | "arp-intf"
                    | "associated-interface"
                    | "block-size"
                    | "num-blocks-per-user"
                    | "pba-timeout"
                    | "permit-any-host"
                    | "nat64" => Ok(()),
                    k => Err(format!("IP pool attribute `{k}` not modeled")),
                };
                for st in &a.stmts {
                    match &r {
                        Ok(()) => ctx.ok_stmt(st),
                        Err(e) => ctx.bad_stmt(st, e, &sc),
                    }
                }
                if let Err(e) = r {
                    why.get_or_insert(e);
                }
            }
            mark_obj_ok(
                ctx,
                &Obj {
                    name: o.name.clone(),
                    opens: o.opens.clone(),
                    attrs: vec![],
                    subs: o.subs.clone(),
                },
            );
            let range = match (o.val("startip"), o.val("endip")) {
                (Some(a), Some(b)) => ip_range(&format!("{a}-{b}")),
                (Some(a), None) => ip_range(a),
                _ => None,
            };
            let r = match (why, range) {
                (Some(e), _) => Err(e),
                (None, Some(r)) => Ok(r),
                (None, None) => {
                    ctx.bad(o.line(), "IP pool without a valid startip-endip range", &sc);
                    Err("no valid address range".into())
                }
            };
            nat.pools.insert(o.name.clone(), r);
        }
        // VIPs.
        let t = build_table(ctx, vblocks, &sc, no_reset);
        mark_obj_ok(ctx, &t.direct);
        for o in &t.objs {
            let mut problems: Vec<String> = vec![];
            let mut lines = vec![ctx.span(o.line())];
            let pf = o.get("portforward").map(is_enable).unwrap_or(false);
            for a in &o.attrs {
                let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
                let r: Result<(), String> = match a.key.as_str() {
                    "extip" => ip_range(v0)
                        .map(|_| ())
                        .ok_or_else(|| format!("malformed extip `{v0}`")),
                    "mappedip" => match a.vals.as_slice() {
                        [one] => match ip_range(one) {
                            Some((lo, hi)) if lo == hi => Ok(()),
                            Some(_) => {
                                Err("mappedip range (one-to-one offset mapping) not modeled".into())
                            }
                            None => Err(format!("malformed mappedip `{one}`")),
                        },
                        _ => Err("several mappedip ranges (load balancing) not modeled".into()),
                    },
                    "extintf" => {
                        let bad: Vec<&String> = a
                            .vals
                            .iter()
                            .filter(|v| {
                                *v != "any"
                                    && !ifaces.iter().any(|i| &i.name == *v)
                                    && !zones.contains_key(*v)
                            })
                            .collect();
                        if bad.is_empty() {
                            Ok(())
                        } else {
                            Err(format!(
                                "extintf `{}` does not exist (FortiOS rejects it)",
                                bad[0]
                            ))
                        }
                    }
                    "portforward" | "arp-reply" | "comment" | "uuid" | "color" => Ok(()),
                    "protocol" => match v0 {
                        "tcp" | "udp" | "sctp" => Ok(()),
                        p => Err(format!("VIP port-forward protocol `{p}` not modeled")),
                    },
                    "extport" | "mappedport" if !pf => Ok(()),
                    "extport" | "mappedport" => match parse_port_range(v0) {
                        Some(r) if a.key == "mappedport" && r.lo != r.hi => {
                            Err("mappedport range (offset mapping) not modeled".into())
                        }
                        Some(_) => Ok(()),
                        None => Err(format!("malformed {} `{v0}`", a.key)),
                    },
                    "type" => match v0 {
                        "static-nat" => Ok(()),
                        t => Err(format!("VIP type `{t}` not modeled")),
                    },
                    "nat-source-vip" | "src-filter" | "service" | "srcintf-filter"
                    | "http-redirect" => {
                        if a.vals.is_empty() || v0 == "disable" {
                            Ok(())
                        } else {
                            Err(format!("VIP attribute `{}` not modeled", a.key))
                        }
                    }
                    k => Err(format!("VIP attribute `{k}` not modeled")),
                };
                for st in &a.stmts {
                    match &r {
                        Ok(()) => {
                            ctx.ok_stmt(st);
                            lines.push(ctx.span(st.first));
                        }
                        Err(e) => ctx.bad_stmt(st, e, &sc),
                    }
                }
                if let Err(e) = r {
                    problems.push(e);
                }
            }
            mark_obj_ok(
                ctx,
                &Obj {
                    name: o.name.clone(),
                    opens: o.opens.clone(),
                    attrs: vec![],
                    subs: vec![],
                },
            );
            for b in &o.subs {
                mark_block(ctx, b, Some(("VIP block not modeled", &sc)));
                problems.push("VIP block not modeled".into());
            }
            let ext = o.val("extip").and_then(ip_range);
            let mapped = o.val("mappedip").and_then(ip_range).map(|r| r.0);
            if ext.is_some_and(|(a, b)| a != b) {
                let e = "extip range (one-to-one offset mapping) not modeled";
                if let Some(a) = o.get("extip") {
                    for st in &a.stmts {
                        ctx.bad_stmt(st, e, &sc);
                    }
                }
                problems.push(e.into());
            }
            if ext.is_none() || mapped.is_none() {
                problems.push("VIP without extip or mappedip".into());
                ctx.bad(o.line(), "VIP without a valid extip and mappedip", &sc);
            }
            let port = if pf {
                let proto = match o.val("protocol").unwrap_or("tcp") {
                    "udp" => proto::UDP,
                    "sctp" => proto::SCTP,
                    _ => proto::TCP,
                };
                let ep = o.val("extport").and_then(parse_port_range);
                let mp = o.val("mappedport").and_then(parse_port_range);
                match (ep, mp) {
                    (Some(e), None) => Some((proto, e, None)),
                    (Some(e), Some(m)) if e == m => Some((proto, e, None)),
                    (Some(e), Some(m)) if e.lo == e.hi => Some((proto, e, Some(m.lo))),
                    (Some(_), Some(_)) => {
                        problems.push("extport range mapped to other ports not modeled".into());
                        None
                    }
                    _ => {
                        problems.push("port forwarding without extport".into());
                        ctx.bad(o.line(), "port-forward VIP without a valid extport", &sc);
                        None
                    }
                }
            } else {
                None
            };
            let in_intf = match o.get("extintf") {
                None => vec!["any".to_string()],
                Some(a) => a
                    .vals
                    .iter()
                    .flat_map(|v| zones.get(v).cloned().unwrap_or_else(|| vec![v.clone()]))
                    .collect(),
            };
            let d = match (problems.is_empty(), ext, mapped) {
                (true, Some(ext), Some(mapped)) => Some(Dnat {
                    name: o.name.clone(),
                    in_intf,
                    ext,
                    mapped,
                    port,
                    span: ctx.span(o.line()),
                    lines,
                }),
                _ => None,
            };
            nat.vips.push((o.name.clone(), d, problems.join("; ")));
        }
        // VIP groups.
        let t = build_table(ctx, gblocks, &sc, no_reset);
        mark_obj_ok(ctx, &t.direct);
        for o in &t.objs {
            for a in &o.attrs {
                let ok = matches!(
                    a.key.as_str(),
                    "member" | "interface" | "comments" | "uuid" | "color"
                );
                for st in &a.stmts {
                    if ok {
                        ctx.ok_stmt(st);
                    } else {
                        ctx.bad_stmt(
                            st,
                            &format!("VIP group attribute `{}` not modeled", a.key),
                            &sc,
                        );
                    }
                }
            }
            mark_obj_ok(
                ctx,
                &Obj {
                    name: o.name.clone(),
                    opens: o.opens.clone(),
                    attrs: vec![],
                    subs: o.subs.clone(),
                },
            );
            let m = o.get("member").map(|a| a.vals.clone()).unwrap_or_default();
            nat.vipgrps.insert(o.name.clone(), m);
        }
        nat
    }
}

fn policies(
    ctx: &mut Ctx,
    blocks: &[Block],
    ifaces: &[Interface],
    zones: &HashMap<String, Vec<String>>,
    addrs: &Addresses,
    svcs: &Services,
    nat: &Nat,
) -> Vec<Policy> {
    let sc = Scope::Policy;
    let t = build_table(ctx, blocks, &sc, no_reset);
    for a in &t.direct.attrs {
        for s in &a.stmts {
            ctx.bad_stmt(s, "attribute outside of a policy entry", &sc);
        }
    }
    for b in &t.direct.subs {
        mark_block(ctx, b, Some(("unexpected block in firewall policy", &sc)));
    }
    let mut out = Vec::new();
    for o in &t.objs {
        let mut p = Policy {
            id: o.name.clone(),
            src_intf: vec![],
            dst_intf: vec![],
            m: Match {
                src: AddrSet { items: vec![] },
                dst: AddrSet { items: vec![] },
                services: vec![],
                established: None,
                src_mac: None,
            },
            action: Action::Deny,
            enabled: true,
            span: ctx.span(o.line()),
            lines: o.opens.iter().map(|s| ctx.span(s.first)).collect(),
            snat: None,
            dnat: vec![],
        };
        let mut matches_nothing = false;
        for a in &o.attrs {
            let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
            let res: Result<(), String> = match a.key.as_str() {
                "srcintf" | "dstintf" => {
                    let mut list = Vec::new();
                    let mut unknown = Vec::new();
                    for v in &a.vals {
                        let members: Vec<String> =
                            if v == "any" || ifaces.iter().any(|i| &i.name == v) {
                                vec![v.clone()]
                            } else if let Some(m) = zones.get(v) {
                                m.clone()
                            } else {
                                unknown.push(format!("`{v}`"));
                                vec![v.clone()]
                            };
                        for m in members {
                            if !list.contains(&m) {
                                list.push(m);
                            }
                        }
                    }
                    if a.key == "srcintf" {
                        p.src_intf = list;
                    } else {
                        p.dst_intf = list;
                    }
                    if unknown.is_empty() {
                        Ok(())
                    } else {
                        Err(format!(
                            "undefined interface or zone {}",
                            unknown.join(", ")
                        ))
                    }
                }
                "srcaddr" | "dstaddr" => {
                    let mut u = Union::new();
                    for v in &a.vals {
                        if a.key == "dstaddr" {
                            if let Some(r) = nat.vip_refs(v) {
                                match r {
                                    Ok(ids) => {
                                        for i in ids {
                                            if !p.dnat.contains(&i) {
                                                p.dnat.push(i);
                                            }
                                        }
                                    }
                                    Err(e) => u.add_problem(&e),
                                }
                                continue;
                            }
                        }
                        u.add(&addrs.resolve(v));
                    }
                    let Resolved {
                        mut items,
                        problems,
                    } = u.finish();
                    if items.contains(&IpMatch::Any) {
                        items = vec![IpMatch::Any];
                    }
                    let set = AddrSet { items };
                    if a.key == "srcaddr" {
                        p.m.src = set;
                    } else {
                        p.m.dst = set;
                    }
                    if problems.is_empty() {
                        Ok(())
                    } else {
                        Err(format!("policy {}: {}", o.name, problems.join("; ")))
                    }
                }
                "service" => {
                    let mut u = Union::new();
                    for v in &a.vals {
                        u.add(&svcs.resolve(v));
                    }
                    let Resolved { items, problems } = u.finish();
                    if items.contains(&Service::any()) {
                        p.m.services = vec![];
                    } else if items.is_empty() {
                        // No IPv4 traffic matches (e.g. only ICMP6 / unresolved services).
                        matches_nothing = true;
                    } else {
                        p.m.services = items;
                    }
                    if problems.is_empty() {
                        Ok(())
                    } else {
                        Err(format!("policy {}: {}", o.name, problems.join("; ")))
                    }
                }
                "action" => match v0 {
                    "accept" => {
                        p.action = Action::Permit;
                        Ok(())
                    }
                    "deny" => {
                        p.action = Action::Deny;
                        Ok(())
                    }
                    "ipsec" => {
                        p.action = Action::Permit;
                        Err("IPsec tunnel policy not modeled".into())
                    }
                    other => Err(format!("policy action `{other}` not modeled")),
                },
                "status" => match v0 {
                    "enable" => Ok(()),
                    "disable" => {
                        p.enabled = false;
                        Ok(())
                    }
                    other => Err(format!("unknown status `{other}`")),
                },
                "schedule" => {
                    if v0 == "always" {
                        Ok(())
                    } else {
                        Err(format!(
                            "schedule `{v0}` restricts the policy by time (not modeled)"
                        ))
                    }
                }
                "nat" | "ippool" => Ok(()),
                "poolname" => {
                    let mut bad = vec![];
                    for v in &a.vals {
                        match nat.pools.get(v) {
                            Some(Ok(_)) => {}
                            Some(Err(e)) => bad.push(format!("IP pool `{v}`: {e}")),
                            None => bad.push(format!("undefined IP pool `{v}`")),
                        }
                    }
                    if bad.is_empty() {
                        Ok(())
                    } else {
                        Err(bad.join("; "))
                    }
                }
                "srcaddr-negate"
                | "dstaddr-negate"
                | "service-negate"
                | "internet-service"
                | "internet-service-src"
                | "match-vip"
                | "ntlm"
                | "ntlm-guest"
                | "internet-service-negate"
                | "internet-service-src-negate"
                | "natinbound"
                | "natoutbound"
                | "inbound"
                | "outbound"
                | "ssl-mirror-enable"
                | "reputation-direction" => {
                    if is_enable(a) {
                        Err(format!("`{} enable` not modeled", a.key))
                    } else {
                        Ok(())
                    }
                }
                "tcp-session-without-syn" => {
                    if v0 == "disable" {
                        Ok(())
                    } else {
                        Err(
                            "tcp-session-without-syn changes stateful matching (not modeled)"
                                .into(),
                        )
                    }
                }
                "tos" | "tos-mask" => {
                    if v0 == "0x00" || v0 == "0" {
                        Ok(())
                    } else {
                        Err(format!("`{}` match not modeled", a.key))
                    }
                }
                "tos-negate" => {
                    if is_enable(a) {
                        Err("`tos-negate enable` not modeled".into())
                    } else {
                        Ok(())
                    }
                }
                "groups" | "users" | "fsso-groups" => {
                    Err("user identity restriction not modeled".into())
                }
                "srcaddr6" | "dstaddr6" => Err("IPv6 not modeled".into()),
                k if POLICY_IGNORED.contains(&k) => Ok(()),
                k => Err(format!("policy attribute `{k}` not modeled")),
            };
            for st in &a.stmts {
                match &res {
                    Ok(()) => {
                        ctx.ok_stmt(st);
                        p.lines.push(ctx.span(st.first));
                    }
                    Err(e) => {
                        let scope = if a.key.ends_with("addr6") {
                            Scope::None
                        } else {
                            sc.clone()
                        };
                        ctx.bad_stmt(st, e, &scope);
                    }
                }
            }
        }
        let missing: Vec<&str> = ["srcintf", "dstintf", "srcaddr", "dstaddr", "service"]
            .into_iter()
            .filter(|k| o.get(k).is_none())
            .collect();
        if !missing.is_empty() {
            // FortiOS does not accept such a policy: it matches nothing.
            matches_nothing = true;
            ctx.bad(
                o.line(),
                &format!(
                    "incomplete policy (missing {}): treated as matching nothing",
                    missing.join(", ")
                ),
                &sc,
            );
        }
        if matches_nothing {
            p.m.src = AddrSet { items: vec![] };
            p.dnat.clear();
        }
        if o.get("nat").map(is_enable).unwrap_or(false) {
            let pools: Vec<(Ipv4Addr, Ipv4Addr)> =
                if o.get("ippool").map(is_enable).unwrap_or(false) {
                    o.get("poolname")
                        .map(|a| {
                            a.vals
                                .iter()
                                .filter_map(|v| nat.pools.get(v).and_then(|r| r.clone().ok()))
                                .collect()
                        })
                        .unwrap_or_default()
                } else {
                    vec![]
                };
            p.snat = Some(if o.get("ippool").map(is_enable).unwrap_or(false) {
                if pools.is_empty() && o.get("poolname").is_none() {
                    ctx.bad(
                        o.get("ippool").map(|a| a.line()).unwrap_or(o.line()),
                        "`ippool enable` without a poolname",
                        &sc,
                    );
                }
                PolicySnat::Pool(pools)
            } else {
                PolicySnat::Egress
            });
        }
        for b in &o.subs {
            mark_block(ctx, b, Some(("policy block not modeled", &sc)));
        }
        p.lines.sort();
        p.lines.dedup();
        out.push(p);
    }
    out
}

// --- BGP -------------------------------------------------------------------

/// `config router bgp`. What BGP does to this device's forwarding is the routes it learns
/// from its neighbors, which no configuration says: each neighbor (or neighbor group /
/// range) is one routing-scoped unrecognised line naming it. Everything else (AS, router
/// id, timers, multipath, what it advertises: `network`, `redistribute`) only shapes
/// those learned routes or other devices' tables and is understood. A block without
/// neighbors learns nothing. Values FortiOS would reject stay unrecognised.
fn bgp(ctx: &mut Ctx, blocks: &[Block]) {
    let sc = Scope::Routing;
    let u32_ok = |v: &str| v.parse::<u32>().map(|n| n > 0).unwrap_or(false);
    for b in blocks {
        ctx.ok_stmt(&b.open);
        match &b.close {
            Some(c) => ctx.ok_stmt(c),
            None => ctx.bad(b.open.first, "config block without matching end", &sc),
        }
        for n in &b.items {
            match n {
                Node::Cmd(s) => {
                    let key = s.toks.get(1).map(|x| x.as_str()).unwrap_or("");
                    let v = s.toks.get(2).map(|x| x.as_str()).unwrap_or("");
                    let r: Result<(), String> = match (s.kw(), key) {
                        ("set", "as") if u32_ok(v) => Ok(()),
                        ("set", "as") => Err(format!("invalid BGP AS `{v}` (FortiOS rejects it)")),
                        ("set", "router-id") if v.parse::<Ipv4Addr>().is_ok() => Ok(()),
                        ("set", "router-id") => Err(format!("invalid router-id `{v}`")),
                        ("set" | "unset", _) => Ok(()),
                        _ => Err("unexpected statement in router bgp".into()),
                    };
                    match r {
                        Ok(()) => ctx.ok_stmt(s),
                        Err(e) => ctx.bad_stmt(s, &e, &sc),
                    }
                }
                Node::Edit(e) => mark_node(
                    ctx,
                    &Node::Edit(e.clone()),
                    Some(("edit outside of a table in router bgp", &sc)),
                ),
                Node::Block(sub) => {
                    let head = sub.path.first().map(|x| x.as_str()).unwrap_or("");
                    match head {
                        "neighbor" | "neighbor-group" | "neighbor-range" => {
                            bgp_neighbors(ctx, sub, head, &sc)
                        }
                        // Advertisements and IPv6: no effect on this device's IPv4 table.
                        "network" | "network6" | "redistribute" | "redistribute6" | "neighbor6"
                        | "neighbor-range6" => {
                            let bad_id = sub.items.iter().any(|it| {
                                matches!(it, Node::Edit(e) if head.starts_with("network")
                                    && !u32_ok(&e.name))
                            });
                            mark_block(ctx, sub, None);
                            if bad_id {
                                for it in &sub.items {
                                    if let Node::Edit(e) = it {
                                        if !u32_ok(&e.name) {
                                            ctx.bad(
                                                e.open.first,
                                                &format!(
                                                    "invalid BGP network id `{}` (FortiOS rejects it)",
                                                    e.name
                                                ),
                                                &sc,
                                            );
                                        }
                                    }
                                }
                            }
                        }
                        _ if !block_has_content(sub) => mark_block(ctx, sub, None),
                        _ => {
                            let r = format!("`config router bgp` block `{}` not modeled", head);
                            mark_block(ctx, sub, Some((&r, &sc)));
                        }
                    }
                }
            }
        }
    }
}

fn bgp_neighbors(ctx: &mut Ctx, b: &Block, head: &str, sc: &Scope) {
    mark_block(ctx, b, None);
    for it in &b.items {
        let Node::Edit(e) = it else {
            if let Node::Cmd(s) = it {
                ctx.bad_stmt(s, "attribute outside of a BGP neighbor entry", sc);
            }
            continue;
        };
        let valid = head == "neighbor-range"
            || head == "neighbor-group"
            || e.name
                .parse::<Ipv4Addr>()
                .map(|a| !a.is_unspecified())
                .unwrap_or(false);
        if !valid {
            ctx.bad(
                e.open.first,
                &format!(
                    "invalid BGP neighbor address `{}` (FortiOS rejects it)",
                    e.name
                ),
                sc,
            );
            continue;
        }
        ctx.bad(
            e.open.first,
            &format!(
                "routes learned from BGP {head} `{}` are not known from configuration",
                e.name
            ),
            sc,
        );
        for n in &e.items {
            if let Node::Cmd(s) = n {
                let key = s.toks.get(1).map(|x| x.as_str()).unwrap_or("");
                let v = s.toks.get(2).map(|x| x.as_str()).unwrap_or("");
                if s.kw() == "set"
                    && key == "remote-as"
                    && !v.parse::<u32>().map(|n| n > 0).unwrap_or(false)
                {
                    ctx.bad_stmt(
                        s,
                        &format!("invalid BGP remote-as `{v}` (FortiOS rejects it)"),
                        sc,
                    );
                }
            }
        }
    }
}

// --- routes ----------------------------------------------------------------

fn routes(ctx: &mut Ctx, blocks: &[Block], ifaces: &[Interface]) -> Vec<Route> {
    let sc = Scope::Routing;
    let t = build_table(ctx, blocks, &sc, no_reset);
    for a in &t.direct.attrs {
        for s in &a.stmts {
            ctx.bad_stmt(s, "attribute outside of a static route entry", &sc);
        }
    }
    for b in &t.direct.subs {
        mark_block(ctx, b, Some(("unexpected block in router static", &sc)));
    }
    let mut out = Vec::new();
    for o in &t.objs {
        if o.get("status")
            .map(|a| a.vals.first().map(|v| v == "disable").unwrap_or(false))
            == Some(true)
        {
            // A disabled route has no effect.
            mark_obj_ok(ctx, o);
            continue;
        }
        let mut r = Route {
            prefix: Ipv4Addr::UNSPECIFIED,
            len: 0,
            next_hop: None,
            interface: None,
            discard: false,
            span: ctx.span(o.line()),
        };
        let mut usable = true;
        for a in &o.attrs {
            let v0 = a.vals.first().map(|s| s.as_str()).unwrap_or("");
            let res: Result<(), String> = match a.key.as_str() {
                "dst" => match parse_addr_mask(&a.vals) {
                    Ok((ip, len)) => {
                        let m = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                        r.prefix = Ipv4Addr::from(u32::from(ip) & m);
                        r.len = len;
                        Ok(())
                    }
                    Err(e) => {
                        usable = false;
                        Err(e)
                    }
                },
                "gateway" => match v0.parse::<Ipv4Addr>() {
                    Ok(g) => {
                        if !g.is_unspecified() {
                            r.next_hop = Some(g);
                        }
                        Ok(())
                    }
                    Err(_) => Err(format!("malformed gateway `{v0}`")),
                },
                "device" => {
                    if v0.is_empty() {
                        Ok(())
                    } else if !ifaces.iter().any(|i| i.name == v0) {
                        // FortiOS rejects the route: it does not exist.
                        usable = false;
                        Err(format!(
                            "static route device `{v0}` is not a defined interface (FortiOS rejects it)"
                        ))
                    } else {
                        r.interface = Some(v0.to_string());
                        Ok(())
                    }
                }
                "blackhole" => {
                    r.discard = is_enable(a);
                    Ok(())
                }
                "status"
                | "distance"
                | "priority"
                | "weight"
                | "comment"
                | "bfd"
                | "seq-num"
                | "link-monitor-exempt" => Ok(()),
                "sdwan" | "virtual-wan-link" | "dynamic-gateway" => {
                    if is_enable(a) {
                        Err(format!("`{} enable` not modeled", a.key))
                    } else {
                        Ok(())
                    }
                }
                "vrf" => {
                    if v0 == "0" {
                        Ok(())
                    } else {
                        Err("VRF not modeled".into())
                    }
                }
                "internet-service" => {
                    if v0 == "0" {
                        Ok(())
                    } else {
                        Err("internet-service route not modeled".into())
                    }
                }
                "dstaddr" | "internet-service-custom" | "src" | "sdwan-zone" => {
                    if v0.is_empty() || v0 == "0.0.0.0" {
                        Ok(())
                    } else {
                        Err(format!("static route `{}` not modeled", a.key))
                    }
                }
                k => Err(format!("static route attribute `{k}` not modeled")),
            };
            for st in &a.stmts {
                match &res {
                    Ok(()) => ctx.ok_stmt(st),
                    Err(e) => ctx.bad_stmt(st, e, &sc),
                }
            }
        }
        for b in &o.subs {
            mark_block(ctx, b, Some(("static route block not modeled", &sc)));
        }
        if usable {
            out.push(r);
        }
    }
    out
}
