//! The configuration as a tree of words, whatever form it was read from, and the
//! per-line accounting: every line ends up modelled, irrelevant (with a reason) or
//! unrecognised (with a reason and a scope).

use crate::model::Scope;
use std::collections::{BTreeMap, HashMap};

#[derive(Default, Debug)]
pub struct Node {
    pub key: String,
    pub kids: Vec<Node>,
    idx: HashMap<String, usize>,
    /// Lines whose path ends here (first, last).
    pub own: Vec<(u32, u32)>,
}

impl Node {
    pub fn new(key: &str) -> Node {
        Node {
            key: key.to_string(),
            ..Default::default()
        }
    }
    pub fn insert(&mut self, words: &[String], lines: (u32, u32)) {
        let mut n = self;
        for w in words {
            let i = match n.idx.get(w) {
                Some(&i) => i,
                None => {
                    n.kids.push(Node::new(w));
                    n.idx.insert(w.clone(), n.kids.len() - 1);
                    n.kids.len() - 1
                }
            };
            n = &mut n.kids[i];
        }
        n.own.push(lines);
    }
    pub fn path_mut(&mut self, ks: &[String]) -> Option<&mut Node> {
        let mut n = self;
        for k in ks {
            let i = *n.idx.get(k)?;
            n = &mut n.kids[i];
        }
        Some(n)
    }
    /// `move … NAME top|bottom|before X|after X`: reorder the children (rules).
    pub fn move_kid(&mut self, name: &str, wh: &[String]) -> Result<(), String> {
        let from = *self
            .idx
            .get(name)
            .ok_or(format!("`{name}` is not defined"))?;
        let k = self.kids.remove(from);
        let at = match wh.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["top"] => Ok(0),
            ["bottom"] => Ok(self.kids.len()),
            ["before", x] | ["after", x] => self
                .kids
                .iter()
                .position(|c| c.key == *x)
                .map(|p| if wh[0] == "after" { p + 1 } else { p })
                .ok_or(format!("`{x}` is not defined")),
            _ => Err("unknown `move` position".to_string()),
        };
        let res = at.as_ref().map(|_| ()).map_err(Clone::clone);
        // A failed move leaves the rule where it was.
        let at = at.unwrap_or(from).min(self.kids.len());
        self.kids.insert(at, k);
        self.idx = self
            .kids
            .iter()
            .enumerate()
            .map(|(i, c)| (c.key.clone(), i))
            .collect();
        res
    }
    pub fn get(&self, k: &str) -> Option<&Node> {
        self.idx.get(k).map(|&i| &self.kids[i])
    }
    pub fn path(&self, ks: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in ks {
            n = n.get(k)?;
        }
        Some(n)
    }
    /// The leaf words under this node (`action allow` → `allow`; lists → every member).
    pub fn values(&self) -> Vec<&str> {
        self.kids.iter().map(|k| k.key.as_str()).collect()
    }
    /// The single value under `k`, if any.
    pub fn val(&self, k: &str) -> Option<&str> {
        self.get(k)?.kids.first().map(|n| n.key.as_str())
    }
    /// First line of this node (or of its first descendant).
    pub fn line(&self) -> u32 {
        self.own
            .iter()
            .map(|l| l.0)
            .chain(self.kids.iter().map(|k| k.line()))
            .min()
            .unwrap_or(0)
    }
    /// Every line this subtree was written on.
    pub fn lines(&self, out: &mut Vec<u32>) {
        for &(a, b) in &self.own {
            out.extend(a..=b);
        }
        for k in &self.kids {
            k.lines(out);
        }
    }
    pub fn all_lines(&self) -> Vec<u32> {
        let mut v = vec![];
        self.lines(&mut v);
        v.sort_unstable();
        v.dedup();
        v
    }
}

#[derive(Clone, Debug)]
pub enum St {
    Pending,
    /// A line only opening or closing structure (brace/XML headers, comments, blanks).
    Structure,
    Ok,
    Irr(String),
    Bad(String, Scope),
}

fn rank(s: &Scope) -> u8 {
    match s {
        Scope::None => 0,
        Scope::Device => 2,
        _ => 1,
    }
}

pub struct Lines {
    pub st: Vec<St>,
}

impl Lines {
    pub fn new(n: usize) -> Lines {
        Lines {
            st: vec![St::Pending; n],
        }
    }
    fn at(&mut self, l: u32) -> Option<&mut St> {
        l.checked_sub(1).and_then(|i| self.st.get_mut(i as usize))
    }
    pub fn ok_line(&mut self, l: u32) {
        if let Some(s) = self.at(l) {
            if matches!(s, St::Pending | St::Structure) {
                *s = St::Ok;
            }
        }
    }
    pub fn ok(&mut self, n: &Node) {
        for l in n.all_lines() {
            self.ok_line(l);
        }
    }
    pub fn irr(&mut self, n: &Node, reason: &str) {
        for l in n.all_lines() {
            if let Some(s) = self.at(l) {
                if matches!(s, St::Pending | St::Structure) {
                    *s = St::Irr(reason.to_string());
                }
            }
        }
    }
    pub fn bad_line(&mut self, l: u32, reason: &str, scope: &Scope) {
        if let Some(s) = self.at(l) {
            match s {
                St::Bad(r, sc) => {
                    if !r.split("; ").any(|x| x == reason) {
                        r.push_str("; ");
                        r.push_str(reason);
                    }
                    if rank(scope) > rank(sc) {
                        *sc = scope.clone();
                    }
                }
                _ => *s = St::Bad(reason.to_string(), scope.clone()),
            }
        }
    }
    /// Every line of the subtree unrecognised.
    pub fn bad(&mut self, n: &Node, reason: &str, scope: &Scope) {
        for l in n.all_lines() {
            self.bad_line(l, reason, scope);
        }
    }
    /// Lines of interior nodes nobody claimed only carry structure; lines of leaves
    /// nobody claimed stay pending (unrecognised at the end).
    pub fn structure(&mut self, n: &Node) {
        if !n.kids.is_empty() {
            for &(a, b) in &n.own {
                for l in a..=b {
                    if let Some(s) = self.at(l) {
                        if matches!(s, St::Pending) {
                            *s = St::Structure;
                        }
                    }
                }
            }
        }
        for k in &n.kids {
            self.structure(k);
        }
    }
    pub fn irrelevant_counts(&self) -> BTreeMap<String, u32> {
        let mut m = BTreeMap::new();
        for s in &self.st {
            if let St::Irr(r) = s {
                *m.entry(r.clone()).or_default() += 1;
            }
        }
        m
    }
}
