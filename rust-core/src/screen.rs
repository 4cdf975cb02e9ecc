//! The screen stream's wire format, shared by the customer client (which encodes) and the
//! console's streaming client (which decodes). The appliance forwards these messages without
//! reading them.
//!
//! A frame is one binary WebSocket message, little-endian:
//! `kind: u8 = 1`, `flags: u8` (bit 0: key frame, every tile of the screen follows; bit 1: the
//! picture is the screen scaled down), `width: u16`, `height: u16` (the picture's), `number: u32`,
//! `tiles: u16`; when scaled, the screen's own `width, height: u16`; when flag bit 2 is set,
//! `moves: u16` and per move `x, y, w, h, from_x, from_y: u16` (the rectangle at
//! `(from_x, from_y)` of the picture before this frame is painted at `(x, y)`: a scroll or a
//! window dragged, applied in order before the tiles); then per tile
//! `x, y, w, h: u16`, `len: u32` and `len` bytes: one zstd frame holding the pixels of this tile
//! and of the tiles after it whose `len` is 0 (a group compressed together, so what repeats
//! across tiles is said once), each tile's `w * h` pixels of 4 bytes, B G R A, rows top to
//! bottom, one tile after the other.
//! B G R A read as a little-endian `Int` is Android's `0xAARRGGBB` colour, so Kotlin converts it
//! without shuffling bytes.
//!
//! The customer's pointer comes in messages of its own, kind 2: see [`cursor`]; the list of the
//! customer's monitors, kind 3: see [`monitors`].
//!
//! Viewers send JSON text back: [`ViewerMessage`]. Each viewer acknowledges the frames it has
//! painted ([`ViewerMessage::Ack`]); the customer client keeps at most [`WINDOW`] frames
//! unacknowledged, so the frame rate follows what the slowest link carries instead of a queue
//! growing in some buffer along the way (issue 15).
use serde::{Deserialize, Serialize};

pub mod cursor;
pub mod monitors;
#[cfg(feature = "decode")]
pub mod picture;
#[cfg(feature = "decode")]
pub mod viewer;

/// The side of a square tile, in pixels. Small enough that a moving pointer or a typed letter
/// sends little; large enough that a full screen is a few hundred tiles.
pub const TILE: u16 = 64;

/// The most pixels a picture may have: 8K (7680x4320), or four 4K monitors side by side, fit.
/// A viewer holds the picture in memory (4 bytes a pixel), so a frame claiming more is refused
/// before anything is allocated: a customer client cannot make a phone or a browser reserve
/// gigabytes by saying its screen is 65535 pixels a side.
pub const MAX_PICTURE_PIXELS: u32 = 32 * 1024 * 1024;

/// The most moves one frame may carry. The customer client sends one per window it saw dragged
/// (at most four) and one scroll; a viewer copies each before painting, so a frame of 65,535
/// moves of the whole picture would cost minutes (issue 26).
pub const MAX_MOVES: usize = 16;

/// Frames the customer client always may send ahead of the viewers' acknowledgements: two, so
/// one crosses the link while the next is grabbed and encoded. (A few more may go while they
/// are all small: see the customer client's `in_flight`.)
pub const WINDOW: u32 = 2;

const KIND_FRAME: u8 = 1;
const FLAG_KEY: u8 = 1;
const FLAG_SCALED: u8 = 2;
const FLAG_MOVES: u8 = 4;
const HEADER: usize = 12;
const SCALED_HEADER: usize = 4;
const TILE_HEADER: usize = 12;
const MOVE_LEN: usize = 12;

/// One compressed rectangle of a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile<'a> {
    /// Left edge.
    pub x: u16,
    /// Top edge.
    pub y: u16,
    /// Width.
    pub w: u16,
    /// Height.
    pub h: u16,
    /// zstd-compressed B G R A pixels.
    pub data: &'a [u8],
}

/// A frame's header and its tiles, borrowed from the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Every tile of the screen follows: a viewer that missed frames starts again here.
    pub key: bool,
    /// Screen width.
    pub width: u16,
    /// Screen height.
    pub height: u16,
    /// Counts up from 0 for each frame the client sends.
    pub number: u32,
    /// The screen's own size when the picture (`width` x `height`) is it scaled down to what
    /// the viewers show; `None` when the picture is the screen pixel for pixel.
    pub scaled_from: Option<(u16, u16)>,
    /// Parts of the last picture moved (a scrolling window, a window dragged), before the tiles.
    pub moves: Vec<Move>,
    /// The changed tiles.
    pub tiles: Vec<Tile<'a>>,
}

/// A rectangle of the picture moved: what was at `(from_x, from_y)` is now at `(x, y)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// Left edge.
    pub x: u16,
    /// Top edge, where it goes.
    pub y: u16,
    /// Width.
    pub w: u16,
    /// Height.
    pub h: u16,
    /// Left edge, where it was.
    pub from_x: u16,
    /// Top edge, where it was.
    pub from_y: u16,
}

impl Frame<'_> {
    /// The screen's own size: where the pointer moves.
    #[must_use]
    pub fn screen_size(&self) -> (u16, u16) {
        self.scaled_from.unwrap_or((self.width, self.height))
    }
}

/// What a viewer sends the customer client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewerMessage {
    /// Send a key frame next (a new viewer, or one that skipped frames).
    Refresh,
    /// The pointer is at (x, y) with these buttons down (bit 0 left, 1 middle, 2 right).
    Pointer {
        /// Column, in screen pixels.
        x: u16,
        /// Row, in screen pixels.
        y: u16,
        /// Buttons held.
        buttons: u8,
    },
    /// A key went down or up. `keysym` is the X11 keysym (Latin-1 characters are their code).
    Key {
        /// The key.
        keysym: u32,
        /// Pressed (true) or released.
        down: bool,
    },
    /// The viewer has painted the frame with this number (and those before it).
    Ack {
        /// The frame's number.
        number: u32,
    },
    /// The viewer shows the whole screen within this many pixels: the customer client sends
    /// the screen scaled down to fit (never up), so a phone is not sent four times the pixels
    /// it can show. Zooming in asks for more, up to the screen's own size.
    View {
        /// Width in the viewer's pixels.
        width: u16,
        /// Height in the viewer's pixels.
        height: u16,
    },
    /// Send this monitor alone (its index in the customer's list), or the whole desktop. A
    /// choice of what to see, not input: allowed while viewing.
    Monitor {
        /// The monitor's index, or `None` for the whole desktop.
        index: Option<u8>,
    },
}

/// The size a screen is sent at for a view of `view`: fitted within it keeping its shape, never
/// larger than the screen itself, at least a pixel each way.
#[must_use]
pub fn fitted(screen: (u16, u16), view: (u16, u16)) -> (u16, u16) {
    let (sw, sh) = (u32::from(screen.0), u32::from(screen.1));
    let (vw, vh) = (u32::from(view.0), u32::from(view.1));
    if sw == 0 || sh == 0 || (vw >= sw && vh >= sh) {
        return screen;
    }
    // The smaller of the two ratios, compared without division: vw/sw against vh/sh.
    let (w, h) = if vw * sh <= vh * sw {
        (vw, (sh * vw).div_ceil(sw))
    } else {
        ((sw * vh).div_ceil(sh), vh)
    };
    let clamp = |v: u32, most: u32| u16::try_from(v.clamp(1, most)).unwrap_or(u16::MAX);
    (clamp(w, sw), clamp(h, sh))
}

impl ViewerMessage {
    /// Whether this message drives the customer's pointer or keyboard (needs control, A1).
    #[must_use]
    pub fn is_input(self) -> bool {
        matches!(self, Self::Pointer { .. } | Self::Key { .. })
    }
}

/// Apply a move to a picture `width` pixels of 4 bytes wide (rows top to bottom): the viewer
/// does before painting a frame's tiles, and the customer client to know what the viewer then
/// holds. Rows outside the picture are left alone (a decoded frame's moves never have any).
pub fn apply_move(pixels: &mut [u8], width: usize, m: Move) {
    let (w, x, from_x) = (
        usize::from(m.w) * 4,
        usize::from(m.x) * 4,
        usize::from(m.from_x) * 4,
    );
    let mut row = |r: usize| {
        let from = (usize::from(m.from_y) + r) * width * 4 + from_x;
        let to = (usize::from(m.y) + r) * width * 4 + x;
        if from + w <= pixels.len() && to + w <= pixels.len() {
            pixels.copy_within(from..from + w, to);
        }
    };
    // Rows in the order that never overwrites one still to be read (within a row, copy_within
    // copies as if through a buffer).
    if m.from_y > m.y {
        (0..usize::from(m.h)).for_each(&mut row);
    } else {
        (0..usize::from(m.h)).rev().for_each(&mut row);
    }
}

/// Whether a frame that already has `moves` may carry `m` too: at most [`MAX_MOVES`], their
/// areas adding up to at most the picture's (what [`decode`] accepts). The customer client asks
/// before adding one; a move left out is sent as tiles instead.
#[must_use]
pub fn move_fits(moves: &[Move], m: Move, (width, height): (u16, u16)) -> bool {
    let area = |m: &Move| u64::from(m.w) * u64::from(m.h);
    moves.len() < MAX_MOVES
        && moves.iter().map(area).sum::<u64>() + area(&m) <= u64::from(width) * u64::from(height)
}

/// Whether a frame is a key frame, read from its header without decoding its tiles.
#[must_use]
pub fn is_key(frame: &[u8]) -> bool {
    frame.first() == Some(&KIND_FRAME) && frame.get(1).is_some_and(|flags| flags & FLAG_KEY != 0)
}

/// A frame's number, read from its header without decoding its tiles.
#[must_use]
pub fn number_of(frame: &[u8]) -> Option<u32> {
    if frame.first() != Some(&KIND_FRAME) {
        // A cursor message: not numbered, not acknowledged.
        return None;
    }
    u32_at(frame, 6).ok()
}

/// Why a message is not a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Shorter than its header or its tiles say.
    #[error("the frame is truncated")]
    Truncated,
    /// Not a frame of this version.
    #[error("unknown frame kind {0}")]
    UnknownKind(u8),
    /// A tile lies outside the screen.
    #[error("a tile lies outside the screen")]
    OutOfBounds,
    /// A tile's pixels are not what its size says.
    #[error("a tile's pixels are corrupt")]
    Corrupt,
    /// A picture larger than any screen a viewer shows ([`MAX_PICTURE_PIXELS`]).
    #[error("the picture is too large")]
    TooLarge,
    /// More moves than [`MAX_MOVES`], or moves whose areas add up to more than the picture's.
    #[error("the frame moves more than its picture holds")]
    TooManyMoves,
    /// A tile that spans two cells of the [`TILE`] grid, or a second tile in a cell: a frame
    /// paints each pixel of its picture at most once.
    #[error("a frame's tiles overlap or leave the tile grid")]
    Overlapping,
}

/// Serialise a frame.
#[must_use]
pub fn encode(frame: &Frame<'_>) -> Vec<u8> {
    let body: usize = frame.tiles.iter().map(|t| TILE_HEADER + t.data.len()).sum();
    let mut out = Vec::with_capacity(HEADER + body);
    out.push(KIND_FRAME);
    let scaled = if frame.scaled_from.is_some() {
        FLAG_SCALED
    } else {
        0
    };
    let moves = if frame.moves.is_empty() {
        0
    } else {
        FLAG_MOVES
    };
    out.push(if frame.key { FLAG_KEY } else { 0 } | scaled | moves);
    out.extend_from_slice(&frame.width.to_le_bytes());
    out.extend_from_slice(&frame.height.to_le_bytes());
    out.extend_from_slice(&frame.number.to_le_bytes());
    let count = u16::try_from(frame.tiles.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&count.to_le_bytes());
    if let Some((w, h)) = frame.scaled_from {
        out.extend_from_slice(&w.to_le_bytes());
        out.extend_from_slice(&h.to_le_bytes());
    }
    if !frame.moves.is_empty() {
        let count = u16::try_from(frame.moves.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&count.to_le_bytes());
        for m in frame.moves.iter().take(usize::from(count)) {
            for v in [m.x, m.y, m.w, m.h, m.from_x, m.from_y] {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    for t in frame.tiles.iter().take(usize::from(count)) {
        for v in [t.x, t.y, t.w, t.h] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let len = u32::try_from(t.data.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(t.data);
    }
    out
}

/// The cells of the [`TILE`] grid over a picture, and which of them a frame's tiles took.
struct TileGrid {
    columns: usize,
    taken: Vec<bool>,
}

impl TileGrid {
    fn new(width: u16, height: u16) -> Self {
        let side = usize::from(TILE);
        let columns = usize::from(width).div_ceil(side);
        let rows = usize::from(height).div_ceil(side);
        Self {
            columns,
            taken: vec![false; columns * rows],
        }
    }

    fn cells(&self) -> usize {
        self.taken.len()
    }

    /// Take the one cell a tile (already known to lie within the picture) covers.
    fn claim(&mut self, x: u16, y: u16, w: u16, h: u16) -> Result<(), FrameError> {
        if w == 0 || h == 0 {
            // Nothing to paint, and a zero-sized tile could be repeated without bound.
            return Err(FrameError::Overlapping);
        }
        let (column, row) = (x / TILE, y / TILE);
        if (x + w - 1) / TILE != column || (y + h - 1) / TILE != row {
            return Err(FrameError::Overlapping);
        }
        let cell = usize::from(row) * self.columns + usize::from(column);
        match self.taken.get_mut(cell) {
            Some(taken) if !*taken => {
                *taken = true;
                Ok(())
            }
            _ => Err(FrameError::Overlapping),
        }
    }
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, FrameError> {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map(u16::from_le_bytes)
        .ok_or(FrameError::Truncated)
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, FrameError> {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or(FrameError::Truncated)
}

/// Read a frame, checking every tile lies within the screen.
///
/// # Errors
/// When the message is not a well-formed frame.
pub fn decode(b: &[u8]) -> Result<Frame<'_>, FrameError> {
    let kind = *b.first().ok_or(FrameError::Truncated)?;
    if kind != KIND_FRAME {
        return Err(FrameError::UnknownKind(kind));
    }
    let flags = *b.get(1).ok_or(FrameError::Truncated)?;
    let width = u16_at(b, 2)?;
    let height = u16_at(b, 4)?;
    let number = u32_at(b, 6)?;
    let count = u16_at(b, 10)?;
    if u32::from(width) * u32::from(height) > MAX_PICTURE_PIXELS {
        return Err(FrameError::TooLarge);
    }
    let mut at = HEADER;
    let scaled_from = if flags & FLAG_SCALED == 0 {
        None
    } else {
        at += SCALED_HEADER;
        Some((u16_at(b, HEADER)?, u16_at(b, HEADER + 2)?))
    };
    let inside = |x: u16, y: u16, w: u16, h: u16| {
        u32::from(x) + u32::from(w) <= u32::from(width)
            && u32::from(y) + u32::from(h) <= u32::from(height)
    };
    let mut moves = Vec::new();
    if flags & FLAG_MOVES != 0 {
        let count = u16_at(b, at)?;
        at += 2;
        if usize::from(count) > MAX_MOVES {
            return Err(FrameError::TooManyMoves);
        }
        let mut moved = 0u64;
        for _ in 0..count {
            let m = Move {
                x: u16_at(b, at)?,
                y: u16_at(b, at + 2)?,
                w: u16_at(b, at + 4)?,
                h: u16_at(b, at + 6)?,
                from_x: u16_at(b, at + 8)?,
                from_y: u16_at(b, at + 10)?,
            };
            at += MOVE_LEN;
            if !inside(m.x, m.y, m.w, m.h) || !inside(m.from_x, m.from_y, m.w, m.h) {
                return Err(FrameError::OutOfBounds);
            }
            moved += u64::from(m.w) * u64::from(m.h);
            if moved > u64::from(width) * u64::from(height) {
                return Err(FrameError::TooManyMoves);
            }
            moves.push(m);
        }
    }
    // Which cells of the tile grid a tile already painted: each tile lies within one cell and no
    // cell has two, so the tiles never overlap and their pixels add up to at most the picture's
    // (what a viewer unpacks is bounded by the picture before any data is read).
    let mut grid = TileGrid::new(width, height);
    let mut tiles = Vec::with_capacity(usize::from(count).min(grid.cells()));
    for _ in 0..count {
        let (x, y, w, h) = (
            u16_at(b, at)?,
            u16_at(b, at + 2)?,
            u16_at(b, at + 4)?,
            u16_at(b, at + 6)?,
        );
        let len = usize::try_from(u32_at(b, at + 8)?).map_err(|_| FrameError::Truncated)?;
        at += TILE_HEADER;
        let data = b.get(at..at + len).ok_or(FrameError::Truncated)?;
        at += len;
        if !inside(x, y, w, h) {
            return Err(FrameError::OutOfBounds);
        }
        grid.claim(x, y, w, h)?;
        tiles.push(Tile { x, y, w, h, data });
    }
    Ok(Frame {
        key: flags & FLAG_KEY != 0,
        width,
        height,
        number,
        scaled_from,
        moves,
        tiles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_back_as_written() {
        let frame = Frame {
            key: true,
            width: 128,
            height: 64,
            number: 7,
            scaled_from: None,
            moves: Vec::new(),
            tiles: vec![
                Tile {
                    x: 0,
                    y: 0,
                    w: 64,
                    h: 64,
                    data: b"abc",
                },
                Tile {
                    x: 64,
                    y: 0,
                    w: 64,
                    h: 64,
                    data: b"",
                },
            ],
        };
        let bytes = encode(&frame);
        assert_eq!(number_of(&bytes), Some(7));
        assert!(is_key(&bytes));
        assert_eq!(decode(&bytes), Ok(frame));
    }

    #[test]
    fn a_scaled_frame_carries_the_screens_own_size() {
        let frame = Frame {
            key: false,
            width: 64,
            height: 36,
            number: 2,
            scaled_from: Some((1920, 1080)),
            moves: vec![Move {
                x: 0,
                y: 0,
                w: 64,
                h: 20,
                from_x: 0,
                from_y: 16,
            }],
            tiles: vec![Tile {
                x: 0,
                y: 0,
                w: 64,
                h: 36,
                data: b"px",
            }],
        };
        let bytes = encode(&frame);
        assert_eq!(number_of(&bytes), Some(2));
        assert_eq!(decode(&bytes).map(|f| f.screen_size()), Ok((1920, 1080)));
        assert_eq!(decode(&bytes), Ok(frame));
    }

    /// A window dragged down and to the right over where it was, and back up and to the left:
    /// each pixel lands where a copy from the picture before would put it.
    #[test]
    fn a_move_across_and_down_over_itself_copies_from_the_picture_before() {
        let (w, h) = (12usize, 10usize);
        let before: Vec<u8> = (0..w * h * 4).map(|i| (i * 7 % 251) as u8).collect();
        for m in [
            Move {
                x: 5,
                y: 4,
                w: 6,
                h: 5,
                from_x: 2,
                from_y: 1,
            },
            Move {
                x: 1,
                y: 0,
                w: 6,
                h: 5,
                from_x: 4,
                from_y: 3,
            },
            Move {
                x: 0,
                y: 2,
                w: 8,
                h: 3,
                from_x: 3,
                from_y: 2,
            },
        ] {
            let mut moved = before.clone();
            apply_move(&mut moved, w, m);
            let mut want = before.clone();
            for r in 0..usize::from(m.h) {
                for c in 0..usize::from(m.w) * 4 {
                    let to = (usize::from(m.y) + r) * w * 4 + usize::from(m.x) * 4 + c;
                    let from = (usize::from(m.from_y) + r) * w * 4 + usize::from(m.from_x) * 4 + c;
                    want[to] = before[from];
                }
            }
            assert!(moved == want, "{m:?}");
        }
        let frame = Frame {
            key: false,
            width: 64,
            height: 64,
            number: 1,
            scaled_from: None,
            moves: vec![Move {
                x: 0,
                y: 0,
                w: 32,
                h: 32,
                from_x: 40,
                from_y: 0,
            }],
            tiles: Vec::new(),
        };
        assert_eq!(
            decode(&encode(&frame)),
            Err(FrameError::OutOfBounds),
            "from past the right edge"
        );
        let inside = Frame {
            moves: vec![Move {
                from_x: 32,
                ..frame.moves[0]
            }],
            ..frame
        };
        assert_eq!(decode(&encode(&inside)), Ok(inside));
    }

    #[test]
    fn a_screen_is_fitted_within_the_view_keeping_its_shape_and_never_enlarged() {
        // A phone 412 dp wide at 2.625 pixels per dp, showing a 1080p desktop across its width.
        assert_eq!(fitted((1920, 1080), (1081, 2402)), (1081, 609));
        assert_eq!(fitted((1920, 1080), (4000, 300)), (534, 300));
        assert_eq!(fitted((1920, 1080), (u16::MAX, u16::MAX)), (1920, 1080));
        assert_eq!(fitted((1920, 1080), (0, 0)), (1, 1));
        assert_eq!(fitted((0, 0), (100, 100)), (0, 0));
    }

    #[test]
    fn truncated_or_out_of_bounds_frames_are_refused() {
        let frame = Frame {
            key: false,
            width: 64,
            height: 64,
            number: 1,
            scaled_from: None,
            moves: Vec::new(),
            tiles: vec![Tile {
                x: 32,
                y: 0,
                w: 64,
                h: 64,
                data: b"x",
            }],
        };
        let bytes = encode(&frame);
        assert_eq!(decode(&bytes), Err(FrameError::OutOfBounds));
        // A screen said to be 65535 pixels a side, with nothing in it: refused before a viewer
        // reserves 17 GB for it; 8K is not.
        let huge = encode(&Frame {
            key: true,
            width: u16::MAX,
            height: u16::MAX,
            tiles: Vec::new(),
            ..frame.clone()
        });
        assert_eq!(decode(&huge), Err(FrameError::TooLarge));
        let eight_k = encode(&Frame {
            key: true,
            width: 7680,
            height: 4320,
            tiles: Vec::new(),
            ..frame.clone()
        });
        assert!(decode(&eight_k).is_ok());
        let moved_out = encode(&Frame {
            tiles: Vec::new(),
            moves: vec![Move {
                x: 0,
                y: 0,
                w: 64,
                h: 32,
                from_x: 0,
                from_y: 40,
            }],
            ..frame.clone()
        });
        assert_eq!(
            decode(&moved_out),
            Err(FrameError::OutOfBounds),
            "from past the edge"
        );
        assert_eq!(
            decode(&bytes[..bytes.len() - 1]),
            Err(FrameError::Truncated)
        );
        assert_eq!(decode(&[9]), Err(FrameError::UnknownKind(9)));
        assert_eq!(decode(&[]), Err(FrameError::Truncated));
    }

    #[test]
    fn only_pointer_and_keys_count_as_input() {
        assert!(!ViewerMessage::Refresh.is_input());
        assert!(!ViewerMessage::Ack { number: 3 }.is_input());
        assert!(
            !ViewerMessage::View {
                width: 3,
                height: 4
            }
            .is_input()
        );
        assert!(
            ViewerMessage::Key {
                keysym: 97,
                down: true
            }
            .is_input()
        );
        let text = serde_json::to_string(&ViewerMessage::Pointer {
            x: 1,
            y: 2,
            buttons: 1,
        });
        assert_eq!(
            text.ok().as_deref(),
            Some(r#"{"pointer":{"x":1,"y":2,"buttons":1}}"#)
        );
    }
}
