//! Kernel referee harness: random Linux networks in network namespaces, dumped with the
//! real tools, predicted by sanso and compared with what the kernel delivers.

pub mod lab;
pub mod net;
pub mod predict;
pub mod probe;
pub mod render;
pub mod rng;
