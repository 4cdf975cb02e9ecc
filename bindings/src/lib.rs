//! Tandem's foreign-function boundary: thin uniffi wrappers over `tandem_core::client` for the
//! Kotlin console. One error type; records shaped for screens; live data as the current value,
//! then updates, until the observation is dropped; async calls run on this crate's own tokio
//! runtime. No rule lives here: greyed actions come from the rules engine via the core.
mod changes;
mod console;
mod error;
mod ids;
mod logging;
mod records;
mod remote;
mod runtime;
mod streams;

pub use changes::{ConsoleChange, SessionChange, SessionList};
pub use console::{ConsoleListener, Observation, TandemConsole, first_contact};
pub use error::TandemError;
pub use logging::init_logging;
pub use records::*;
pub use streams::{ScreenFrame, ScreenMonitor, ScreenMonitors, TandemScreen, TandemShell};

uniffi::setup_scaffolding!();
