//! `screen-bench`: the customer's screen as a technician's viewer receives it (issue 15).
//!
//! Runs the real pieces on this machine: Debian's Xvfb as the customer's display, the release
//! appliance, the release customer client sharing that display, and the console core's
//! streaming client (`ScreenView`) as the viewer. For each scene it prints what the viewer
//! received (updates per second, bytes per update and per second) and the customer client's CPU.
//! Scenes: an idle screen, and a terminal (Debian's xterm) scrolling about 30 lines a second.
//! It prints figures; it asserts nothing about them.
//!
//! `cargo build --release -p tandem-appliance -p tandem-customer -p tandem-e2e &&
//! target/release/screen-bench [--seconds 10] [--size 1920x1080]`
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::time::{Duration, Instant};
use tandem_core::client::{Console, FeedOptions, Received, ScreenView};
use tandem_core::domain::{Command, ScreenState, SessionId};
use tandem_e2e::Appliance;

/// The demo accounts' password (demo data only).
const DEMO_PASSWORD: &str = "tandem-demo-2026";
/// How long a step may take before the bench gives up.
const WAIT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error(transparent)]
    Start(#[from] tandem_e2e::StartError),
    #[error("the appliance: {0}")]
    Client(#[from] tandem_core::client::ClientError),
    #[error("{0}: {1}")]
    Io(&'static str, std::io::Error),
    #[error("{0}")]
    Usage(String),
}

struct Options {
    seconds: f64,
    width: u16,
    height: u16,
}

fn options() -> Result<Options, BenchError> {
    let mut o = Options {
        seconds: 10.0,
        width: 1920,
        height: 1080,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| BenchError::Usage(format!("{arg} needs a value")))?;
        match arg.as_str() {
            "--seconds" => {
                o.seconds = value
                    .parse()
                    .map_err(|_| BenchError::Usage("--seconds: a number".into()))?;
            }
            "--size" => {
                let (w, h) = value
                    .split_once('x')
                    .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
                    .ok_or_else(|| BenchError::Usage("--size: WIDTHxHEIGHT".into()))?;
                (o.width, o.height) = (w, h);
            }
            other => return Err(BenchError::Usage(format!("unknown argument {other}"))),
        }
    }
    Ok(o)
}

/// A process's CPU time so far (user + system), from /proc, in clock ticks of 10 ms.
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Duration::from_millis((field(11) + field(12)) * 10)
}

/// A process that is killed when dropped.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Debian's Xvfb on a free display number, black.
fn xvfb(width: u16, height: u16) -> Result<(Running, String), BenchError> {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new("Xvfb")
        .args(["-displayfd", "1", "-nolisten", "tcp", "-br", "-screen", "0"])
        .arg(format!("{width}x{height}x24"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| BenchError::Io("Xvfb (scripts/setup installs it)", e))?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        std::io::BufReader::new(out)
            .read_line(&mut line)
            .map_err(|e| BenchError::Io("Xvfb's display number", e))?;
    }
    Ok((Running(child), format!(":{}", line.trim())))
}

/// The customer client beside this executable.
fn customer_binary() -> Result<PathBuf, BenchError> {
    let exe = std::env::current_exe().map_err(|e| BenchError::Io("this executable", e))?;
    Ok(exe.with_file_name(format!("tandem-customer{}", std::env::consts::EXE_SUFFIX)))
}

/// Until `test` holds, or [`WAIT`].
async fn until(what: &str, test: impl Fn() -> bool) -> Result<(), BenchError> {
    let deadline = Instant::now() + WAIT;
    while !test() {
        if Instant::now() > deadline {
            return Err(BenchError::Usage(format!("gave up waiting for {what}")));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// The technician's session with the customer client, its screen shared and viewed.
async fn shared_screen(
    app: &Appliance,
    display: &str,
    home: &std::path::Path,
) -> Result<(Console, Running, ScreenView), BenchError> {
    let alice = Console::sign_in(
        app.endpoint()?,
        "alice@demo.tandem",
        DEMO_PASSWORD,
        FeedOptions::default(),
    )
    .await?;
    let key = alice.session_key(None).await?.key;
    let customer = std::process::Command::new(customer_binary()?)
        .env("HOME", home)
        .env("DISPLAY", display)
        .env("SHELL", "/bin/sh")
        .env("TANDEM_LOG", "warn")
        .args([
            "--url",
            &format!("https://localhost:{}/", app.addr.port()),
            "--fingerprint",
            &app.fingerprint,
            "--key",
            &key,
            "--name",
            "Kim",
            "--allow-all",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| BenchError::Io("the customer client (build -p tandem-customer)", e))?;
    let customer = Running(customer);
    let queued = alice
        .wait_for(WAIT, |m| !m.state.sessions.is_empty())
        .await?;
    let session: SessionId = queued
        .state
        .sessions
        .keys()
        .next()
        .copied()
        .ok_or_else(|| BenchError::Usage("no session".into()))?;
    alice.command(Command::AcceptFromQueue { session }).await?;
    alice
        .command(Command::StartScreen {
            session,
            control: false,
        })
        .await?;
    alice
        .wait_for(WAIT, |m| {
            m.state
                .sessions
                .get(&session)
                .is_some_and(|s| s.screen == ScreenState::View)
        })
        .await?;
    let view = ScreenView::open(alice.api(), session).await?;
    until("the first picture", || view.latest(0).is_some()).await?;
    Ok((alice, customer, view))
}

/// What one scene measured.
struct Scene {
    name: &'static str,
    received: Received,
    customer_cpu: Duration,
    elapsed: Duration,
}

async fn measure(name: &'static str, view: &ScreenView, customer: u32, seconds: f64) -> Scene {
    let (before, cpu_before, start) = (view.received(), cpu(customer), Instant::now());
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    let after = view.received();
    Scene {
        name,
        received: Received {
            frames: after.frames - before.frames,
            bytes: after.bytes - before.bytes,
        },
        customer_cpu: cpu(customer).saturating_sub(cpu_before),
        elapsed: start.elapsed(),
    }
}

/// A terminal writing about 30 lines a second, filling the screen's left part.
fn scrolling_terminal(display: &str) -> Result<Running, BenchError> {
    let script = "while :; do echo \"$(date +%T.%N) the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ\"; sleep 0.033; done";
    std::process::Command::new("xterm")
        .env("DISPLAY", display)
        .args(["-geometry", "160x50+0+0", "-e", "sh", "-c", script])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Running)
        .map_err(|e| BenchError::Io("xterm (scripts/setup installs it)", e))
}

#[allow(clippy::print_stdout, clippy::cast_precision_loss)]
async fn bench(o: Options) -> Result<(), BenchError> {
    let (_xvfb, display) = xvfb(o.width, o.height)?;
    let app = Appliance::start().await?;
    let home = tempfile::tempdir().map_err(|e| BenchError::Io("a temporary home", e))?;
    let (_alice, customer, view) = shared_screen(&app, &display, home.path()).await?;
    let pid = customer.0.id();
    println!(
        "screen-bench: a {}x{} Xvfb display shared by the release customer client, viewed through the release appliance by the console core's ScreenView; {} s per scene, 2 cores",
        o.width, o.height, o.seconds
    );
    let mut scenes = vec![measure("idle screen", &view, pid, o.seconds).await];
    {
        let _terminal = scrolling_terminal(&display)?;
        // Its window up and scrolling before measuring.
        tokio::time::sleep(Duration::from_secs(1)).await;
        scenes.push(measure("scrolling terminal", &view, pid, o.seconds).await);
    }
    println!("| scene | updates/s | bytes/update | Mbit/s | customer CPU |");
    println!("| --- | --- | --- | --- | --- |");
    for s in scenes {
        let seconds = s.elapsed.as_secs_f64().max(1e-9);
        let frames = s.received.frames as f64;
        println!(
            "| {} | {:.1} | {:.0} | {:.2} | {:.1}% |",
            s.name,
            frames / seconds,
            s.received.bytes as f64 / frames.max(1.0),
            s.received.bytes as f64 * 8.0 / seconds / 1e6,
            s.customer_cpu.as_secs_f64() / seconds * 100.0,
        );
    }
    Ok(())
}

#[tokio::main]
#[allow(clippy::print_stderr)]
async fn main() -> ExitCode {
    let result = match options() {
        Ok(o) => bench(o).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("screen-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
