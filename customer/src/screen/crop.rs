//! One monitor of the desktop (issue 15): the part of each grab within its rectangle, kept from
//! one frame to the next so that only what was drawn is copied again, with the damaged areas and
//! moved windows put in its own coordinates.
use super::{Area, Grab, Shift};

/// A rectangle of the desktop: left, top, width, height.
pub type Rect = (u16, u16, u16, u16);

/// The cropped picture, kept between grabs.
#[derive(Debug, Default)]
pub struct Crop {
    pixels: Vec<u8>,
    areas: Vec<Area>,
    shifts: Vec<Shift>,
    /// The rectangle `pixels` hold, once they hold all of it.
    held: Option<Rect>,
}

impl Crop {
    /// The part of `grab` within `rect` (clipped to the grab), as a picture of its own.
    pub fn apply<'a>(&'a mut self, grab: &Grab<'_>, rect: Rect) -> Grab<'a> {
        let (gw, gh) = (usize::from(grab.width), usize::from(grab.height));
        let left = usize::from(rect.0).min(gw);
        let top = usize::from(rect.1).min(gh);
        let width = usize::from(rect.2).min(gw - left);
        let height = usize::from(rect.3).min(gh - top);
        let side = |v: usize| u16::try_from(v).unwrap_or(u16::MAX);
        let rect = (side(left), side(top), side(width), side(height));
        let copy_rows = |pixels: &mut Vec<u8>, (x, y, w, h): (usize, usize, usize, usize)| {
            for row in y..y + h {
                let from = ((top + row) * gw + left + x) * 4;
                let to = (row * width + x) * 4;
                if let (Some(to), Some(from)) = (
                    pixels.get_mut(to..to + w * 4),
                    grab.pixels.get(from..from + w * 4),
                ) {
                    to.copy_from_slice(from);
                }
            }
        };
        self.areas.clear();
        self.shifts.clear();
        let partial = match grab.damaged {
            Some(areas) if self.held == Some(rect) => {
                // Only what was drawn, within the monitor, in its coordinates.
                for a in areas {
                    let x0 = usize::from(a.x).max(left);
                    let y0 = usize::from(a.y).max(top);
                    let x1 = (usize::from(a.x) + usize::from(a.width)).min(left + width);
                    let y1 = (usize::from(a.y) + usize::from(a.height)).min(top + height);
                    if x1 > x0 && y1 > y0 {
                        self.areas.push(Area {
                            x: side(x0 - left),
                            y: side(y0 - top),
                            width: side(x1 - x0),
                            height: side(y1 - y0),
                        });
                    }
                }
                let mut pixels = std::mem::take(&mut self.pixels);
                for a in &self.areas {
                    let area = (
                        usize::from(a.x),
                        usize::from(a.y),
                        usize::from(a.width),
                        usize::from(a.height),
                    );
                    copy_rows(&mut pixels, area);
                }
                self.pixels = pixels;
                let origin = (i32::from(rect.0), i32::from(rect.1));
                self.shifts.extend(grab.shifts.iter().map(|s| Shift {
                    from: (s.from.0 - origin.0, s.from.1 - origin.1),
                    to: (s.to.0 - origin.0, s.to.1 - origin.1),
                    size: s.size,
                }));
                true
            }
            _ => {
                self.pixels.clear();
                self.pixels.resize(width * height * 4, 0);
                let mut pixels = std::mem::take(&mut self.pixels);
                copy_rows(&mut pixels, (0, 0, width, height));
                self.pixels = pixels;
                self.held = Some(rect);
                false
            }
        };
        Grab {
            width: rect.2,
            height: rect.3,
            pixels: &self.pixels,
            damaged: partial.then_some(self.areas.as_slice()),
            shifts: &self.shifts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 6x4 desktop whose every pixel says where it is.
    fn desktop() -> Vec<u8> {
        (0..4u8)
            .flat_map(|y| (0..6u8).flat_map(move |x| [x, y, 0, 255]))
            .collect()
    }

    #[test]
    fn a_monitor_is_its_rectangle_of_the_desktop_then_only_what_was_drawn_in_it() {
        let mut pixels = desktop();
        let mut crop = Crop::default();
        // The right-hand monitor: columns 3 to 5, rows 1 to 3.
        let right = (3, 1, 3, 3);
        let first = crop.apply(&Grab::whole(6, 4, &pixels), right);
        assert_eq!((first.width, first.height, first.damaged), (3, 3, None));
        assert_eq!(&first.pixels[..4], &[3, 1, 0, 255]);
        assert_eq!(&first.pixels[first.pixels.len() - 4..], &[5, 3, 0, 255]);
        // Drawn: a pixel on each monitor. The left one is not this monitor's business.
        pixels[(2 * 6 + 4) * 4] = 99;
        pixels[(2 * 6 + 1) * 4] = 99;
        let areas = [
            Area {
                x: 4,
                y: 2,
                width: 1,
                height: 1,
            },
            Area {
                x: 1,
                y: 2,
                width: 1,
                height: 1,
            },
        ];
        let shifts = [Shift {
            from: (3, 1),
            to: (4, 2),
            size: (1, 1),
        }];
        let grab = Grab {
            damaged: Some(&areas),
            shifts: &shifts,
            ..Grab::whole(6, 4, &pixels)
        };
        let next = crop.apply(&grab, right);
        assert_eq!(
            next.damaged,
            Some(
                &[Area {
                    x: 1,
                    y: 1,
                    width: 1,
                    height: 1
                }][..]
            )
        );
        assert_eq!(
            next.shifts,
            &[Shift {
                from: (0, 0),
                to: (1, 1),
                size: (1, 1)
            }]
        );
        assert_eq!(next.pixels[(3 + 1) * 4], 99, "drawn, copied");
        // Another monitor is a new picture, whole.
        let left = crop.apply(&grab, (0, 0, 3, 4));
        assert_eq!((left.width, left.height, left.damaged), (3, 4, None));
        assert_eq!(left.pixels[(2 * 3 + 1) * 4], 99);
        // A rectangle past the desktop's edge is clipped to it.
        let past = crop.apply(&grab, (4, 3, 10, 10));
        assert_eq!((past.width, past.height), (2, 1));
    }
}
