//! Fuzz the Cisco ASA parser: any text must parse to a device (with unrecognised lines)
//! or a ParseError, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = sanso::ingest::cisco_asa::parse("configs/fuzz.cfg", &text);
    let _ = sanso::ingest::detect(&text);
});
