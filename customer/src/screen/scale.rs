//! The screen scaled down to the size the viewers show it at (issue 15): a phone showing a
//! 1920x1080 desktop across 1080 pixels is sent about a third of the pixels. fast_image_resize
//! does the filtering (SIMD convolution, no C); the box filter averages each area, which keeps
//! thin text lines as grey rather than dropping them, and is the cheapest of its filters.
use super::{Grab, ScreenError};
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

/// Scales grabs, keeping its buffers from one frame to the next.
pub struct Scaler {
    resizer: Resizer,
    options: ResizeOptions,
    out: Option<Image<'static>>,
}

impl std::fmt::Debug for Scaler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scaler").finish_non_exhaustive()
    }
}

impl Default for Scaler {
    fn default() -> Self {
        Self {
            resizer: Resizer::new(),
            // The fourth byte is unused, not alpha: not multiplied in (it would blacken all).
            options: ResizeOptions::new()
                .resize_alg(ResizeAlg::Convolution(FilterType::Box))
                .use_alpha(false),
            out: None,
        }
    }
}

impl Scaler {
    /// `grab` scaled to `size`.
    ///
    /// # Errors
    /// When the grab's pixels are not what its size says.
    pub fn scale(&mut self, grab: &Grab<'_>, size: (u16, u16)) -> Result<Grab<'_>, ScreenError> {
        let failed = |e: &dyn std::fmt::Display| ScreenError::Unsupported(format!("scaling: {e}"));
        let source = ImageRef::new(
            u32::from(grab.width),
            u32::from(grab.height),
            grab.pixels,
            PixelType::U8x4,
        )
        .map_err(|e| failed(&e))?;
        let (width, height) = (u32::from(size.0), u32::from(size.1));
        let out = match self.out.take() {
            Some(image) if image.width() == width && image.height() == height => image,
            _ => Image::new(width, height, PixelType::U8x4),
        };
        let out = self.out.insert(out);
        self.resizer
            .resize(&source, out, &self.options)
            .map_err(|e| failed(&e))?;
        Ok(Grab::whole(size.0, size.1, out.buffer()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_halved_averages_each_square_of_four_pixels() {
        // (The fourth byte is unused and 0, as X gives it: it must not count as transparency.)
        // 4x2: a red and a black 2x2 square side by side, then the same scaled to 2x1.
        let white = [0xFF, 0xFF, 0xFF, 0];
        let red = [0, 0, 0xFF, 0];
        let black = [0, 0, 0, 0];
        let row = [red, red, black, black].concat();
        let pixels = [row.clone(), row].concat();
        let grab = Grab::whole(4, 2, &pixels);
        let mut scaler = Scaler::default();
        let half = scaler
            .scale(&grab, (2, 1))
            .map(|g| (g.width, g.height, g.pixels.to_vec()));
        assert_eq!(half.ok(), Some((2, 1, [red, black].concat())));
        // A grey line one pixel wide across white is kept, lighter, not dropped.
        let mut pixels = [white; 16].concat();
        for y in 0..4 {
            pixels[(y * 4 + 1) * 4..(y * 4 + 2) * 4].copy_from_slice(&black);
        }
        let grab = Grab::whole(4, 4, &pixels);
        let half = scaler.scale(&grab, (2, 2)).map(|g| g.pixels[0]);
        assert_eq!(half.ok(), Some(0x80), "the line's half of the left column");
    }
}
