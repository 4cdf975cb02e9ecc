//! Tandem's core: the product rules ([`domain`]) shared by the appliance, which enforces them,
//! and the consoles, which use them to grey out actions before asking; and the wire
//! [`protocol`] between them. The console client and the streaming client join this crate in
//! later issues; it never depends on uniffi.
#[cfg(feature = "client")]
pub mod client;
pub mod domain;
pub mod protocol;
