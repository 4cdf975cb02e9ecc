//! The functions the page calls. Numbers only: bytes pass through the module's memory, at
//! addresses these functions return (copy in after `viewer_inbox`, which may grow the memory,
//! so the page takes `memory.buffer` afresh after it).
#![allow(
    unsafe_code,
    reason = "`no_mangle` exports are how a WebAssembly module without generated glue is called; \
              the functions themselves are safe code"
)]
use super::WebViewer;
use std::cell::RefCell;

thread_local! {
    /// The page's one screen stream (a page never shows two).
    static WEB: RefCell<WebViewer> = RefCell::new(WebViewer::new());
    /// The last messages taken from the outbox, kept while the page reads them.
    static SENDING: RefCell<String> = const { RefCell::new(String::new()) };
}

fn with<T>(f: impl FnOnce(&mut WebViewer) -> T) -> T {
    WEB.with_borrow_mut(f)
}

fn small(v: u32) -> u16 {
    u16::try_from(v).unwrap_or(u16::MAX)
}

/// A new stream: forget the last one's picture.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_start() {
    with(|w| *w = WebViewer::new());
}

/// Room for `len` bytes of input; copy them to the address returned.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_inbox(len: u32) -> *mut u8 {
    with(|w| {
        w.inbox.resize(len as usize, 0);
        w.inbox.as_mut_ptr()
    })
}

/// Take in the binary message copied into the inbox: bits of [`super::heard`].
#[unsafe(no_mangle)]
pub extern "C" fn viewer_receive(len: u32) -> u32 {
    with(|w| w.receive(len as usize))
}

/// The appliance said this viewer skipped frames.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_skipped() {
    with(WebViewer::skipped);
}

/// The size the canvas shows the screen in.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_view(width: u32, height: u32) {
    with(|w| w.view(small(width), small(height)));
}

/// The pointer at a point of the picture, with these buttons down.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_pointer(x: u32, y: u32, buttons: u32) {
    with(|w| w.pointer(small(x), small(y), u8::try_from(buttons & 7).unwrap_or(0)));
}

/// A key, its name copied into the inbox as UTF-8: 1 when it was passed on.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_key(len: u32, down: u32) -> u32 {
    with(|w| {
        let name = std::str::from_utf8(w.inbox.get(..len as usize).unwrap_or(&[]))
            .unwrap_or_default()
            .to_owned();
        u32::from(w.key(&name, down != 0))
    })
}

/// One monitor alone, or the whole desktop for a negative index.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_monitor(index: i32) {
    with(|w| w.monitor(u8::try_from(index).ok()));
}

/// Take the messages to send (one JSON text per line): their length in bytes, at
/// [`viewer_sending`].
#[unsafe(no_mangle)]
pub extern "C" fn viewer_outbox() -> u32 {
    let taken = with(WebViewer::take_outbox);
    SENDING.with_borrow_mut(|s| {
        *s = taken;
        u32::try_from(s.len()).unwrap_or(0)
    })
}

/// Where the messages taken by [`viewer_outbox`] are.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_sending() -> *const u8 {
    SENDING.with_borrow(|s| s.as_ptr())
}

/// Bring the R G B A picture up to date: 1 when it changed (in [`viewer_area`]).
#[unsafe(no_mangle)]
pub extern "C" fn viewer_draw() -> u32 {
    with(|w| u32::from(w.draw()))
}

/// The picture's width.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_width() -> u32 {
    with(|w| w.size().0)
}

/// The picture's height.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_height() -> u32 {
    with(|w| w.size().1)
}

/// Where the R G B A pixels are (`width * height * 4` bytes).
#[unsafe(no_mangle)]
pub extern "C" fn viewer_pixels() -> *const u8 {
    with(|w| w.rgba().as_ptr())
}

/// What the last draw changed: 0 left, 1 top, 2 width, 3 height.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_area(which: u32) -> u32 {
    with(|w| {
        w.drawn().map_or(0, |a| match which {
            0 => a.x,
            1 => a.y,
            2 => a.w,
            _ => a.h,
        })
    })
}

/// The monitors as JSON: its length, at [`viewer_monitors`].
#[unsafe(no_mangle)]
pub extern "C" fn viewer_monitors_len() -> u32 {
    with(|w| u32::try_from(w.monitors().len()).unwrap_or(0))
}

/// Where the monitors' JSON is.
#[unsafe(no_mangle)]
pub extern "C" fn viewer_monitors() -> *const u8 {
    with(|w| w.monitors().as_ptr())
}
