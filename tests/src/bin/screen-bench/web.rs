//! `screen-bench --web`: the external user's web console (issue 16) in Debian's headless
//! Chromium, viewing the same screen as the console core's `ScreenView` in the same run. The
//! page times each frame itself (`window.tandemTimings`): from its arrival in the page to its
//! decoding by the WebAssembly viewer, and to its being drawn on the canvas (in the next
//! animation frame, as the browser paints). The baseline is the console core's native decoding
//! of the same frames, measured by `ScreenView` at the same time. Key frames of the whole
//! 1920x1080 screen are asked for by opening a new view (a new viewer starts from a key frame,
//! and every viewer gets it); changes come from the scenes.
use super::{BenchError, Options, SCENES, WAIT, open_view, shared_screen};
use serde_json::{Value, json};
use std::time::Duration;
use tandem_core::client::{Console, Received, ScreenView};
use tandem_core::domain::{ExternalInvitee, SessionId};
use tandem_e2e::Appliance;
use tandem_e2e::browser::Driver;
use tandem_e2e::browser::fantoccini::error::CmdError;
use tandem_e2e::browser::fantoccini::{Client, Locator};

/// Key frames asked for.
const KEY_FRAMES: u64 = 10;

/// The page's timings of one kind of frame, in ms.
struct Timed {
    decode: Vec<f64>,
    drawn: Vec<f64>,
}

fn browser_error(what: &'static str) -> impl Fn(CmdError) -> BenchError {
    move |e| BenchError::Usage(format!("the browser, {what}: {e}"))
}

/// The page's timings so far, then forgotten.
async fn take_timings(page: &Client, kind: &str) -> Result<Timed, BenchError> {
    let taken = page
        .execute(
            "const list = window.tandemTimings[arguments[0]].splice(0);
             return [list.map((t) => t.decode), list.map((t) => t.ms)];",
            vec![json!(kind)],
        )
        .await
        .map_err(browser_error("reading its timings"))?;
    let numbers = |v: &Value| -> Vec<f64> {
        v.as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    Ok(Timed {
        decode: numbers(&taken[0]),
        drawn: numbers(&taken[1]),
    })
}

/// The external user's page, joined, once its canvas shows the whole screen.
async fn joined_page(
    driver: &Driver,
    app: &Appliance,
    alice: &Console,
    session: SessionId,
    screen: (u16, u16),
) -> Result<(Client, tempfile::TempDir), BenchError> {
    let policy = alice
        .current()
        .state
        .policies
        .iter()
        .find(|(_, p)| p.name == "View only")
        .map(|(id, _)| *id)
        .ok_or_else(|| BenchError::Usage("the demo's View only policy".into()))?;
    let invitee = ExternalInvitee::Anyone {
        name: "Bench".into(),
        email: None,
    };
    let invitation = alice
        .invite_external(session, policy, invitee, "screen-bench")
        .await?;
    let token = invitation.link.rsplit_once("/join/").map_or("", |(_, t)| t);
    // A desktop browser, wide enough that the screen comes whole: 1280 CSS pixels at 2.
    let (page, profile) = driver.browser_sized(1280, 900, 2).await;
    page.goto(&format!(
        "https://localhost:{}/join/{token}",
        app.addr.port()
    ))
    .await
    .map_err(browser_error("opening the link"))?;
    page.wait()
        .at_most(WAIT)
        .for_element(Locator::XPath("//button[text()='Join in the browser']"))
        .await
        .map_err(browser_error("the join button"))?
        .click()
        .await
        .map_err(browser_error("joining"))?;
    let whole = page
        .execute_async(
            "const [w, h, done] = arguments;
             const c = document.getElementById('canvas');
             const check = () => (c.width === w && c.height === h) ? done(true) : requestAnimationFrame(check);
             check();",
            vec![json!(screen.0), json!(screen.1)],
        )
        .await
        .map_err(browser_error("waiting for the whole screen"))?;
    if whole != json!(true) {
        return Err(BenchError::Usage("the page never showed the screen".into()));
    }
    Ok((page, profile))
}

fn stats(v: &[f64]) -> (f64, f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mut sorted = v.to_vec();
    sorted.sort_by(f64::total_cmp);
    #[allow(clippy::cast_precision_loss)]
    let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
    let at = |p: f64| {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let i = ((sorted.len() - 1) as f64 * p).round() as usize;
        sorted[i]
    };
    (mean, at(0.5), at(0.95))
}

/// Native decoding per frame, in ms: key frames' or changes'.
#[allow(clippy::cast_precision_loss)]
fn native(before: Received, after: Received, key: bool) -> (u64, f64) {
    let (count, time) = if key {
        (
            after.key_frames - before.key_frames,
            after.key_painting.saturating_sub(before.key_painting),
        )
    } else {
        (
            after.updates - before.updates,
            after.painting.saturating_sub(before.painting),
        )
    };
    (count, time.as_secs_f64() * 1000.0 / count.max(1) as f64)
}

#[allow(clippy::print_stdout)]
fn row(name: &str, timed: &Timed, native: (u64, f64)) {
    let (decode_mean, decode_p50, decode_p95) = stats(&timed.decode);
    let (_, drawn_p50, drawn_p95) = stats(&timed.drawn);
    println!(
        "| {name} | {} | {decode_mean:.2} / {decode_p50:.2} / {decode_p95:.2} | {drawn_p50:.1} / {drawn_p95:.1} | {} | {:.2} | {:.2}x |",
        timed.drawn.len(),
        native.0,
        native.1,
        decode_mean / native.1
    );
}

/// Runs the web console's measurements.
#[allow(clippy::print_stdout)]
pub async fn bench(o: &Options) -> Result<(), BenchError> {
    let xvfb = tandem_e2e::Display::start(o.width, o.height)
        .map_err(|e| BenchError::Io("the display", e))?;
    let display = xvfb.name.clone();
    let app = Appliance::start().await?;
    let home = tempfile::tempdir().map_err(|e| BenchError::Io("a temporary home", e))?;
    let (alice, _customer, session) = shared_screen(&app, &display, home.path()).await?;
    let driver = Driver::start().await;
    let (page, _profile) = joined_page(&driver, &app, &alice, session, (o.width, o.height)).await?;
    let view = open_view(&alice, session, None).await?;
    println!(
        "screen-bench --web: a {}x{} Xvfb display shared by the release customer client through the release appliance; Debian's headless Chromium {} shows it in the external user's web console (WebAssembly viewer, canvas) while the console core's native ScreenView views it too; 2 cores",
        o.width,
        o.height,
        page.execute(
            "return navigator.userAgent.match(/Chrome\\/[0-9.]+/)[0]",
            Vec::new()
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
    );
    println!(
        "| frames | drawn in the page | page: decode ms, mean / p50 / p95 | page: arrival to drawn ms, p50 / p95 | native frames | native decode ms, mean | page decode / native |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");

    // Whole-screen key frames: each new view asks for one, and every viewer gets it.
    take_timings(&page, "key").await?;
    let before = view.received();
    for n in 1..=KEY_FRAMES {
        let asking = ScreenView::open(alice.api(), session).await?;
        super::until("a key frame", || {
            view.received().key_frames >= before.key_frames + n
        })
        .await?;
        drop(asking);
    }
    // The page draws in its next animation frame: wait for it to have timed them all.
    page.execute_async(
        "const [n, done] = arguments;
         const check = () => window.tandemTimings.key.length >= n ? done(true) : requestAnimationFrame(check);
         check();",
        vec![json!(KEY_FRAMES)],
    )
    .await
    .map_err(browser_error("drawing the key frames"))?;
    let timed = take_timings(&page, "key").await?;
    row(
        &format!("key frames, {}x{}", o.width, o.height),
        &timed,
        native(before, view.received(), true),
    );

    for (scene, start, _) in SCENES {
        let started = view.received().updates;
        let _activity = start(&display).map_err(|e| BenchError::Io("a scene", e))?;
        // The scene's window up and drawing before measuring.
        super::until("the scene drawing", || {
            view.received().updates > started + 5
        })
        .await?;
        take_timings(&page, "update").await?;
        let before = view.received();
        // The measuring window of the scene, as long as asked (`--seconds`).
        tokio::time::sleep(Duration::from_secs_f64(o.seconds)).await;
        let timed = take_timings(&page, "update").await?;
        row(
            &format!("changes: {scene}"),
            &timed,
            native(before, view.received(), false),
        );
    }
    Ok(())
}
