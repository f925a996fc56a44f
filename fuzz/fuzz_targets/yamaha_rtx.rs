//! Fuzz the Yamaha RTX parser and its `show ip route` reader: any text must parse to a
//! device (with unrecognised lines) or a ParseError, and any dump to a table with listed
//! rows, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = sanso::ingest::yamaha_rtx::parse("configs/fuzz.conf", &text);
    let _ = sanso::ingest::detect(&text);
    let fib = sanso::ingest::state::routes::rtx::parse_show_ip_route("state/r/show_ip_route.txt", &text);
    let _ = fib.to_routes();
});
