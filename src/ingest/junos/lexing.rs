//! One lexer for both Junos formats: the hierarchical configuration (`{ }`, `;`, `[ ]`,
//! `/* */` and `#` comments, `inactive:` / `replace:` annotations, quoted strings) and
//! `display set` (`set …`, `deactivate …`, `delete …`, `activate …`). Both become the same
//! list of set-paths ([`Leaf`]), each with the line it came from, so the model is built
//! once. `apply-groups` is expanded here too ([`expand_groups`]).

/// One configuration statement as a set-path (`interfaces ge-0/0/0 unit 0 family inet
/// address 10.0.0.1/24`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leaf {
    pub w: Vec<String>,
    pub line: u32,
    /// `false` when deactivated (`inactive:`, `deactivate …`).
    pub active: bool,
}

impl Leaf {
    pub fn at(&self, i: usize) -> &str {
        self.w.get(i).map(String::as_str).unwrap_or("")
    }
    pub fn starts(&self, p: &[&str]) -> bool {
        self.w.len() >= p.len() && self.w.iter().zip(p).all(|(a, b)| a == b)
    }
}

/// A structural problem of the text (unbalanced braces, a command the lexer does not
/// know): line and reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexIssue {
    pub line: u32,
    pub reason: String,
}

/// Lexer output: the leaves in file order, `apply-groups` not yet expanded.
#[derive(Default, Debug)]
pub struct Lexed {
    pub leaves: Vec<Leaf>,
    pub issues: Vec<LexIssue>,
    /// Lines of `deactivate` / `activate` / `delete` commands (understood).
    pub commands: Vec<u32>,
    /// CLI prompt lines pasted with the configuration (`{master:0}`).
    pub prompts: Vec<u32>,
    /// `insert policy-options …` commands: they reorder terms of a routing policy, which
    /// acts only through the routing protocols that use it.
    pub policy_inserts: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Open,
    Close,
    Semi,
    LBr,
    RBr,
}

/// Split one line into tokens; `comment` carries an open `/* */` comment and `quote` an
/// open quoted string across lines.
fn tokens(line: &str, comment: &mut bool, quote: &mut Option<String>, out: &mut Vec<Tok>) {
    let mut it = line.char_indices().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Tok>| {
        if !word.is_empty() {
            out.push(Tok::Word(std::mem::take(word)));
        }
    };
    while let Some((i, c)) = it.next() {
        if *comment {
            if c == '*' && line[i + 1..].starts_with('/') {
                it.next();
                *comment = false;
            }
            continue;
        }
        if let Some(q) = quote.as_mut() {
            match c {
                '\\' => {
                    q.push(c);
                    if let Some((_, n)) = it.next() {
                        q.push(n);
                    }
                }
                '"' => {
                    let s = std::mem::take(q);
                    *quote = None;
                    word.push_str(&s);
                }
                _ => q.push(c),
            }
            continue;
        }
        match c {
            '"' => *quote = Some(String::new()),
            '/' if line[i + 1..].starts_with('*') => {
                flush(&mut word, out);
                it.next();
                *comment = true;
            }
            '#' if word.is_empty() => return flush(&mut word, out),
            ' ' | '\t' | '\r' => flush(&mut word, out),
            '{' | '}' | ';' | '[' | ']' => {
                flush(&mut word, out);
                out.push(match c {
                    '{' => Tok::Open,
                    '}' => Tok::Close,
                    ';' => Tok::Semi,
                    '[' => Tok::LBr,
                    _ => Tok::RBr,
                });
            }
            _ => word.push(c),
        }
    }
    if let Some(q) = quote.as_mut() {
        q.push('\n');
    } else {
        flush(&mut word, out);
    }
}

/// Annotations written before a statement in the hierarchical format.
fn annotation(w: &str) -> Option<bool> {
    match w {
        "inactive:" => Some(false),
        "replace:" | "protect:" | "active:" | "unprotect:" => Some(true),
        _ => None,
    }
}

struct Frame {
    depth: usize,
    active: bool,
    line: u32,
    children: bool,
}

/// Lex a whole configuration in either format (or a mix: `set` lines at top level).
pub fn lex(text: &str) -> Lexed {
    let mut out = Lexed::default();
    let mut path: Vec<String> = vec![];
    let mut frames: Vec<Frame> = vec![];
    // The statement being read: words with their lines, list items, annotation.
    let mut stmt: Vec<(String, u32)> = vec![];
    let mut list: Option<Vec<(String, u32)>> = None;
    let mut stmt_active = true;
    // `delete: STATEMENT`: what the file defined under it so far is removed (the form a
    // load-replace patch or a rendered config uses before redefining a hierarchy).
    let mut stmt_delete = false;
    let (mut comment, mut quote) = (false, None);
    // `deactivate` / `delete` commands, applied after lexing (prefix, line, what).
    let mut deact: Vec<(Vec<String>, bool)> = vec![];
    let mut toks = vec![];
    for (n, raw) in text.lines().enumerate() {
        let ln = n as u32 + 1;
        let t = raw.trim_start();
        if frames.is_empty() && stmt.is_empty() && !comment && quote.is_none() {
            // CLI prompt context lines of a pasted session (`{master:0}`, `{primary:node0}`).
            if t.trim_end().starts_with('{')
                && t.trim_end().ends_with('}')
                && t.contains(':')
                && !t.contains(' ')
            {
                out.prompts.push(ln);
                continue;
            }
            let cmd = t.split_whitespace().next().unwrap_or("");
            // `insert A before|after B` reorders statements: kept out of the tree. Only a
            // routing policy's order is known not to matter here; elsewhere (filter terms,
            // security policies) the order the file gives may be wrong.
            if cmd == "insert" {
                if t.split_whitespace().nth(1) == Some("policy-options") {
                    out.policy_inserts.push(ln);
                } else {
                    out.issues.push(LexIssue {
                        line: ln,
                        reason: "`insert` (reordering) not modelled".into(),
                    });
                }
                continue;
            }
            if matches!(cmd, "set" | "deactivate" | "delete" | "activate") {
                toks.clear();
                tokens(&t[cmd.len()..], &mut comment, &mut quote, &mut toks);
                // A quote or comment left open on a set line ends with the line.
                comment = false;
                let tail = quote.take();
                let mut words: Vec<String> = vec![];
                let mut items: Vec<String> = vec![];
                let mut in_list = false;
                let mut bad = false;
                for tk in toks.drain(..) {
                    match tk {
                        Tok::Word(w) if in_list => items.push(w),
                        Tok::Word(w) => words.push(w),
                        Tok::LBr if !in_list => in_list = true,
                        Tok::RBr if in_list => in_list = false,
                        _ => bad = true,
                    }
                }
                if let Some(q) = tail {
                    words.push(q.trim_end_matches('\n').to_string());
                    bad = true;
                }
                if bad || words.is_empty() {
                    out.issues.push(LexIssue {
                        line: ln,
                        reason: format!("malformed `{cmd}` command"),
                    });
                    continue;
                }
                match cmd {
                    "set" if items.is_empty() => out.leaves.push(Leaf {
                        w: words,
                        line: ln,
                        active: true,
                    }),
                    "set" => {
                        for i in items {
                            let mut w = words.clone();
                            w.push(i);
                            out.leaves.push(Leaf {
                                w,
                                line: ln,
                                active: true,
                            });
                        }
                    }
                    "delete" => {
                        out.leaves.retain(|l| !l.starts_ref(&words));
                        out.commands.push(ln);
                    }
                    "deactivate" => {
                        deact.push((words, false));
                        out.commands.push(ln);
                    }
                    _ => {
                        deact.push((words, true));
                        out.commands.push(ln);
                    }
                }
                continue;
            }
        }
        toks.clear();
        tokens(raw, &mut comment, &mut quote, &mut toks);
        for tk in toks.drain(..) {
            match tk {
                Tok::Word(w) => {
                    if stmt.is_empty() && list.is_none() {
                        if w == "delete:" {
                            stmt_delete = true;
                            continue;
                        }
                        if let Some(a) = annotation(&w) {
                            stmt_active &= a;
                            continue;
                        }
                    }
                    match list.as_mut() {
                        Some(l) => l.push((w, ln)),
                        None => stmt.push((w, ln)),
                    }
                }
                Tok::LBr if list.is_none() => list = Some(vec![]),
                Tok::RBr if list.is_some() => {}
                Tok::LBr | Tok::RBr => out.issues.push(LexIssue {
                    line: ln,
                    reason: "unbalanced `[ ]`".into(),
                }),
                Tok::Semi if stmt_delete => {
                    let mut words = path.clone();
                    words.extend(stmt.drain(..).map(|s| s.0));
                    list = None;
                    out.leaves.retain(|l| !l.starts_ref(&words));
                    out.commands.push(ln);
                    stmt_delete = false;
                    stmt_active = true;
                }
                Tok::Semi => {
                    let active = stmt_active && frames.last().is_none_or(|f| f.active);
                    emit(&mut out, &path, &mut stmt, list.take(), active, ln);
                    if let Some(f) = frames.last_mut() {
                        f.children = true;
                    }
                    stmt_active = true;
                }
                Tok::Open => {
                    if stmt_delete {
                        let mut words = path.clone();
                        words.extend(stmt.iter().map(|s| s.0.clone()));
                        out.leaves.retain(|l| !l.starts_ref(&words));
                        stmt_delete = false;
                    }
                    let active = stmt_active && frames.last().is_none_or(|f| f.active);
                    if let Some(f) = frames.last_mut() {
                        f.children = true;
                    }
                    let line = stmt.first().map(|s| s.1).unwrap_or(ln);
                    frames.push(Frame {
                        depth: path.len(),
                        active,
                        line,
                        children: false,
                    });
                    path.extend(stmt.drain(..).map(|s| s.0));
                    if let Some(l) = list.take() {
                        path.extend(l.into_iter().map(|s| s.0));
                    }
                    stmt_active = true;
                }
                Tok::Close => {
                    if !stmt.is_empty() || list.is_some() {
                        out.issues.push(LexIssue {
                            line: ln,
                            reason: "statement without `;`".into(),
                        });
                        stmt.clear();
                        list = None;
                    }
                    match frames.pop() {
                        Some(f) => {
                            if !f.children {
                                // `name { }`: the container itself is the statement.
                                out.leaves.push(Leaf {
                                    w: path.clone(),
                                    line: f.line,
                                    active: f.active,
                                });
                            }
                            path.truncate(f.depth);
                        }
                        None => out.issues.push(LexIssue {
                            line: ln,
                            reason: "`}` without `{`".into(),
                        }),
                    }
                    stmt_active = true;
                }
            }
        }
    }
    let last = text.lines().count().max(1) as u32;
    if !stmt.is_empty() || list.is_some() {
        let line = stmt.first().map(|s| s.1).unwrap_or(last);
        out.issues.push(LexIssue {
            line,
            reason: "statement without `;` at the end of the file".into(),
        });
    }
    if comment {
        out.issues.push(LexIssue {
            line: last,
            reason: "`/*` comment not closed at the end of the file".into(),
        });
    }
    if quote.is_some() {
        out.issues.push(LexIssue {
            line: last,
            reason: "quoted string not closed at the end of the file".into(),
        });
    }
    if !frames.is_empty() {
        out.issues.push(LexIssue {
            line: last,
            reason: format!("{} `{{` not closed at the end of the file", frames.len()),
        });
    }
    for (p, on) in deact {
        for l in out.leaves.iter_mut().filter(|l| l.starts_ref(&p)) {
            l.active = on;
        }
    }
    out
}

impl Leaf {
    fn starts_ref(&self, p: &[String]) -> bool {
        self.w.len() >= p.len() && self.w.iter().zip(p).all(|(a, b)| a == b)
    }
}

fn emit(
    out: &mut Lexed,
    path: &[String],
    stmt: &mut Vec<(String, u32)>,
    list: Option<Vec<(String, u32)>>,
    active: bool,
    ln: u32,
) {
    let line = stmt.first().map(|s| s.1).unwrap_or(ln);
    let mut w: Vec<String> = path.to_vec();
    w.extend(stmt.drain(..).map(|s| s.0));
    match list {
        None => {
            if w.len() > path.len() {
                out.leaves.push(Leaf { w, line, active });
            }
        }
        Some(items) => {
            for (i, l) in items {
                let mut w = w.clone();
                w.push(i);
                out.leaves.push(Leaf { w, line: l, active });
            }
        }
    }
}

/// Glob match of a group wildcard (`<*>`, `<ge-*>`, `<*.0>`) against a name.
fn glob(p: &str, s: &str) -> bool {
    match p.split_once('*') {
        None => p == s,
        Some((pre, rest)) => {
            let Some(s) = s.strip_prefix(pre) else {
                return false;
            };
            (0..=s.len())
                .filter(|&i| s.is_char_boundary(i))
                .any(|i| glob(rest, &s[i..]))
        }
    }
}

fn wildcard(w: &str) -> Option<&str> {
    w.strip_prefix('<').and_then(|w| w.strip_suffix('>'))
}

/// Result of group expansion.
pub struct Expanded {
    /// Configuration leaves, group-inherited ones after the explicit ones.
    pub leaves: Vec<Leaf>,
    /// Lines of group definitions no `apply-groups` used (recognised, no effect).
    pub unused: Vec<u32>,
    /// `apply-groups` lines that name an undefined group or sit below the top level
    /// where this expansion does not apply them.
    pub bad: Vec<(u32, String)>,
    /// Lines of `apply-groups` statements expanded.
    pub applied: Vec<u32>,
}

/// Expand `apply-groups` at the top level and inside hierarchies: a group statement under
/// the level of the `apply-groups` is inherited, `<pattern>` names matching the names that
/// the configuration itself has at that position (Junos inheritance semantics).
pub fn expand_groups(leaves: Vec<Leaf>) -> Expanded {
    let (groups, mut conf): (Vec<Leaf>, Vec<Leaf>) =
        leaves.into_iter().partition(|l| l.at(0) == "groups");
    let mut used = vec![false; groups.len()];
    let mut bad = vec![];
    let mut applied = vec![];
    let mut extra = vec![];
    let applies: Vec<(Vec<String>, String, u32, bool)> = conf
        .iter()
        .filter_map(|l| {
            let k = l.w.iter().position(|w| w == "apply-groups")?;
            (k + 2 == l.w.len()).then(|| (l.w[..k].to_vec(), l.w[k + 1].clone(), l.line, l.active))
        })
        .collect();
    for (at, g, line, active) in applies {
        if !active {
            continue;
        }
        if g == "junos-defaults" {
            applied.push(line);
            continue;
        }
        let mut found = false;
        for (gi, gl) in groups.iter().enumerate() {
            if gl.at(1) != g || gl.w.len() < 3 {
                continue;
            }
            found = true;
            let rest = &gl.w[2..];
            // The group statement must lie under the `apply-groups` level.
            if rest.len() <= at.len()
                || !at
                    .iter()
                    .zip(rest)
                    .all(|(a, r)| wildcard(r).map_or(a == r, |p| glob(p, a)))
            {
                continue;
            }
            let mut cands: Vec<Vec<String>> = vec![at.clone()];
            for (k, r) in rest.iter().enumerate().skip(at.len()) {
                let mut next = vec![];
                for c in cands {
                    match wildcard(r) {
                        None => {
                            let mut c = c;
                            c.push(r.clone());
                            next.push(c);
                        }
                        Some(p) => {
                            let mut names: Vec<&String> = conf
                                .iter()
                                .filter(|l| l.w.len() > k + 1 && l.starts_ref(&c))
                                .map(|l| &l.w[k])
                                .filter(|n| glob(p, n))
                                .collect();
                            names.sort();
                            names.dedup();
                            for n in names {
                                let mut c2 = c.clone();
                                c2.push(n.clone());
                                next.push(c2);
                            }
                        }
                    }
                }
                cands = next;
            }
            for c in cands {
                used[gi] = true;
                extra.push(Leaf {
                    w: c,
                    line: gl.line,
                    active: gl.active,
                });
            }
        }
        if found {
            applied.push(line);
        } else {
            bad.push((line, format!("apply-groups {g}: no such group")));
        }
    }
    // Explicit statements first; a group statement already configured adds nothing.
    for e in extra {
        if !conf.iter().any(|l| l.w == e.w) {
            conf.push(e);
        }
    }
    conf.retain(|l| !l.w.iter().any(|w| w == "apply-groups"));
    let unused = groups
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(g, _)| g.line)
        .collect();
    Expanded {
        leaves: conf,
        unused,
        bad,
        applied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(l: &Lexed) -> Vec<(String, u32, bool)> {
        l.leaves
            .iter()
            .map(|l| (l.w.join(" "), l.line, l.active))
            .collect()
    }

    #[test]
    fn hierarchical_and_set_give_the_same_paths() {
        let h = "interfaces {\n    ge-0/0/0 {\n        unit 0 {\n            family inet {\n                address 10.0.0.1/24;\n            }\n        }\n    }\n}\nsecurity {\n    policies {\n        from-zone a to-zone b {\n            policy p {\n                match {\n                    source-address [ x y ];\n                }\n                then {\n                    permit;\n                }\n            }\n        }\n    }\n}\n";
        let s = "set interfaces ge-0/0/0 unit 0 family inet address 10.0.0.1/24\nset security policies from-zone a to-zone b policy p match source-address x\nset security policies from-zone a to-zone b policy p match source-address y\nset security policies from-zone a to-zone b policy p then permit\n";
        let a: Vec<String> = lex(h).leaves.iter().map(|l| l.w.join(" ")).collect();
        let b: Vec<String> = lex(s).leaves.iter().map(|l| l.w.join(" ")).collect();
        assert_eq!(a, b);
        assert_eq!(lex(h).leaves[0].line, 5);
        assert_eq!(lex(h).leaves[3].line, 18);
    }

    /// `delete: X;` removes what was defined under X before it (Aerleon's SRX output
    /// starts its `applications` block that way); `delete: X { … }` redefines X.
    #[test]
    fn delete_annotation_removes_earlier_statements() {
        let h = "applications {\n    application a { protocol tcp; }\n}\ndelete: applications;\napplications {\n    application b { protocol udp; }\n}\ndelete: system { host-name y; }\n";
        let l = lex(h);
        assert!(l.issues.is_empty(), "{:?}", l.issues);
        let p: Vec<String> = l.leaves.iter().map(|x| x.w.join(" ")).collect();
        assert_eq!(
            p,
            [
                "applications application b protocol udp",
                "system host-name y"
            ]
        );
        assert_eq!(l.commands, [4]);
    }

    #[test]
    fn comments_quotes_annotations() {
        let h = "/* a\n b { */\nsystem { host-name \"x y;\"; } # c\ninactive: interfaces { ge-0/0/1 { disable; } }\nreplace: firewall { filter f { } }\n";
        let l = lex(h);
        assert!(l.issues.is_empty(), "{:?}", l.issues);
        assert_eq!(
            paths(&l),
            vec![
                ("system host-name x y;".to_string(), 3, true),
                ("interfaces ge-0/0/1 disable".to_string(), 4, false),
                ("firewall filter f".to_string(), 5, true),
            ]
        );
    }

    #[test]
    fn deactivate_delete_and_unbalanced() {
        let s = "set a b 1\nset a c 2\ndeactivate a b\ndelete a c\nset a c 3\n";
        let l = lex(s);
        assert_eq!(
            paths(&l),
            vec![("a b 1".into(), 1, false), ("a c 3".into(), 5, true)]
        );
        assert_eq!(l.commands, vec![3, 4]);
        let l = lex("a {\n b;\n}\n}\nc {\n");
        assert_eq!(l.issues.len(), 2, "{:?}", l.issues);
        assert_eq!(l.issues[0].line, 4);
    }

    #[test]
    fn groups_expand_with_wildcards() {
        let s = "set groups G interfaces <ge-*> unit 0 family inet filter input F\nset groups G system ntp server 1.1.1.1\nset groups U system x\nset apply-groups G\nset interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24\nset interfaces xe-0/0/2 unit 0 description z\n";
        let e = expand_groups(lex(s).leaves);
        let w: Vec<String> = e.leaves.iter().map(|l| l.w.join(" ")).collect();
        assert_eq!(
            w,
            vec![
                "interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24",
                "interfaces xe-0/0/2 unit 0 description z",
                "interfaces ge-0/0/1 unit 0 family inet filter input F",
                "system ntp server 1.1.1.1",
            ]
        );
        assert_eq!(e.unused, vec![3]);
        assert_eq!(e.applied, vec![4]);
        assert!(glob("*.0", "ge-0/0/0.0") && !glob("ge-*", "xe-1"));
    }
}
