//! Fuzz the PAN-OS parser in its three forms: any text must parse to a device (with
//! unrecognised lines) or a ParseError (malformed XML), never panic. The first byte picks
//! a prefix that steers the input into the set, brace or XML reader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (form, rest) = data.split_first().unwrap_or((&0, data));
    let body = String::from_utf8_lossy(rest);
    let text = match form % 3 {
        0 => format!("set {body}"),
        1 => format!("config {{\n{body}"),
        _ => format!("<config urldb=\"paloaltonetworks\">{body}"),
    };
    let _ = sanso::ingest::panos::parse("configs/fuzz.xml", &text);
    let _ = sanso::ingest::detect(&text);
});
