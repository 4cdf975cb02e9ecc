//! The core's own enums, exported as they are (uniffi remote types): the core needs no uniffi,
//! and a variant added there fails this crate's build until it is declared here too, so Kotlin
//! matches them exhaustively instead of parsing names.
use tandem_core::domain::{ClientMode, Platform, ScreenState};

/// The operating system of the supported computer (E4).
#[uniffi::remote(Enum)]
pub enum Platform {
    /// Microsoft Windows.
    Windows,
    /// Apple macOS.
    MacOs,
    /// Linux with a desktop.
    Linux,
    /// Anything else.
    Other,
}

/// What the customer client can do (E1, E2).
#[uniffi::remote(Enum)]
pub enum ClientMode {
    /// Click-to-chat: chat only (E1).
    ClickToChat,
    /// The full client as the signed-in user.
    Full,
    /// The full client with administrative rights (E2).
    Elevated,
}

/// The screen sharing state of a session (A1).
#[uniffi::remote(Enum)]
pub enum ScreenState {
    /// Not shared.
    Off,
    /// Shared for viewing.
    View,
    /// Shared with pointer and keyboard control.
    Control,
}
