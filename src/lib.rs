//! sanso — proves that a municipality network obeys the 三層の構え of the MIC guideline.
//!
//! The pipeline, one folder per stage; a stage imports only earlier ones (enforced by
//! `tests/layering.rs`, see docs/architecture.md):
//!
//! `model` (vendor-neutral devices, inventory) → `ingest` (dialects, snapshot loading,
//! redaction) → `hs` (exact header sets) → `engine` (reachability) → `net` (the
//! connectivity graph: L2 domains, FIB, filter lowering) → `checks` (the rule pack and its
//! evaluator kinds) → `query` (trace, matrix, diff) → `report` (the report data every
//! output is rendered from) → `render` (terminal, JSON, HTML+SVG, SARIF, CSV, bundle) →
//! `cli` (commands; `gen` writes generated prefectures for `sanso gen`).

pub mod model;

pub mod ingest;

pub mod hs;

pub mod engine;

pub mod net;

pub mod checks;

pub mod query;

pub mod report;

pub mod render;

pub mod gen;
