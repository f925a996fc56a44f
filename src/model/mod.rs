//! Vendor-neutral model: devices as the parsers leave them ([`device`]) and the inventory a
//! snapshot declares ([`inventory`]). Every later stage reads these types; nothing here
//! imports another stage.

pub mod device;
pub mod facts;
pub mod inventory;
pub mod part;
pub mod routing;

pub use device::*;
pub use facts::*;
pub use inventory::*;

/// The smallest set of CIDR blocks `(prefix, len)` covering exactly `first..=last`
/// (empty when `first > last`).
pub fn range_prefixes(
    first: std::net::Ipv4Addr,
    last: std::net::Ipv4Addr,
) -> Vec<(std::net::Ipv4Addr, u8)> {
    let mut out = vec![];
    let mut lo = u32::from(first) as u64;
    let hi = u32::from(last) as u64;
    while lo <= hi {
        // The largest aligned block starting at lo that stays within hi.
        let mut size: u64 = if lo == 0 {
            1 << 32
        } else {
            1 << lo.trailing_zeros().min(32)
        };
        while lo + size - 1 > hi {
            size >>= 1;
        }
        out.push((
            std::net::Ipv4Addr::from(lo as u32),
            (32 - size.trailing_zeros()) as u8,
        ));
        lo += size;
    }
    out
}
pub use routing::*;
