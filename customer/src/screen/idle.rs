//! Grabbing less often while nothing changes, for captures that cannot say when the screen
//! changed (GDI: every grab is a copy of the whole screen and a comparison, 60% of a core at 30
//! a second on 1080p under Wine). After a third of a second without a change the screen is
//! grabbed every fourth tick, after two seconds every eighth; a change, or the technician's
//! pointer or key, brings back every tick at once. Captures that report damage (X11) are never
//! slowed: an idle screen costs them nothing.

/// How many ticks without a change before grabbing every fourth, and every eighth.
const SLOWER: u32 = 10;
const SLOWEST: u32 = 60;

/// The state of an idle screen.
#[derive(Debug, Default, Clone, Copy)]
pub struct Idle {
    /// Ticks since the last change.
    unchanged: u32,
    /// Ticks skipped since the last grab.
    skipped: u32,
}

impl Idle {
    /// Whether this tick grabs.
    pub fn grabs(&mut self) -> bool {
        let every = match self.unchanged {
            n if n >= SLOWEST => 8,
            n if n >= SLOWER => 4,
            _ => 1,
        };
        if self.skipped + 1 >= every {
            self.skipped = 0;
            true
        } else {
            self.skipped += 1;
            false
        }
    }

    /// What a grab found: a change or not.
    pub fn grabbed(&mut self, changed: bool) {
        self.unchanged = if changed {
            0
        } else {
            self.unchanged.saturating_add(1)
        };
    }

    /// Something is about to change (the technician's input, a new viewer): every tick again.
    pub fn wake(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::Idle;

    /// Of `ticks` ticks of an unchanging screen, how many grab.
    fn grabs_of(idle: &mut Idle, ticks: usize) -> usize {
        (0..ticks)
            .filter(|_| {
                let grabs = idle.grabs();
                if grabs {
                    idle.grabbed(false);
                }
                grabs
            })
            .count()
    }

    #[test]
    fn an_unchanging_screen_is_grabbed_less_and_less_and_input_wakes_it() {
        let mut idle = Idle::default();
        assert_eq!(grabs_of(&mut idle, 10), 10, "every tick at first");
        let slower = grabs_of(&mut idle, 200);
        assert!(slower < 200 / 4 + 15, "fewer grabs: {slower} of 200");
        assert!(!idle.grabs() || !idle.grabs(), "every eighth tick by now");
        idle.wake();
        assert!(idle.grabs() && idle.grabs(), "input: every tick again");
    }

    #[test]
    fn a_change_brings_back_every_tick() {
        let mut idle = Idle::default();
        grabs_of(&mut idle, 100);
        while !idle.grabs() {}
        idle.grabbed(true);
        assert!((0..5).all(|_| idle.grabs()));
    }
}
