//! What sanso's tests, benches and examples need and the shipped library does not: the
//! brute-force per-packet simulator that referees the engine (`sim`), and loaders for the
//! public verification datasets (`dataplane`: Hassel-C transfer functions, APKeep,
//! `show ip cef` / `show ip route`).

pub mod dataplane;
pub mod sim;
