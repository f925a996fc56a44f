//! APKeep's Stanford network: loops after all insertions must equal APKeep's 20
//! (dataset README, section 4), counted the way APKeep's `Evaluator` counts them
//! (distinct cycles over the run), and the incremental forwarding state must agree
//! with a naive longest-prefix-match over the installed rules.
use sanso_testkit::dataplane::apkeep::{parse_updates, ApkNet, Update};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/stanford/apkeep");
    assert!(
        dir.join("updates").is_file(),
        "dataset missing: {}",
        dir.display()
    );
    dir
}

#[test]
fn apkeep_stanford_loops_after_insertions() {
    let (mut net, updates) = ApkNet::load(&dir()).unwrap();
    let n_insert = updates.iter().take_while(|u| u.is_insert()).count();
    assert_eq!(n_insert, 686 + 3840);
    for u in &updates[..n_insert] {
        net.apply(u);
    }
    assert_eq!(net.distinct_loops(), 20);
    // Each update's check reports its own loops; some cycles are re-found by later
    // updates that move more destinations into them, so the per-update sum is larger.
    assert!(net.loop_reports > net.distinct_loops());
    let loops = net.loops();
    // APKeep README's example loop (171.66.255.128/26), as a cyclic sequence.
    let readme = "bbra_rtr,te7/1 bbrb_rtr,te7/1 bbrb_rtr,te6/3 yozb_rtr,te1/1 yozb_rtr,te1/2 \
                  yoza_rtr,te1/2 yoza_rtr,te7/1 bbrb_rtr,te7/4 bbrb_rtr,te7/2 cozb_rtr,te2/1 \
                  cozb_rtr,te3/1 cozb_rtr_outACL_te3/1_out,inport \
                  cozb_rtr_outACL_te3/1_out,permit bbra_rtr,te6/1";
    let want: Vec<&str> = readme.split_whitespace().collect();
    let is_rotation = |l: &Vec<String>| {
        l.len() == want.len()
            && (0..l.len()).any(|r| (0..l.len()).all(|i| l[(i + r) % l.len()] == want[i]))
    };
    assert!(loops.iter().any(is_rotation), "README loop not found");
    // Removals find no new cycle: APKeep's total over all 9,052 updates is also 20.
    for u in &updates[n_insert..] {
        net.apply(u);
    }
    assert_eq!(net.distinct_loops(), 20);
}

/// Naive longest-prefix match over the installed rules vs the atom state, at every
/// rule's first and last address and their neighbours.
#[test]
fn apkeep_forwarding_state_matches_naive_lpm() {
    let (mut net, updates) = ApkNet::load(&dir()).unwrap();
    let mut installed: BTreeMap<(String, u32, u8), String> = BTreeMap::new();
    let mut probes: Vec<u32> = vec![0, u32::MAX];
    for u in &updates {
        if let Update::Fwd { prefix, len, .. } = u {
            let m = if *len == 0 { 0 } else { u32::MAX << (32 - len) };
            let (lo, hi) = (prefix & m, prefix | !m);
            probes.extend([lo, hi, lo.wrapping_sub(1), hi.wrapping_add(1)]);
        }
    }
    probes.sort_unstable();
    probes.dedup();
    let routers: std::collections::BTreeSet<String> = updates
        .iter()
        .filter_map(|u| match u {
            Update::Fwd { router, .. } => Some(router.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(routers.len(), 16);
    let mut checked = 0;
    for (i, u) in updates.iter().enumerate() {
        net.apply(u);
        if let Update::Fwd {
            insert,
            router,
            prefix,
            len,
            port,
        } = u
        {
            let m = if *len == 0 { 0 } else { u32::MAX << (32 - len) };
            let k = (router.clone(), prefix & m, *len);
            if *insert {
                installed.entry(k).or_insert_with(|| port.clone());
            } else {
                installed.remove(&k);
            }
        }
        // Every probe right after the insertions (port assignments are constant
        // between consecutive rule bounds, so this covers the whole address space);
        // every 7th probe every 500 updates.
        let full = updates.get(i + 1).is_some_and(|n| !n.is_insert()) && u.is_insert();
        if !full && i % 500 != 0 && i + 1 != updates.len() {
            continue;
        }
        let step = if full { 1 } else { 7 };
        for r in &routers {
            for &d in probes.iter().step_by(step) {
                let want = (0..=32u8).rev().find_map(|l| {
                    let m = if l == 0 { 0 } else { u32::MAX << (32 - l) };
                    installed.get(&(r.clone(), d & m, l)).cloned()
                });
                assert_eq!(net.port_for(r, d), want, "{r} {d} after update {i}");
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000);
}

/// The loop check through an ACL decides "do these destinations meet its permit set"
/// exactly at the bounds of the moved atom (10.0.0.0/8): two routers in a ring through
/// one inbound ACL, both routing 10.0.0.0/8 around it; a loop exists iff the ACL lets
/// some packet to 10/8 through (first match wins, implicit deny).
#[test]
fn apkeep_loop_check_through_an_acl_is_exact_at_the_atom_bounds() {
    let topo = "ra_rtr p1 rb_rtr_inACL_p2_in inport\n\
                rb_rtr_inACL_p2_in permit rb_rtr p2\n\
                rb_rtr p3 ra_rtr p4\n";
    let any = "0 255 any null null null";
    let cases: [(&[&str], bool); 9] = [
        (&[], false), // implicit deny
        (
            &[&format!("permit {any} 10.0.0.0 0.0.0.255 null null")],
            true,
        ),
        (
            &[&format!("permit {any} 10.255.255.255 null null null")],
            true,
        ),
        (&[&format!("permit {any} 11.0.0.0 null null null")], false),
        (
            &[&format!("permit {any} 9.255.255.255 null null null")],
            false,
        ),
        (
            &[&format!("permit {any} 9.0.0.0 0.255.255.255 null null")],
            false,
        ),
        (
            &[
                &format!("deny {any} 10.0.0.0 0.255.255.255 null null"),
                &format!("permit {any} any null null null"),
            ],
            false,
        ),
        // Fields above (protocol) and below (ports) the destination.
        (
            &["permit 6 6 any null null null 10.1.0.0 0.0.255.255 80 null"],
            true,
        ),
        (
            &["permit 6 6 any null null null 11.1.0.0 0.0.255.255 80 null"],
            false,
        ),
    ];
    for (rules, want) in cases {
        let mut net = ApkNet::new(topo, "");
        let mut text = String::new();
        for (i, r) in rules.iter().enumerate() {
            text += &format!("+ acl rb_rtr_inACL access-list 1 {r} {}\n", 100 - i);
        }
        let ten = u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0));
        text += &format!("+ fwd rb_rtr {ten} 8 p3 8\n+ fwd ra_rtr {ten} 8 p1 8\n");
        for u in parse_updates(&text).unwrap() {
            net.apply(&u);
        }
        assert_eq!(net.distinct_loops() == 1, want, "{rules:?}");
        assert!(net.distinct_loops() <= 1);
    }
}
