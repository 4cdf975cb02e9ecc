//! Turns grabbed screens into frames: only the tiles that changed since the last frame sent,
//! each compressed losslessly with zstd; every tile in a key frame.
use super::{Grab, dragged, scroll};
use tandem_core::screen::{self, Frame, TILE, Tile};

/// zstd level 1: the fastest, and screens compress well even so.
const LEVEL: i32 = 1;

/// A tile's place: left, top, width, height.
type Rect = (usize, usize, usize, usize);

/// Remembers what the viewers were last sent.
#[derive(Debug, Default)]
pub struct Encoder {
    previous: Vec<u8>,
    width: u16,
    height: u16,
    number: u32,
}

/// The part of a tile that changed: its rows from the first to the last that differ (a new
/// line of text at the bottom of a scrolled terminal is a few rows, not the tile's 64), and
/// within them its columns from the first to the last that differ (a typed letter is a few
/// columns; a window's edge inside a tile is where its scroll starts, see `scroll`).
fn tile_changed(previous: &[u8], now: &[u8], width: usize, (x, y, w, h): Rect) -> Option<Rect> {
    fn line(picture: &[u8], width: usize, (x, w): (usize, usize), row: usize) -> &[u8] {
        let at = (row * width + x) * 4;
        picture.get(at..at + w * 4).unwrap_or_default()
    }
    let line = |picture, row| line(picture, width, (x, w), row);
    let differs = |row: &usize| line(previous, *row) != line(now, *row);
    let first = (y..y + h).find(differs)?;
    let last = (first..y + h).rev().find(differs).unwrap_or(first);
    let (mut left, mut right) = (w, 0);
    for row in first..=last {
        let (before, after) = (line(previous, row), line(now, row));
        let pixel = |c: &usize| before.get(c * 4..c * 4 + 4) != after.get(c * 4..c * 4 + 4);
        if let Some(l) = (0..left).find(pixel) {
            left = l;
        }
        if let Some(r) = (right..w).rev().find(pixel) {
            right = r + 1;
        }
    }
    if right <= left {
        // (Rows differ, so some pixel does; kept whole should the slices ever be short.)
        return Some((x, first, w, last + 1 - first));
    }
    Some((x + left, first, right - left, last + 1 - first))
}

/// A tile's pixels with the unused byte set to opaque alpha.
fn tile_pixels(now: &[u8], width: usize, (x, y, w, h): Rect, out: &mut Vec<u8>) {
    out.clear();
    for row in y..y + h {
        let at = (row * width + x) * 4;
        if let Some(line) = now.get(at..at + w * 4) {
            for p in line.chunks_exact(4) {
                out.extend_from_slice(&[p[0], p[1], p[2], 0xFF]);
            }
        }
    }
}

/// Below this many tiles, one thread: starting others costs more than it saves.
const PARALLEL_FROM: usize = 32;

/// Compress the tiles in groups, each group's pixels in one zstd frame so that what repeats
/// across tiles (a terminal's letters, a window's edges) is said once: one group, or one per
/// core when there are many tiles (a key frame). In their order; the first tile of a group
/// carries its data, the others none.
fn compress_all(pixels: &[u8], width: usize, rects: &[Rect]) -> Option<Vec<(Rect, Vec<u8>)>> {
    if rects.is_empty() {
        // Moves alone made the picture.
        return Some(Vec::new());
    }
    let compress = |part: &[Rect]| -> Option<Vec<(Rect, Vec<u8>)>> {
        let (mut joined, mut tile) = (Vec::new(), Vec::new());
        for rect in part {
            tile_pixels(pixels, width, *rect, &mut tile);
            joined.extend_from_slice(&tile);
        }
        let data = zstd::bulk::compress(&joined, LEVEL).ok()?;
        let mut group: Vec<(Rect, Vec<u8>)> = part.iter().map(|r| (*r, Vec::new())).collect();
        group.first_mut()?.1 = data;
        Some(group)
    };
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if rects.len() < PARALLEL_FROM || threads < 2 {
        return compress(rects);
    }
    let chunk = rects.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = rects
            .chunks(chunk)
            .map(|part| scope.spawn(move || compress(part)))
            .collect();
        let mut all = Vec::with_capacity(rects.len());
        for part in parts {
            all.extend(part.join().ok()??);
        }
        Some(all)
    })
}

impl Encoder {
    /// The next frame: the tiles that changed, or all of them when `key` is set or the picture
    /// changed size. `None` when nothing changed. `scaled_from` is the screen's own size when
    /// `grab` is it scaled down.
    pub fn encode(
        &mut self,
        grab: &Grab<'_>,
        key: bool,
        scaled_from: Option<(u16, u16)>,
    ) -> Option<Vec<u8>> {
        let resized = grab.width != self.width || grab.height != self.height;
        let key = key || resized || self.previous.len() != grab.pixels.len();
        let (width, height) = (usize::from(grab.width), usize::from(grab.height));
        let side = usize::from(TILE);
        let tiles_changed = |previous: &[u8]| -> Vec<Rect> {
            (0..height)
                .step_by(side)
                .flat_map(|y| {
                    (0..width)
                        .step_by(side)
                        .map(move |x| (x, y, side.min(width - x), side.min(height - y)))
                })
                .filter_map(|rect| {
                    if key {
                        Some(rect)
                    } else if grab
                        .damaged
                        .is_some_and(|areas| !areas.iter().any(|a| a.meets(rect)))
                    {
                        // Nothing was drawn there: not compared (issue 15: comparing the
                        // whole screen was most of a scrolling terminal's cost).
                        None
                    } else {
                        tile_changed(previous, grab.pixels, width, rect)
                    }
                })
                .collect()
        };
        let mut changed = tiles_changed(&self.previous);
        if changed.is_empty() {
            return None;
        }
        let mut moves = Vec::new();
        // Windows dragged, then a scroll within what changed: moved on the viewers' picture,
        // then only what is new is sent.
        if !key {
            for shift in grab.shifts {
                if let Some(m) =
                    dragged::verify(&self.previous, grab.pixels, (width, height), shift)
                        .filter(|m| screen::move_fits(&moves, *m, (grab.width, grab.height)))
                {
                    screen::apply_move(&mut self.previous, width, m);
                    moves.push(m);
                }
            }
            if !moves.is_empty() {
                changed = tiles_changed(&self.previous);
            }
        }
        if !key && !changed.is_empty() {
            let (columns, rows) = scroll::busiest_band(&changed);
            if let Some(m) = scroll::find(&self.previous, grab.pixels, width, columns, rows)
                .filter(|m| screen::move_fits(&moves, *m, (grab.width, grab.height)))
            {
                screen::apply_move(&mut self.previous, width, m);
                moves.push(m);
                changed = tiles_changed(&self.previous);
            }
        }
        let Some(compressed) = compress_all(grab.pixels, width, &changed) else {
            // Not sent: what the viewers hold is no longer known (a move may have been applied
            // here), so the next frame is a key frame.
            self.previous.clear();
            return None;
        };
        if key {
            self.previous.clear();
            self.previous.extend_from_slice(grab.pixels);
        } else {
            // The rest is already the same (compared, or moved and checked): only the changed
            // rows are copied, not the whole screen.
            for (x, y, w, h) in &changed {
                for row in *y..y + h {
                    let at = (row * width + x) * 4;
                    if let (Some(to), Some(from)) = (
                        self.previous.get_mut(at..at + w * 4),
                        grab.pixels.get(at..at + w * 4),
                    ) {
                        to.copy_from_slice(from);
                    }
                }
            }
        }
        self.width = grab.width;
        self.height = grab.height;
        let number = self.number;
        self.number = self.number.wrapping_add(1);
        let as_u16 = |v: usize| u16::try_from(v).unwrap_or(u16::MAX);
        let tiles = compressed
            .iter()
            .map(|((x, y, w, h), data)| Tile {
                x: as_u16(*x),
                y: as_u16(*y),
                w: as_u16(*w),
                h: as_u16(*h),
                data,
            })
            .collect();
        Some(screen::encode(&Frame {
            key,
            width: grab.width,
            height: grab.height,
            number,
            scaled_from,
            moves,
            tiles,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(width: u16, height: u16, fill: [u8; 4]) -> Vec<u8> {
        fill.repeat(usize::from(width) * usize::from(height))
    }

    #[test]
    fn only_changed_tiles_are_sent_after_the_first_frame() {
        let mut encoder = Encoder::default();
        let mut pixels = screen(200, 100, [1, 2, 3, 0]);
        let first = encoder
            .encode(&grab(&pixels), false, None)
            .map(|b| screen::decode(&b).map(|f| (f.key, f.tiles.len())).ok());
        // 200x100 in 64-pixel tiles: 4 columns, 2 rows.
        assert_eq!(first, Some(Some((true, 8))));
        assert_eq!(
            encoder.encode(&grab(&pixels), false, None),
            None,
            "nothing changed"
        );
        // One pixel in the second row, third column.
        let at = (70 * 200 + 130) * 4;
        pixels[at] = 9;
        let second = encoder
            .encode(&grab(&pixels), false, None)
            .unwrap_or_default();
        let frame = screen::decode(&second).ok();
        assert_eq!(
            frame.as_ref().map(|f| (f.key, f.tiles.len())),
            Some((false, 1))
        );
        // The tile's changed pixel only: (128, 64) is the tile, 70 the row, 130 the column.
        assert_eq!(
            frame.map(|f| (f.tiles[0].x, f.tiles[0].y, f.tiles[0].w, f.tiles[0].h)),
            Some((130, 70, 1, 1))
        );
        let refreshed = encoder
            .encode(&grab(&pixels), true, None)
            .unwrap_or_default();
        assert_eq!(
            screen::decode(&refreshed).map(|f| f.tiles.len()).ok(),
            Some(8),
            "a key frame has every tile"
        );
    }

    /// Tiles the display says nothing was drawn in are not compared: only the damaged ones can
    /// be sent (the display reports every drawing, so nothing is missed on a real screen).
    #[test]
    fn only_tiles_in_the_damaged_areas_are_compared() {
        use crate::screen::Area;
        let mut encoder = Encoder::default();
        let mut pixels = screen(200, 100, [1, 2, 3, 0]);
        assert!(encoder.encode(&grab(&pixels), false, None).is_some());
        // Two pixels change: one in the first tile, one in the last; only the first's area is
        // said to be damaged.
        pixels[0] = 9;
        let last = (99 * 200 + 199) * 4;
        pixels[last] = 9;
        let areas = [Area {
            x: 0,
            y: 0,
            width: 1,
            height: 1,
        }];
        let partial = Grab {
            damaged: Some(&areas),
            ..grab(&pixels)
        };
        let frame = encoder.encode(&partial, false, None).unwrap_or_default();
        let tiles =
            screen::decode(&frame).map(|f| f.tiles.iter().map(|t| (t.x, t.y)).collect::<Vec<_>>());
        assert_eq!(tiles.ok(), Some(vec![(0, 0)]));
        // Told the whole screen may have changed, the other one is found.
        let frame = encoder
            .encode(&grab(&pixels), false, None)
            .unwrap_or_default();
        let tiles =
            screen::decode(&frame).map(|f| f.tiles.iter().map(|t| (t.x, t.y)).collect::<Vec<_>>());
        assert_eq!(tiles.ok(), Some(vec![(199, 99)]));
    }

    #[test]
    fn a_key_frame_compressed_on_several_threads_has_every_tile_in_order_and_intact() {
        let (w, h) = (1024u16, 512u16);
        // Every pixel different, so a misplaced tile would show.
        let pixels: Vec<u8> = (0..u32::from(w) * u32::from(h))
            .flat_map(|i| [i as u8, (i >> 8) as u8, (i >> 16) as u8, 0])
            .collect();
        let bytes = Encoder::default()
            .encode(&Grab::whole(w, h, &pixels), true, None)
            .unwrap_or_default();
        let frame = screen::decode(&bytes).ok();
        let tiles = frame.map(|f| f.tiles).unwrap_or_default();
        assert_eq!(tiles.len(), 16 * 8);
        let groups = tiles.iter().filter(|t| !t.data.is_empty()).count();
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        assert!(
            (1..=threads).contains(&groups),
            "one group per core: {groups}"
        );
        // A group's pixels are its tiles' in order: the first tile carries them.
        let (mut group, mut at) = (Vec::new(), 0);
        for (i, t) in tiles.iter().enumerate() {
            assert_eq!(
                (usize::from(t.x), usize::from(t.y)),
                ((i % 16) * 64, (i / 16) * 64)
            );
            if !t.data.is_empty() {
                assert_eq!(at, group.len(), "the group before tile {i} was used up");
                group = zstd::stream::decode_all(t.data).unwrap_or_default();
                at = 0;
            }
            let mut want = Vec::new();
            tile_pixels(
                &pixels,
                usize::from(w),
                (usize::from(t.x), usize::from(t.y), 64, 64),
                &mut want,
            );
            let got = group.get(at..at + want.len());
            assert!(got == Some(&want[..]), "tile {i}");
            at += want.len();
        }
        assert_eq!(at, group.len());
    }

    /// What a viewer holding `picture` makes of a frame: the moves, then the tiles' groups.
    fn viewer_paints(picture: &mut Vec<u8>, width: usize, bytes: &[u8]) {
        let frame = screen::decode(bytes).unwrap_or_else(|e| panic!("{e}"));
        if frame.key {
            picture.clear();
            picture.resize(width * usize::from(frame.height) * 4, 0);
        }
        for m in &frame.moves {
            screen::apply_move(picture, width, *m);
        }
        let (mut group, mut at) = (Vec::new(), 0);
        for t in &frame.tiles {
            if !t.data.is_empty() {
                group = zstd::stream::decode_all(t.data).unwrap_or_default();
                at = 0;
            }
            let row = usize::from(t.w) * 4;
            for r in 0..usize::from(t.h) {
                let to = ((usize::from(t.y) + r) * width + usize::from(t.x)) * 4;
                picture[to..to + row].copy_from_slice(&group[at..at + row]);
                at += row;
            }
        }
    }

    /// The encoder's memory of what viewers hold stays true: frame after frame (a scroll, a
    /// change in one tile, a scroll back), a viewer painting every frame has the screen, pixel
    /// for pixel (alpha aside).
    #[test]
    fn a_viewer_painting_every_frame_always_holds_the_screen() {
        let (w, h) = (200usize, 180usize);
        let screen_with = |lines: &dyn Fn(usize) -> u8| -> Vec<u8> {
            (0..h)
                .flat_map(|y| {
                    (0..w).flat_map(move |x| [lines(y), (x * 3) as u8 ^ lines(y), 9, 0xFF])
                })
                .collect()
        };
        let grab_of = |pixels: &[u8]| -> Vec<u8> { pixels.to_vec() };
        let pictures = [
            screen_with(&|y| (y * 7 % 251) as u8),
            screen_with(&|y| ((y + 13) * 7 % 251) as u8),
            screen_with(&|y| {
                if y == 40 {
                    1
                } else {
                    ((y + 13) * 7 % 251) as u8
                }
            }),
            screen_with(&|y| ((y + 39) * 7 % 251) as u8),
            screen_with(&|y| (y * 7 % 251) as u8),
        ];
        let mut encoder = Encoder::default();
        let mut viewer = Vec::new();
        let mut moved = 0;
        for (i, pixels) in pictures.iter().enumerate() {
            let copy = grab_of(pixels);
            let grab = Grab::whole(w as u16, h as u16, &copy);
            let bytes = encoder
                .encode(&grab, i == 0, None)
                .unwrap_or_else(|| panic!("frame {i}"));
            moved += screen::decode(&bytes).map_or(0, |f| f.moves.len());
            viewer_paints(&mut viewer, w, &bytes);
            assert!(
                viewer == *pixels,
                "frame {i}: the viewer's picture is the screen"
            );
        }
        assert!(moved >= 2, "the scrolls were sent as moves: {moved}");
    }

    /// A window that does not line up with the tiles, scrolled over a desktop whose rows all
    /// differ (a gradient): the columns beside the window did not change, so the tiles are
    /// trimmed to the window's edge and its scroll is found and sent as a move.
    #[test]
    fn a_window_scrolled_off_the_tile_grid_over_a_gradient_is_sent_as_a_move() {
        let (w, h) = (300usize, 200usize);
        let picture = |shift: usize| -> Vec<u8> {
            (0..h)
                .flat_map(|y| {
                    (0..w).flat_map(move |x| {
                        if (70..230).contains(&x) && (20..180).contains(&y) {
                            let line = ((y - 20 + shift) * 37 % 241) as u8;
                            [line, (x as u8) ^ line, 200, 255]
                        } else {
                            [(y % 256) as u8, (x / 2) as u8, 90, 255]
                        }
                    })
                })
                .collect()
        };
        let (before, after) = (picture(0), picture(9));
        let mut encoder = Encoder::default();
        let mut viewer = Vec::new();
        let key = encoder.encode(&Grab::whole(w as u16, h as u16, &before), true, None);
        viewer_paints(&mut viewer, w, &key.unwrap_or_default());
        let bytes = encoder
            .encode(&Grab::whole(w as u16, h as u16, &after), false, None)
            .unwrap_or_default();
        let frame = screen::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            frame
                .moves
                .iter()
                .map(|m| (m.x, m.w, m.from_y - m.y))
                .collect::<Vec<_>>(),
            vec![(70, 160, 9)]
        );
        viewer_paints(&mut viewer, w, &bytes);
        assert!(viewer == after, "the viewer holds the screen");
    }

    fn grab(pixels: &[u8]) -> Grab<'_> {
        Grab::whole(200, 100, pixels)
    }
}
