//! Tandem's foreign-function boundary.
//!
//! This crate will be the only one that depends on uniffi (issue 4): thin wrappers over
//! `tandem-core`, one error type at the boundary, and live data as "current value, then updates,
//! then a handle that cancels on drop". Until then it only fixes the crate's place in the
//! workspace and re-exports the core, so that the layout is real from the first commit.
pub use tandem_core as core;
