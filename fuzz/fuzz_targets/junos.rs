//! Fuzz the Junos parser (both formats): any text must parse to a device (with
//! unrecognised lines) or a ParseError, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = sanso::ingest::junos::parse("configs/fuzz.conf", &text);
    let _ = sanso::ingest::detect(&text);
});
