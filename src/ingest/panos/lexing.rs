//! The three forms a PAN-OS configuration comes in, lowered to one list of paths:
//! - `set` commands (`show config running` in set mode, Batfish test configs): one path
//!   per line, `[ a b ]` lists expanded into one path per member;
//! - the brace form (`show config running` in the default CLI mode): `key { … }` blocks,
//!   `key value;` leaves, `[ a b ];` lists;
//! - the XML running configuration (`running-config.xml`, Panorama exports, Aerleon's
//!   `paloalto` output): an element is a word, `<entry name="N">` is the word N,
//!   `<member>M</member>` is the word M, a leaf's text is a last word.
//!
//! Every path remembers the lines it came from; the model is then built once from the
//! tree of paths (see `tree.rs`), whatever the input form.

use super::super::ParseError;

/// One path from the configuration root (`network interface ethernet ethernet1/1 layer3
/// ip 10.0.0.1/24`) and the lines (first, last) that wrote it.
#[derive(Clone, Debug)]
pub struct Path {
    pub words: Vec<String>,
    pub first: u32,
    pub last: u32,
}

/// Which form the text is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    Set,
    Brace,
    Xml,
}

pub fn form(text: &str) -> Form {
    for l in text.lines().map(str::trim) {
        if l.is_empty() || l.starts_with('#') || l.starts_with('!') {
            continue;
        }
        if l.starts_with('<') {
            return Form::Xml;
        }
        if l.starts_with("set ") || l == "set" || l.starts_with("delete ") {
            return Form::Set;
        }
        if l.ends_with('{') {
            return Form::Brace;
        }
    }
    Form::Set
}

/// Split `line` into words: double- or single-quoted strings are one word (quotes
/// removed), `[`, `]`, `{`, `}` and `;` are words of their own.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut quoted = false;
    let flush = |cur: &mut String, quoted: &mut bool, out: &mut Vec<String>| {
        if !cur.is_empty() || *quoted {
            out.push(std::mem::take(cur));
        }
        *quoted = false;
    };
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None => match c {
                '"' | '\'' => {
                    quote = Some(c);
                    quoted = true;
                }
                c if c.is_whitespace() => flush(&mut cur, &mut quoted, &mut out),
                '[' | ']' | '{' | '}' | ';' => {
                    flush(&mut cur, &mut quoted, &mut out);
                    out.push(c.to_string());
                }
                c => cur.push(c),
            },
        }
    }
    flush(&mut cur, &mut quoted, &mut out);
    out
}

/// `set` lines → paths. Lines that are not `set …` (comments, blanks) produce nothing;
/// `move` commands are returned apart (applied to the tree); other commands are
/// returned as `(line, reason)`.
pub fn set_form(text: &str) -> (Vec<Path>, Vec<(u32, String)>, Vec<Move>) {
    let mut moves = Vec::new();
    let mut paths = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with('!') {
            continue;
        }
        let w = words(l);
        if w.first().map(String::as_str) == Some("move") {
            moves.push((n, w[1..].to_vec()));
            continue;
        }
        if w.first().map(String::as_str) != Some("set") {
            bad.push((n, format!("`{}` is not a `set` command", w[0])));
            continue;
        }
        match expand(&w[1..]) {
            Ok(ps) if ps.iter().all(|p| !p.is_empty()) => {
                paths.extend(ps.into_iter().map(|words| Path {
                    words,
                    first: n,
                    last: n,
                }))
            }
            Ok(_) => bad.push((n, "`set` with nothing to set".into())),
            Err(e) => bad.push((n, e)),
        }
    }
    (paths, bad, moves)
}

/// A `move <path> NAME top|bottom|before X|after X` command (line, words after `move`).
pub type Move = (u32, Vec<String>);

/// Expand one `[ a b ]` list (PAN-OS writes at most one, last) into one path per member.
fn expand(w: &[String]) -> Result<Vec<Vec<String>>, String> {
    let Some(open) = w.iter().position(|x| x == "[") else {
        if w.iter()
            .any(|x| matches!(x.as_str(), "]" | "{" | "}" | ";"))
        {
            return Err("unbalanced `]`, `{`, `}` or `;`".into());
        }
        return Ok(vec![w.to_vec()]);
    };
    let close = w
        .iter()
        .position(|x| x == "]")
        .filter(|&c| c > open)
        .ok_or("`[` without `]`")?;
    // One list only: several would multiply into their product (a statement whose `;`
    // is missing can hold hundreds of lists — a fuzzed input took gigabytes).
    if w[close + 1..].iter().any(|x| x == "[") {
        return Err("more than one `[ … ]` list in one statement".into());
    }
    let tail = expand(&w[close + 1..])?;
    let head = &w[..open];
    let members = &w[open + 1..close];
    if members.iter().any(|x| x == "[") {
        return Err("nested `[`".into());
    }
    let mut out = Vec::new();
    for m in members {
        for t in &tail {
            let mut p = head.to_vec();
            p.push(m.clone());
            p.extend(t.iter().cloned());
            out.push(p);
        }
    }
    if members.is_empty() {
        out.push(head.to_vec());
    }
    Ok(out)
}

/// Brace form → paths. Returns the paths and lines that do not fit the grammar.
pub fn brace_form(text: &str) -> (Vec<Path>, Vec<(u32, String)>) {
    let mut toks: Vec<(String, u32)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        // `#` comments; `!RANCID-CONTENT-TYPE: paloalto` headers.
        if l.is_empty() || l.starts_with('#') || l.starts_with('!') {
            continue;
        }
        toks.extend(words(l).into_iter().map(|w| (w, i as u32 + 1)));
    }
    let mut paths = Vec::new();
    let mut bad = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut cur: Vec<(String, u32)> = Vec::new();
    let mut in_list = false;
    for (t, n) in toks {
        match t.as_str() {
            "{" if !in_list => {
                if cur.is_empty() {
                    bad.push((n, "`{` without a name".into()));
                    stack.push(String::new());
                    continue;
                }
                let first = cur[0].1;
                let mut words: Vec<String> = stack.clone();
                words.extend(cur.iter().map(|x| x.0.clone()));
                paths.push(Path {
                    words,
                    first,
                    last: n,
                });
                // A block header of several words (`entry a {` is rare) nests as one level.
                stack.push(
                    cur.iter()
                        .map(|x| x.0.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                cur.clear();
            }
            "}" if !in_list => {
                if !cur.is_empty() {
                    bad.push((cur[0].1, "statement without `;`".into()));
                    cur.clear();
                }
                if stack.pop().is_none() {
                    bad.push((n, "`}` without `{`".into()));
                }
            }
            ";" if !in_list => {
                if cur.is_empty() {
                    continue;
                }
                let first = cur[0].1;
                let ws: Vec<String> = cur.iter().map(|x| x.0.clone()).collect();
                match expand(&ws) {
                    Ok(ps) => {
                        for p in ps {
                            let mut words: Vec<String> = Vec::new();
                            for s in &stack {
                                words.extend(s.split(' ').map(str::to_string));
                            }
                            words.extend(p);
                            paths.push(Path {
                                words,
                                first,
                                last: n,
                            });
                        }
                    }
                    Err(e) => bad.push((first, e)),
                }
                cur.clear();
            }
            "[" => {
                in_list = true;
                cur.push((t, n));
            }
            "]" => {
                in_list = false;
                cur.push((t, n));
            }
            _ => cur.push((t, n)),
        }
    }
    if let Some((_, n)) = cur.first() {
        bad.push((*n, "statement without `;` at the end of the file".into()));
    }
    // Block headers are stored with their nesting joined by spaces; split them back.
    for p in &mut paths {
        p.words = p
            .words
            .iter()
            .flat_map(|w| w.split(' ').map(str::to_string).collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .collect();
    }
    (paths, bad)
}

/// XML → paths. A document that is not well-formed XML is a parse error (with its line).
pub fn xml_form(file: &str, text: &str) -> Result<Vec<Path>, ParseError> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, opts).map_err(|e| ParseError {
        file: file.to_string(),
        line: e.pos().row,
        message: format!("not well-formed XML: {e}"),
    })?;
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(&doc, doc.root_element(), &mut path, &mut out);
    Ok(out)
}

fn walk(
    doc: &roxmltree::Document,
    e: roxmltree::Node,
    path: &mut Vec<String>,
    out: &mut Vec<Path>,
) {
    let tag = e.tag_name().name();
    let elems: Vec<roxmltree::Node> = e.children().filter(|c| c.is_element()).collect();
    let text: String = e
        .children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect::<String>()
        .trim()
        .to_string();
    let first = doc.text_pos_at(e.range().start).row;
    let last = if elems.is_empty() {
        doc.text_pos_at(e.range().end.saturating_sub(1)).row
    } else {
        first
    };
    let word = match (tag, e.attribute("name")) {
        ("entry", Some(n)) => Some(n.to_string()),
        ("member", None) if elems.is_empty() => {
            // `<member>x</member>` is the word x; an empty member names nothing.
            path.push(text.clone());
            out.push(Path {
                words: path.clone(),
                first,
                last,
            });
            path.pop();
            return;
        }
        _ => Some(tag.to_string()),
    };
    let depth = path.len();
    path.extend(word);
    if elems.is_empty() && !text.is_empty() {
        path.push(text);
    }
    out.push(Path {
        words: path.clone(),
        first,
        last,
    });
    path.truncate(depth + 1);
    for c in elems {
        walk(doc, c, path, out);
    }
    path.truncate(depth);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(p: &[Path]) -> Vec<String> {
        p.iter().map(|p| p.words.join(" ")).collect()
    }

    #[test]
    fn set_lists_and_quotes() {
        let (p, bad, _) = set_form(
            "set zone z1 network layer3 [ ethernet1/1 ethernet1/2 ]\n# c\nset rulebase security rules \"a b\" action allow\nshow x\n",
        );
        assert_eq!(
            ws(&p),
            [
                "zone z1 network layer3 ethernet1/1",
                "zone z1 network layer3 ethernet1/2",
                "rulebase security rules a b action allow"
            ]
        );
        assert_eq!(p[2].words[3], "a b");
        assert_eq!(bad, [(4, "`show` is not a `set` command".to_string())]);
    }

    #[test]
    fn brace_blocks_and_lists() {
        let t = "config {\n  zone {\n    z1 {\n      network {\n        layer3 [ e1 e2 ];\n      }\n    }\n  }\n  x y\n   z;\n}\n";
        let (p, bad) = brace_form(t);
        assert!(bad.is_empty(), "{bad:?}");
        let w = ws(&p);
        assert!(w.contains(&"config zone z1 network layer3 e1".to_string()));
        assert!(w.contains(&"config zone z1 network layer3 e2".to_string()));
        let xy = p
            .iter()
            .find(|p| p.words.join(" ") == "config x y z")
            .unwrap();
        assert_eq!((xy.first, xy.last), (9, 10));
    }

    #[test]
    fn xml_entries_members_text() {
        let t = "<config>\n<zone>\n<entry name=\"z1\">\n<network><layer3>\n<member>e1</member>\n</layer3></network>\n</entry>\n</zone>\n<a>t</a>\n</config>\n";
        let p = xml_form("f", t).unwrap();
        let w = ws(&p);
        assert!(w.contains(&"config zone z1 network layer3 e1".to_string()));
        assert!(w.contains(&"config a t".to_string()));
        let e1 = p.iter().find(|p| p.words.last().unwrap() == "e1").unwrap();
        assert_eq!(e1.first, 5);
        assert!(xml_form("f", "<a><b></a>").is_err());
    }
}
