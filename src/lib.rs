//! sanso — proves that a municipality network obeys the 三層の構え of the MIC guideline.
//!
//! Data flow: `snapshot` (inventory + configs) → `dialect` parsers → `model` →
//! `graph` (connectivity) → `hs` (exact header sets) / `engine` (reachability) →
//! `rules` (checks) → `report`. `dataplane` loads public verification benchmarks
//! (Hassel transfer functions, APKeep) into the same engine.

pub mod audit;
pub mod dataplane;
pub mod dialect;
pub mod diff;
pub mod engine;
pub mod evidence;
pub mod gen;
pub mod graph;
pub mod hs;
pub mod html;
pub mod matrix;
pub mod model;
pub mod netfilter;
pub mod redact;
pub mod report;
pub mod rules;
pub mod sarif;
pub mod sim;
pub mod snapshot;
pub mod svg;
pub mod trace;
