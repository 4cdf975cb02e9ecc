//! `screen-bench`: the customer's screen as a technician's viewer receives it (issue 15).
//!
//! Runs the real pieces on this machine: Debian's Xvfb as the customer's display, the release
//! appliance, the release customer client sharing that display, and the console core's
//! streaming client (`ScreenView`) as the viewer. For each scene it prints what the viewer
//! received (updates per second, bytes per update and per second), the customer client's CPU,
//! and the change-to-viewer latency read from pixels: a small window in the screen's top right
//! corner shows the time (milliseconds since the bench started, as its colour) and the viewer
//! reads it back from each picture it gets.
//! Scenes: an idle screen; a terminal (Debian's xterm) scrolling about 30 lines a second, seen
//! whole on loopback, then by a phone (a 412x915 dp view at 2.625 pixels per dp by default, which
//! asks for the screen at that size) on loopback and through a shaped link (2 Mbit/s, 80 ms round
//! trip by default; the viewer's side only, as a technician on mobile data), where the latency
//! of the first and the last 5 s tell whether a queue grows. The viewer's decoding (the console
//! core's pure-Rust zstd, on this machine's CPU, not a phone's) is timed per update and per key
//! frame. x11vnc shares the same display and an RFB client watches the idle screen and the
//! scrolling terminal on loopback and through the same shaped link (whole screen: x11vnc does
//! not scale per viewer); a last table gives Tandem's figures as ratios to x11vnc's. It prints
//! figures; it asserts nothing about them.
//!
//! `cargo build --release -p tandem-appliance -p tandem-customer -p tandem-e2e &&
//! target/release/screen-bench [--seconds 10] [--shaped-seconds 60] [--size 1920x1080]
//! [--link 2000/80] [--phone 1081x2402]` (kbit/s / round trip in ms; the phone's view in pixels)
//!
//! `screen-bench --web [--seconds 10] [--size 1920x1080]`: the external user's web console in
//! Chromium instead (see `web.rs`).
//!
//! `screen-bench --wine [--seconds 10] [--size 1920x1080]`: the Windows client under Wine beside
//! the Linux client on the same display and scenes (see `wine.rs`).
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};

use std::time::{Duration, Instant};
use tandem_core::client::{Console, FeedOptions, Received, ScreenView};
use tandem_core::domain::{Command, ScreenState, SessionId};
use tandem_e2e::Appliance;
use tandem_e2e::shaper::{Link, Shaper};

mod scenes;
mod web;
mod wine;
mod x11vnc;

use scenes::{Running, clock_at};

/// The demo accounts' password (demo data only).
const DEMO_PASSWORD: &str = "tandem-demo-2026";
/// How long a step may take before the bench gives up.
const WAIT: Duration = Duration::from_secs(20);
/// The stretch at the start and at the end of the shaped scene compared for a growing queue.
const STRETCH: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error(transparent)]
    Start(#[from] tandem_e2e::StartError),
    #[error("the appliance: {0}")]
    Client(#[from] tandem_core::client::ClientError),
    #[error("{0}: {1}")]
    Io(&'static str, std::io::Error),
    #[error("the display: {0}")]
    Display(String),
    #[error("{0}")]
    Usage(String),
}

struct Options {
    seconds: f64,
    shaped_seconds: f64,
    width: u16,
    height: u16,
    link: Link,
    phone: (u16, u16),
    /// Only the web console's measurements (`--web`).
    web: bool,
    /// Only the Windows client's measurements beside the Linux client's (`--wine`).
    wine: bool,
}

fn number<T: std::str::FromStr>(arg: &str, value: &str) -> Result<T, BenchError> {
    value
        .parse()
        .map_err(|_| BenchError::Usage(format!("{arg}: {value} is not a number")))
}

fn options() -> Result<Options, BenchError> {
    let mut o = Options {
        seconds: 10.0,
        shaped_seconds: 60.0,
        width: 1920,
        height: 1080,
        link: Link {
            bits_per_second: 2_000_000,
            delay: Duration::from_millis(40),
        },
        phone: (1081, 2402),
        web: false,
        wine: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--web" || arg == "--wine" {
            o.web |= arg == "--web";
            o.wine |= arg == "--wine";
            continue;
        }
        let value = args
            .next()
            .ok_or_else(|| BenchError::Usage(format!("{arg} needs a value")))?;
        let pair = |what: &str| {
            value
                .split_once(['x', '/'])
                .ok_or_else(|| BenchError::Usage(format!("{arg}: {what}")))
        };
        match arg.as_str() {
            "--seconds" => o.seconds = number(&arg, &value)?,
            "--shaped-seconds" => o.shaped_seconds = number(&arg, &value)?,
            "--size" => {
                let (w, h) = pair("WIDTHxHEIGHT")?;
                (o.width, o.height) = (number(&arg, w)?, number(&arg, h)?);
            }
            "--phone" => {
                let (w, h) = pair("WIDTHxHEIGHT")?;
                o.phone = (number(&arg, w)?, number(&arg, h)?);
            }
            "--link" => {
                let (kbit, rtt) = pair("KBITS/RTT_MS")?;
                o.link = Link {
                    bits_per_second: number::<u64>(&arg, kbit)? * 1000,
                    delay: Duration::from_millis(number::<u64>(&arg, rtt)? / 2),
                };
            }
            other => return Err(BenchError::Usage(format!("unknown argument {other}"))),
        }
    }
    Ok(o)
}

/// The CPU time so far of a process and every process it started (the customer client may run
/// as its installed copy's child: on Windows, and so under Wine, it cannot replace itself).
fn cpu(pid: u32) -> Duration {
    let children = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|c| c.parse::<u32>().ok())
                .collect::<Vec<_>>()
        });
    children.fold(own_cpu(pid), |sum, child| sum + cpu(child))
}

/// Whose CPU time a scene counts.
#[derive(Debug, Clone, Copy)]
enum Sender {
    /// A process and those it started.
    Tree(u32),
    /// Every process whose command line holds this (a Windows program under Wine: Wine starts
    /// a program's children apart from it).
    Named(&'static str),
}

impl Sender {
    /// CPU time so far.
    fn cpu(self) -> Duration {
        match self {
            Self::Tree(pid) => cpu(pid),
            Self::Named(needle) => std::fs::read_dir("/proc")
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| {
                    std::fs::read(format!("/proc/{pid}/cmdline"))
                        .is_ok_and(|c| String::from_utf8_lossy(&c).contains(needle))
                })
                .map(own_cpu)
                .sum(),
        }
    }
}

/// A process's own CPU time so far (user + system), from /proc, in clock ticks of 10 ms.
fn own_cpu(pid: u32) -> Duration {
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

async fn sign_in(endpoint: tandem_core::client::Endpoint) -> Result<Console, BenchError> {
    Ok(Console::sign_in(
        endpoint,
        "alice@demo.tandem",
        DEMO_PASSWORD,
        FeedOptions::default(),
    )
    .await?)
}

/// The technician's session with the customer client, its screen shared for viewing.
async fn shared_screen(
    app: &Appliance,
    display: &str,
    home: &std::path::Path,
) -> Result<(Console, Running, SessionId), BenchError> {
    let mut customer = std::process::Command::new(customer_binary()?);
    customer
        .env("HOME", home)
        .env("DISPLAY", display)
        .env("SHELL", "/bin/sh");
    share_with(app, customer).await
}

/// `customer` (a customer client, its environment set) joins a new session with the allow-all
/// answers; the technician takes it and views its screen.
async fn share_with(
    app: &Appliance,
    mut customer: std::process::Command,
) -> Result<(Console, Running, SessionId), BenchError> {
    let alice = sign_in(app.endpoint()?).await?;
    let key = alice.session_key(None).await?.key;
    let customer = customer
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
    Ok((alice, customer, session))
}

/// A view of the screen, once its first picture arrived; a phone's once its size was heard.
async fn open_view(
    console: &Console,
    session: SessionId,
    phone: Option<(u16, u16)>,
) -> Result<ScreenView, BenchError> {
    let view = ScreenView::open(console.api(), session).await?;
    if let Some((width, height)) = phone {
        view.show(width, height).await?;
        // The customer client decides whether a picture that size is worth scaling to.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    until("the first picture", || view.latest(0).is_some()).await?;
    Ok(view)
}

/// "WxH": the size the view's pictures come at.
fn picture_size(view: &ScreenView) -> String {
    view.latest(0)
        .map_or_else(|| "-".into(), |p| format!("{}x{}", p.width, p.height))
}

/// What one scene measured.
struct Scene {
    name: String,
    received: Received,
    customer_cpu: Duration,
    elapsed: Duration,
    /// (when since the scene started, how old the clock shown was), for each picture.
    latency: Vec<(Duration, Duration)>,
}

/// Watch `view` for `seconds`, reading the clock from every new picture when `clocked`.
async fn measure(
    name: String,
    view: &ScreenView,
    customer: Sender,
    seconds: f64,
    clocked: Option<Instant>,
    screen: (u32, u32),
) -> Scene {
    let (before, cpu_before, start) = (view.received(), customer.cpu(), Instant::now());
    let end = start + Duration::from_secs_f64(seconds);
    let mut latency = Vec::new();
    let mut seq = view.latest(0).map_or(0, |p| p.seq);
    while Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let (Some(epoch), Some(picture)) = (clocked, view.latest(seq)) else {
            continue;
        };
        seq = picture.seq;
        let (x, y) = clock_at(
            (screen.0 as usize, screen.1 as usize),
            (picture.width as usize, picture.height as usize),
        );
        let (x, y) = (u32::try_from(x).unwrap_or(0), u32::try_from(y).unwrap_or(0));
        let shown = picture.argb(x, y).map_or(0, |c| c & 0x00FF_FFFF);
        let now = epoch.elapsed();
        let drawn = Duration::from_millis(u64::from(shown));
        if shown != 0 && drawn <= now {
            latency.push((start.elapsed(), now - drawn));
        }
    }
    let after = view.received();
    Scene {
        name,
        received: Received {
            frames: after.frames - before.frames,
            bytes: after.bytes - before.bytes,
            updates: after.updates - before.updates,
            painting: after.painting.saturating_sub(before.painting),
            // Key frames since the view opened: most scenes have none of their own.
            ..after
        },
        customer_cpu: customer.cpu().saturating_sub(cpu_before),
        elapsed: start.elapsed(),
        latency,
    }
}

/// The p-th percentile of the latencies within `range` of the scene, in ms.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn percentile(
    latency: &[(Duration, Duration)],
    range: std::ops::Range<Duration>,
    p: f64,
) -> Option<f64> {
    let mut within: Vec<Duration> = latency
        .iter()
        .filter(|(at, _)| range.contains(at))
        .map(|(_, l)| *l)
        .collect();
    within.sort_unstable();
    let last = within.len().checked_sub(1)?;
    let at = ((last as f64) * p).round() as usize;
    within.get(at).map(|d| d.as_secs_f64() * 1000.0)
}

/// Milliseconds per item, or "-" for none.
#[allow(clippy::cast_precision_loss)]
fn per(total: Duration, count: u64) -> String {
    if count == 0 {
        return "-".into();
    }
    format!("{:.2}", total.as_secs_f64() * 1000.0 / count as f64)
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.0}"))
}

#[allow(clippy::print_stdout, clippy::cast_precision_loss)]
fn report(o: &Options, scenes: &[Scene]) {
    println!(
        "screen-bench: a {}x{} Xvfb display shared by the release customer client, viewed through the release appliance by the console core's ScreenView; the phone shows it in {}x{} pixels; shaped link {} kbit/s, {} ms round trip (viewer side); 2 cores",
        o.width,
        o.height,
        o.phone.0,
        o.phone.1,
        o.link.bits_per_second / 1000,
        o.link.delay.as_millis() * 2
    );
    table(scenes);
}

/// One row per scene.
#[allow(clippy::print_stdout, clippy::cast_precision_loss)]
fn table(scenes: &[Scene]) {
    println!(
        "| scene | updates/s | bytes/update | Mbit/s | sender's CPU | latency p50 / p99 ms | first 5 s p50 / p99 | last 5 s p50 / p99 | decode ms/update | decode ms/key frame |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for s in scenes {
        let seconds = s.elapsed.as_secs_f64().max(1e-9);
        let frames = s.received.frames as f64;
        let all = Duration::ZERO..s.elapsed;
        let first = Duration::ZERO..STRETCH;
        let last = s.elapsed.saturating_sub(STRETCH)..s.elapsed;
        let pair = |r: std::ops::Range<Duration>| {
            format!(
                "{} / {}",
                ms(percentile(&s.latency, r.clone(), 0.5)),
                ms(percentile(&s.latency, r, 0.99))
            )
        };
        println!(
            "| {} | {:.1} | {:.0} | {:.2} | {:.1}% | {} | {} | {} | {} | {} |",
            s.name,
            frames / seconds,
            s.received.bytes as f64 / frames.max(1.0),
            s.received.bytes as f64 * 8.0 / seconds / 1e6,
            s.customer_cpu.as_secs_f64() / seconds * 100.0,
            pair(all),
            pair(first),
            pair(last),
            per(s.received.painting, s.received.updates),
            per(s.received.key_painting, s.received.key_frames),
        );
    }
}

/// What a scene shows while it is measured (a process, a thread's handle), running until
/// dropped.
type Activity = Box<dyn std::any::Any>;

/// The scenes after the idle screen: a name, what draws it, and whether it is measured at length
/// (the phone on loopback too, and the shaped link for `--shaped-seconds`).
type Start = fn(&str) -> std::io::Result<Activity>;
const SCENES: [(&str, Start, bool); 3] = [
    (
        "scrolling terminal",
        |d| scenes::scrolling_terminal(d).map(|r| Box::new(r) as Activity),
        true,
    ),
    (
        "typing",
        |d| scenes::typing_terminal(d).map(|r| Box::new(r) as Activity),
        false,
    ),
    (
        "moving window",
        |d| scenes::moving_window(d).map(|r| Box::new(r) as Activity),
        false,
    ),
];

async fn bench(o: Options) -> Result<(), BenchError> {
    let epoch = Instant::now();
    let screen = (u32::from(o.width), u32::from(o.height));
    let xvfb = tandem_e2e::Display::start(o.width, o.height)
        .map_err(|e| BenchError::Io("the display", e))?;
    let display = xvfb.name.clone();
    let app = Appliance::start().await?;
    let home = tempfile::tempdir().map_err(|e| BenchError::Io("a temporary home", e))?;
    let (alice, customer, session) = shared_screen(&app, &display, home.path()).await?;
    let (x11vnc, vnc_port) = x11vnc::start(&display)?;
    let vnc_addr = std::net::SocketAddr::from(([127, 0, 0, 1], vnc_port));
    let (pid, vnc_pid) = (Sender::Tree(customer.0.id()), x11vnc.0.id());
    let link = format!(
        "{} kbit/s {} ms",
        o.link.bits_per_second / 1000,
        o.link.delay.as_millis() * 2
    );
    // Tandem against x11vnc in the same conditions: (Tandem's scene, x11vnc's).
    let mut pairs = vec![(0, 1)];
    // One viewer at a time: the customer client sends at the pace of the fastest viewer, and
    // at the size serving the largest.
    let view = open_view(&alice, session, None).await?;
    let mut scenes = vec![measure("idle screen".into(), &view, pid, o.seconds, None, screen).await];
    drop(view);
    scenes.push(
        x11vnc::measure(
            "idle screen, x11vnc".into(),
            vnc_addr,
            vnc_pid,
            o.seconds,
            epoch,
        )
        .await?,
    );
    let _clock = scenes::clock(&display, epoch).map_err(|e| BenchError::Io("the clock", e))?;
    let shaper = Shaper::start(app.addr, o.link)
        .await
        .map_err(|e| BenchError::Io("the shaper", e))?;
    let phone = sign_in(shaper.endpoint(&app.fingerprint)?).await?;
    let vnc_shaper = Shaper::start(vnc_addr, o.link)
        .await
        .map_err(|e| BenchError::Io("the shaper", e))?;
    for (scene, start, at_length) in SCENES {
        let _activity = start(&display).map_err(|e| BenchError::Io("a scene", e))?;
        // The scene's window up and drawing before measuring.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let view = open_view(&alice, session, None).await?;
        let name = format!("{scene}, whole screen, loopback");
        scenes.push(measure(name, &view, pid, o.seconds, Some(epoch), screen).await);
        drop(view);
        let name = format!("{scene}, x11vnc, loopback");
        scenes.push(x11vnc::measure(name, vnc_addr, vnc_pid, o.seconds, epoch).await?);
        let vnc_loopback = scenes.len() - 1;
        pairs.push((vnc_loopback - 1, vnc_loopback));
        if at_length {
            let view = open_view(&alice, session, Some(o.phone)).await?;
            let name = format!("{scene}, phone (sent at {}), loopback", picture_size(&view));
            scenes.push(measure(name, &view, pid, o.seconds, Some(epoch), screen).await);
            pairs.push((scenes.len() - 1, vnc_loopback));
        }
        let seconds = if at_length {
            o.shaped_seconds
        } else {
            o.seconds
        };
        let view = open_view(&phone, session, Some(o.phone)).await?;
        let name = format!("{scene}, phone (sent at {}), {link}", picture_size(&view));
        scenes.push(measure(name, &view, pid, seconds, Some(epoch), screen).await);
        drop(view);
        let name = format!("{scene}, x11vnc, {link}");
        scenes.push(x11vnc::measure(name, vnc_shaper.addr, vnc_pid, seconds, epoch).await?);
        pairs.push((scenes.len() - 2, scenes.len() - 1));
    }
    report(&o, &scenes);
    compare(&scenes, &pairs);
    Ok(())
}

/// Tandem's figures over x11vnc's, for pairs of scenes.
fn compare(scenes: &[Scene], pairs: &[(usize, usize)]) {
    compare_as("Tandem / x11vnc", scenes, pairs);
}

/// The first scene's figures over the second's, for pairs of scenes, under `title`.
#[allow(clippy::print_stdout, clippy::cast_precision_loss)]
fn compare_as(title: &str, scenes: &[Scene], pairs: &[(usize, usize)]) {
    println!();
    println!(
        "| {title} | updates/s | bytes/update | bytes/s | sender's CPU | latency p50 | latency p99 |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let rate = |s: &Scene| s.received.frames as f64 / s.elapsed.as_secs_f64().max(1e-9);
    let size = |s: &Scene| s.received.bytes as f64 / (s.received.frames as f64).max(1.0);
    let flow = |s: &Scene| s.received.bytes as f64 / s.elapsed.as_secs_f64().max(1e-9);
    let load = |s: &Scene| s.customer_cpu.as_secs_f64() / s.elapsed.as_secs_f64().max(1e-9);
    let lat = |s: &Scene, p| percentile(&s.latency, Duration::ZERO..s.elapsed, p);
    let ratio = |a: f64, b: f64| {
        if b > 0.0 {
            format!("{:.2}x", a / b)
        } else {
            "-".to_owned()
        }
    };
    let ratio_of = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => ratio(a, b),
        _ => "-".to_owned(),
    };
    for (t, v) in pairs {
        let (Some(t), Some(v)) = (scenes.get(*t), scenes.get(*v)) else {
            continue;
        };
        println!(
            "| {} / {} | {} | {} | {} | {} | {} | {} |",
            t.name,
            v.name,
            ratio(rate(t), rate(v)),
            ratio(size(t), size(v)),
            ratio(flow(t), flow(v)),
            ratio(load(t), load(v)),
            ratio_of(lat(t, 0.5), lat(v, 0.5)),
            ratio_of(lat(t, 0.99), lat(v, 0.99)),
        );
    }
}

#[tokio::main]
#[allow(clippy::print_stderr)]
async fn main() -> ExitCode {
    let result = match options() {
        Ok(o) if o.web => web::bench(&o).await,
        Ok(o) if o.wine => wine::bench(&o).await,
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
