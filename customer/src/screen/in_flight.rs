//! The frames sent that no viewer has acknowledged yet. The customer client sends the next frame
//! only while fewer than [`WINDOW`] are unacknowledged, so on a slow link the frame rate drops to
//! what the link carries and no buffer along the way fills with seconds of old pictures (issue
//! 15). With several viewers the fastest one's acknowledgements count: a slower one falls behind,
//! skips frames at the appliance and starts again from a key frame.
use std::time::{Duration, Instant};
use tandem_core::screen::WINDOW;

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
}

impl InFlight {
    /// Nothing in flight.
    #[must_use]
    pub fn new(now: Instant) -> Self {
        Self {
            next: 0,
            acked: 0,
            moved: now,
        }
    }

    /// Frames sent and not acknowledged.
    #[must_use]
    pub fn unacked(&self) -> u32 {
        self.next.wrapping_sub(self.acked)
    }

    /// Whether another frame may be sent now.
    pub fn may_send(&mut self, now: Instant) -> bool {
        if self.unacked() >= WINDOW && now.duration_since(self.moved) >= STALL {
            tracing::debug!(
                unacked = self.unacked(),
                "no acknowledgement: sending again"
            );
            self.reset(now);
        }
        self.unacked() < WINDOW
    }

    /// The frame with this number was sent.
    pub fn sent(&mut self, number: u32, now: Instant) {
        if self.unacked() == 0 {
            self.moved = now;
        }
        self.next = number.wrapping_add(1);
        if self.unacked() > WINDOW {
            // Numbered by an encoder that started again: nothing earlier is awaited.
            self.acked = number;
        }
    }

    /// A viewer painted the frame with this number. One not in flight (old, repeated, or not
    /// sent yet) changes nothing: a viewer cannot open the window wider by claiming more.
    pub fn acked(&mut self, number: u32, now: Instant) {
        let after = number.wrapping_add(1);
        let newly = after.wrapping_sub(self.acked);
        if newly > 0 && newly <= self.unacked() {
            self.acked = after;
            self.moved = now;
        }
    }

    /// Start again with nothing in flight: a viewer asked for a key frame (one that just
    /// joined, or one that skipped frames) and acknowledges from it on.
    pub fn reset(&mut self, now: Instant) {
        self.acked = self.next;
        self.moved = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_a_window_of_frames_goes_unacknowledged() {
        let t = Instant::now();
        let mut f = InFlight::new(t);
        assert!(f.may_send(t));
        f.sent(0, t);
        assert!(f.may_send(t));
        f.sent(1, t);
        assert!(!f.may_send(t), "two frames in flight");
        f.acked(0, t);
        assert!(f.may_send(t));
        f.sent(2, t);
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
        f.sent(0, t);
        f.sent(1, t);
        f.acked(7, t);
        f.acked(u32::MAX, t);
        assert_eq!(f.unacked(), 2, "a claim about frames never sent");
        f.acked(1, t);
        f.acked(0, t);
        assert_eq!(f.unacked(), 0, "an old acknowledgement after a newer one");
    }

    #[test]
    fn numbers_wrap_around() {
        let t = Instant::now();
        let mut f = InFlight::new(t);
        f.sent(u32::MAX - 1, t);
        f.sent(u32::MAX, t);
        f.acked(u32::MAX - 1, t);
        assert_eq!(f.unacked(), 1);
        f.sent(0, t);
        f.acked(0, t);
        assert_eq!(f.unacked(), 0);
    }

    #[test]
    fn a_silent_window_opens_again_after_the_stall_time_and_on_a_key_frame_request() {
        let t = Instant::now();
        let mut f = InFlight::new(t);
        f.sent(0, t);
        f.sent(1, t);
        assert!(!f.may_send(t + STALL / 2));
        assert!(
            f.may_send(t + STALL),
            "nobody acknowledged for the stall time"
        );
        f.sent(2, t + STALL);
        f.sent(3, t + STALL);
        assert!(!f.may_send(t + STALL), "the stall time counts again");
        f.reset(t + STALL);
        assert!(f.may_send(t + STALL));
    }
}
