//! The plain-text summary of an extract (`--format text`).

use std::fmt::Write;

use crate::Extract;

/// Renders an extract for people: one section per kind of finding, empty
/// sections left out.
pub(crate) fn render(e: &Extract) -> String {
    let mut out = String::new();
    if let Some(source) = &e.source {
        line(&mut out, format_args!("Minutes: {source}"));
    }
    if e.is_empty() {
        out.push_str(
            "Nothing recognised: no reports, periods, ambitions, actions, questions, \
             commitments or resolutions.\n",
        );
        return out;
    }
    if !e.reports.is_empty() {
        line(&mut out, format_args!("Reports: {}", e.reports.join(", ")));
    }
    if !e.periods.is_empty() {
        let periods: Vec<String> = e
            .periods
            .iter()
            .map(|p| match p.half {
                Some(h) => format!("{h} {} (\"{}\")", p.year, p.text),
                None => format!("plan year {} (\"{}\")", p.year, p.text),
            })
            .collect();
        line(&mut out, format_args!("Periods: {}", periods.join("; ")));
    }
    if !e.ambitions.is_empty() {
        let a: Vec<String> = e.ambitions.iter().map(u32::to_string).collect();
        line(&mut out, format_args!("Ambitions: {}", a.join(", ")));
    }
    if !e.action_refs.is_empty() {
        line(
            &mut out,
            format_args!("\nActions ({}):", e.action_refs.len()),
        );
        for a in &e.action_refs {
            let ambition = a
                .ambition
                .map(|n| format!("Ambition {n}, "))
                .unwrap_or_default();
            let title = a
                .title
                .as_deref()
                .map(|t| format!(": {t}"))
                .unwrap_or_default();
            line(
                &mut out,
                format_args!("  - {ambition}action {}{title}", a.action),
            );
        }
    }
    if !e.questions.is_empty() {
        line(
            &mut out,
            format_args!("\nQuestions ({}):", e.questions.len()),
        );
        for (i, q) in e.questions.iter().enumerate() {
            let asker = q.asker.as_deref().unwrap_or("(asker not recorded)");
            let responder = q.responder.as_deref().unwrap_or("(no answer recorded)");
            let action = q
                .action_ref
                .as_ref()
                .map(|a| format!(" [action {a}]"))
                .unwrap_or_default();
            line(
                &mut out,
                format_args!("  {}. {asker} -> {responder}{action}", i + 1),
            );
            line(&mut out, format_args!("     {}", q.text));
        }
    }
    if !e.commitments.is_empty() {
        line(
            &mut out,
            format_args!("\nCommitments ({}):", e.commitments.len()),
        );
        for (i, c) in e.commitments.iter().enumerate() {
            line(&mut out, format_args!("  {}. {}", i + 1, c.text));
            let owner = c.owner.as_deref().unwrap_or("(owner not recorded)");
            let due = match &c.due {
                Some(d) => match d.date {
                    Some(date) => format!("due {} (\"{}\")", date.to_iso(), d.text),
                    None => format!("due \"{}\"", d.text),
                },
                None => "no due date".to_owned(),
            };
            let action = c
                .action_ref
                .as_ref()
                .map(|a| format!("; action {a}"))
                .unwrap_or_default();
            line(&mut out, format_args!("     owner: {owner}; {due}{action}"));
        }
    }
    if !e.resolutions.is_empty() {
        line(
            &mut out,
            format_args!("\nResolutions ({}):", e.resolutions.len()),
        );
        for (i, r) in e.resolutions.iter().enumerate() {
            line(
                &mut out,
                format_args!("  {}. [{}] {}", i + 1, r.outcome.as_str(), r.text),
            );
        }
    }
    out
}

fn line(out: &mut String, args: std::fmt::Arguments<'_>) {
    let _ = out.write_fmt(args);
    out.push('\n');
}
