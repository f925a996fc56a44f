//! Vendor-neutral model: devices as the parsers leave them ([`device`]) and the inventory a
//! snapshot declares ([`inventory`]). Every later stage reads these types; nothing here
//! imports another stage.

pub mod device;
pub mod inventory;
pub mod routing;

pub use device::*;
pub use inventory::*;
pub use routing::*;
