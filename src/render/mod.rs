//! Outputs, rendered from a report: HTML with SVG diagrams, SARIF, the evidence bundle.

pub mod diff;
pub mod evidence;
pub mod html;
pub mod sarif;
pub mod svg;
