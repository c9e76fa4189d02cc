//! SVG charts. Every chart has a text alternative: a title and description
//! inside the SVG, and a data table beside it on the page.

use std::fmt::Write;

use domain::{Rag, RagMapping, RollUp, Status};

/// The fill colour of a RAG colour (the GOV.UK palette).
pub fn fill(rag: Rag) -> &'static str {
    match rag {
        Rag::Blue => "#1d70b8",
        Rag::Green => "#00703c",
        Rag::Amber => "#f47738",
        Rag::Red => "#d4351c",
        Rag::Grey => "#b1b4b6",
    }
}

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

/// A horizontal stacked bar per group (e.g. per ambition) of status counts.
pub fn status_bars(groups: &[(String, RollUp)], rag: &RagMapping) -> String {
    let bar_height = 28;
    let gap = 40;
    let label_width = 0;
    let width = 600.0;
    let height = groups.len() as i32 * (bar_height + gap) + 40;
    let mut svg = format!(
        "<svg class=\"ambit-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" font-family=\"Arial, DejaVu Sans, sans-serif\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">Actions by status</title><desc id=\"chart-desc\">{}</desc>",
        escape(&status_words(groups))
    );
    for (i, (name, r)) in groups.iter().enumerate() {
        let y = i as i32 * (bar_height + gap) + 20;
        let _ = write!(
            svg,
            "<text x=\"{label_width}\" y=\"{}\" font-size=\"16\" fill=\"#0b0c0c\">{}</text>",
            y,
            escape(name)
        );
        let total = r.total().max(1) as f64;
        let mut x = 0.0;
        let segments = Status::ALL
            .iter()
            .map(|s| (r.count(*s), fill(rag.rag(*s))))
            .chain(std::iter::once((r.no_update(), "#ffffff")));
        for (count, colour) in segments {
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
                let text_colour =
                    if colour == "#ffffff" || colour == "#b1b4b6" || colour == "#f47738" {
                        "#0b0c0c"
                    } else {
                        "#ffffff"
                    };
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
    svg.push_str("</svg>");
    svg
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
        let svg = status_bars(&[("Ambition <2>".into(), r)], &RagMapping::default());
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
}
