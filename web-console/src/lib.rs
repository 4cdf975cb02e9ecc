//! The external user's web console's screen (issue 16, X4): tandem-core's screen viewer
//! ([`tandem_core::screen::viewer`], the same code the Android console runs) compiled to
//! WebAssembly, with the browser's side of it: the picture as R G B A for a canvas, copied only
//! where it changed; what to send back as the stream's JSON text messages; the browser's key
//! names as X11 keysyms. The page's script only moves bytes between the WebSocket, this module
//! and the canvas: it never reads or writes the stream's format itself.
//!
//! No wasm-bindgen: a handful of plain exports over numbers (see `exports`), so there is no tool
//! to install and no glue to generate; about 120 KB.
mod exports;
pub mod keys;

use tandem_core::screen::ViewerMessage;
use tandem_core::screen::picture::Area;
use tandem_core::screen::viewer::{Heard, Viewer};

/// What [`WebViewer::receive`] found, as bits the page tests.
pub mod heard {
    /// The canvas is to be drawn again.
    pub const DRAW: u32 = 1;
    /// Messages wait in the outbox.
    pub const SEND: u32 = 2;
    /// The customer's monitors changed.
    pub const MONITORS: u32 = 4;
    /// The message could not be used (the picture starts again from a key frame).
    pub const BROKEN: u32 = 8;
    /// It was a key frame, painted.
    pub const KEY: u32 = 16;
}

/// One screen stream's viewer in the page.
#[derive(Debug, Default)]
pub struct WebViewer {
    viewer: Viewer,
    /// The message the page copies in, then hands over.
    pub inbox: Vec<u8>,
    /// JSON text messages to send, one per line.
    outbox: String,
    /// The picture as R G B A with the pointer drawn, what the canvas shows.
    rgba: Vec<u8>,
    /// What changed in `rgba` at the last draw.
    drawn: Option<Area>,
    /// The monitors as JSON, for the page's picker.
    monitors: String,
}

impl WebViewer {
    /// A new viewer, whose first message asks for a key frame.
    #[must_use]
    pub fn new() -> Self {
        let mut this = Self::default();
        this.post(Viewer::hello());
        this
    }

    fn post(&mut self, message: ViewerMessage) {
        if let Ok(text) = serde_json::to_string(&message) {
            self.outbox.push_str(&text);
            self.outbox.push('\n');
        }
    }

    /// Take in the first `len` bytes of the inbox, a binary message of the stream.
    pub fn receive(&mut self, len: usize) -> u32 {
        let bytes = self.inbox.get(..len).unwrap_or(&[]);
        let reply = self.viewer.receive(bytes);
        let mut found = match reply.heard {
            Ok(Heard::Frame { painted: true, key }) => {
                heard::DRAW | if key { heard::KEY } else { 0 }
            }
            Ok(Heard::Frame { painted: false, .. }) => 0,
            Ok(Heard::Pointer) => heard::DRAW,
            Ok(Heard::Monitors) => {
                self.monitors = self
                    .viewer
                    .monitors()
                    .and_then(|m| serde_json::to_string(m).ok())
                    .unwrap_or_default();
                heard::MONITORS
            }
            Err(_) => heard::BROKEN,
        };
        for m in reply.send {
            self.post(m);
        }
        if !self.outbox.is_empty() {
            found |= heard::SEND;
        }
        found
    }

    /// The appliance said this viewer skipped frames.
    pub fn skipped(&mut self) {
        if let Some(m) = self.viewer.skipped() {
            self.post(m);
        }
    }

    /// The canvas shows the screen in `width` x `height` pixels: the customer client sends it
    /// scaled down to fit, never up.
    pub fn view(&mut self, width: u16, height: u16) {
        self.post(ViewerMessage::View { width, height });
    }

    /// The pointer at (x, y) of the picture, with these buttons down (bit 0 left, 1 middle,
    /// 2 right), sent as the screen's point. The appliance forwards it only while this viewer
    /// has control (A1, G4); the page offers it only then, but that is no proof of anything.
    pub fn pointer(&mut self, x: u16, y: u16, buttons: u8) {
        let (x, y) = self.viewer.on_screen(x, y);
        self.post(ViewerMessage::Pointer { x, y, buttons });
    }

    /// A key pressed or released, by the browser's name for it (`KeyboardEvent.key`); `false`
    /// when it has no keysym (nothing is sent).
    pub fn key(&mut self, name: &str, down: bool) -> bool {
        let Some(keysym) = keys::keysym(name) else {
            return false;
        };
        self.post(ViewerMessage::Key { keysym, down });
        true
    }

    /// See one monitor alone, or (`None`) the whole desktop.
    pub fn monitor(&mut self, index: Option<u8>) {
        self.post(ViewerMessage::Monitor { index });
    }

    /// The messages to send, one JSON text per line; emptied.
    pub fn take_outbox(&mut self) -> String {
        std::mem::take(&mut self.outbox)
    }

    /// Bring the R G B A picture up to date; `true` when something changed (see [`Self::drawn`]).
    pub fn draw(&mut self) -> bool {
        self.drawn = self.viewer.draw_rgba(&mut self.rgba);
        self.drawn.is_some()
    }

    /// The picture's size, 0 x 0 before the first key frame.
    #[must_use]
    pub fn size(&self) -> (u32, u32) {
        self.viewer
            .picture()
            .map_or((0, 0), |p| (p.width, p.height))
    }

    /// What changed at the last [`Self::draw`].
    #[must_use]
    pub fn drawn(&self) -> Option<Area> {
        self.drawn
    }

    /// The R G B A pixels.
    #[must_use]
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// The monitors as JSON (`{"monitors":[…],"shown":…}`), empty until the customer said.
    #[must_use]
    pub fn monitors(&self) -> &str {
        &self.monitors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_core::screen::{self, Frame, Tile};

    fn key_frame(number: u32, bgra: &[u8; 4]) -> Vec<u8> {
        let data = ruzstd::encoding::compress_to_vec(
            &bgra[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        screen::encode(&Frame {
            key: true,
            width: 1,
            height: 1,
            number,
            scaled_from: None,
            moves: Vec::new(),
            tiles: vec![Tile {
                x: 0,
                y: 0,
                w: 1,
                h: 1,
                data: &data,
            }],
        })
    }

    /// The page's round: a frame in, the acknowledgement and the R G B A picture out; input
    /// leaves as the stream's own JSON; the first message asks for a key frame.
    #[test]
    fn a_frame_comes_in_and_its_acknowledgement_and_picture_go_out() {
        let mut web = WebViewer::new();
        assert_eq!(web.take_outbox(), "\"refresh\"\n");
        let frame = key_frame(7, &[10, 20, 30, 255]);
        web.inbox = frame.clone();
        let found = web.receive(frame.len());
        assert_eq!(found, heard::DRAW | heard::SEND | heard::KEY);
        assert_eq!(web.take_outbox(), "{\"ack\":{\"number\":7}}\n");
        assert!(web.draw());
        assert_eq!(web.rgba(), [30, 20, 10, 255]);
        assert_eq!(web.size(), (1, 1));
        assert!(!web.draw(), "nothing new");

        web.pointer(0, 0, 1);
        assert!(web.key("Enter", true));
        assert!(!web.key("Dead", true), "no keysym, nothing sent");
        web.monitor(Some(1));
        web.view(390, 844);
        assert_eq!(
            web.take_outbox(),
            "{\"pointer\":{\"x\":0,\"y\":0,\"buttons\":1}}\n\
             {\"key\":{\"keysym\":65293,\"down\":true}}\n\
             {\"monitor\":{\"index\":1}}\n\
             {\"view\":{\"width\":390,\"height\":844}}\n"
        );

        web.inbox = vec![1, 0, 0];
        assert_eq!(web.receive(3), heard::BROKEN | heard::SEND);
        assert_eq!(web.take_outbox(), "\"refresh\"\n");
        web.inbox.clear();
        assert_eq!(
            web.receive(10),
            heard::BROKEN | heard::SEND,
            "past the inbox"
        );
    }
}
