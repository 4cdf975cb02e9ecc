//! The frames sent that no viewer has acknowledged yet. The customer client sends the next frame
//! only while fewer than [`WINDOW`] are unacknowledged, or while those in flight are small (fewer
//! than [`MAX_SMALL_FRAMES`] and [`SMALL_BYTES`] together), so on a slow link the frame rate
//! drops to what the link carries and no buffer along the way fills with seconds of old pictures
//! (issue 15); and on a link that is long but not slow (mobile data, 150 ms round trip) small
//! frames are not held to two per round trip. With several viewers the fastest one's
//! acknowledgements count: a slower one falls behind, skips frames at the appliance and starts
//! again from a key frame.
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tandem_core::screen::WINDOW;

/// Frames in flight beyond [`WINDOW`] are allowed while all of them together are under this
/// many bytes: a scrolling terminal's update is a few hundred bytes, a key frame hundreds of KB.
pub const SMALL_BYTES: usize = 32 * 1024;

/// At most this many small frames in flight (the appliance keeps a few messages per viewer).
pub const MAX_SMALL_FRAMES: u32 = 6;

/// Without any acknowledgement for this long, the frames in flight are taken as lost (no viewer
/// left, or one that does not acknowledge) and [`WINDOW`] more may go: a probe every few seconds
/// rather than a stream nobody confirms.
pub const STALL: Duration = Duration::from_secs(3);

/// Frame numbers wrap around; everything here counts with wrapping arithmetic.
#[derive(Debug)]
pub struct InFlight {
    /// The number the next frame sent will carry.
    next: u32,
    /// The number after the newest acknowledged frame.
    acked: u32,
    /// When the window last moved (a frame sent into an empty window, or an acknowledgement).
    moved: Instant,
    /// The frames in flight: number and size, oldest first.
    sizes: VecDeque<(u32, usize)>,
}

impl InFlight {
    /// Nothing in flight.
    #[must_use]
    pub fn new(now: Instant) -> Self {
        Self {
            next: 0,
            acked: 0,
            moved: now,
            sizes: VecDeque::new(),
        }
    }

    /// Frames sent and not acknowledged.
    #[must_use]
    pub fn unacked(&self) -> u32 {
        self.next.wrapping_sub(self.acked)
    }

    /// Whether the window is open: fewer than [`WINDOW`] frames in flight, or only a few small
    /// ones.
    #[must_use]
    pub fn open(&self) -> bool {
        let unacked = self.unacked();
        let bytes: usize = self.sizes.iter().map(|(_, len)| len).sum();
        unacked < WINDOW || (unacked < MAX_SMALL_FRAMES && bytes < SMALL_BYTES)
    }

    /// Whether another frame may be sent now.
    pub fn may_send(&mut self, now: Instant) -> bool {
        if !self.open() && now.duration_since(self.moved) >= STALL {
            tracing::debug!(
                unacked = self.unacked(),
                "no acknowledgement: sending again"
            );
            self.reset(now);
        }
        self.open()
    }

    /// The frame with this number, `len` bytes, was sent.
    pub fn sent(&mut self, number: u32, len: usize, now: Instant) {
        if self.unacked() == 0 {
            self.moved = now;
        }
        self.next = number.wrapping_add(1);
        if self.unacked() > MAX_SMALL_FRAMES.max(WINDOW) {
            // Numbered by an encoder that started again: nothing earlier is awaited.
            self.acked = number;
            self.sizes.clear();
        }
        self.sizes.push_back((number, len));
    }

    /// A viewer painted the frame with this number. One not in flight (old, repeated, or not
    /// sent yet) changes nothing: a viewer cannot open the window wider by claiming more.
    pub fn acked(&mut self, number: u32, now: Instant) {
        let after = number.wrapping_add(1);
        let newly = after.wrapping_sub(self.acked);
        if newly > 0 && newly <= self.unacked() {
            self.acked = after;
            self.moved = now;
            // Those still in flight are the last `unacked` sent.
            let keep = usize::try_from(self.unacked()).unwrap_or(usize::MAX);
            while self.sizes.len() > keep {
                self.sizes.pop_front();
            }
        }
    }

    /// Start again with nothing in flight: a viewer asked for a key frame (one that just
    /// joined, or one that skipped frames) and acknowledges from it on.
    pub fn reset(&mut self, now: Instant) {
        self.acked = self.next;
        self.moved = now;
        self.sizes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame too large to count as small.
    const BIG: usize = SMALL_BYTES;

    #[test]
    fn at_most_a_window_of_frames_goes_unacknowledged() {
        let t = Instant::now();
        let mut f = InFlight::new(t);
        assert!(f.may_send(t));
        f.sent(0, BIG, t);
        assert!(f.may_send(t));
        f.sent(1, BIG, t);
        assert!(!f.may_send(t), "two frames in flight");
        f.acked(0, t);
        assert!(f.may_send(t));
        f.sent(2, BIG, t);
        f.acked(2, t);
        assert_eq!(
            f.unacked(),
            0,
            "an acknowledgement covers the frames before it"
        );
    }

    #[test]
    fn acknowledgements_of_frames_not_in_flight_change_nothing() {
        let t = Instant::now();
        let mut f = InFlight::new(t);
        f.sent(0, BIG, t);
        f.sent(1, BIG, t);
        f.acked(7, t);
        f.acked(u32::MAX, t);
        assert_eq!(f.unacked(), 2, "a claim about frames never sent");
        f.acked(1, t);
        f.acked(0, t);
        assert_eq!(f.unacked(), 0, "an old acknowledgement after a newer one");
    }

    /// A long link that is not slow: small frames (a scrolling terminal's few hundred bytes)
    /// are not held to two per round trip, but to a few, and only while they stay small.
    #[test]
    fn small_frames_may_fill_a_wider_window_large_ones_may_not() {
        let t = Instant::now();
        let mut f = InFlight::new(t);
        for n in 0..MAX_SMALL_FRAMES {
            assert!(f.may_send(t), "small frame {n}");
            f.sent(n, 300, t);
        }
        assert!(!f.may_send(t), "at most {MAX_SMALL_FRAMES} small frames");
        f.acked(3, t);
        assert!(f.may_send(t));
        // Two in flight, then a large one: beyond two, frames go only while all are small.
        f.sent(6, SMALL_BYTES, t);
        assert!(!f.may_send(t), "3 frames in flight, one large");
        f.acked(5, t);
        assert!(
            f.may_send(t),
            "one in flight: the window of two holds for any size"
        );
        f.sent(7, SMALL_BYTES, t);
        assert!(!f.may_send(t));
    }

    #[test]
    fn numbers_wrap_around() {
        let t = Instant::now();
        let mut f = InFlight::new(t);
        f.sent(u32::MAX - 1, BIG, t);
        f.sent(u32::MAX, BIG, t);
        f.acked(u32::MAX - 1, t);
        assert_eq!(f.unacked(), 1);
        f.sent(0, BIG, t);
        f.acked(0, t);
        assert_eq!(f.unacked(), 0);
    }

    #[test]
    fn a_silent_window_opens_again_after_the_stall_time_and_on_a_key_frame_request() {
        let t = Instant::now();
        let mut f = InFlight::new(t);
        f.sent(0, BIG, t);
        f.sent(1, BIG, t);
        assert!(!f.may_send(t + STALL / 2));
        assert!(
            f.may_send(t + STALL),
            "nobody acknowledged for the stall time"
        );
        f.sent(2, BIG, t + STALL);
        f.sent(3, BIG, t + STALL);
        assert!(!f.may_send(t + STALL), "the stall time counts again");
        f.reset(t + STALL);
        assert!(f.may_send(t + STALL));
    }
}
