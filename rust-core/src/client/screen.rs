//! The streaming client: a technician's view of the customer's screen. A background task reads
//! frames from the appliance and paints them into the current picture; the app pulls the
//! newest picture when it is ready to draw (no per-frame callback, nothing queued: a slow
//! phone skips pictures, never falls behind). Pointer and key events go back the same way.
use super::api::Api;
use super::error::ClientError;
use crate::domain::SessionId;
use crate::screen::picture::Painter;
pub use crate::screen::picture::Picture;
use crate::screen::{self, ViewerMessage};
use futures_util::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// What a view has received so far: for a bitrate shown to the technician, and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Received {
    /// Frames received (painted or not).
    pub frames: u64,
    /// Their bytes, as the appliance sent them.
    pub bytes: u64,
    /// Key frames painted, and the time their decoding and painting took.
    pub key_frames: u64,
    /// (See `key_frames`.)
    pub key_painting: std::time::Duration,
    /// Other frames painted, and the time theirs took.
    pub updates: u64,
    /// (See `updates`.)
    pub painting: std::time::Duration,
}

#[derive(Debug, Default)]
struct Canvas {
    /// The picture, painted frame by frame by the decoder every console shares.
    painter: Painter,
    received: Received,
    closed: bool,
    /// The customer's pointer: its place on the screen, and its shape once one came.
    pointer: Option<(u16, u16)>,
    pointer_shape: Option<PointerShape>,
    /// The customer's monitors and which is sent, once the customer client said.
    monitors: Option<screen::monitors::Monitors>,
}

/// A pointer's shape as received (see [`screen::cursor::Shape`]).
#[derive(Debug)]
struct PointerShape {
    hot: (u16, u16),
    size: (u16, u16),
    pixels: Vec<u8>,
}

impl Canvas {
    /// Take in a cursor message: a new place and maybe a new shape. The picture's `seq` moves
    /// on, so a console draws it again.
    fn point(&mut self, bytes: &[u8]) -> Result<(), screen::FrameError> {
        let cursor = screen::cursor::decode(bytes)?;
        self.pointer = Some((cursor.x, cursor.y));
        if let Some(s) = cursor.shape {
            self.pointer_shape = Some(PointerShape {
                hot: (s.hot_x, s.hot_y),
                size: (s.width, s.height),
                pixels: s.pixels.to_vec(),
            });
        }
        if let Some(picture) = self.painter.picture.as_mut() {
            picture.seq += 1;
        }
        Ok(())
    }

    /// The picture with the customer's pointer drawn on it, where it is on the screen.
    fn picture_with_pointer(&self) -> Option<Picture> {
        let mut picture = self.painter.picture.clone()?;
        let (Some((x, y)), Some(shape)) = (self.pointer, self.pointer_shape.as_ref()) else {
            return Some(picture);
        };
        let (sw, sh) = self
            .painter
            .scaled_from
            .map_or((picture.width, picture.height), |(w, h)| {
                (u32::from(w), u32::from(h))
            });
        let at = (
            u32::from(x) * picture.width / sw.max(1),
            u32::from(y) * picture.height / sh.max(1),
        );
        let shape = screen::cursor::Shape {
            hot_x: shape.hot.0,
            hot_y: shape.hot.1,
            width: shape.size.0,
            height: shape.size.1,
            pixels: &shape.pixels,
        };
        let size = (picture.width, picture.height);
        screen::cursor::draw(&mut picture.pixels, size, &shape, at);
        Some(picture)
    }

    /// A point of the picture as a point of the customer's screen.
    fn on_screen(&self, x: u16, y: u16) -> (u16, u16) {
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

/// An open view of a session's screen, closed when dropped.
#[derive(Debug)]
pub struct ScreenView {
    canvas: Arc<Mutex<Canvas>>,
    outgoing: mpsc::Sender<ViewerMessage>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ScreenView {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Paint a frame's tiles. Anything wrong with it leaves the canvas unsynced, so the next key
/// frame repaints everything.
fn paint(canvas: &mut Canvas, bytes: &[u8]) -> Result<bool, screen::FrameError> {
    canvas.received.frames += 1;
    canvas.received.bytes += bytes.len() as u64;
    let started = std::time::Instant::now();
    let painted = canvas.painter.paint(bytes);
    if painted == Ok(true) {
        let r = &mut canvas.received;
        if screen::is_key(bytes) {
            r.key_frames += 1;
            r.key_painting += started.elapsed();
        } else {
            r.updates += 1;
            r.painting += started.elapsed();
        }
    }
    painted
}

impl ScreenView {
    /// Open the session's screen, which must be shared (the customer allowed it).
    ///
    /// # Errors
    /// `Refused` when the rules do not allow it now; otherwise a connection failure.
    pub async fn open(api: &Api, session: SessionId) -> Result<Self, ClientError> {
        let socket =
            super::stream::open(api, &format!("api/v1/sessions/{}/screen", session.0)).await?;
        let (mut sink, mut source) = socket.split();
        let canvas = Arc::new(Mutex::new(Canvas::default()));
        let (outgoing, mut queued) = mpsc::channel::<ViewerMessage>(64);
        let painter = canvas.clone();
        let refresh = outgoing.clone();
        // A new viewer starts from a key frame.
        let _ = outgoing.try_send(ViewerMessage::Refresh);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    message = source.next() => match message {
                        Some(Ok(Message::Binary(bytes))) if bytes.first() == Some(&screen::monitors::KIND_MONITORS) => {
                            match screen::monitors::decode(&bytes) {
                                Ok(list) => if let Ok(mut c) = painter.lock() { c.monitors = Some(list) },
                                Err(e) => tracing::warn!(error = %e, "the customer's monitors could not be read"),
                            }
                        }
                        Some(Ok(Message::Binary(bytes))) if bytes.first() == Some(&screen::cursor::KIND_CURSOR) => {
                            let pointed = painter.lock().map(|mut c| c.point(&bytes));
                            match pointed {
                                Ok(Ok(())) => {}
                                Ok(Err(e)) => tracing::warn!(error = %e, "the customer's pointer could not be read"),
                                Err(_) => break,
                            }
                        }
                        Some(Ok(Message::Binary(bytes))) => {
                            let painted = painter.lock().map(|mut c| paint(&mut c, &bytes)).map_err(|_| ());
                            // Every frame received is acknowledged, painted or not, so the customer
                            // client sends the next (issue 15). Sent here, not queued behind input.
                            if let Some(number) = screen::number_of(&bytes) {
                                let ack = serde_json::to_string(&ViewerMessage::Ack { number }).unwrap_or_default();
                                if sink.send(Message::Text(ack.into())).await.is_err() { break }
                            }
                            match painted {
                                Ok(Ok(_)) => {}
                                Ok(Err(e)) => {
                                    tracing::warn!(error = %e, "a screen frame could not be painted");
                                    if let Ok(mut c) = painter.lock() { c.painter.synced = false; }
                                    let _ = refresh.try_send(ViewerMessage::Refresh);
                                }
                                Err(_) => break,
                            }
                        }
                        // The appliance says this viewer skipped frames: start again from a key frame.
                        Some(Ok(Message::Text(_))) => {
                            if let Ok(mut c) = painter.lock() { c.painter.synced = false; }
                            let _ = refresh.try_send(ViewerMessage::Refresh);
                        }
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                        Some(Ok(_)) => {}
                    },
                    next = queued.recv() => match next {
                        Some(m) => {
                            let text = serde_json::to_string(&m).unwrap_or_default();
                            if sink.send(Message::Text(text.into())).await.is_err() { break }
                        }
                        None => break,
                    },
                }
            }
            if let Ok(mut c) = painter.lock() {
                c.closed = true;
            }
        });
        Ok(Self {
            canvas,
            outgoing,
            task,
        })
    }

    /// The newest picture if it is newer than `after` (the `seq` you last drew; 0 at first),
    /// with the customer's pointer drawn on it.
    #[must_use]
    pub fn latest(&self, after: u64) -> Option<Picture> {
        let canvas = self.canvas.lock().ok()?;
        if canvas.painter.picture.as_ref()?.seq <= after {
            return None;
        }
        canvas.picture_with_pointer()
    }

    /// The frames and bytes received so far.
    #[must_use]
    pub fn received(&self) -> Received {
        self.canvas
            .lock()
            .map_or_else(|_| Received::default(), |c| c.received)
    }

    /// Whether the stream has ended (screen sharing stopped, or the right to it was withdrawn).
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.canvas.lock().map_or(true, |c| c.closed)
    }

    /// A handle for sending pointer and keys, usable apart from the view.
    #[must_use]
    pub fn input(&self) -> ScreenInput {
        ScreenInput {
            outgoing: self.outgoing.clone(),
            canvas: Arc::clone(&self.canvas),
        }
    }

    /// Say how many pixels this viewer shows the whole screen in: the customer client sends the
    /// screen scaled down to fit (never up), so a phone gets what it can show (issue 15). Ask
    /// again with more when the technician zooms in, up to the screen's own size for every
    /// detail. Pictures then come at that size; pointer positions stay in the picture's pixels.
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn show(&self, width: u16, height: u16) -> Result<(), ClientError> {
        self.input().show(width, height).await
    }

    /// The customer's monitors and which one is sent (`shown: None`, the whole desktop), once
    /// the customer client said; `None` before.
    #[must_use]
    pub fn monitors(&self) -> Option<screen::monitors::Monitors> {
        self.canvas.lock().ok()?.monitors.clone()
    }

    /// See one monitor alone, or the whole desktop; see [`ScreenInput::monitor`].
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn monitor(&self, index: Option<u8>) -> Result<(), ClientError> {
        self.input().monitor(index).await
    }

    /// Move the pointer and set its buttons; see [`ScreenInput::pointer`].
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn pointer(&self, x: u16, y: u16, buttons: u8) -> Result<(), ClientError> {
        self.input().pointer(x, y, buttons).await
    }

    /// Press or release a key; see [`ScreenInput::key`].
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn key(&self, keysym: u32, down: bool) -> Result<(), ClientError> {
        self.input().key(keysym, down).await
    }
}

/// Sends a viewer's pointer and keys to the customer's screen.
#[derive(Debug, Clone)]
pub struct ScreenInput {
    outgoing: mpsc::Sender<ViewerMessage>,
    canvas: Arc<Mutex<Canvas>>,
}

impl ScreenInput {
    /// Move the pointer to (x, y) of the picture last painted and set its buttons (bit 0 left,
    /// 1 middle, 2 right); a scaled picture's point is sent as the screen's. The appliance
    /// forwards it only while this technician has control (A1).
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn pointer(&self, x: u16, y: u16, buttons: u8) -> Result<(), ClientError> {
        let (x, y) = self.canvas.lock().map_or((x, y), |c| c.on_screen(x, y));
        self.send(ViewerMessage::Pointer { x, y, buttons }).await
    }

    /// Press or release a key (an X11 keysym; Latin-1 characters are their own code).
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn key(&self, keysym: u32, down: bool) -> Result<(), ClientError> {
        self.send(ViewerMessage::Key { keysym, down }).await
    }

    /// Show the whole screen within `width` x `height` pixels; see [`ScreenView::show`].
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn show(&self, width: u16, height: u16) -> Result<(), ClientError> {
        self.send(ViewerMessage::View { width, height }).await
    }

    /// Ask for one monitor alone (its index in [`ScreenView::monitors`]), or the whole desktop
    /// (`None`). The stream is shared: every viewer of the session then sees it (the last
    /// choice counts). Pictures then come of that monitor, and pointer positions are its own.
    ///
    /// # Errors
    /// When the stream has ended.
    pub async fn monitor(&self, index: Option<u8>) -> Result<(), ClientError> {
        self.send(ViewerMessage::Monitor { index }).await
    }

    async fn send(&self, message: ViewerMessage) -> Result<(), ClientError> {
        self.outgoing
            .send(message)
            .await
            .map_err(|_| ClientError::Network("the screen stream has ended".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::{Frame, Tile};
    use ruzstd::encoding::{CompressionLevel, compress_to_vec};

    fn zstd(bytes: &[u8]) -> Vec<u8> {
        compress_to_vec(bytes, CompressionLevel::Fastest)
    }

    /// A 2x1 key frame of two 1x1 tiles, with the data each tile carries.
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
            width: 2,
            height: 1,
            number: 0,
            scaled_from: None,
            moves: Vec::new(),
            tiles: vec![tile(0, first), tile(1, second)],
        })
    }

    /// The customer's pointer is drawn on the picture a console gets, at its place on the
    /// screen (mapped onto a picture scaled down), with the last shape received; the picture
    /// held stays without it, and a move alone makes a new picture to draw.
    #[test]
    fn the_customers_pointer_is_drawn_where_it_is_with_its_last_shape() {
        use crate::screen::cursor::{Cursor, Shape, encode};
        let mut canvas = Canvas::default();
        let black = zstd(&[0, 0, 0, 255]);
        assert_eq!(paint(&mut canvas, &frame(&black, &black)), Ok(true));
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
        let mut canvas = Canvas::default();
        let both = zstd(&[1, 2, 3, 255, 4, 5, 6, 255]);
        assert_eq!(paint(&mut canvas, &frame(&both, &[])), Ok(true));
        let picture = canvas.painter.picture.unwrap_or_else(|| unreachable!());
        assert_eq!(picture.pixels, [1, 2, 3, 255, 4, 5, 6, 255]);
        let mut canvas = Canvas::default();
        let (one, two) = (zstd(&[1, 2, 3, 255]), zstd(&[4, 5, 6, 255]));
        assert_eq!(paint(&mut canvas, &frame(&one, &two)), Ok(true), "one each");
    }

    #[test]
    fn a_move_shifts_the_rows_before_the_tiles_are_painted() {
        let mut canvas = Canvas::default();
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
        let picture = canvas.painter.picture.unwrap_or_else(|| unreachable!());
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
        let corrupt = Err(screen::FrameError::Corrupt);
        let short = zstd(&[1, 2, 3, 255]);
        assert_eq!(paint(&mut Canvas::default(), &frame(&short, &[])), corrupt);
        let long = zstd(&[7; 12]);
        assert_eq!(paint(&mut Canvas::default(), &frame(&long, &[])), corrupt);
        assert_eq!(paint(&mut Canvas::default(), &frame(&[], &long)), corrupt);
        let bomb = zstd(&vec![0; 16 << 20]);
        assert!(bomb.len() < 64 << 10, "16 MiB of zeros pack small");
        assert_eq!(paint(&mut Canvas::default(), &frame(&bomb, &[])), corrupt);
    }
}
