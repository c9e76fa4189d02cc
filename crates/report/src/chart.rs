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

/// A small line of an indicator's figures over periods, with its target as a dashed line.
pub fn trend(points: &[(String, f64)], target: Option<f64>, name: &str) -> String {
    if points.is_empty() {
        return String::new();
    }
    let (w, h, pad) = (400.0, 160.0, 30.0);
    let values: Vec<f64> = points.iter().map(|p| p.1).chain(target).collect();
    let (min, max) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let span = if (max - min).abs() < f64::EPSILON {
        1.0
    } else {
        max - min
    };
    let x = |i: usize| {
        pad + (w - 2.0 * pad)
            * if points.len() == 1 {
                0.5
            } else {
                i as f64 / (points.len() - 1) as f64
            }
    };
    let y = |v: f64| h - pad - (h - 2.0 * pad) * (v - min) / span;
    let desc: Vec<String> = points.iter().map(|(p, v)| format!("{p}: {v}")).collect();
    let mut svg = format!(
        "<svg class=\"ambit-chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title><desc>{}{}</desc>",
        escape(name),
        escape(&desc.join("; ")),
        target.map(|t| format!("; target {t}")).unwrap_or_default()
    );
    if let Some(t) = target {
        let _ = write!(
            svg,
            "<line x1=\"{pad}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#505a5f\" stroke-dasharray=\"6 4\"/>",
            w - pad,
            y(t),
            y(t)
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    let _ = write!(
        svg,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1d70b8\" stroke-width=\"3\"/>",
        path.join(" ")
    );
    for (i, (p, v)) in points.iter().enumerate() {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"#1d70b8\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#0b0c0c\">{}</text>",
            x(i),
            y(*v),
            x(i),
            h - 8.0,
            escape(p)
        );
    }
    svg.push_str("</svg>");
    svg
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
        let t = trend(
            &[("H1 2022/23".into(), 640.0), ("H2 2022/23".into(), 1310.0)],
            Some(1400.0),
            "Carers assessed",
        );
        assert!(t.contains("H1 2022/23: 640; H2 2022/23: 1310; target 1400"));
    }
}
