//! The Tandem customer client (issue 5): joins a session, shares the screen, runs the shell.
//! Not built yet: this crate only holds its place in the workspace.
pub use tandem_core::domain::Platform;
