//! The customer asking the client to stop from outside it: Ctrl+C in its terminal, the terminal
//! or window closed (SIGHUP), or the system's SIGTERM (a logout, a shutdown, `kill`). Each
//! leaves the session at once (issue 26), as "/quit" does; before, the client simply died and
//! the technician saw "reconnecting" for the full 180 s the appliance waits for a customer.

/// Resolves when the client is asked to stop, naming how.
pub async fn requested() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut interrupt), Ok(mut terminate), Ok(mut hangup)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            // No signal handling (it cannot be set up): never asked, as before.
            return std::future::pending().await;
        };
        tokio::select! {
            _ = interrupt.recv() => "Ctrl+C",
            _ = terminate.recv() => "asked to stop",
            _ = hangup.recv() => "the terminal closed",
        }
    }
    #[cfg(not(unix))]
    {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl+C",
            Err(_) => std::future::pending().await,
        }
    }
}
