//! `screen-bench --wine`: the Windows customer client (issue 28), built for
//! `x86_64-pc-windows-gnu` in release and run under Wine, beside the Linux client, sharing the
//! same Xvfb display through the same release appliance to the same viewer: the idle screen and
//! the scenes, whole screen on loopback, then the Windows client's figures as ratios to the Linux
//! client's. The Windows client captures through GDI and compares every grab (Windows has no
//! damage events there); the Linux client reads X's damage. CPU is the client's processes (for
//! Wine, every process running `tandem-customer.exe`), not Wine's server.
//!
//! Needs `cargo build --release --target x86_64-pc-windows-gnu -p tandem-customer` (with
//! `CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc`) and `scripts/wine/prefix`.
use super::{
    BenchError, Options, SCENES, Scene, Sender, compare_as, measure, open_view, share_with, table,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tandem_e2e::Appliance;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every Windows process in the prefix stops when dropped.
struct Prefix(PathBuf);

impl Drop for Prefix {
    fn drop(&mut self) {
        let _ = std::process::Command::new("wineserver")
            .arg("-k")
            .env("WINEPREFIX", &self.0)
            .status();
    }
}

fn prefix() -> Result<Prefix, BenchError> {
    let out = std::process::Command::new(repository().join("scripts/wine/prefix"))
        .output()
        .map_err(|e| BenchError::Io("scripts/wine/prefix", e))?;
    if !out.status.success() {
        return Err(BenchError::Usage(format!(
            "no Wine prefix: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(Prefix(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim(),
    )))
}

/// The idle screen and each scene, whole on loopback, from the client `customer` starts.
async fn scenes_of(
    client: &str,
    app: &Appliance,
    display: &str,
    epoch: Instant,
    o: &Options,
    customer: std::process::Command,
    sender: Option<Sender>,
) -> Result<Vec<Scene>, BenchError> {
    let screen = (u32::from(o.width), u32::from(o.height));
    let (alice, running, session) = share_with(app, customer).await?;
    let pid = sender.unwrap_or(Sender::Tree(running.0.id()));
    let view = open_view(&alice, session, None).await?;
    let mut scenes = vec![
        measure(
            format!("idle screen, {client}"),
            &view,
            pid,
            o.seconds,
            None,
            screen,
        )
        .await,
    ];
    drop(view);
    // The clock the latency is read from draws 250 times a second: not during the idle screen.
    let _clock =
        super::scenes::clock(display, epoch).map_err(|e| BenchError::Io("the clock", e))?;
    for (scene, start, _) in SCENES {
        let _activity = start(display).map_err(|e| BenchError::Io("a scene", e))?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let view = open_view(&alice, session, None).await?;
        let name = format!("{scene}, {client}");
        scenes.push(measure(name, &view, pid, o.seconds, Some(epoch), screen).await);
    }
    // The next client starts a session of its own.
    alice
        .command(tandem_core::domain::Command::EndSession { session })
        .await?;
    drop(running);
    Ok(scenes)
}

#[allow(clippy::print_stdout)]
pub async fn bench(o: &Options) -> Result<(), BenchError> {
    let exe = repository().join("target/x86_64-pc-windows-gnu/release/tandem-customer.exe");
    if !exe.exists() {
        return Err(BenchError::Usage(format!(
            "{} is missing: cargo build --release --target x86_64-pc-windows-gnu -p tandem-customer",
            exe.display()
        )));
    }
    let wine = prefix()?;
    let epoch = Instant::now();
    let xvfb = tandem_e2e::Display::start(o.width, o.height)
        .map_err(|e| BenchError::Io("the display", e))?;
    let display = xvfb.name.clone();
    let app = Appliance::start().await?;
    let home = tempfile::tempdir().map_err(|e| BenchError::Io("a temporary home", e))?;
    let mut customer = std::process::Command::new(super::customer_binary()?);
    customer
        .env("HOME", home.path())
        .env("DISPLAY", &display)
        .env("SHELL", "/bin/sh");
    let linux = scenes_of("Linux (X11)", &app, &display, epoch, o, customer, None).await?;
    let mut customer = std::process::Command::new("wine");
    customer
        .arg(&exe)
        .env("WINEPREFIX", &wine.0)
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "winedbg.exe=d;mscoree,mshtml=")
        .env("DISPLAY", &display);
    let windows = scenes_of(
        "Windows under Wine (GDI)",
        &app,
        &display,
        epoch,
        o,
        customer,
        Some(Sender::Named("tandem-customer.exe")),
    )
    .await?;
    println!(
        "screen-bench --wine: a {}x{} Xvfb display shared by the release customer client for Linux, then for Windows under Wine 8, viewed whole on loopback through the release appliance by the console core's ScreenView; 2 cores",
        o.width, o.height
    );
    let pairs: Vec<(usize, usize)> = (0..linux.len()).map(|i| (linux.len() + i, i)).collect();
    let all: Vec<Scene> = linux.into_iter().chain(windows).collect();
    table(&all);
    compare_as("Windows under Wine / Linux", &all, &pairs);
    Ok(())
}
