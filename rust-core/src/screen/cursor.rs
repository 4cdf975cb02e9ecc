//! The customer's pointer in the screen stream (issue 15): where it is, and its shape when that
//! changes, sent apart from the frames. A grabbed screen has no pointer in it (the display draws
//! it on top), and sent as a shape and a place, a pointer that moves costs a dozen bytes instead
//! of the tiles it crosses. The viewer's core draws it on the picture it hands out, so every
//! console shows it the same way.
//!
//! A cursor message is one binary WebSocket message, little-endian: `kind: u8 = 2`,
//! `flags: u8` (bit 0: a shape follows), `x, y: u16` (the pointer's place in the screen's own
//! pixels); with a shape, `hot_x, hot_y, width, height: u16` and `width * height` pixels of 4
//! bytes, B G R A, alpha premultiplied (X's cursor image as it comes), rows top to bottom.
//! Cursor messages carry no number and are not acknowledged.
use super::{FrameError, u16_at};

/// A cursor message's kind byte.
pub const KIND_CURSOR: u8 = 2;
const FLAG_SHAPE: u8 = 1;
const HEADER: usize = 6;
const SHAPE_HEADER: usize = 8;
/// The largest cursor side accepted; X cursors are 16 to 64 pixels, 256 with large themes.
pub const MAX_SIDE: u16 = 256;

/// The pointer: where it is, and its shape when that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor<'a> {
    /// Column, in the screen's own pixels.
    pub x: u16,
    /// Row, in the screen's own pixels.
    pub y: u16,
    /// The new shape, or `None` when it is the one sent before.
    pub shape: Option<Shape<'a>>,
}

/// A pointer's picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape<'a> {
    /// The point of the picture that is the pointer's place: column.
    pub hot_x: u16,
    /// Row of that point.
    pub hot_y: u16,
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// `width * height` pixels, B G R A, alpha premultiplied.
    pub pixels: &'a [u8],
}

/// Serialise a cursor message.
#[must_use]
pub fn encode(cursor: &Cursor<'_>) -> Vec<u8> {
    let shape_len = cursor
        .shape
        .as_ref()
        .map_or(0, |s| SHAPE_HEADER + s.pixels.len());
    let mut out = Vec::with_capacity(HEADER + shape_len);
    out.push(KIND_CURSOR);
    out.push(if cursor.shape.is_some() {
        FLAG_SHAPE
    } else {
        0
    });
    out.extend_from_slice(&cursor.x.to_le_bytes());
    out.extend_from_slice(&cursor.y.to_le_bytes());
    if let Some(s) = &cursor.shape {
        for v in [s.hot_x, s.hot_y, s.width, s.height] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(s.pixels);
    }
    out
}

/// Read a cursor message, checking its shape is no larger than [`MAX_SIDE`], its pixels are
/// what its size says and its hot spot lies within it.
///
/// # Errors
/// When the message is not a well-formed cursor message.
pub fn decode(b: &[u8]) -> Result<Cursor<'_>, FrameError> {
    let kind = *b.first().ok_or(FrameError::Truncated)?;
    if kind != KIND_CURSOR {
        return Err(FrameError::UnknownKind(kind));
    }
    let flags = *b.get(1).ok_or(FrameError::Truncated)?;
    let (x, y) = (u16_at(b, 2)?, u16_at(b, 4)?);
    let shape = if flags & FLAG_SHAPE == 0 {
        None
    } else {
        let (hot_x, hot_y) = (u16_at(b, HEADER)?, u16_at(b, HEADER + 2)?);
        let (width, height) = (u16_at(b, HEADER + 4)?, u16_at(b, HEADER + 6)?);
        if width > MAX_SIDE || height > MAX_SIDE || hot_x >= width.max(1) || hot_y >= height.max(1)
        {
            return Err(FrameError::OutOfBounds);
        }
        let len = usize::from(width) * usize::from(height) * 4;
        let start = HEADER + SHAPE_HEADER;
        let pixels = b.get(start..start + len).ok_or(FrameError::Truncated)?;
        if b.len() != start + len {
            return Err(FrameError::Corrupt);
        }
        Some(Shape {
            hot_x,
            hot_y,
            width,
            height,
            pixels,
        })
    };
    Ok(Cursor { x, y, shape })
}

/// Draw `shape` on a picture `width` x `height` pixels of 4 bytes (B G R A, opaque) with its hot
/// spot at (x, y) of the picture; what falls outside is left out.
pub fn draw(pixels: &mut [u8], (width, height): (u32, u32), shape: &Shape<'_>, (x, y): (u32, u32)) {
    let left = i64::from(x) - i64::from(shape.hot_x);
    let top = i64::from(y) - i64::from(shape.hot_y);
    let (w, h) = (i64::from(width), i64::from(height));
    for r in 0..i64::from(shape.height) {
        let py = top + r;
        if !(0..h).contains(&py) {
            continue;
        }
        for c in 0..i64::from(shape.width) {
            let px = left + c;
            if !(0..w).contains(&px) {
                continue;
            }
            let (Ok(from), Ok(to)) = (
                usize::try_from((r * i64::from(shape.width) + c) * 4),
                usize::try_from((py * w + px) * 4),
            ) else {
                continue;
            };
            let (Some(src), Some(dst)) =
                (shape.pixels.get(from..from + 4), pixels.get_mut(to..to + 4))
            else {
                continue;
            };
            // Premultiplied "over": the source plus what shows through it.
            let keep = 255 - u32::from(src[3]);
            for i in 0..3 {
                let v = u32::from(src[i]) + (u32::from(dst[i]) * keep + 127) / 255;
                dst[i] = u8::try_from(v.min(255)).unwrap_or(u8::MAX);
            }
            dst[3] = 0xFF;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 2x2 shape: opaque white, half-transparent black (premultiplied: 0, 0, 0, 128),
    /// transparent, opaque red; hot spot at its bottom right.
    const PIXELS: [u8; 16] = [255, 255, 255, 255, 0, 0, 0, 128, 0, 0, 0, 0, 0, 0, 255, 255];

    fn shape() -> Shape<'static> {
        Shape {
            hot_x: 1,
            hot_y: 1,
            width: 2,
            height: 2,
            pixels: &PIXELS,
        }
    }

    #[test]
    fn a_cursor_message_reads_back_as_sent_with_or_without_its_shape() {
        let moved = Cursor {
            x: 300,
            y: 20,
            shape: None,
        };
        assert_eq!(decode(&encode(&moved)), Ok(moved.clone()));
        assert_eq!(encode(&moved).len(), 6, "a move is six bytes");
        let reshaped = Cursor {
            shape: Some(shape()),
            ..moved
        };
        assert_eq!(decode(&encode(&reshaped)), Ok(reshaped));
    }

    #[test]
    fn oversized_truncated_or_inconsistent_shapes_are_refused() {
        let bytes = encode(&Cursor {
            x: 1,
            y: 1,
            shape: Some(shape()),
        });
        assert_eq!(
            decode(&bytes[..bytes.len() - 1]),
            Err(FrameError::Truncated)
        );
        assert_eq!(
            decode(&[bytes.clone(), vec![0]].concat()),
            Err(FrameError::Corrupt)
        );
        let huge = Shape {
            width: MAX_SIDE + 1,
            height: 1,
            hot_x: 0,
            hot_y: 0,
            pixels: &[],
        };
        let bytes = encode(&Cursor {
            x: 0,
            y: 0,
            shape: Some(huge),
        });
        assert_eq!(
            decode(&bytes),
            Err(FrameError::OutOfBounds),
            "no 64 MiB pointer"
        );
        let hot_outside = Shape {
            hot_x: 2,
            ..shape()
        };
        let bytes = encode(&Cursor {
            x: 0,
            y: 0,
            shape: Some(hot_outside),
        });
        assert_eq!(decode(&bytes), Err(FrameError::OutOfBounds));
        assert_eq!(decode(&[1, 0, 0, 0, 0, 0]), Err(FrameError::UnknownKind(1)));
    }

    #[test]
    fn a_shape_is_drawn_over_the_picture_at_its_hot_spot_and_clipped_at_the_edges() {
        // A 3x2 grey picture, the shape's hot spot at (1, 1): its top left lands on (0, 0).
        let grey = [100u8, 100, 100, 255];
        let mut picture = grey.repeat(6);
        draw(&mut picture, (3, 2), &shape(), (1, 1));
        let px = |p: &[u8], i: usize| p[i * 4..i * 4 + 4].to_vec();
        assert_eq!(px(&picture, 0), vec![255, 255, 255, 255], "opaque white");
        assert_eq!(
            px(&picture, 1),
            vec![50, 50, 50, 255],
            "half black over grey"
        );
        assert_eq!(px(&picture, 2), grey.to_vec(), "beyond the shape");
        assert_eq!(px(&picture, 3), grey.to_vec(), "transparent");
        assert_eq!(px(&picture, 4), vec![0, 0, 255, 255], "opaque red");
        // At the picture's corner, most of it falls outside and is left out.
        let mut picture = grey.repeat(6);
        draw(&mut picture, (3, 2), &shape(), (0, 0));
        assert_eq!(px(&picture, 0), vec![0, 0, 255, 255]);
        assert_eq!(picture[4..].to_vec(), grey.repeat(5));
    }
}
