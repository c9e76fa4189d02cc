//! SVG charts. Every chart has a text alternative: a title and description
//! inside the SVG, and a data table beside it on the page.

use std::fmt::Write;

use domain::{Rag, RollUp, Status};

use crate::raster;

/// The fill colour of a RAG colour (the GOV.UK palette), for pages that
/// show a body's RAG colours.
pub fn fill(rag: Rag) -> &'static str {
    match rag {
        Rag::Blue => "#1d70b8",
        Rag::Green => "#00703c",
        Rag::Amber => "#f47738",
        Rag::Red => "#d4351c",
        Rag::Grey => "#b1b4b6",
    }
}

/// The colour of each status in charts, keys and tables: a different
/// colour for every status, from the Okabe–Ito palette designed to stay
/// apart for people with colour-blindness (checked in the tests below
/// under simulated protanopia, deuteranopia and tritanopia).
pub fn status_fill(status: Status) -> &'static str {
    match status {
        Status::Complete => "#0072b2",
        Status::OnTrack => "#009e73",
        Status::AtRisk => "#e69f00",
        Status::OffTrack => "#d55e00",
        Status::NotStarted => "#dddddd",
        Status::Deferred => "#882255",
    }
}

/// The colour of text written on [`status_fill`]: black or white, whichever
/// has the contrast WCAG asks of text (4.5:1).
pub fn text_on(status: Status) -> &'static str {
    match status {
        Status::Complete | Status::Deferred => "#ffffff",
        _ => "#0b0c0c",
    }
}

/// The fill of the "no update" part of a bar.
const NO_UPDATE: &str = "#ffffff";

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The counts of a stacked status chart in words: its text alternative.
pub fn status_words(groups: &[(String, RollUp)]) -> String {
    let mut desc = String::new();
    for (name, r) in groups {
        let parts: Vec<String> = Status::ALL
            .iter()
            .filter(|s| r.count(**s) > 0)
            .map(|s| format!("{} {}", r.count(*s), s.label().to_lowercase()))
            .chain((r.no_update() > 0).then(|| format!("{} no update", r.no_update())))
            .collect();
        let _ = write!(desc, "{name}: {}. ", parts.join(", "));
    }
    desc.trim().to_owned()
}

/// A horizontal stacked bar per group (e.g. per ambition) of status
/// counts, each status in its own colour, with a legend under the bars.
pub fn status_bars(groups: &[(String, RollUp)]) -> String {
    let bar_height = 28;
    let gap = 40;
    let width = 600.0;
    let bars = groups.len() as i32 * (bar_height + gap);
    let legend: Vec<(&str, &str)> = Status::ALL
        .iter()
        .map(|s| (s.label(), status_fill(*s)))
        .chain(std::iter::once(("No update", NO_UPDATE)))
        .collect();
    let per_line = 4;
    let legend_lines = legend.len().div_ceil(per_line) as i32;
    let height = bars + 20 + legend_lines * 24;
    let mut svg = format!(
        "<svg class=\"ambit-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" font-family=\"Arial, DejaVu Sans, sans-serif\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">Actions by status</title><desc id=\"chart-desc\">{}</desc>",
        escape(&status_words(groups))
    );
    for (i, (name, r)) in groups.iter().enumerate() {
        let y = i as i32 * (bar_height + gap) + 20;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{y}\" font-size=\"16\" fill=\"#0b0c0c\">{}</text>",
            escape(name)
        );
        let total = r.total().max(1) as f64;
        let mut x = 0.0;
        let segments = Status::ALL
            .iter()
            .map(|s| (r.count(*s), status_fill(*s), text_on(*s)))
            .chain(std::iter::once((r.no_update(), NO_UPDATE, "#0b0c0c")));
        for (count, colour, text_colour) in segments {
            if count == 0 {
                continue;
            }
            let w = width * f64::from(count) / total;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"{bar_height}\" fill=\"{colour}\" stroke=\"#0b0c0c\" stroke-width=\"1\"/>",
                y + 6
            );
            if w > 24.0 {
                let _ = write!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{}\" font-size=\"14\" text-anchor=\"middle\" fill=\"{text_colour}\">{count}</text>",
                    x + w / 2.0,
                    y + 6 + bar_height / 2 + 5
                );
            }
            x += w;
        }
    }
    for (i, (label, colour)) in legend.iter().enumerate() {
        let x = (i % per_line) as i32 * 150;
        let y = bars + 10 + (i / per_line) as i32 * 24;
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{y}\" width=\"14\" height=\"14\" fill=\"{colour}\" stroke=\"#0b0c0c\" stroke-width=\"1\"/><text x=\"{}\" y=\"{}\" font-size=\"14\" fill=\"#0b0c0c\">{}</text>",
            x + 20,
            y + 12,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One stacked bar as a PNG image of `width` × `height` pixels (for the Word
/// document, which cannot be relied on to show SVG): the segments in the
/// order of `counts` (one per status of [`Status::ALL`]) and then the
/// actions with no update, each outlined, with its count drawn on it when
/// there is room.
pub(crate) fn status_bar_png(
    counts: &[u32],
    no_update: u32,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, png::EncodingError> {
    let mut canvas = raster::Canvas::new(width, height);
    let total: u32 = counts.iter().sum::<u32>() + no_update;
    let segments = Status::ALL
        .iter()
        .zip(counts)
        .map(|(s, n)| (*n, status_fill(*s), text_on(*s)))
        .chain(std::iter::once((no_update, NO_UPDATE, "#0b0c0c")));
    let mut x = 0u32;
    let mut done = 0u32;
    for (count, colour, text_colour) in segments {
        if count == 0 {
            continue;
        }
        done += count;
        let end = (u64::from(width) * u64::from(done) / u64::from(total.max(1))) as u32;
        let w = end.saturating_sub(x).max(1);
        canvas.rect(x, 0, w, height, raster::rgb(colour));
        canvas.outline(x, 0, w, height, raster::rgb("#0b0c0c"));
        canvas.number(x + w / 2, height / 2, count, w, raster::rgb(text_colour));
        x = end;
    }
    canvas.png()
}

/// An indicator's figures over the periods of an action's life (every
/// year of its lineage), and each year's target.
pub struct Trend<'a> {
    /// The indicator's name, the chart's title.
    pub name: &'a str,
    /// Its unit ("%", "carers"), said after each value in the text alternative.
    pub unit: &'a str,
    /// Each period in order ("H1 2022/23") with its figure, `None` where none was given.
    pub periods: Vec<(String, Option<f64>)>,
    /// Each year's target: its label ("2022/23"), its value, and the first
    /// and last index in `periods` of that year's periods.
    pub targets: Vec<(String, f64, usize, usize)>,
}

/// The trend of an indicator as a line chart with axes: the periods along
/// the bottom, a scale of values up the side, every figure labelled with
/// its value, each year's target as a labelled dashed line over that
/// year's periods, and a key. Its text alternative lists every figure and
/// target. Empty when there is nothing to draw.
pub fn trend(t: &Trend) -> String {
    let figures: Vec<(usize, f64)> = t
        .periods
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| v.map(|v| (i, v)))
        .collect();
    if figures.is_empty() && t.targets.is_empty() {
        return String::new();
    }
    let (w, h) = (640.0, 260.0);
    let (left, right, top, bottom) = (64.0, 16.0, 36.0, 44.0);
    let values: Vec<f64> = figures
        .iter()
        .map(|(_, v)| *v)
        .chain(t.targets.iter().map(|t| t.1))
        .collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    // The scale starts at zero for figures that are all positive, so that
    // the heights compare honestly; otherwise it spans what is drawn.
    let min = if lo >= 0.0 { 0.0 } else { lo };
    // Headroom above the highest value for its label.
    let max = if (hi - min).abs() < f64::EPSILON {
        min + 1.0
    } else if min == 0.0 {
        round_up(hi * 1.12)
    } else {
        hi + (hi - min) * 0.12
    };
    let n = t.periods.len().max(1);
    let step = (w - left - right) / n as f64;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |v: f64| h - bottom - (h - top - bottom) * (v - min) / (max - min);
    let unit = if t.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", t.unit)
    };
    let mut desc: Vec<String> = t
        .periods
        .iter()
        .map(|(p, v)| match v {
            Some(v) => format!("{p}: {v}{unit}"),
            None => format!("{p}: no figure"),
        })
        .collect();
    desc.extend(
        t.targets
            .iter()
            .map(|(year, v, _, _)| format!("target for {year}: {v}{unit}")),
    );
    let mut svg = format!(
        "<svg class=\"ambit-chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title><desc>{}</desc>",
        escape(t.name),
        escape(&desc.join("; "))
    );
    // The key, top left: a solid line for figures, a dashed one for targets.
    let _ = write!(
        svg,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"14\" y2=\"14\" stroke=\"#1d70b8\" stroke-width=\"3\"/><text x=\"{}\" y=\"18\" font-size=\"12\" fill=\"#0b0c0c\">Figure</text>\
         <line x1=\"{}\" x2=\"{}\" y1=\"14\" y2=\"14\" stroke=\"#505a5f\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"{}\" y=\"18\" font-size=\"12\" fill=\"#0b0c0c\">Target</text>",
        left + 24.0,
        left + 30.0,
        left + 90.0,
        left + 114.0,
        left + 120.0,
    );
    // The axes, with the scale's bottom, middle and top labelled.
    let _ = write!(
        svg,
        "<line x1=\"{left}\" x2=\"{left}\" y1=\"{top}\" y2=\"{}\" stroke=\"#0b0c0c\"/><line x1=\"{left}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#0b0c0c\"/>",
        h - bottom,
        w - right,
        h - bottom,
        h - bottom
    );
    for v in [min, (min + max) / 2.0, max] {
        let _ = write!(
            svg,
            "<line x1=\"{}\" x2=\"{left}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#0b0c0c\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#0b0c0c\">{}</text>",
            left - 4.0,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0,
            tick(v)
        );
    }
    for (i, (p, _)) in t.periods.iter().enumerate() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#0b0c0c\">{}</text>",
            x(i),
            h - bottom + 16.0,
            escape(p)
        );
    }
    for (year, v, first, last) in &t.targets {
        let (x1, x2) = (x(*first) - step * 0.45, x(*last) + step * 0.45);
        let _ = write!(
            svg,
            "<line x1=\"{x1:.1}\" x2=\"{x2:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#505a5f\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#505a5f\">Target {}: {}</text>",
            y(*v),
            y(*v),
            x1 + 2.0,
            y(*v) + 14.0,
            escape(year),
            tick(*v)
        );
    }
    if figures.len() > 1 {
        let path: Vec<String> = figures
            .iter()
            .map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v)))
            .collect();
        let _ = write!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#1d70b8\" stroke-width=\"3\"/>",
            path.join(" ")
        );
    }
    for (i, v) in &figures {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"#1d70b8\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#0b0c0c\">{}</text>",
            x(*i),
            y(*v),
            x(*i),
            y(*v) - 9.0,
            tick(*v)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The next round number at or above `v` (1, 2, 2.5 or 5 times a power
/// of ten), the top of a scale that starts at zero.
fn round_up(v: f64) -> f64 {
    if v <= 0.0 {
        return v;
    }
    let power = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|top| *top >= v)
        .unwrap_or(10.0 * power)
}

/// A value on a chart: whole numbers as they are, others to two places
/// at most ("84.1", "33.33").
fn tick(v: f64) -> String {
    let rounded = (v * 100.0).round() / 100.0;
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_describe_themselves_and_escape_names() {
        let r = RollUp::of([Some(Status::OnTrack), Some(Status::OnTrack), None]);
        let svg = status_bars(&[("Ambition <2>".into(), r)]);
        assert!(svg.contains("Ambition &lt;2&gt;: 2 on track, 1 no update."));
        assert!(svg.contains("role=\"img\""));
        assert!(!svg.contains("style="), "no inline styles under the CSP");
        let t = trend(&Trend {
            name: "Carers assessed",
            unit: "carers",
            periods: vec![
                ("H1 2022/23".into(), Some(640.0)),
                ("H2 2022/23".into(), Some(1310.0)),
                ("H1 2023/24".into(), None),
                ("H2 2023/24".into(), Some(2210.0)),
            ],
            targets: vec![
                ("2022/23".into(), 1400.0, 0, 1),
                ("2023/24".into(), 2300.0, 2, 3),
            ],
        });
        assert!(t.contains(
            "H1 2022/23: 640 carers; H2 2022/23: 1310 carers; H1 2023/24: no figure; H2 2023/24: 2210 carers; target for 2022/23: 1400 carers; target for 2023/24: 2300 carers"
        ));
        assert!(
            t.contains(">Target 2023/24: 2300</text>"),
            "each year's target is labelled"
        );
        assert!(
            t.contains(">2210</text>"),
            "each figure is labelled with its value"
        );
        assert!(
            t.contains(">Figure</text>") && t.contains(">Target</text>"),
            "a key"
        );
        assert!(t.contains(">0</text>"), "the scale starts at zero");
        assert!(t.contains(">2500</text>"), "and ends at a round number");
        assert!(!t.contains("style="), "no inline styles under the CSP");
        assert_eq!(
            trend(&Trend {
                name: "x",
                unit: "",
                periods: vec![],
                targets: vec![]
            }),
            ""
        );
    }

    /// sRGB "#rrggbb" as linear RGB.
    fn linear(hex: &str) -> [f64; 3] {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        [v >> 16, (v >> 8) & 0xff, v & 0xff].map(|c| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        })
    }

    fn luminance([r, g, b]: [f64; 3]) -> f64 {
        0.2126 * r + 0.7152 * g + 0.0722 * b
    }

    /// WCAG's contrast ratio.
    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(linear(a)), luminance(linear(b)));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    /// Linear RGB as CIELAB (D65).
    fn lab([r, g, b]: [f64; 3]) -> [f64; 3] {
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    #[test]
    fn every_status_has_its_own_colour_with_readable_text() {
        for s in Status::ALL {
            let ratio = contrast(status_fill(s), text_on(s));
            assert!(ratio >= 4.5, "{s:?}: text contrast {ratio:.2}");
        }
        // Colour-blindness simulated with Machado, Oliveira and Fernandes
        // (2009) at full severity; every two statuses stay apart by a
        // CIELAB difference of at least 15 for every kind of vision.
        let visions: [(&str, Option<[[f64; 3]; 3]>); 4] = [
            ("normal", None),
            (
                "protanopia",
                Some([
                    [0.152286, 1.052583, -0.204868],
                    [0.114503, 0.786281, 0.099216],
                    [-0.003882, -0.048116, 1.051998],
                ]),
            ),
            (
                "deuteranopia",
                Some([
                    [0.367322, 0.860646, -0.227968],
                    [0.280085, 0.672501, 0.047413],
                    [-0.011820, 0.042940, 0.968881],
                ]),
            ),
            (
                "tritanopia",
                Some([
                    [1.255528, -0.076749, -0.178779],
                    [-0.078411, 0.930809, 0.147602],
                    [0.004733, 0.691367, 0.303900],
                ]),
            ),
        ];
        for (name, matrix) in visions {
            let seen = |hex: &str| {
                let c = linear(hex);
                lab(match matrix {
                    None => c,
                    Some(m) => {
                        m.map(|row| (row[0] * c[0] + row[1] * c[1] + row[2] * c[2]).clamp(0.0, 1.0))
                    }
                })
            };
            for (i, a) in Status::ALL.iter().enumerate() {
                for b in &Status::ALL[i + 1..] {
                    let (x, y) = (seen(status_fill(*a)), seen(status_fill(*b)));
                    let d = ((x[0] - y[0]).powi(2) + (x[1] - y[1]).powi(2) + (x[2] - y[2]).powi(2))
                        .sqrt();
                    assert!(d >= 15.0, "{name}: {a:?} and {b:?} differ by {d:.1}");
                }
            }
        }
    }

    #[test]
    fn the_chart_has_a_legend_and_the_bar_a_png() {
        let r = RollUp::of([Some(Status::NotStarted), Some(Status::Deferred)]);
        let svg = status_bars(&[("Ambition 1".into(), r)]);
        for s in Status::ALL {
            assert!(
                svg.contains(&format!(">{}</text>", s.label())),
                "{s:?} in the legend"
            );
        }
        assert!(
            svg.contains(status_fill(Status::NotStarted))
                && svg.contains(status_fill(Status::Deferred))
        );
        let png = status_bar_png(&[0, 0, 0, 0, 1, 1], 0, 60, 20).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
}
