//! A viewer of the screen stream, without I/O: what every console does with each message the
//! appliance relays (paint a frame, place the pointer, list the monitors), what it answers
//! (acknowledge the frame, ask for a key frame when the picture is lost), and the picture it
//! shows, with the customer's pointer drawn on it. The console core wraps it in its socket task;
//! the web console (issue 16) calls it from JavaScript, compiled to WebAssembly. One
//! implementation of the stream's viewing side for every console.
use super::cursor;
use super::monitors::{self, Monitors};
use super::picture::{Area, Painter, Picture};
use super::{FrameError, ViewerMessage};

/// A pointer's shape as received (see [`cursor::Shape`]).
#[derive(Debug, Clone)]
struct PointerShape {
    hot: (u16, u16),
    size: (u16, u16),
    /// B G R A, premultiplied.
    pixels: Vec<u8>,
}

impl PointerShape {
    fn shape(&self) -> cursor::Shape<'_> {
        cursor::Shape {
            hot_x: self.hot.0,
            hot_y: self.hot.1,
            width: self.size.0,
            height: self.size.1,
            pixels: &self.pixels,
        }
    }
}

/// What a message was, once taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// A frame: `true` when it was painted (a frame after skipped ones waits for a key frame).
    Frame {
        /// Whether the picture changed.
        painted: bool,
        /// Whether it was a key frame.
        key: bool,
    },
    /// The customer's pointer moved or changed shape.
    Pointer,
    /// The customer's monitors.
    Monitors,
}

/// What to do after a message: what to send back, and what went wrong, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Send these to the customer client, in order: a frame's acknowledgement (every frame
    /// received is acknowledged, painted or not, so the next one comes: issue 15), then a key
    /// frame request when the picture was lost.
    pub send: Vec<ViewerMessage>,
    /// What the message was, or why it could not be used (for the log).
    pub heard: Result<Heard, FrameError>,
}

/// A viewer's side of one screen stream.
#[derive(Debug, Default)]
pub struct Viewer {
    painter: Painter,
    /// The customer's pointer: its place on the screen, and its shape once one came.
    pointer: Option<(u16, u16)>,
    shape: Option<PointerShape>,
    /// The same shape with its channels swapped as [`Viewer::draw_rgba`]'s picture's are
    /// (drawing blends each channel alike), made once when the shape comes.
    shape_rgba: Option<PointerShape>,
    /// The pointer moved or changed shape since the last [`Viewer::draw_rgba`].
    pointer_changed: bool,
    /// Where the pointer was last drawn by [`Viewer::draw_rgba`]: painted over when it moves.
    pointer_drawn: Option<Area>,
    monitors: Option<Monitors>,
}

impl Viewer {
    /// The first thing a new viewer sends: a key frame, to start from.
    #[must_use]
    pub fn hello() -> ViewerMessage {
        ViewerMessage::Refresh
    }

    /// Take in one binary message from the stream.
    pub fn receive(&mut self, bytes: &[u8]) -> Reply {
        match bytes.first() {
            Some(&monitors::KIND_MONITORS) => Reply {
                send: Vec::new(),
                heard: monitors::decode(bytes).map(|list| {
                    self.monitors = Some(list);
                    Heard::Monitors
                }),
            },
            Some(&cursor::KIND_CURSOR) => Reply {
                send: Vec::new(),
                heard: self.point(bytes).map(|()| Heard::Pointer),
            },
            _ => {
                let mut send: Vec<ViewerMessage> = super::number_of(bytes)
                    .map(|number| ViewerMessage::Ack { number })
                    .into_iter()
                    .collect();
                let key = super::is_key(bytes);
                let heard = self
                    .painter
                    .paint(bytes)
                    .map(|painted| Heard::Frame { painted, key });
                if heard.is_err() {
                    // The picture cannot be trusted: start again from a whole one.
                    send.extend(self.lost());
                }
                Reply { send, heard }
            }
        }
    }

    /// The appliance says this viewer skipped frames (a text message on the screen stream):
    /// what to send to start again from a key frame.
    pub fn skipped(&mut self) -> Option<ViewerMessage> {
        self.lost()
    }

    fn lost(&mut self) -> Option<ViewerMessage> {
        self.painter.synced = false;
        Some(ViewerMessage::Refresh)
    }

    /// Take in a cursor message: a new place and maybe a new shape. The picture's `seq` moves
    /// on, so a console draws it again.
    fn point(&mut self, bytes: &[u8]) -> Result<(), FrameError> {
        let c = cursor::decode(bytes)?;
        self.pointer = Some((c.x, c.y));
        if let Some(s) = c.shape {
            let shape = PointerShape {
                hot: (s.hot_x, s.hot_y),
                size: (s.width, s.height),
                pixels: s.pixels.to_vec(),
            };
            let mut rgba = shape.clone();
            for p in rgba.pixels.chunks_exact_mut(4) {
                p.swap(0, 2);
            }
            self.shape = Some(shape);
            self.shape_rgba = Some(rgba);
        }
        self.pointer_changed = true;
        if let Some(picture) = self.painter.picture.as_mut() {
            picture.seq += 1;
        }
        Ok(())
    }

    /// The picture as painted, without the pointer.
    #[must_use]
    pub fn picture(&self) -> Option<&Picture> {
        self.painter.picture.as_ref()
    }

    /// The screen's own size, when the picture is it scaled down.
    #[must_use]
    pub fn scaled_from(&self) -> Option<(u16, u16)> {
        self.painter.scaled_from
    }

    /// The customer's monitors and which is sent, once the customer client said.
    #[must_use]
    pub fn monitors(&self) -> Option<&Monitors> {
        self.monitors.as_ref()
    }

    /// Where on the picture the pointer is (its hot spot), mapped from the screen's pixels.
    fn pointer_on_picture(&self, picture: &Picture) -> Option<(u32, u32)> {
        let (x, y) = self.pointer?;
        let (sw, sh) = self
            .painter
            .scaled_from
            .map_or((picture.width, picture.height), |(w, h)| {
                (u32::from(w), u32::from(h))
            });
        Some((
            u32::from(x) * picture.width / sw.max(1),
            u32::from(y) * picture.height / sh.max(1),
        ))
    }

    /// The area of the picture the pointer covers at its place, if it has a shape and place.
    fn pointer_area(&self, picture: &Picture) -> Option<Area> {
        let (x, y) = self.pointer_on_picture(picture)?;
        let s = self.shape.as_ref()?;
        let left = x.saturating_sub(u32::from(s.hot.0));
        let top = y.saturating_sub(u32::from(s.hot.1));
        Area {
            x: left,
            y: top,
            w: u32::from(s.size.0),
            h: u32::from(s.size.1),
        }
        .within(picture.width, picture.height)
    }

    /// The picture with the customer's pointer drawn on it, where it is on the screen.
    #[must_use]
    pub fn picture_with_pointer(&self) -> Option<Picture> {
        let mut picture = self.painter.picture.clone()?;
        if let (Some(at), Some(shape)) = (self.pointer_on_picture(&picture), self.shape.as_ref()) {
            let size = (picture.width, picture.height);
            cursor::draw(&mut picture.pixels, size, &shape.shape(), at);
        }
        Some(picture)
    }

    /// Bring `out`, a copy of the picture as R G B A with the pointer drawn on it (what a
    /// browser's canvas takes), up to date, copying only what changed since the last call:
    /// what was painted, and where the pointer was and is. Returns that area, in which `out`
    /// changed (`None`: nothing did). `out` is resized, and then copied whole, when the
    /// picture's size changed.
    pub fn draw_rgba(&mut self, out: &mut Vec<u8>) -> Option<Area> {
        let picture = self.painter.picture.as_ref()?;
        let (width, height) = (picture.width, picture.height);
        let whole = Area {
            x: 0,
            y: 0,
            w: width,
            h: height,
        };
        let bytes = (width as usize) * (height as usize) * 4;
        let mut changed = self.painter.changed.take();
        if out.len() != bytes {
            out.clear();
            out.resize(bytes, 0);
            changed = Some(whole);
            self.pointer_drawn = None;
        }
        let pointer_now = self.pointer_area(picture);
        // Where the pointer was is painted over and where it is drawn again, when it moved or
        // what is under it was painted.
        let under = |a: Area| changed.is_some_and(|c| c.meets(a));
        if self.pointer_changed || self.pointer_drawn.is_some_and(under) {
            for a in [self.pointer_drawn, pointer_now].into_iter().flatten() {
                changed = Some(Area::with(changed, a));
            }
        }
        self.pointer_changed = false;
        let area = changed?.within(width, height)?;
        let row = width as usize * 4;
        for y in area.y..area.y + area.h {
            let start = y as usize * row + area.x as usize * 4;
            let end = start + area.w as usize * 4;
            let (Some(from), Some(to)) = (picture.pixels.get(start..end), out.get_mut(start..end))
            else {
                continue;
            };
            for (d, s) in to.chunks_exact_mut(4).zip(from.chunks_exact(4)) {
                d.copy_from_slice(&[s[2], s[1], s[0], s[3]]);
            }
        }
        if let (Some(at), Some(shape)) =
            (self.pointer_on_picture(picture), self.shape_rgba.as_ref())
        {
            cursor::draw(out, (width, height), &shape.shape(), at);
        }
        self.pointer_drawn = pointer_now;
        Some(area)
    }

    /// A point of the picture as a point of the customer's screen.
    #[must_use]
    pub fn on_screen(&self, x: u16, y: u16) -> (u16, u16) {
        let (Some(picture), Some((sw, sh))) =
            (self.painter.picture.as_ref(), self.painter.scaled_from)
        else {
            return (x, y);
        };
        let scale = |v: u16, screen: u16, picture: u32| {
            let v = u32::from(v) * u32::from(screen) / picture.max(1);
            u16::try_from(v.min(u32::from(screen.saturating_sub(1)))).unwrap_or(u16::MAX)
        };
        (scale(x, sw, picture.width), scale(y, sh, picture.height))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::{self as screen, Frame, Tile};
    use ruzstd::encoding::{CompressionLevel, compress_to_vec};

    /// A frame taken in: whether it was painted.
    fn paint(viewer: &mut Viewer, bytes: &[u8]) -> Result<bool, FrameError> {
        viewer
            .receive(bytes)
            .heard
            .map(|h| matches!(h, Heard::Frame { painted: true, .. }))
    }

    fn zstd(bytes: &[u8]) -> Vec<u8> {
        compress_to_vec(bytes, CompressionLevel::Fastest)
    }

    /// A 65x1 key frame of two 1x1 tiles, at (0, 0) and (64, 0) (each in a cell of the tile
    /// grid of its own, as the format wants), with the data each tile carries.
    fn frame(first: &[u8], second: &[u8]) -> Vec<u8> {
        let tile = |x, data| Tile {
            x,
            y: 0,
            w: 1,
            h: 1,
            data,
        };
        screen::encode(&Frame {
            key: true,
            width: 65,
            height: 1,
            number: 0,
            scaled_from: None,
            moves: Vec::new(),
            tiles: vec![tile(0, first), tile(64, second)],
        })
    }

    /// A 2x1 key frame of one tile with these two pixels.
    fn whole(data: &[u8]) -> Vec<u8> {
        screen::encode(&Frame {
            key: true,
            width: 2,
            height: 1,
            number: 0,
            scaled_from: None,
            moves: Vec::new(),
            tiles: vec![Tile {
                x: 0,
                y: 0,
                w: 2,
                h: 1,
                data,
            }],
        })
    }

    /// The customer's pointer is drawn on the picture a console gets, at its place on the
    /// screen (mapped onto a picture scaled down), with the last shape received; the picture
    /// held stays without it, and a move alone makes a new picture to draw.
    #[test]
    fn the_customers_pointer_is_drawn_where_it_is_with_its_last_shape() {
        use crate::screen::cursor::{Cursor, Shape, encode};
        let mut canvas = Viewer::default();
        let black = zstd(&[0, 0, 0, 255, 0, 0, 0, 255]);
        assert_eq!(paint(&mut canvas, &whole(&black)), Ok(true));
        let white = [255u8, 255, 255, 255];
        let shape = Shape {
            hot_x: 0,
            hot_y: 0,
            width: 1,
            height: 1,
            pixels: &white,
        };
        let at = |x| Cursor {
            x,
            y: 0,
            shape: None,
        };
        assert_eq!(
            canvas.point(&encode(&Cursor {
                shape: Some(shape),
                ..at(1)
            })),
            Ok(())
        );
        let seq = canvas.painter.picture.as_ref().map(|p| p.seq);
        let shown = canvas
            .picture_with_pointer()
            .map(|p| (p.argb(0, 0), p.argb(1, 0)));
        assert_eq!(shown, Some((Some(0xFF00_0000), Some(0xFFFF_FFFF))));
        assert_eq!(canvas.point(&encode(&at(0))), Ok(()), "a move, same shape");
        assert!(
            canvas.painter.picture.as_ref().map(|p| p.seq) > seq,
            "a new picture to draw"
        );
        let shown = canvas
            .picture_with_pointer()
            .map(|p| (p.argb(0, 0), p.argb(1, 0)));
        assert_eq!(shown, Some((Some(0xFFFF_FFFF), Some(0xFF00_0000))));
        assert_eq!(
            canvas.painter.picture.as_ref().and_then(|p| p.argb(0, 0)),
            Some(0xFF00_0000)
        );
        // The picture is the screen halved: the pointer at the screen's (3, 0) is at (1, 0).
        canvas.painter.scaled_from = Some((4, 2));
        assert_eq!(canvas.point(&encode(&at(3))), Ok(()));
        let shown = canvas.picture_with_pointer().map(|p| p.argb(1, 0));
        assert_eq!(shown, Some(Some(0xFFFF_FFFF)));
        assert!(
            canvas.point(&[2, 1, 0, 0]).is_err(),
            "a broken message is refused"
        );
    }

    #[test]
    fn tiles_compressed_together_are_painted_each_in_its_place() {
        let mut canvas = Viewer::default();
        let both = zstd(&[1, 2, 3, 255, 4, 5, 6, 255]);
        assert_eq!(paint(&mut canvas, &frame(&both, &[])), Ok(true));
        let picture = canvas.picture().cloned().unwrap_or_else(|| unreachable!());
        assert_eq!(
            (picture.argb(0, 0), picture.argb(64, 0)),
            (Some(0xFF03_0201), Some(0xFF06_0504))
        );
        let mut canvas = Viewer::default();
        let (one, two) = (zstd(&[1, 2, 3, 255]), zstd(&[4, 5, 6, 255]));
        assert_eq!(paint(&mut canvas, &frame(&one, &two)), Ok(true), "one each");
    }

    #[test]
    fn a_move_shifts_the_rows_before_the_tiles_are_painted() {
        let mut canvas = Viewer::default();
        let rows = [[1, 1, 1, 255], [2, 2, 2, 255], [3, 3, 3, 255]].concat();
        let column = |data: &[u8], moves: Vec<screen::Move>, key| {
            screen::encode(&Frame {
                key,
                width: 1,
                height: 3,
                number: 0,
                scaled_from: None,
                moves,
                tiles: vec![Tile {
                    x: 0,
                    y: 2,
                    w: 1,
                    h: 1,
                    data,
                }],
            })
        };
        let whole = screen::encode(&Frame {
            tiles: vec![Tile {
                x: 0,
                y: 0,
                w: 1,
                h: 3,
                data: &zstd(&rows),
            }],
            ..screen::decode(&column(&[], Vec::new(), true)).unwrap_or_else(|_| unreachable!())
        });
        assert_eq!(paint(&mut canvas, &whole), Ok(true));
        // Scrolled up a row; the new bottom row is the tile.
        let up = screen::Move {
            x: 0,
            y: 0,
            w: 1,
            h: 2,
            from_x: 0,
            from_y: 1,
        };
        let new_row = zstd(&[9, 9, 9, 255]);
        assert_eq!(
            paint(&mut canvas, &column(&new_row, vec![up], false)),
            Ok(true)
        );
        let picture = canvas.picture().cloned().unwrap_or_else(|| unreachable!());
        assert_eq!(
            picture.pixels,
            [[2, 2, 2, 255], [3, 3, 3, 255], [9, 9, 9, 255]].concat()
        );
    }

    /// A customer client's bytes are not trusted: a group holding more or fewer pixels than its
    /// tiles, or a tile continuing no group, is refused; a small group that would unpack to far
    /// more than its tiles is not unpacked past them.
    #[test]
    fn a_group_that_does_not_match_its_tiles_is_refused() {
        let corrupt = Err(FrameError::Corrupt);
        let short = zstd(&[1, 2, 3, 255]);
        assert_eq!(paint(&mut Viewer::default(), &frame(&short, &[])), corrupt);
        let long = zstd(&[7; 12]);
        assert_eq!(paint(&mut Viewer::default(), &frame(&long, &[])), corrupt);
        assert_eq!(paint(&mut Viewer::default(), &frame(&[], &long)), corrupt);
        let bomb = zstd(&vec![0; 16 << 20]);
        assert!(bomb.len() < 64 << 10, "16 MiB of zeros pack small");
        assert_eq!(paint(&mut Viewer::default(), &frame(&bomb, &[])), corrupt);
    }

    /// The web console's copy of the picture (issue 16): R G B A, only what changed copied, the
    /// customer's pointer drawn on it and painted over where it was when it moves. Every frame
    /// is acknowledged; a broken one also asks for a key frame.
    #[test]
    fn the_rgba_copy_follows_frames_and_the_pointer_copying_only_what_changed() {
        use crate::screen::cursor::{Cursor, Shape, encode};
        let mut viewer = Viewer::default();
        let mut out = Vec::new();
        assert_eq!(viewer.draw_rgba(&mut out), None, "nothing came yet");
        let reply = viewer.receive(&whole(&zstd(&[1, 2, 3, 255, 4, 5, 6, 255])));
        assert_eq!(reply.send, [ViewerMessage::Ack { number: 0 }]);
        let area = |x, w| Some(Area { x, y: 0, w, h: 1 });
        assert_eq!(viewer.draw_rgba(&mut out), area(0, 2));
        assert_eq!(out, [3, 2, 1, 255, 6, 5, 4, 255]);
        assert_eq!(viewer.draw_rgba(&mut out), None, "nothing changed");

        let nine = zstd(&[9, 9, 9, 255]);
        let update = screen::encode(&Frame {
            key: false,
            width: 2,
            height: 1,
            number: 1,
            scaled_from: None,
            moves: Vec::new(),
            tiles: vec![Tile {
                x: 1,
                y: 0,
                w: 1,
                h: 1,
                data: &nine,
            }],
        });
        assert_eq!(
            viewer.receive(&update).send,
            [ViewerMessage::Ack { number: 1 }]
        );
        assert_eq!(viewer.draw_rgba(&mut out), area(1, 1), "the one tile");
        assert_eq!(out, [3, 2, 1, 255, 9, 9, 9, 255]);

        // A red pointer (B G R A: 0, 0, 255) of one pixel at (0, 0), then moved to (1, 0).
        let red = Shape {
            hot_x: 0,
            hot_y: 0,
            width: 1,
            height: 1,
            pixels: &[0, 0, 255, 255],
        };
        let at = |x, shape| encode(&Cursor { x, y: 0, shape });
        assert_eq!(viewer.receive(&at(0, Some(red))).heard, Ok(Heard::Pointer));
        assert_eq!(viewer.draw_rgba(&mut out), area(0, 1));
        assert_eq!(out, [255, 0, 0, 255, 9, 9, 9, 255]);
        assert_eq!(viewer.receive(&at(1, None)).send, []);
        assert_eq!(
            viewer.draw_rgba(&mut out),
            area(0, 2),
            "where it was, and is"
        );
        assert_eq!(out, [3, 2, 1, 255, 255, 0, 0, 255]);
        assert_eq!(
            viewer.picture().map(|p| p.pixels.clone()),
            Some(vec![1, 2, 3, 255, 9, 9, 9, 255]),
            "the picture itself has no pointer"
        );

        let broken = viewer.receive(&frame(&zstd(&[1, 2, 3, 255]), &[]));
        assert_eq!(
            broken.send,
            [ViewerMessage::Ack { number: 0 }, ViewerMessage::Refresh]
        );
        assert_eq!(broken.heard, Err(FrameError::Corrupt));
        assert_eq!(viewer.skipped(), Some(ViewerMessage::Refresh));
    }
}
