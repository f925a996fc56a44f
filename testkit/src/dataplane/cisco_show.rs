//! Cisco IOS `show ip cef` and `show ip route` text: the reader now lives in the library
//! (`sanso::ingest::state::routes::cisco`), where snapshot loading uses it for
//! `state/<device>/show_ip_route.txt`; re-exported here for the dataplane tests.

pub use sanso::ingest::state::routes::cisco::*;
