//! Any bytes a customer client may send on the screen stream, as a viewer takes them in: frames,
//! pointer shapes and monitor lists. libFuzzer fails the run on a panic, on an input that takes
//! longer than `-timeout`, and on an allocation over `-malloc_limit_mb` (scripts/fuzz sets both
//! just above one picture of `MAX_PICTURE_PIXELS`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tandem_core::screen::viewer::Viewer;

fuzz_target!(|data: &[u8]| {
    let mut viewer = Viewer::default();
    // The same bytes twice: a key frame painted, then a frame painted over it.
    for _ in 0..2 {
        let _ = viewer.receive(data);
    }
    let _ = viewer.picture_with_pointer();
});
