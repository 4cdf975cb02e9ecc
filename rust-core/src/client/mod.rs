//! The console client: how a technician's app talks to the appliance. Plain async Rust on
//! tokio; the bindings crate wraps it for Kotlin.
mod api;
mod console;
mod error;
mod feed;
mod mirror;
mod proof;
mod screen;
mod shell;
mod stream;
mod tls;

pub use api::{Api, Endpoint, FirstContact, first_contact};
pub use console::{Console, ExternalInvitation};
pub use error::ClientError;
pub use feed::{FeedOptions, READ_BUFFER as FEED_READ_BUFFER, backoff};
pub use mirror::{Connection, Mirror, Notice};
pub use proof::ProofKey;
pub use screen::{Picture, Received, ScreenInput, ScreenView};
pub use shell::ShellStream;
pub use stream::{StreamSocket, open as open_stream};
pub use tls::{PinnedVerifier, Trust, fingerprint, pinned_config, trust_config};
