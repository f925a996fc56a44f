//! report.html in a real browser: headless Chromium parses it (DOM dump) and paints it
//! (screenshot). Fails when Chromium is missing, unless SANSO_SKIP_BROWSER=1.

mod common;
use common::root;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WIDTH: u32 = 1280;
// Tall enough to show the overview picture below the contents and the per-clause and
// per-check tables of all 21 checks.
const HEIGHT: u32 = 6400;

/// `chromium` or `chromium-browser` on PATH (or SANSO_CHROMIUM).
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SANSO_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn browser_or_skip() -> Option<PathBuf> {
    match chromium() {
        Some(p) => Some(p),
        None if std::env::var("SANSO_SKIP_BROWSER").as_deref() == Ok("1") => {
            eprintln!("browser test skipped: no chromium on PATH and SANSO_SKIP_BROWSER=1");
            None
        }
        None => panic!(
            "chromium not found on PATH (install the Debian package `chromium` and \
             `fonts-noto-cjk`, see .ci/run), or set SANSO_SKIP_BROWSER=1 to skip"
        ),
    }
}

/// Run Chromium headless with a private profile; kill it after 120 s. Returns stdout.
fn headless(bin: &Path, profile: &Path, args: &[String]) -> String {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).map(|_| s)
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert!(st.success(), "chromium exited with {st}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap().expect("chromium output is UTF-8")
}

fn bundle(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sanso-browser-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let st = Command::new(env!("CARGO_BIN_EXE_sanso"))
        .args(["evidence", "fixtures/sample-city-violating", "-o"])
        .arg(dir.join("out"))
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .status()
        .unwrap();
    // Written; exit 1 because the snapshot violates.
    assert_eq!(st.code(), Some(1));
    dir
}

fn url(p: &Path) -> String {
    format!("file://{}", p.display())
}

#[test]
fn chromium_parses_report_with_findings_and_svg() {
    let Some(bin) = browser_or_skip() else { return };
    let dir = bundle("dom");
    let report = dir.join("out/report.html");
    let dom = headless(
        &bin,
        &dir.join("profile"),
        &["--dump-dom".into(), url(&report)],
    );
    let f: Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/findings.json")).unwrap()).unwrap();
    let findings = f["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    // The parsed document has exactly one article per finding: no markup broke structure.
    assert_eq!(dom.matches("<article ").count(), findings.len(), "{dom}");
    for (i, fi) in findings.iter().enumerate() {
        let id = format!("id=\"finding-{}\"", i + 1);
        let at = dom.find(&id).unwrap_or_else(|| panic!("{id} not in DOM"));
        let art = &dom[at..at + dom[at..].find("</article>").unwrap()];
        assert!(art.contains(fi["rule"].as_str().unwrap()));
        // Configuration-level findings (ONLY-ALLOWED-DEVICES) have no witness.
        for k in ["src_ip", "dst_ip"] {
            if let Some(v) = fi["witness"][k].as_str() {
                assert!(art.contains(v), "{id} {k}");
            }
        }
        // The finding's own SVG survived parsing, with its highlighted route.
        assert!(art.contains("<svg"), "{id} has no SVG");
        if !fi["witness"].is_null() {
            assert!(art.contains("class=\"hl\""), "{id} has no highlighted edge");
        }
    }
    let topo = &dom[dom.find("id=\"topology\"").unwrap()..dom.find("id=\"findings\"").unwrap()];
    assert!(topo.contains("<svg"));
    assert_eq!(topo.matches("class=\"violation\"").count(), findings.len());
    assert!(!dom.contains("<script"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chromium_paints_report_not_blank() {
    let Some(bin) = browser_or_skip() else { return };
    let dir = bundle("shot");
    let shot = dir.join("shot.png");
    headless(
        &bin,
        &dir.join("profile"),
        &[
            format!("--window-size={WIDTH},{HEIGHT}"),
            format!("--screenshot={}", shot.display()),
            url(&dir.join("out/report.html")),
        ],
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&shot).expect("screenshot written"),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    let ch = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        c => panic!("unexpected colour type {c:?}"),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let px: Vec<[u8; 3]> = buf[..info.buffer_size()]
        .chunks(ch)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    let distinct: std::collections::BTreeSet<[u8; 3]> = px.iter().copied().collect();
    assert!(
        distinct.len() > 200,
        "only {} colours: blank page?",
        distinct.len()
    );
    let count = |rgb: [u8; 3]| px.iter().filter(|p| **p == rgb).count();
    // Solid fills that only the page's own elements have: the 違反 badges and the tier
    // columns of the SVG picture.
    for (what, rgb, min) in [
        ("violated badge red", [0xd6, 0x27, 0x28], 500),
        ("マイナンバー利用事務系 column", [0xf3, 0xec, 0xfa], 5000),
        ("LGWAN接続系 column", [0xe8, 0xf5, 0xe6], 5000),
        ("インターネット接続系 column", [0xe6, 0xf0, 0xfb], 5000),
    ] {
        let n = count(rgb);
        assert!(n >= min, "{what}: {n} pixels of {rgb:?}");
    }
    // Text was painted: plenty of dark pixels (glyphs), on a mostly white page.
    let dark = px.iter().filter(|p| p.iter().all(|&c| c < 80)).count();
    let white = count([255, 255, 255]);
    assert!(dark > 5000, "{dark} dark pixels");
    assert!(white > px.len() / 3, "{white} white pixels");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `poppler-utils` tool `name` (pdftotext, pdfinfo) on PATH.
fn poppler(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn run_tool(bin: &Path, args: &[&str]) -> String {
    let out = Command::new(bin)
        .args(args)
        .output()
        .expect("run poppler tool");
    assert!(out.status.success(), "{} failed", bin.display());
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Cut every `open`…`close` block out of `s`.
fn drop_blocks(s: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i]);
        match rest[i..].find(close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Text of an HTML fragment with tags removed, entities decoded and all whitespace
/// dropped (line breaks fall anywhere once printed).
fn squeeze(s: &str) -> String {
    let mut t = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => t.push(c),
            _ => {}
        }
    }
    let t = t
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

/// report.html printed to PDF (A4, as an auditor files it): the page count stays within
/// bounds derived from the report's own structure, and no table row is cut across two
/// pages. A row's text (whitespace dropped) must be found, in document order, inside one
/// page of the PDF's text (`pdftotext -raw` keeps paint order, i.e. cell by cell).
#[test]
fn chromium_prints_report_a4_without_cut_rows() {
    let Some(bin) = browser_or_skip() else { return };
    let (Some(totext), Some(info)) = (poppler("pdftotext"), poppler("pdfinfo")) else {
        if std::env::var("SANSO_SKIP_BROWSER").as_deref() == Ok("1") {
            return;
        }
        panic!("pdftotext/pdfinfo not found: install the Debian package `poppler-utils`");
    };
    let dir = bundle("pdf");
    let report = dir.join("out/report.html");
    let pdf = dir.join("report.pdf");
    headless(
        &bin,
        &dir.join("profile"),
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
            url(&report),
        ],
    );
    let meta = run_tool(&info, &[pdf.to_str().unwrap()]);
    assert!(meta.contains("(A4)"), "{meta}");
    let pages: usize = meta
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("page count");

    let html = std::fs::read_to_string(&report).unwrap();
    // Closed drill-downs are not printed and pictures hold no table rows.
    let printed = drop_blocks(
        &drop_blocks(&html, "<details", "</details>"),
        "<svg",
        "</svg>",
    );
    let rows: Vec<String> = printed
        .split("<tr")
        .skip(1)
        .filter(|r| r.starts_with([' ', '>']))
        .map(|r| format!("<tr{}", r.split("</tr>").next().unwrap()))
        // Header rows repeat on every page a table spans.
        .filter(|r| r.contains("<td"))
        .map(|r| squeeze(&r))
        .filter(|t| !t.is_empty())
        .collect();
    let sections = html.matches("<section ").count();
    let findings = html.matches("<article ").count();
    assert!(sections >= 8 && findings > 0 && rows.len() > 100);
    // Each section starts a page after the cover (title, verdict, contents); a finding
    // takes at most two pages; at least 15 table rows fit on a page.
    let (low, high) = (1 + sections, 1 + sections + 2 * findings + rows.len() / 15);
    assert!(
        (low..=high).contains(&pages),
        "{pages} pages, expected {low}..={high}"
    );

    let text = run_tool(&totext, &["-raw", pdf.to_str().unwrap(), "-"]);
    let page_texts: Vec<String> = text
        .split('\u{c}')
        .map(|p| p.chars().filter(|c| !c.is_whitespace()).collect())
        .collect();
    assert!(page_texts.len() >= pages);
    let (mut page, mut at) = (0, 0);
    for row in &rows {
        // The row whole on the current page or a later one, after the previous row.
        let found = (page..page_texts.len()).find_map(|p| {
            let from = if p == page { at } else { 0 };
            page_texts[p][from..]
                .find(row.as_str())
                .map(|i| (p, from + i))
        });
        let Some((p, i)) = found else {
            panic!("row not printed whole on one page (cut or missing): {row}");
        };
        (page, at) = (p, i + row.len());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
