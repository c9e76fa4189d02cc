//! A tiny rasteriser for the Word document's bar chart: filled and outlined
//! rectangles and digits from a 5 × 7 pixel font, encoded as PNG. Enough
//! for stacked bars without a graphics library.

/// An RGB colour.
pub(crate) type Rgb = [u8; 3];

/// "#rrggbb" as RGB; anything else is black.
pub(crate) fn rgb(hex: &str) -> Rgb {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// The digits 0–9, seven rows of five pixels each (bit 4 is the left).
const DIGITS: [[u8; 7]; 10] = [
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
];

/// An image being drawn, white to start with.
pub(crate) struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    /// A white canvas.
    pub(crate) fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: vec![255; (width * height * 3) as usize],
        }
    }

    fn set(&mut self, x: u32, y: u32, colour: Rgb) {
        if x < self.width && y < self.height {
            let i = ((y * self.width + x) * 3) as usize;
            self.pixels[i..i + 3].copy_from_slice(&colour);
        }
    }

    /// Fill the rectangle at (`x`, `y`) of `w` × `h` pixels.
    pub(crate) fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, colour: Rgb) {
        for j in y..(y + h).min(self.height) {
            for i in x..(x + w).min(self.width) {
                self.set(i, j, colour);
            }
        }
    }

    /// Draw the one-pixel border of the rectangle at (`x`, `y`) of `w` × `h` pixels.
    pub(crate) fn outline(&mut self, x: u32, y: u32, w: u32, h: u32, colour: Rgb) {
        let (right, bottom) = (x + w.max(1) - 1, y + h.max(1) - 1);
        for i in x..=right {
            self.set(i, y, colour);
            self.set(i, bottom, colour);
        }
        for j in y..=bottom {
            self.set(x, j, colour);
            self.set(right, j, colour);
        }
    }

    /// Draw `n` centred on (`cx`, `cy`), as large as fits half the canvas's
    /// height; nothing when it would not fit in `room` pixels across.
    pub(crate) fn number(&mut self, cx: u32, cy: u32, n: u32, room: u32, colour: Rgb) {
        let digits: Vec<usize> = n
            .to_string()
            .bytes()
            .map(|b| usize::from(b - b'0'))
            .collect();
        let scale = (self.height / 2 / 7).max(1);
        let (glyph_w, glyph_h) = (5 * scale, 7 * scale);
        let text_w = digits.len() as u32 * (glyph_w + scale) - scale;
        if text_w + 4 * scale > room {
            return;
        }
        let (left, top) = (
            cx.saturating_sub(text_w / 2),
            cy.saturating_sub(glyph_h / 2),
        );
        for (k, d) in digits.iter().enumerate() {
            let x0 = left + k as u32 * (glyph_w + scale);
            for (row, bits) in DIGITS[*d].iter().enumerate() {
                for col in 0..5u32 {
                    if bits & (0x10 >> col) != 0 {
                        self.rect(
                            x0 + col * scale,
                            top + row as u32 * scale,
                            scale,
                            scale,
                            colour,
                        );
                    }
                }
            }
        }
    }

    /// The image as a PNG file.
    pub(crate) fn png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header()?.write_image_data(&self.pixels)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_canvas_becomes_a_png_of_its_size() {
        let mut c = Canvas::new(40, 20);
        c.rect(0, 0, 20, 20, rgb("#0072b2"));
        c.outline(0, 0, 40, 20, rgb("#0b0c0c"));
        c.number(30, 10, 7, 20, rgb("#0b0c0c"));
        let png = c.png().unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let header = &png[16..24];
        assert_eq!(header, [0, 0, 0, 40, 0, 0, 0, 20]);
    }
}
