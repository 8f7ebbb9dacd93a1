//! fipscan: judge whether container images are ready to run on
//! FIPS-enabled Kubernetes nodes. See ../shared/DESIGN.md for the design.

pub mod app;
pub mod cli;
pub mod detect;
pub mod explain;
pub mod finding;
pub mod gate;
pub mod image;
pub mod java;
pub mod judge;
pub mod layer;
pub mod packages;
pub mod policy;
pub mod report;
pub mod rustbin;
pub mod score;
pub mod signatures;
pub mod source;
pub mod target;
