//! A keystroke through the shell relay (issue 14): from the technician's shell socket to the
//! customer's, on an idle appliance and while 50 commands a second are being committed. The
//! customer's end is a plain WebSocket holding the customer's credential, as the customer client
//! holds it; nothing runs the keystroke, so the figure is the relay's alone.
use super::{BenchError, Run, ms, open_session_as_customer};
use futures_util::StreamExt as _;
use std::time::{Duration, Instant};
use tandem_core::client::{Api, ShellStream};
use tandem_core::domain::{Command, PromptKind, Tool};
use tokio_tungstenite::tungstenite::Message;

/// Keystrokes measured in each condition.
const KEYSTROKES: usize = 300;
/// The background load: commands committed per second while keystrokes are measured.
const BACKGROUND_PER_SECOND: u64 = 50;

/// One keystroke, from the viewer's send to the host's receipt.
async fn keystroke(
    viewer: &mut ShellStream,
    host: &mut tandem_core::client::StreamSocket,
) -> Result<Duration, BenchError> {
    let t = Instant::now();
    viewer.send(b"k").await?;
    loop {
        match host.next().await {
            Some(Ok(Message::Binary(_))) => return Ok(t.elapsed()),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(BenchError::Usage(format!("the host's socket: {e}"))),
            None => return Err(BenchError::Usage("the host's socket closed".into())),
        }
    }
}

async fn keystrokes(
    viewer: &mut ShellStream,
    host: &mut tandem_core::client::StreamSocket,
) -> Result<Run, BenchError> {
    let start = Instant::now();
    let mut latencies = Vec::with_capacity(KEYSTROKES);
    for _ in 0..KEYSTROKES {
        latencies.push(keystroke(viewer, host).await?);
        // A typist's pace, not a flood: the relay's latency, not its queue.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(Run {
        latencies,
        elapsed: start.elapsed(),
    })
}

/// Measure, and print a table row per condition.
#[allow(clippy::print_stdout)]
pub async fn bench(technician: &Api, anonymous: &Api, busy: &Api) -> Result<(), BenchError> {
    let (customer, session) = open_session_as_customer(technician, anonymous, 1_000_000).await?;
    technician.command(&Command::StartShell { session }).await?;
    customer
        .command(&Command::AnswerPrompt {
            session,
            prompt: PromptKind::Allow(Tool::Shell),
            accepted: true,
        })
        .await?;
    let mut host = tandem_core::client::open_stream(
        &customer,
        &format!("api/v1/sessions/{}/shell", session.0),
    )
    .await?;
    let mut viewer = ShellStream::open(technician, session).await?;
    // The first keystroke waits for both ends to be joined up.
    keystroke(&mut viewer, &mut host).await?;
    let idle = keystrokes(&mut viewer, &mut host).await?;

    // 50 chat lines a second in another session, from another console, while typing.
    let (_, other) = open_session_as_customer(busy, anonymous, 1_000_001).await?;
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let load = {
        let busy = busy.clone();
        tokio::spawn(async move {
            let mut tick =
                tokio::time::interval(Duration::from_millis(1000 / BACKGROUND_PER_SECOND));
            let mut sent = 0_u64;
            loop {
                tokio::select! {
                    _ = stopped.changed() => break,
                    _ = tick.tick() => {
                        let line = Command::SendChat { session: other, text: format!("busy {sent}") };
                        if busy.command(&line).await.is_ok() {
                            sent += 1;
                        }
                    }
                }
            }
            sent
        })
    };
    let started = Instant::now();
    let loaded = keystrokes(&mut viewer, &mut host).await?;
    let _ = stop.send(true);
    let sent = load.await.unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let rate = sent as f64 / started.elapsed().as_secs_f64().max(1e-9);

    println!("\nkeystroke: the technician's shell socket to the customer's, through the relay");
    println!("| appliance | keystrokes | p50 | p99 | added p50 | added p99 |");
    println!("| --- | --- | --- | --- | --- | --- |");
    println!(
        "| idle | {} | {} | {} | | |",
        idle.latencies.len(),
        ms(idle.percentile(0.5)),
        ms(idle.percentile(0.99))
    );
    println!(
        "| committing {rate:.0} commands/s | {} | {} | {} | {} | {} |",
        loaded.latencies.len(),
        ms(loaded.percentile(0.5)),
        ms(loaded.percentile(0.99)),
        ms(loaded.percentile(0.5).saturating_sub(idle.percentile(0.5))),
        ms(loaded
            .percentile(0.99)
            .saturating_sub(idle.percentile(0.99)))
    );
    Ok(())
}
