//! History (issue 14): events stored by sessions that have ended, written through the
//! appliance as technicians write them (chat lines from 50 consoles at once, then each session
//! ended), so that the growth series can be measured again on top of them.
use super::{BenchError, drive, open_session_as_customer};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tandem_core::client::Api;
use tandem_core::domain::{Command, SessionId};

/// Consoles writing at once.
const WRITERS: usize = 50;

/// Store about `events` more events, in sessions that all end; returns how long it took.
#[allow(clippy::print_stdout, clippy::cast_precision_loss)]
pub async fn store(
    consoles: &[Api],
    anonymous: &Api,
    events: usize,
) -> Result<std::time::Duration, BenchError> {
    let started = std::time::Instant::now();
    let mut sessions: Vec<SessionId> = Vec::with_capacity(WRITERS);
    for n in 0..WRITERS {
        let (_, session) = open_session_as_customer(&consoles[0], anonymous, 2_000_000 + n).await?;
        sessions.push(session);
    }
    let pairs: Arc<Vec<(Api, SessionId)>> = Arc::new(
        sessions
            .iter()
            .enumerate()
            .map(|(i, s)| (consoles[i % consoles.len()].clone(), *s))
            .collect(),
    );
    let written = Arc::new(AtomicUsize::new(0));
    // Runs of 10 s until enough is written, with progress between them.
    while written.load(Ordering::Relaxed) < events {
        let (pairs, count, target) = (Arc::clone(&pairs), Arc::clone(&written), events);
        drive(WRITERS, 10.0, move |i| {
            let (pairs, written) = (Arc::clone(&pairs), Arc::clone(&count));
            async move {
                if written.load(Ordering::Relaxed) >= target {
                    // Done: idle out the rest of the run without spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    return Ok(());
                }
                let (api, session) = &pairs[i];
                let n = written.fetch_add(1, Ordering::Relaxed);
                api.command(&Command::SendChat {
                    session: *session,
                    text: format!("history {n}"),
                })
                .await?;
                Ok(())
            }
        })
        .await?;
        println!(
            "  history: {} events written ({:.0} s)",
            written.load(Ordering::Relaxed).min(events),
            started.elapsed().as_secs_f64()
        );
    }
    for (api, session) in pairs.iter() {
        api.command(&Command::EndSession { session: *session })
            .await?;
    }
    Ok(started.elapsed())
}
