//! Fuzz the `show ip route` / `show ip cef` reader of the data-plane loader.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let fib = sanso_testkit::dataplane::cisco_show::parse("state/r1/show_ip_route.txt", &text);
    let _ = fib.prefixes();
    let _ = fib.lookup(std::net::Ipv4Addr::new(10, 1, 2, 3));
    let _ = fib.to_routes();
});
