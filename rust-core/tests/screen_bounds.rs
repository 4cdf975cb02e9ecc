//! What a screen frame may cost a viewer (issue 26): whatever bytes a customer client sends, the
//! decoder never panics, never holds more than one picture's pixels, and never paints more than
//! one picture's worth of moves and tiles. The appliance relays frames unread, so this is the only
//! place a phone or a browser is protected from a hostile customer client.
#![cfg(feature = "decode")]

use proptest::prelude::*;
use ruzstd::encoding::{CompressionLevel, compress_to_vec};
use tandem_core::screen::picture::Painter;
use tandem_core::screen::{self, Frame, FrameError, MAX_MOVES, MAX_PICTURE_PIXELS, Move, Tile};

fn zstd(bytes: &[u8]) -> Vec<u8> {
    compress_to_vec(bytes, CompressionLevel::Fastest)
}

/// The attack of issue 26: one frame of 65,535 moves of the whole picture. A viewer spent minutes
/// on it; it is now refused before a pixel is copied.
#[test]
fn a_frame_of_thousands_of_whole_picture_moves_is_refused_before_painting() {
    let whole = Move {
        x: 0,
        y: 0,
        w: 1920,
        h: 1080,
        from_x: 0,
        from_y: 0,
    };
    let frame = |count: usize| Frame {
        key: false,
        width: 1920,
        height: 1080,
        number: 1,
        scaled_from: None,
        moves: vec![whole; count],
        tiles: Vec::new(),
    };
    assert_eq!(
        screen::decode(&screen::encode(&frame(65_535))).map(|_| ()),
        Err(FrameError::TooManyMoves)
    );
    // Two moves of the whole picture are already more than the picture.
    assert_eq!(
        screen::decode(&screen::encode(&frame(2))).map(|_| ()),
        Err(FrameError::TooManyMoves)
    );
    assert!(screen::decode(&screen::encode(&frame(1))).is_ok());
    // Many small moves are fine up to the count.
    let small = Move {
        w: 10,
        h: 10,
        ..whole
    };
    let many = |n| Frame {
        moves: vec![small; n],
        ..frame(0)
    };
    assert!(screen::decode(&screen::encode(&many(MAX_MOVES))).is_ok());
    assert_eq!(
        screen::decode(&screen::encode(&many(MAX_MOVES + 1))).map(|_| ()),
        Err(FrameError::TooManyMoves)
    );
}

/// The other attack of issue 26: a 66 KB frame whose tiles overlap, each declaring the whole
/// picture, so its one zstd group was unpacked to gigabytes. Tiles now lie one to a cell of the
/// tile grid.
#[test]
fn tiles_that_overlap_or_span_the_grid_are_refused_before_anything_is_unpacked() {
    let data = zstd(&[0u8; 64]);
    let tile = |x, y, w, h, data| Tile { x, y, w, h, data };
    let frame = |tiles| Frame {
        key: true,
        width: 1920,
        height: 1080,
        number: 0,
        scaled_from: None,
        moves: Vec::new(),
        tiles,
    };
    let whole = vec![tile(0, 0, 1920, 1080, &data[..]); 1000];
    assert_eq!(
        screen::decode(&screen::encode(&frame(whole))).map(|_| ()),
        Err(FrameError::Overlapping)
    );
    let twice = vec![tile(0, 0, 64, 64, &data[..]), tile(0, 0, 64, 64, &[][..])];
    assert_eq!(
        screen::decode(&screen::encode(&frame(twice))).map(|_| ()),
        Err(FrameError::Overlapping)
    );
    let across = vec![tile(32, 0, 64, 64, &data[..])];
    assert_eq!(
        screen::decode(&screen::encode(&frame(across))).map(|_| ()),
        Err(FrameError::Overlapping)
    );
    let empty = vec![tile(0, 0, 0, 0, &data[..])];
    assert_eq!(
        screen::decode(&screen::encode(&frame(empty))).map(|_| ()),
        Err(FrameError::Overlapping)
    );
    // Part of a cell, and the cells at the picture's right and bottom edges: what the customer
    // client sends.
    let edges = vec![
        tile(3, 5, 20, 7, &data[..]),
        tile(1856, 1024, 64, 56, &[][..]),
    ];
    assert!(screen::decode(&screen::encode(&frame(edges))).is_ok());
}

/// A group whose data unpacks to more than its tiles declare is refused, not unpacked further.
#[test]
fn a_group_holding_more_than_its_tiles_declare_is_refused() {
    let picture = |data: &[u8]| {
        screen::encode(&Frame {
            key: true,
            width: 64,
            height: 64,
            number: 0,
            scaled_from: None,
            moves: Vec::new(),
            tiles: vec![Tile {
                x: 0,
                y: 0,
                w: 64,
                h: 64,
                data,
            }],
        })
    };
    let mut painter = Painter::default();
    assert_eq!(
        painter.paint(&picture(&zstd(&[7u8; 64 * 64 * 4]))),
        Ok(true)
    );
    let mut painter = Painter::default();
    assert_eq!(
        painter.paint(&picture(&zstd(&vec![7u8; 64 * 64 * 4 + 1]))),
        Err(FrameError::Corrupt)
    );
    assert_eq!(
        painter.paint(&picture(&zstd(&[7u8; 64 * 64 * 4 - 1]))),
        Err(FrameError::Corrupt)
    );
    // A bomb: 100 MB of zeros in a few kilobytes, for one 64x64 tile.
    let bomb = zstd(&vec![0u8; 100 << 20]);
    assert!(bomb.len() < 64 << 10, "{}", bomb.len());
    assert_eq!(painter.paint(&picture(&bomb)), Err(FrameError::Corrupt));
}

/// What a frame that decodes may make a viewer do, in pixels: its moves and its tiles.
fn cost(frame: &Frame<'_>) -> (u64, u64) {
    let moved = frame
        .moves
        .iter()
        .map(|m| u64::from(m.w) * u64::from(m.h))
        .sum();
    let painted = frame
        .tiles
        .iter()
        .map(|t| u64::from(t.w) * u64::from(t.h))
        .sum();
    (moved, painted)
}

/// A frame's header with any sizes, then arbitrary bytes: what a hostile client can send.
fn hostile() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<u8>(),
        0u16..2000,
        0u16..2000,
        any::<u16>(),
        prop::collection::vec(any::<u8>(), 0..4096),
    )
        .prop_map(|(flags, w, h, count, rest)| {
            let mut b = vec![1, flags & 7];
            b.extend_from_slice(&w.to_le_bytes());
            b.extend_from_slice(&h.to_le_bytes());
            b.extend_from_slice(&0u32.to_le_bytes());
            b.extend_from_slice(&count.to_le_bytes());
            b.extend_from_slice(&rest);
            b
        })
}

/// A tile's place and size, and whether it carries real pixel data.
type TileSpec = (u16, u16, u16, u16, bool);

/// Tiles anywhere (overlapping, spanning cells, outside), with real pixel data or none.
fn tiled() -> impl Strategy<Value = (u16, u16, Vec<TileSpec>, Vec<Move>)> {
    (1u16..300, 1u16..300).prop_flat_map(|(w, h)| {
        let tile = (0..w + 70, 0..h + 70, 0u16..140, 0u16..140, any::<bool>());
        let mv = (0..w, 0..h, 0..w + 10, 0..h + 10, 0..w, 0..h).prop_map(
            |(x, y, w, h, from_x, from_y)| Move {
                x,
                y,
                w,
                h,
                from_x,
                from_y,
            },
        );
        (
            Just(w),
            Just(h),
            prop::collection::vec(tile, 0..40),
            prop::collection::vec(mv, 0..24),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Arbitrary bytes: the decoder and the painter answer, without panicking, and whatever they
    /// accept costs at most the picture's pixels in moves and in tiles.
    #[test]
    fn any_bytes_decode_or_are_refused_and_never_cost_more_than_a_picture(bytes in hostile()) {
        if let Ok(frame) = screen::decode(&bytes) {
            let pixels = u64::from(frame.width) * u64::from(frame.height);
            prop_assert!(pixels <= u64::from(MAX_PICTURE_PIXELS));
            let (moved, painted) = cost(&frame);
            prop_assert!(moved <= pixels && painted <= pixels, "{moved} {painted} {pixels}");
            prop_assert!(frame.moves.len() <= MAX_MOVES);
        }
        let mut painter = Painter::default();
        let _ = painter.paint(&bytes);
        if let Some(p) = painter.picture.as_ref() {
            prop_assert_eq!(p.pixels.len() as u64, u64::from(p.width) * u64::from(p.height) * 4);
        }
    }

    /// Frames made of tiles and moves anywhere: accepted exactly when every tile lies alone in a
    /// cell of the grid and the moves fit, and then painted (or refused as corrupt) without panic.
    #[test]
    fn tiles_and_moves_anywhere_are_accepted_only_within_the_budget((w, h, rects, moves) in tiled()) {
        let datas: Vec<Vec<u8>> = rects
            .iter()
            .map(|&(_, _, tw, th, real)| {
                if real { zstd(&vec![9u8; usize::from(tw) * usize::from(th) * 4]) } else { Vec::new() }
            })
            .collect();
        let tiles: Vec<Tile<'_>> = rects
            .iter()
            .zip(&datas)
            .map(|(&(x, y, tw, th, _), data)| Tile { x, y, w: tw, h: th, data })
            .collect();
        let frame = Frame { key: true, width: w, height: h, number: 0, scaled_from: None, moves: moves.clone(), tiles };
        let bytes = screen::encode(&frame);
        let inside = |x: u16, y: u16, tw: u16, th: u16| u32::from(x) + u32::from(tw) <= u32::from(w) && u32::from(y) + u32::from(th) <= u32::from(h);
        let mut cells = std::collections::BTreeSet::new();
        let tiles_ok = rects.iter().all(|&(x, y, tw, th, _)| {
            inside(x, y, tw, th) && tw > 0 && th > 0
                && x / 64 == (x + tw - 1) / 64 && y / 64 == (y + th - 1) / 64
                && cells.insert((x / 64, y / 64))
        });
        let mut so_far = Vec::new();
        let moves_ok = moves.iter().all(|m| {
            let fits = inside(m.x, m.y, m.w, m.h) && inside(m.from_x, m.from_y, m.w, m.h)
                && screen::move_fits(&so_far, *m, (w, h));
            so_far.push(*m);
            fits
        });
        let decoded = screen::decode(&bytes);
        prop_assert_eq!(decoded.is_ok(), tiles_ok && moves_ok, "{:?}", decoded.map(|_| ()));
        let mut painter = Painter::default();
        let painted = painter.paint(&bytes);
        if decoded.is_ok() {
            // Painted whole, or refused as corrupt (a group's data that is not its tiles').
            prop_assert!(matches!(painted, Ok(true) | Err(FrameError::Corrupt)), "{:?}", painted);
        }
    }
}
