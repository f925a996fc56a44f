//! Fuzz the nftables JSON parser (`nft -j list ruleset`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = sanso::ingest::nftables::parse_json("configs/fuzz/ruleset.json", &text);
});
