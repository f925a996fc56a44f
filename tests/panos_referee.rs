//! Issue 16, done-when: random segmentation policies rendered by Aerleon (an independent
//! source of PAN-OS syntax) into PAN-OS XML, wrapped into a one-firewall snapshot (MN zone
//! on ethernet1/1, LGWAN zone on ethernet1/2), are judged by sanso exactly as an
//! independent first-match evaluation of the policy terms judges them — the MN-ISOLATION
//! verdict and every witness packet.
//!
//! The reference never calls the engine: it evaluates the terms (plain data) packet by
//! packet, exhaustively over the cells that every term boundary cuts each header field
//! into. Sources range over all of IPv4 (a host on an edge port can send any header).
//! PAN-OS semantics the reference encodes: the rules of the filter of the packet's zone
//! pair in order, first match decides; no match is the inter-zone default deny.
//!
//! Needs Python with Aerleon (tests/requirements.txt); a missing Aerleon fails the test.
//! Replay one case: `PANOS_REFEREE_SEED=<seed> cargo test --test panos_referee`.

mod common;
use common::firstmatch::{self as fm, in_ports, in_prefixes, prefix_range, Cuts, Pkt, LG};
use common::Rng;
use std::fmt::Write;

// MN (10.1.0.0/16) on ethernet1/1, LGWAN (10.2.0.0/16) on ethernet1/2.
const CASES: u64 = 120;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Proto {
    Any,
    Tcp,
    Udp,
    TcpUdp,
    Icmp,
}

#[derive(Clone, Debug)]
struct Term {
    accept: bool,
    /// Prefixes (empty = any).
    src: Vec<(u32, u8)>,
    dst: Vec<(u32, u8)>,
    proto: Proto,
    /// Destination / source port ranges (empty = any); TCP/UDP only.
    dport: Vec<(u16, u16)>,
    sport: Vec<(u16, u16)>,
}

fn net(r: &mut Rng) -> (u32, u8) {
    let base = [0x0a01_0000u32, 0x0a02_0000, 0x0a00_0000, 0xc0a8_0000][r.index(4)];
    let len = [8u8, 15, 16, 17, 20, 24, 28, 32][r.index(8)];
    let mask = u32::MAX << (32 - len);
    ((base | r.below(65536) as u32) & mask, len)
}

fn nets(r: &mut Rng) -> Vec<(u32, u8)> {
    if r.chance(40) {
        return vec![];
    }
    (0..1 + r.below(2)).map(|_| net(r)).collect()
}

fn prange(r: &mut Rng) -> (u16, u16) {
    if r.chance(50) {
        let n = [22u16, 25, 53, 80, 443, 445, 3389, 8080][r.index(8)];
        (n, n)
    } else {
        let a = 1 + r.below(5000) as u16;
        (a, a + r.below(3000) as u16)
    }
}

fn term(r: &mut Rng) -> Term {
    let proto = [
        Proto::Any,
        Proto::Tcp,
        Proto::Udp,
        Proto::TcpUdp,
        Proto::Icmp,
    ][r.index(5)];
    let l4 = matches!(proto, Proto::Tcp | Proto::Udp | Proto::TcpUdp);
    Term {
        accept: r.chance(35),
        src: nets(r),
        dst: nets(r),
        dport: if l4 && r.chance(75) {
            (0..1 + r.below(2)).map(|_| prange(r)).collect()
        } else {
            vec![]
        },
        sport: if l4 && r.chance(15) {
            vec![prange(r)]
        } else {
            vec![]
        },
        proto,
    }
}

fn hit(t: &Term, p: &Pkt) -> bool {
    let pr = match t.proto {
        Proto::Any => true,
        Proto::Tcp => p.proto == 6,
        Proto::Udp => p.proto == 17,
        Proto::TcpUdp => p.proto == 6 || p.proto == 17,
        Proto::Icmp => p.proto == 1,
    };
    let l4 = p.proto == 6 || p.proto == 17;
    pr && in_prefixes(&t.src, p.src)
        && in_prefixes(&t.dst, p.dst)
        && (!l4 || (in_ports(&t.dport, p.dport) && in_ports(&t.sport, p.sport)))
}

/// First match in the zone pair's filter; none: the inter-zone default denies.
fn passes(terms: &[Term], p: &Pkt) -> bool {
    terms.iter().find(|t| hit(t, p)).is_some_and(|t| t.accept)
}

fn cuts(terms: &[Term]) -> Cuts {
    Cuts {
        src: terms
            .iter()
            .flat_map(|t| t.src.iter().map(|&x| prefix_range(x)))
            .collect(),
        dst: terms
            .iter()
            .flat_map(|t| t.dst.iter().map(|&x| prefix_range(x)))
            .collect(),
        sport: terms.iter().flat_map(|t| t.sport.clone()).collect(),
        dport: terms.iter().flat_map(|t| t.dport.clone()).collect(),
    }
}

/// A packet the filter forwards into the other zone, if any (exhaustive over cells).
fn violation(terms: &[Term], dst: (u32, u32)) -> Option<Pkt> {
    fm::violation(&cuts(terms), dst, |p| passes(terms, p))
}

fn ip(a: u32) -> String {
    std::net::Ipv4Addr::from(a).to_string()
}

/// The Aerleon Python program rendering both filters (MN→LGWAN, LGWAN→MN) as PAN-OS XML.
fn aerleon_program(mn_lg: &[Term], lg_mn: &[Term]) -> String {
    let mut nets = String::new();
    let mut svcs = String::new();
    let mut filters = vec![];
    for (fi, (terms, from, to)) in [(mn_lg, "MN", "LGWAN"), (lg_mn, "LGWAN", "MN")]
        .into_iter()
        .enumerate()
    {
        if terms.is_empty() {
            // Aerleon rejects a filter without terms: the zone pair is left to the default.
            continue;
        }
        let mut ts = vec![];
        for (i, t) in terms.iter().enumerate() {
            let name = format!("f{fi}t{i}");
            let mut o = format!(
                "{{\"name\": \"{name}\", \"action\": \"{}\"",
                if t.accept { "accept" } else { "deny" }
            );
            for (k, v) in [("source-address", &t.src), ("destination-address", &t.dst)] {
                if v.is_empty() {
                    continue;
                }
                let n = format!("{name}{}", &k[..3]);
                let vals: Vec<String> = v
                    .iter()
                    .map(|(a, l)| format!("{{\"address\": \"{}/{l}\"}}", ip(*a)))
                    .collect();
                let _ = write!(nets, "\"{n}\": {{\"values\": [{}]}}, ", vals.join(", "));
                let _ = write!(o, ", \"{k}\": \"{n}\"");
            }
            let protos: &[&str] = match t.proto {
                Proto::Any => &[],
                Proto::Tcp => &["tcp"],
                Proto::Udp => &["udp"],
                Proto::TcpUdp => &["tcp", "udp"],
                Proto::Icmp => &["icmp"],
            };
            if !protos.is_empty() {
                let _ = write!(o, ", \"protocol\": \"{}\"", protos.join(" "));
            }
            for (k, v) in [("destination-port", &t.dport), ("source-port", &t.sport)] {
                if v.is_empty() {
                    continue;
                }
                let n = format!("{name}{}", &k[..3]).to_uppercase();
                let vals: Vec<String> = v
                    .iter()
                    .flat_map(|(a, b)| {
                        let port = if a == b {
                            a.to_string()
                        } else {
                            format!("{a}-{b}")
                        };
                        protos.iter().map(move |p| {
                            format!("{{\"port\": \"{port}\", \"protocol\": \"{p}\"}}")
                        })
                    })
                    .collect();
                let _ = write!(svcs, "\"{n}\": [{}], ", vals.join(", "));
                let _ = write!(o, ", \"{k}\": \"{n}\"");
            }
            o.push('}');
            ts.push(o);
        }
        filters.push(format!(
            "{{\"header\": {{\"targets\": {{\"paloalto\": \"from-zone {from} to-zone {to}\"}}}}, \"terms\": [{}]}}",
            ts.join(", ")
        ));
    }
    format!(
        "import sys\nfrom aerleon.lib import naming\nfrom aerleon import api\n\
         d = naming.Naming()\n\
         d.ParseDefinitionsObject({{\"networks\": {{{nets}}}, \"services\": {{{svcs}}}}}, \"\")\n\
         pol = {{\"filename\": \"fw\", \"filters\": [{}]}}\n\
         out = api.Generate([pol], d)\n\
         sys.stdout.write(list(out.values())[0])\n",
        filters.join(", ")
    )
}

fn aerleon(prog: &str) -> Result<String, String> {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(prog)
        .output()
        .map_err(|e| format!("python3 not runnable ({e}): Aerleon is required"))?;
    if !out.status.success() {
        return Err(format!(
            "Aerleon failed (pip install -r tests/requirements.txt):\n{}\n{prog}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Aerleon renders objects and rules of vsys1; the test adds the interfaces and zones.
fn wrap(xml: &str) -> String {
    let net = "<network><interface><ethernet>\
        <entry name=\"ethernet1/1\"><layer3><ip><entry name=\"10.1.0.1/16\"/></ip></layer3></entry>\n\
        <entry name=\"ethernet1/2\"><layer3><ip><entry name=\"10.2.0.1/16\"/></ip></layer3></entry>\n\
        </ethernet></interface></network>\n";
    let zones = "<zone>\n<entry name=\"MN\"><network><layer3><member>ethernet1/1</member></layer3></network></entry>\n\
        <entry name=\"LGWAN\"><network><layer3><member>ethernet1/2</member></layer3></network></entry>\n</zone>\n";
    let x = xml.replacen("<vsys>", &format!("{net}<vsys>"), 1);
    let i = x
        .find("<entry name=\"vsys1\">")
        .expect("vsys1 in Aerleon output");
    let j = i + "<entry name=\"vsys1\">".len();
    format!("{}\n{zones}{}", &x[..j], &x[j..])
}

fn case(seed: u64) -> Result<bool, String> {
    let mut r = Rng(seed | 1);
    let mn_lg: Vec<Term> = (0..1 + r.below(6)).map(|_| term(&mut r)).collect();
    let lg_mn: Vec<Term> = (0..r.below(5)).map(|_| term(&mut r)).collect();
    let xml = aerleon(&aerleon_program(&mn_lg, &lg_mn))?;
    let cfg = wrap(&xml);
    let dir = fm::work("panos").join(seed.to_string());
    fm::write_snapshot(&dir, "PAN-OS referee", "pa.xml", &cfg);
    let a = sanso::checks::audit::run(&dir).map_err(|e| format!("seed {seed}: {e:?}"))?;
    let fail = |m: String| {
        Err(format!(
            "seed {seed}: {m}\nterms {mn_lg:?}\n{lg_mn:?}\n{cfg}"
        ))
    };
    for d in &a.snapshot.devices {
        if d.dialect.id() != "panos" {
            return fail(format!("detected as {}", d.dialect.id()));
        }
    }
    let all: Vec<Term> = mn_lg.iter().chain(&lg_mn).cloned().collect();
    let v = fm::judge_mn_isolation(&a, &cuts(&all), |p, from_mn| {
        passes(if from_mn { &mn_lg } else { &lg_mn }, p)
    })
    .or_else(fail)?;
    // Aerleon writes ICMP terms as `application icmp` on `application-default`: App-ID
    // tells icmp by the IP protocol, so no "admitted if" condition is left.
    if let Some(f) = a.eval.findings.iter().find(|f| !f.admitted_if.is_empty()) {
        return fail(format!(
            "{:?}: unexpected condition {:?}",
            f.witness, f.admitted_if
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(v)
}

#[test]
fn random_aerleon_panos_policies_agree_with_first_match() {
    fm::referee_main("panos", CASES, |seeds| {
        let mut violated = 0;
        let mut bad = vec![];
        for &seed in seeds {
            match case(seed) {
                Ok(v) => violated += usize::from(v),
                Err(e) => bad.push(e),
            }
            if bad.len() >= 3 {
                break;
            }
        }
        (violated, bad)
    });
}

/// The reference on a hand-made filter (expectations worked out by hand).
#[test]
fn reference_sanity() {
    let t = |accept, proto, dport: Vec<(u16, u16)>| Term {
        accept,
        src: vec![],
        dst: vec![],
        proto,
        dport,
        sport: vec![],
    };
    // deny tcp/22, allow tcp: TCP other than 22 crosses; nothing else (default deny).
    let f = vec![
        t(false, Proto::Tcp, vec![(22, 22)]),
        t(true, Proto::Tcp, vec![]),
    ];
    let v = violation(&f, LG).unwrap();
    assert_eq!((v.proto, v.dport), (6, 0));
    assert!(violation(&[t(false, Proto::Any, vec![])], LG).is_none());
    assert!(violation(&[], LG).is_none(), "inter-zone default deny");
}
