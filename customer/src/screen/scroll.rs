//! Finding a scroll (issue 15): when a terminal or a page scrolls, most of what changed is what
//! was already on the viewers' picture a few rows up or down. Said as a move of those rows, it
//! costs ten bytes instead of every tile they cross; only what is really new is sent as tiles.
//! (VNC's CopyRect does the same.) Rows are compared by hash first, then byte for byte.
use std::collections::HashMap;
use tandem_core::screen::Move;

/// Fewer rows than this moving together is not worth a move (and is too easily a coincidence).
const MIN_ROWS: usize = 8;

/// A fast hash of a row of pixels (not for anything an attacker chooses to collide: matches are
/// checked byte for byte).
fn row_hash(row: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |word: u64| {
        h = (h ^ word).wrapping_mul(0x0000_0100_0000_01b3);
        h ^= h >> 29;
    };
    let words = row.chunks_exact(8);
    let rest = words.remainder();
    for word in words {
        mix(u64::from_le_bytes(word.try_into().unwrap_or_default()));
    }
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    mix(u64::from_le_bytes(last));
    h
}

/// Where to look for a scroll among the changed tiles (left, top, width, height): the columns
/// of the run of side-by-side changed tiles holding the most of them, and the rows those
/// tiles span. A terminal scrolling on one side of the screen and a clock ticking on the other
/// are two runs; hashing both as one band would cost twice and match fewer rows.
#[must_use]
pub fn busiest_band(
    changed: &[(usize, usize, usize, usize)],
) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    let mut columns: Vec<(usize, usize)> = changed.iter().map(|r| (r.0, r.0 + r.2)).collect();
    columns.sort_unstable();
    columns.dedup();
    // Runs of touching column ranges.
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for (left, right) in columns {
        match runs.last_mut() {
            Some(run) if left <= run.end => run.end = run.end.max(right),
            _ => runs.push(left..right),
        }
    }
    let within = |run: &std::ops::Range<usize>| {
        changed
            .iter()
            .filter(|r| run.contains(&r.0))
            .collect::<Vec<_>>()
    };
    let busiest = runs
        .into_iter()
        .max_by_key(|run| within(run).len())
        .unwrap_or(0..0);
    let tiles = within(&busiest);
    let rows = tiles.iter().map(|r| r.1).min().unwrap_or(0)
        ..tiles.iter().map(|r| r.1 + r.3).max().unwrap_or(0);
    (busiest, rows)
}

/// Row `y` of a picture `width` wide, within `columns`.
fn row_band<'a>(
    picture: &'a [u8],
    width: usize,
    columns: &std::ops::Range<usize>,
    y: usize,
) -> Option<&'a [u8]> {
    let at = y * width * 4;
    picture.get(at + columns.start * 4..at + columns.end * 4)
}

/// The scroll that makes the most rows of `now` out of rows of `previous`, within the columns
/// `columns` (in pixels) and the rows `rows`: the longest run of rows that all moved the same
/// distance, if it is long enough. Pictures are `width` pixels of 4 bytes per row.
#[must_use]
pub fn find(
    previous: &[u8],
    now: &[u8],
    width: usize,
    columns: std::ops::Range<usize>,
    rows: std::ops::Range<usize>,
) -> Option<Move> {
    let hashes = |picture: &[u8]| -> Vec<u64> {
        rows.clone()
            .map(|y| row_band(picture, width, &columns, y).map_or(0, row_hash))
            .collect()
    };
    let (before, after) = (hashes(previous), hashes(now));
    // Rows of the old picture by content, ambiguous ones (a blank line, repeated) left out.
    let mut seen: HashMap<u64, Option<usize>> = HashMap::with_capacity(before.len());
    for (i, h) in before.iter().enumerate() {
        seen.entry(*h)
            .and_modify(|at| *at = None)
            .or_insert(Some(i));
    }
    let mut votes: HashMap<isize, usize> = HashMap::new();
    for (i, h) in after.iter().enumerate() {
        if before.get(i) == Some(h) {
            continue;
        }
        if let Some(Some(from)) = seen.get(h) {
            let distance = isize::try_from(*from).ok()? - isize::try_from(i).ok()?;
            *votes.entry(distance).or_default() += 1;
        }
    }
    let (distance, count) = votes.into_iter().max_by_key(|(d, n)| (*n, -d.abs()))?;
    if count < MIN_ROWS || distance == 0 {
        return None;
    }
    // The longest run of rows that are the old rows `distance` away, byte for byte.
    let same = |i: usize| {
        let from = i.checked_add_signed(distance)?;
        let (y, from_y) = (rows.start + i, rows.start + from);
        (after.get(i)? == before.get(from)?
            && row_band(now, width, &columns, y)? == row_band(previous, width, &columns, from_y)?)
        .then_some(())
    };
    let (mut best, mut run) = ((0, 0), None::<usize>);
    for i in 0..=after.len() {
        match (same(i).is_some() && i < after.len(), run) {
            (true, None) => run = Some(i),
            (false, Some(start)) => {
                if i - start > best.1 - best.0 {
                    best = (start, i);
                }
                run = None;
            }
            _ => {}
        }
    }
    let (start, end) = best;
    if end - start < MIN_ROWS {
        return None;
    }
    let as_u16 = |v: usize| u16::try_from(v).ok();
    Some(Move {
        x: as_u16(columns.start)?,
        y: as_u16(rows.start + start)?,
        w: as_u16(columns.len())?,
        h: as_u16(end - start)?,
        from_x: as_u16(columns.start)?,
        from_y: as_u16(rows.start + start.checked_add_signed(distance)?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_core::screen::apply_move;

    /// A picture `width` wide whose row `y` is coloured by `line(y)`.
    fn picture(width: usize, height: usize, line: impl Fn(usize) -> u8) -> Vec<u8> {
        (0..height)
            .flat_map(|y| {
                let v = line(y);
                (0..width).flat_map(move |x| [v, v ^ (x as u8), 7, 0])
            })
            .collect()
    }

    #[test]
    fn a_terminal_scrolled_by_a_line_is_found_and_applying_it_rebuilds_the_rows() {
        let (w, h) = (40, 100);
        let before = picture(w, h, |y| (y * 7 % 251) as u8);
        // Scrolled up 13 rows; new rows at the bottom.
        let after = picture(w, h, |y| {
            if y < 87 {
                ((y + 13) * 7 % 251) as u8
            } else {
                200
            }
        });
        let m = find(&before, &after, w, 0..w, 0..h);
        assert_eq!(
            m,
            Some(Move {
                x: 0,
                y: 0,
                w: 40,
                h: 87,
                from_x: 0,
                from_y: 13
            })
        );
        let mut predicted = before.clone();
        apply_move(&mut predicted, w, m.unwrap_or_else(|| unreachable!()));
        assert_eq!(predicted[..87 * w * 4], after[..87 * w * 4]);
        // Scrolled down instead.
        let down = picture(w, h, |y| if y >= 5 { ((y - 5) * 7 % 251) as u8 } else { 9 });
        let m = find(&before, &down, w, 0..w, 0..h);
        assert_eq!(m.map(|m| (m.y, m.from_y, m.h)), Some((5, 0, 95)));
        let mut predicted = before.clone();
        apply_move(&mut predicted, w, m.unwrap_or_else(|| unreachable!()));
        assert_eq!(predicted[5 * w * 4..], down[5 * w * 4..]);
    }

    #[test]
    fn the_band_searched_is_the_busiest_run_of_side_by_side_changed_tiles() {
        // A terminal's tiles on the left (two columns, three rows), a clock's tile far right.
        let changed = [
            (0, 0, 64, 64),
            (64, 0, 64, 64),
            (0, 64, 64, 64),
            (64, 64, 64, 64),
            (0, 128, 64, 10),
            (1856, 0, 64, 32),
        ];
        assert_eq!(busiest_band(&changed), (0..128, 0..138));
        assert_eq!(busiest_band(&[]), (0..0, 0..0));
    }

    #[test]
    fn nothing_is_found_where_nothing_moved() {
        let (w, h) = (40, 100);
        let before = picture(w, h, |y| (y * 7 % 251) as u8);
        let changed = picture(w, h, |y| (y * 11 % 249) as u8 ^ 0x55);
        assert_eq!(find(&before, &changed, w, 0..w, 0..h), None);
        assert_eq!(find(&before, &before, w, 0..w, 0..h), None);
    }
}
