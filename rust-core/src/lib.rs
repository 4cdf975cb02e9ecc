//! Tandem's core: the product rules ([`domain`]) shared by the appliance, which enforces them,
//! and the consoles, which use them to grey out actions before asking; and the wire
//! [`protocol`] between them. The [`client`] feature adds the console and streaming client; the [`screen`] wire
//! format is shared by the customer client and the console. It never depends on uniffi.
#[cfg(feature = "client")]
pub mod client;
pub mod domain;
pub mod download;
pub mod protocol;
pub mod screen;
