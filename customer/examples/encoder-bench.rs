//! How much the screen encoder costs and sends, against copying the raw frame (the baseline,
//! measured in the same run): `cargo run --release -p tandem-customer --example encoder-bench`.
//! A synthetic 1920x1080 desktop: a gradient, windows and text-like detail. Then the viewers'
//! side: unpacking a key frame and a scroll with the pure-Rust decoder the console core uses
//! (ruzstd, nothing to cross-compile for Android) against C zstd (libzstd through the zstd
//! crate, what a phone could use built by cargo-ndk), on this machine's CPU.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::cast_possible_truncation
)]

use std::io::Read as _;
use std::time::{Duration, Instant};
use tandem_customer::screen::{Encoder, Grab};

const W: u16 = 1920;
const H: u16 = 1080;
const RUNS: usize = 15;

fn desktop() -> Vec<u8> {
    let mut seed = 0x2545_f491_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let mut px = vec![0u8; usize::from(W) * usize::from(H) * 4];
    for y in 0..usize::from(H) {
        for x in 0..usize::from(W) {
            let at = (y * usize::from(W) + x) * 4;
            let in_window = (200..1100).contains(&x) && (150..800).contains(&y);
            let (b, g, r) = if in_window {
                // Text-like: rows of short dark runs on white.
                let line = (y - 150) % 18 < 12;
                let ink = line && next() % 5 == 0;
                if ink { (30, 30, 30) } else { (250, 250, 250) }
            } else {
                ((x / 8) as u8, (y / 5) as u8, 90)
            };
            px[at..at + 4].copy_from_slice(&[b, g, r, 0]);
        }
    }
    px
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let screen = desktop();
    let raw = screen.len();
    let grab = |p: &[u8]| -> Vec<u8> { p.to_vec() };

    let copy = median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(grab(&screen));
                t.elapsed()
            })
            .collect(),
    );

    let mut key_size = 0;
    let key = median(
        (0..RUNS)
            .map(|_| {
                let mut e = Encoder::default();
                let t = Instant::now();
                let f = e.encode(&Grab::whole(W, H, &screen), true, None).unwrap();
                let d = t.elapsed();
                key_size = f.len();
                d
            })
            .collect(),
    );

    // One typed character: a 10x14 patch changes inside the window.
    let mut encoder = Encoder::default();
    encoder.encode(&Grab::whole(W, H, &screen), true, None);
    let mut typed = screen.clone();
    let mut delta_size = 0;
    let delta = median(
        (0..RUNS)
            .map(|i| {
                for y in 400..414 {
                    for x in 600 + i * 10..610 + i * 10 {
                        let at = (y * usize::from(W) + x) * 4;
                        typed[at..at + 3].copy_from_slice(&[20, 20, 20]);
                    }
                }
                let t = Instant::now();
                let f = encoder
                    .encode(&Grab::whole(W, H, &typed), false, None)
                    .unwrap();
                let d = t.elapsed();
                delta_size = f.len();
                d
            })
            .collect(),
    );

    let same = median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                assert!(
                    encoder
                        .encode(&Grab::whole(W, H, &typed), false, None)
                        .is_none()
                );
                t.elapsed()
            })
            .collect(),
    );

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |n: usize| 100.0 * n as f64 / raw as f64;
    println!("screen encoder, {W}x{H}, median of {RUNS} runs");
    println!(
        "  raw frame copy (baseline)  {:7.2} ms  {raw:>9} bytes  100%",
        ms(copy)
    );
    println!(
        "  key frame, every tile      {:7.2} ms  {key_size:>9} bytes  {:.2}% of raw  ({:.1}x the copy's time)",
        ms(key),
        pct(key_size),
        ms(key) / ms(copy)
    );
    println!(
        "  one typed character        {:7.2} ms  {delta_size:>9} bytes  {:.4}% of raw  ({:.1}x the copy's time)",
        ms(delta),
        pct(delta_size),
        ms(delta) / ms(copy)
    );
    println!(
        "  nothing changed            {:7.2} ms          0 bytes  (no frame sent)",
        ms(same)
    );

    // The viewers' side: the same frames unpacked by each decoder.
    let key_frame = Encoder::default()
        .encode(&Grab::whole(W, H, &screen), true, None)
        .unwrap();
    let mut scroller = Encoder::default();
    scroller.encode(&Grab::whole(W, H, &screen), true, None);
    let mut scrolled = screen.clone();
    let row = usize::from(W) * 4;
    // The text window's rows move up one line of 18 pixels; its last line is new.
    for y in 150..782 {
        let (from, to) = ((y + 18) * row, y * row);
        scrolled.copy_within(from + 200 * 4..from + 1100 * 4, to + 200 * 4);
    }
    for y in 782..800 {
        for x in (200..1100).step_by(7) {
            let at = (y * usize::from(W) + x) * 4;
            scrolled[at..at + 3].copy_from_slice(&[30, 30, 30]);
        }
    }
    let scroll_frame = scroller
        .encode(&Grab::whole(W, H, &scrolled), false, None)
        .unwrap();
    let groups = |bytes: &[u8]| -> Vec<Vec<u8>> {
        let frame = tandem_core::screen::decode(bytes).unwrap();
        frame
            .tiles
            .iter()
            .filter(|t| !t.data.is_empty())
            .map(|t| t.data.to_vec())
            .collect()
    };
    let time = |groups: &[Vec<u8>], unpack: &dyn Fn(&[u8]) -> usize| {
        median(
            (0..RUNS)
                .map(|_| {
                    let t = Instant::now();
                    for g in groups {
                        std::hint::black_box(unpack(g));
                    }
                    t.elapsed()
                })
                .collect(),
        )
    };
    let rust = |g: &[u8]| {
        let mut out = Vec::new();
        ruzstd::decoding::StreamingDecoder::new(g)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out.len()
    };
    let c = |g: &[u8]| zstd::stream::decode_all(g).unwrap().len();
    println!("viewer's decoding, median of {RUNS} runs");
    for (name, bytes) in [("key frame", &key_frame), ("scroll", &scroll_frame)] {
        let g = groups(bytes);
        let (r, c) = (time(&g, &rust), time(&g, &c));
        println!(
            "  {name:<10} {:>9} bytes  ruzstd {:7.3} ms  C zstd {:7.3} ms  ruzstd / C {:.2}x",
            bytes.len(),
            ms(r),
            ms(c),
            ms(r) / ms(c)
        );
    }
    worst_frames();
}

/// Issue 26: the costliest frames the format accepts (within the appliance's 16 MiB message cap),
/// painted by the console core's painter (what
/// the phone and the web console run), against the same run's baseline of copying one 8K picture:
/// an 8K key frame whose one zstd group holds the whole picture, then a frame of the 16 moves the
/// format allows (covering the picture between them) and every tile again.
fn worst_frames() {
    use tandem_core::screen::picture::Painter;
    use tandem_core::screen::{self, Frame, MAX_MOVES, Move, TILE, Tile};
    let (w, h) = (7680u16, 4320u16);
    let mut rects = Vec::new();
    for y in (0..h).step_by(usize::from(TILE)) {
        for x in (0..w).step_by(usize::from(TILE)) {
            rects.push((x, y, TILE.min(w - x), TILE.min(h - y)));
        }
    }
    // As much noise (what compresses least and unpacks slowest) as fits in the 16 MiB the
    // appliance relays in one message, then a repeated pattern for the rest of the picture.
    let mut seed = 0x9e37_79b9_u32;
    let pixels: Vec<u8> = (0..usize::from(w) * usize::from(h) * 4)
        .map(|i| {
            if i >= 15 << 20 {
                return (i % 251) as u8;
            }
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as u8
        })
        .collect();
    let data = zstd::bulk::compress(&pixels, 1).unwrap();
    let tiles: Vec<Tile<'_>> = rects
        .iter()
        .enumerate()
        .map(|(i, &(x, y, tw, th))| Tile {
            x,
            y,
            w: tw,
            h: th,
            data: if i == 0 { &data[..] } else { &[][..] },
        })
        .collect();
    let strip = h / u16::try_from(MAX_MOVES).unwrap();
    let moves: Vec<Move> = (0..u16::try_from(MAX_MOVES).unwrap())
        .map(|i| Move {
            x: 0,
            y: i * strip,
            w,
            h: strip,
            from_x: 0,
            from_y: (i * strip + 7) % (h - strip),
        })
        .collect();
    let key = screen::encode(&Frame {
        key: true,
        width: w,
        height: h,
        number: 0,
        scaled_from: None,
        moves: Vec::new(),
        tiles: tiles.clone(),
    });
    let update = screen::encode(&Frame {
        key: false,
        width: w,
        height: h,
        number: 1,
        scaled_from: None,
        moves,
        tiles,
    });
    let copy = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(pixels.clone());
                t.elapsed()
            })
            .collect(),
    );
    let mut painter = Painter::default();
    let (mut key_times, mut update_times) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        painter.synced = false;
        painter.picture = None;
        let t = Instant::now();
        assert_eq!(painter.paint(&key), Ok(true));
        key_times.push(t.elapsed());
        let t = Instant::now();
        assert_eq!(painter.paint(&update), Ok(true));
        update_times.push(t.elapsed());
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (copy, key_t, update_t) = (ms(copy), ms(median(key_times)), ms(median(update_times)));
    println!(
        "the costliest frames the format accepts and the appliance relays (7680x4320, 15 MiB of noise), median of 5 runs"
    );
    println!("  copying the 8K picture once (baseline)   {copy:8.1} ms");
    println!(
        "  key frame, {:>9} bytes: painted in {key_t:8.1} ms ({:.1}x the copy); the viewer holds the picture and one group: {} MiB",
        key.len(),
        key_t / copy,
        (2 * pixels.len()) >> 20
    );
    println!(
        "  16 moves + every tile, {:>9} bytes: painted in {update_t:8.1} ms ({:.1}x the copy)",
        update.len(),
        update_t / copy
    );
}
