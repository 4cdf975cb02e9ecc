//! Windows dragged across the screen (issue 15): the display says which window moved and from
//! where, so the viewers are told to move what they already hold (a [`Move`], as for a scroll)
//! instead of being sent the window again at every step. What the display says is only a hint:
//! the rows are checked byte for byte against what the viewers hold, and only the longest run
//! that matches is moved (the window may have changed as it moved, or be partly covered).
use super::Shift;
use tandem_core::screen::Move;

/// Fewer rows than this are not worth a move.
const MIN_ROWS: usize = 8;

/// The move that puts the most rows of the window's old place in `previous` at its new place
/// in `now`, both pictures `width` x `height` pixels of 4 bytes; within the screen.
#[must_use]
pub fn verify(
    previous: &[u8],
    now: &[u8],
    (width, height): (usize, usize),
    shift: &Shift,
) -> Option<Move> {
    if shift.from == shift.to {
        return None;
    }
    let (w, h) = (i64::from(shift.size.0), i64::from(shift.size.1));
    let (fx, fy) = (i64::from(shift.from.0), i64::from(shift.from.1));
    let (tx, ty) = (i64::from(shift.to.0), i64::from(shift.to.1));
    let (sw, sh) = (i64::try_from(width).ok()?, i64::try_from(height).ok()?);
    // The part of the window that is on the screen both where it was and where it is.
    let left = 0.max(-fx).max(-tx);
    let right = w.min(sw - fx).min(sw - tx);
    let top = 0.max(-fy).max(-ty);
    let bottom = h.min(sh - fy).min(sh - ty);
    if right <= left || bottom <= top {
        return None;
    }
    let index = |v: i64| usize::try_from(v).ok();
    let columns = index(right - left)? * 4;
    let same = |r: i64| -> Option<bool> {
        let from = index(((fy + r) * sw + fx + left) * 4)?;
        let to = index(((ty + r) * sw + tx + left) * 4)?;
        Some(previous.get(from..from + columns)? == now.get(to..to + columns)?)
    };
    // The longest run of rows that match.
    let (mut best, mut run_start) = ((0, 0), None);
    for r in top..=bottom {
        let matches = r < bottom && same(r) == Some(true);
        match (matches, run_start) {
            (true, None) => run_start = Some(r),
            (false, Some(start)) => {
                if r - start > best.1 - best.0 {
                    best = (start, r);
                }
                run_start = None;
            }
            _ => {}
        }
    }
    let rows = index(best.1 - best.0)?;
    if rows < MIN_ROWS {
        return None;
    }
    let side = |v: i64| u16::try_from(v).ok();
    Some(Move {
        x: side(tx + left)?,
        y: side(ty + best.0)?,
        w: side(right - left)?,
        h: side(best.1 - best.0)?,
        from_x: side(fx + left)?,
        from_y: side(fy + best.0)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_core::screen::apply_move;

    const W: usize = 60;
    const H: usize = 40;

    /// A desktop of `fill` with a 20x16 window of distinct pixels at (x, y), clipped.
    fn desktop(window: Option<(i32, i32)>, changed_row: Option<usize>) -> Vec<u8> {
        let mut pixels = [3u8, 3, 3, 255].repeat(W * H);
        if let Some((x, y)) = window {
            for r in 0..16i32 {
                for c in 0..20i32 {
                    let (px, py) = (x + c, y + r);
                    if px < 0 || py < 0 || px >= W as i32 || py >= H as i32 {
                        continue;
                    }
                    let at = (py as usize * W + px as usize) * 4;
                    let mark = if changed_row == Some(r as usize) {
                        200
                    } else {
                        0
                    };
                    pixels[at..at + 4].copy_from_slice(&[r as u8 * 9, c as u8 * 7, mark, 255]);
                }
            }
        }
        pixels
    }

    fn shift(from: (i32, i32), to: (i32, i32)) -> Shift {
        Shift {
            from,
            to,
            size: (20, 16),
        }
    }

    #[test]
    fn a_window_dragged_diagonally_is_moved_whole_and_lands_where_it_is() {
        let (before, after) = (desktop(Some((5, 4)), None), desktop(Some((13, 10)), None));
        let m = verify(&before, &after, (W, H), &shift((5, 4), (13, 10)));
        assert_eq!(
            m,
            Some(Move {
                x: 13,
                y: 10,
                w: 20,
                h: 16,
                from_x: 5,
                from_y: 4
            })
        );
        let mut held = before.clone();
        apply_move(&mut held, W, m.unwrap_or_else(|| unreachable!()));
        // The window's new place is right; only its old place (now desktop) is left to send.
        for r in 10..26 {
            let at = (r * W + 13) * 4;
            assert_eq!(held[at..at + 80], after[at..at + 80], "row {r}");
        }
    }

    #[test]
    fn a_window_half_off_the_screen_moves_only_what_is_on_it() {
        let (before, after) = (desktop(Some((-6, 30)), None), desktop(Some((-2, 28)), None));
        let m = verify(&before, &after, (W, H), &shift((-6, 30), (-2, 28)));
        // Columns 6.. of the window (on the screen at both places), rows 0..10 (the screen ends
        // at 40 where it was).
        assert_eq!(
            m,
            Some(Move {
                x: 4,
                y: 28,
                w: 14,
                h: 10,
                from_x: 0,
                from_y: 30
            })
        );
    }

    #[test]
    fn a_hint_the_pixels_do_not_bear_out_moves_nothing_or_only_what_matches() {
        let before = desktop(Some((5, 4)), None);
        // The display said it moved, but nothing is there.
        let empty = desktop(None, None);
        assert_eq!(
            verify(&before, &empty, (W, H), &shift((5, 4), (13, 10))),
            None
        );
        // Its content changed on row 5 as it moved: the longest matching run, rows 6..16.
        let after = desktop(Some((13, 10)), Some(5));
        let m = verify(&before, &after, (W, H), &shift((5, 4), (13, 10)));
        assert_eq!(m.map(|m| (m.y, m.h, m.from_y)), Some((16, 10, 10)));
        // Gone off the screen entirely.
        assert_eq!(
            verify(&before, &empty, (W, H), &shift((5, 4), (70, 10))),
            None
        );
    }
}
