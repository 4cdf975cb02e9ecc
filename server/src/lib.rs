//! The Tandem appliance (issue 3): HTTPS and WebSocket server that enforces every product rule by
//! calling `tandem_core::domain`, persists the organisation and sessions, and tells consoles and
//! customer clients what changed. Not built yet: this crate only holds its place in the workspace.
pub use tandem_core::domain;
