//! The Tandem customer client: joins a session, chats, answers the technician's requests, and
//! runs the tools the customer allows. Linux and Windows; platform code stays behind small
//! modules (the screen has a folder per platform) so macOS can follow.
pub mod button;
pub mod downloaded;
pub mod elevate;
pub mod install;
pub mod jump;
pub mod rejoin;
pub mod screen;
pub mod session;
pub mod shell;
pub mod stop;
pub mod sysinfo;
pub mod text;
#[cfg(feature = "window")]
pub mod window;
#[cfg(windows)]
pub mod windows;

pub use tandem_core::domain::Platform;

/// The platform this client runs on, as it reports it so the rules stay right (E4).
#[must_use]
pub fn platform() -> Platform {
    match std::env::consts::OS {
        "windows" => Platform::Windows,
        "macos" => Platform::MacOs,
        "linux" => Platform::Linux,
        _ => Platform::Other,
    }
}
