//! The screen's picture and the decoder that paints frames into it: the one implementation of
//! the format's decoding, used by the console core (the Android app, through the bindings) and
//! compiled for the browser's web console (issue 16). Pure Rust (ruzstd), no clock, no I/O, so
//! it builds for `wasm32-unknown-unknown` as for a phone.
use super::FrameError;
use std::io::Read;

/// The customer's screen as last painted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// Counts up with every frame painted; pull with the last one you drew.
    pub seq: u64,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` pixels of 4 bytes, B G R A, rows top to bottom.
    pub pixels: Vec<u8>,
}

impl Picture {
    /// The pixel at (x, y) as `0xAARRGGBB`, or `None` outside the picture.
    #[must_use]
    pub fn argb(&self, x: u32, y: u32) -> Option<u32> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let at = usize::try_from((y * self.width + x) * 4).ok()?;
        let p = self.pixels.get(at..at + 4)?;
        Some(u32::from_le_bytes([p[0], p[1], p[2], p[3]]))
    }
}

/// Paints frames into the current picture.
#[derive(Debug, Default)]
pub struct Painter {
    /// The picture so far, once a key frame came.
    pub picture: Option<Picture>,
    /// The screen's own size, when the picture is it scaled down (pointer positions are in it).
    pub scaled_from: Option<(u16, u16)>,
    /// False until a key frame arrives, and again after frames were skipped.
    pub synced: bool,
    /// What was painted since a drawer last took it: a console that copies the picture out
    /// (the web console into its canvas) copies only this.
    pub changed: Option<Area>,
}

/// A rectangle of the picture, in its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

impl Area {
    /// The smallest area holding both.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        let (x, y) = (self.x.min(other.x), self.y.min(other.y));
        let right = (self.x + self.w).max(other.x + other.w);
        let bottom = (self.y + self.h).max(other.y + other.h);
        Self {
            x,
            y,
            w: right - x,
            h: bottom - y,
        }
    }

    /// This area grown to hold `other` too, or `other` alone.
    #[must_use]
    pub fn with(this: Option<Self>, other: Self) -> Self {
        this.map_or(other, |a| a.union(other))
    }

    /// Whether the two share a pixel.
    #[must_use]
    pub fn meets(self, other: Self) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    /// What of this area lies within a picture of `width` x `height` (`None`: nothing).
    #[must_use]
    pub fn within(self, width: u32, height: u32) -> Option<Self> {
        let right = (self.x + self.w).min(width);
        let bottom = (self.y + self.h).min(height);
        (self.x < right && self.y < bottom).then(|| Self {
            x: self.x,
            y: self.y,
            w: right - self.x,
            h: bottom - self.y,
        })
    }
}

impl Painter {
    /// Decode a frame and copy its tiles into the picture: `Ok(false)` when it cannot be painted
    /// yet (no key frame since the last one skipped). What a frame may cost is bounded by the
    /// format ([`super::decode`]): at most [`super::MAX_MOVES`] moves covering at most the
    /// picture, tiles that never overlap, each group of tiles unpacked into a buffer of exactly
    /// the pixels its tiles declare; so painting any frame costs about as much as painting one
    /// whole picture, whatever its bytes say (issue 26).
    ///
    /// # Errors
    /// When the frame is malformed or its data corrupt; the picture is then not to be trusted
    /// until the next key frame.
    #[allow(clippy::cast_possible_truncation)]
    pub fn paint(&mut self, bytes: &[u8]) -> Result<bool, FrameError> {
        let frame = super::decode(bytes)?;
        let (width, height) = (u32::from(frame.width), u32::from(frame.height));
        let fits = self
            .picture
            .as_ref()
            .is_some_and(|p| p.width == width && p.height == height);
        if !frame.key && (!self.synced || !fits) {
            return Ok(false);
        }
        if !fits {
            self.picture = Some(Picture {
                seq: self.picture.as_ref().map_or(0, |p| p.seq),
                width,
                height,
                pixels: vec![0; (width * height * 4) as usize],
            });
        }
        self.scaled_from = frame.scaled_from;
        let Some(picture) = self.picture.as_mut() else {
            return Ok(false);
        };
        let mut changed = if fits { self.changed } else { None };
        if frame.key {
            changed = Some(Area {
                x: 0,
                y: 0,
                w: width,
                h: height,
            });
        }
        let area = |x: u16, y: u16, w: u16, h: u16| Area {
            x: x.into(),
            y: y.into(),
            w: w.into(),
            h: h.into(),
        };
        for m in &frame.moves {
            super::apply_move(&mut picture.pixels, width as usize, *m);
            changed = Some(Area::with(changed, area(m.x, m.y, m.w, m.h)));
        }
        // Tiles come in groups compressed together (a tile whose data is empty continues the
        // group before it); a group's pixels are the tiles' in order, nothing more.
        let mut group = Vec::new();
        let mut at = 0;
        for (i, tile) in frame.tiles.iter().enumerate() {
            let row = usize::from(tile.w) * 4;
            let size = row * usize::from(tile.h);
            if !tile.data.is_empty() {
                if at != group.len() {
                    return Err(super::FrameError::Corrupt);
                }
                let expected: usize = size
                    + frame.tiles[i + 1..]
                        .iter()
                        .take_while(|t| t.data.is_empty())
                        .map(|t| usize::from(t.w) * 4 * usize::from(t.h))
                        .sum::<usize>();
                // Unpacked into exactly what the tiles declare (at most the picture's pixels:
                // the format's tiles never overlap), and refused if the data holds more.
                group.clear();
                group.resize(expected, 0);
                let mut unpacked = ruzstd::decoding::StreamingDecoder::new(tile.data)
                    .map_err(|_| super::FrameError::Corrupt)?;
                unpacked
                    .read_exact(&mut group)
                    .map_err(|_| super::FrameError::Corrupt)?;
                if unpacked
                    .read(&mut [0u8; 1])
                    .map_err(|_| super::FrameError::Corrupt)?
                    != 0
                {
                    return Err(super::FrameError::Corrupt);
                }
                at = 0;
            }
            let pixels = group.get(at..at + size).ok_or(super::FrameError::Corrupt)?;
            at += size;
            changed = Some(Area::with(changed, area(tile.x, tile.y, tile.w, tile.h)));
            for (r, line) in pixels.chunks_exact(row.max(1)).enumerate() {
                let y = usize::from(tile.y) + r;
                let to = (y * width as usize + usize::from(tile.x)) * 4;
                picture.pixels[to..to + row].copy_from_slice(line);
            }
        }
        if at != group.len() {
            return Err(super::FrameError::Corrupt);
        }
        picture.seq += 1;
        self.synced = true;
        self.changed = changed;
        Ok(true)
    }
}
