//! Fuzz the Linux device folder's `ip -j` / `bridge -j` / sysctl readers.
//!
//! Input: the files' contents separated by NUL bytes, in the order of `FILES` below; an
//! empty part means the file is absent. (The netfilter rulesets have their own targets.)
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

const FILES: &[&str] = &[
    "ip-addr.json",
    "ip-route.json",
    "bridge-link.json",
    "bridge-vlan.json",
    "sysctl.txt",
];

fuzz_target!(|data: &[u8]| {
    let mut texts: BTreeMap<&str, String> = BTreeMap::new();
    for (f, part) in FILES.iter().zip(data.split(|&b| b == 0)) {
        if !part.is_empty() {
            texts.insert(f, String::from_utf8_lossy(part).into_owned());
        }
    }
    let _ = sanso::ingest::linux::from_texts("gw1", "configs/gw1", &texts);
});
