//! What the bench puts on the screen: a clock to read the latency from, and the scenes the
//! issue names (a scrolling terminal, typing, a moving window). Each runs until dropped.
use std::process::Stdio;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use x11rb::connection::Connection as _;
use x11rb::protocol::xproto::{
    ChangeWindowAttributesAux, ConfigureWindowAux, ConnectionExt as _, CreateGCAux,
    CreateWindowAux, Rectangle, WindowClass,
};

/// The side of the clock window in the screen's top right corner.
pub const CLOCK: u16 = 32;

fn failed(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// A process that is killed when dropped.
pub struct Running(pub std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A small window in the screen's top right corner whose colour is the time since `epoch` in
/// milliseconds (24 bits), redrawn every 4 ms until the returned handle is dropped.
pub fn clock(display: &str, epoch: Instant) -> std::io::Result<Arc<()>> {
    let (conn, screen) = x11rb::connect(Some(display)).map_err(failed)?;
    let root = conn.setup().roots[screen].clone();
    let window = conn.generate_id().map_err(failed)?;
    let left = i16::try_from(root.width_in_pixels - CLOCK).unwrap_or(0);
    conn.create_window(
        24,
        window,
        root.root,
        left,
        0,
        CLOCK,
        CLOCK,
        0,
        WindowClass::INPUT_OUTPUT,
        0,
        &CreateWindowAux::new().override_redirect(1),
    )
    .map_err(failed)?;
    conn.map_window(window).map_err(failed)?;
    let alive = Arc::new(());
    let watch: Weak<()> = Arc::downgrade(&alive);
    std::thread::spawn(move || {
        while watch.upgrade().is_some() {
            let now = u32::try_from(epoch.elapsed().as_millis()).unwrap_or(0) & 0x00FF_FFFF;
            let aux = ChangeWindowAttributesAux::new().background_pixel(now);
            let drawn = conn
                .change_window_attributes(window, &aux)
                .and_then(|_| conn.clear_area(false, window, 0, 0, 0, 0))
                .and_then(|_| conn.flush());
            if drawn.is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(4));
        }
    });
    Ok(alive)
}

/// Where the clock's centre is in a picture of a screen, wherever scaling put it (its edges
/// blend with what is around them).
pub fn clock_at(screen: (usize, usize), picture: (usize, usize)) -> (usize, usize) {
    let half = usize::from(CLOCK) / 2;
    (
        screen.0.saturating_sub(half) * picture.0 / screen.0.max(1),
        half * picture.1 / screen.1.max(1),
    )
}

/// Debian's xterm at the screen's top left running `script`.
fn xterm(display: &str, geometry: &str, script: &str) -> std::io::Result<Running> {
    std::process::Command::new("xterm")
        .env("DISPLAY", display)
        .args(["-geometry", geometry, "-e", "sh", "-c", script])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Running)
        .map_err(|e| {
            std::io::Error::new(e.kind(), format!("xterm (scripts/setup installs it): {e}"))
        })
}

/// A terminal writing about 30 lines a second, filling the screen's left part.
pub fn scrolling_terminal(display: &str) -> std::io::Result<Running> {
    let script = "while :; do echo \"$(date +%T.%N) the quick brown fox jumps over the lazy dog 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ\"; sleep 0.033; done";
    xterm(display, "160x50+0+0", script)
}

/// A terminal where someone types about 8 characters a second (the terminal's echo of them:
/// what the screen shows of typing), a line of words after another.
pub fn typing_terminal(display: &str) -> std::io::Result<Running> {
    let script = "while :; do for w in the quick brown fox jumps over the lazy dog; do for c in $(echo $w | sed 's/./& /g'); do printf %s $c; sleep 0.12; done; printf ' '; done; echo; done";
    xterm(display, "100x30+0+0", script)
}

/// The moving window's size.
const WINDOW: (u16, u16) = (480, 320);

/// A 480x320 window of text dragged across the screen, 4 pixels every 16 ms, back and forth
/// diagonally (as a window moved with the mouse), until the returned handle is dropped. No
/// window manager runs: the desktop (the root's background) shows where it was.
pub fn moving_window(display: &str) -> std::io::Result<Arc<()>> {
    let (conn, screen) = x11rb::connect(Some(display)).map_err(failed)?;
    let root = conn.setup().roots[screen].clone();
    let (width, height) = WINDOW;
    // Its content, drawn once into a pixmap that the display repaints it from.
    let pixmap = conn.generate_id().map_err(failed)?;
    conn.create_pixmap(root.root_depth, pixmap, root.root, width, height)
        .map_err(failed)?;
    let font = conn.generate_id().map_err(failed)?;
    conn.open_font(font, b"fixed").map_err(failed)?;
    let gc = conn.generate_id().map_err(failed)?;
    conn.create_gc(
        gc,
        pixmap,
        &CreateGCAux::new()
            .foreground(0x0020_3050)
            .background(0x00F0_F0E0)
            .font(font),
    )
    .map_err(failed)?;
    let all = Rectangle {
        x: 0,
        y: 0,
        width,
        height,
    };
    conn.change_gc(
        gc,
        &x11rb::protocol::xproto::ChangeGCAux::new().foreground(0x00F0_F0E0),
    )
    .map_err(failed)?;
    conn.poly_fill_rectangle(pixmap, gc, &[all])
        .map_err(failed)?;
    conn.change_gc(
        gc,
        &x11rb::protocol::xproto::ChangeGCAux::new().foreground(0x0020_3050),
    )
    .map_err(failed)?;
    for line in 0..22i16 {
        let text = format!("{line:02} the quick brown fox jumps over the lazy dog 0123456789");
        conn.image_text8(pixmap, gc, 6, 14 + line * 14, text.as_bytes())
            .map_err(failed)?;
    }
    let window = conn.generate_id().map_err(failed)?;
    conn.create_window(
        root.root_depth,
        window,
        root.root,
        0,
        0,
        width,
        height,
        0,
        WindowClass::INPUT_OUTPUT,
        0,
        &CreateWindowAux::new()
            .override_redirect(1)
            .background_pixmap(pixmap),
    )
    .map_err(failed)?;
    conn.map_window(window).map_err(failed)?;
    conn.flush().map_err(failed)?;
    // Back and forth within the screen, clear of the clock.
    let span_x = i32::from(root.width_in_pixels.saturating_sub(width + CLOCK)).max(1);
    let span_y = i32::from(root.height_in_pixels.saturating_sub(height)).max(1);
    let alive = Arc::new(());
    let watch: Weak<()> = Arc::downgrade(&alive);
    std::thread::spawn(move || {
        let bounce = |step: i32, span: i32| {
            let at = step.rem_euclid(2 * span);
            if at < span { at } else { 2 * span - at }
        };
        let mut step = 0i32;
        while watch.upgrade().is_some() {
            step = step.wrapping_add(4);
            let aux = ConfigureWindowAux::new()
                .x(bounce(step, span_x))
                .y(bounce(step, span_y));
            if conn
                .configure_window(window, &aux)
                .and_then(|_| conn.flush())
                .is_err()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(16));
        }
    });
    Ok(alive)
}
