//! Committee report packs, built from signed-off progress only: the cover
//! report (purpose, recommendation, the roll-up in words and as a chart,
//! key achievements by ambition), Appendix 1 (progress on every action) and,
//! when next year's plan exists, Appendix 2 (the refreshed plan and what
//! changed). Today the pack is one self-contained, accessible HTML document
//! with a print stylesheet for A4.
//!
//! The pack is computed from domain types only; every text is escaped by
//! askama, and the charts (`chart`) are built from numbers and escaped text.

pub mod chart;

use askama::Template;
use chrono::NaiveDate;
use domain::{
    Body, Half, Measure, Outcome, PlanTree, Portfolio, RefreshReport, ReportingPeriod, RollUp,
    Status, Trend,
};

/// What the officer writes on the cover.
#[derive(Debug, Clone, Default)]
pub struct CoverDetails {
    /// The report's reference, e.g. "ACH22-038".
    pub reference: String,
    /// The committee it goes to.
    pub committee: String,
    /// The meeting's date.
    pub meeting_date: Option<NaiveDate>,
    /// Who wrote it (a role).
    pub author: String,
    /// A short summary in the officer's words (may be empty).
    pub summary: String,
}

/// Everything a pack is made from.
pub struct Pack<'a> {
    /// The body.
    pub body: &'a Body,
    /// The portfolio.
    pub portfolio: &'a Portfolio,
    /// The plan reported on.
    pub tree: &'a PlanTree,
    /// Last year's plan, for the change since the previous period in H1.
    pub previous_year: Option<&'a PlanTree>,
    /// Next year's plan, for Appendix 2 of a year-end (H2) report.
    pub next_year: Option<&'a PlanTree>,
    /// The period reported on.
    pub period: ReportingPeriod,
    /// The cover's details.
    pub cover: CoverDetails,
}

/// "the first half of 2022/23".
pub fn period_words(p: ReportingPeriod) -> String {
    match p.half {
        Half::H1 => format!("the first half of {}", p.year),
        Half::H2 => format!("the second half of {}", p.year),
    }
}

struct Row {
    reference: String,
    title: String,
    lead: String,
    target: String,
    measures: Vec<String>,
    status: String,
    swatch: &'static str,
    commentary: String,
    change: String,
}

struct Section {
    heading: String,
    level: u8,
    rows: Vec<Row>,
}

struct NextRow {
    reference: String,
    title: String,
    lead: String,
    target: String,
    measures: Vec<String>,
    change: String,
}

/// An action that ended at the refresh: (reference, title, outcome, why).
type Ended = (String, String, String, String);

/// Appendix 2: next year's plan and what the refresh changed.
struct Appendix2 {
    heading: String,
    summary: String,
    groups: Vec<(String, Vec<NextRow>)>,
    ended: Vec<(String, Vec<Ended>)>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportHtml {
    title: String,
    body_name: String,
    cover: CoverDetails,
    meeting: String,
    purpose: String,
    recommendations: Vec<String>,
    sentence: String,
    summary_rows: Vec<(String, Vec<u32>, u32, u32)>,
    statuses: Vec<String>,
    chart: String,
    achievements: Vec<(String, Vec<(String, String)>)>,
    sections: Vec<Section>,
    appendix2: Option<Appendix2>,
}

fn measures(
    tree: &PlanTree,
    action: &domain::Action,
    period: Option<ReportingPeriod>,
) -> Vec<String> {
    action
        .measures
        .iter()
        .map(|(id, m)| match m {
            Measure::Statement { text } => text.to_string(),
            Measure::Indicator(i) => {
                let mut s = m.describe();
                if let Some(t) = i.year_end_target(tree.plan.year) {
                    s.push_str(&format!("; target {t}"));
                }
                if let Some(actual) = period
                    .and_then(|p| tree.update_in(action.id, p))
                    .and_then(|u| u.input.actuals.iter().find(|a| a.measure_id == *id))
                {
                    s.push_str(&format!("; actual {}", actual.value));
                }
                s
            }
        })
        .collect()
}

fn heading(tree: &PlanTree, item: &domain::PlanItem, levels: &domain::LevelNames) -> String {
    let _ = tree;
    match item.number {
        Some(n) => format!("{} {n}: {}", levels.name(item.depth), item.title),
        None => format!("{}: {}", levels.name(item.depth), item.title),
    }
}

/// The pack as one self-contained HTML document.
pub fn html(pack: &Pack) -> Result<String, askama::Error> {
    let tree = pack.tree;
    let period = pack.period;
    let levels = &pack.body.level_names;
    let words = period_words(period);
    // The refreshed plan goes with the year-end (H2) report.
    let next_year = pack.next_year.filter(|_| period.half == Half::H2);
    let rollup = tree.rollup(Some(period));
    let before = period.previous();
    let previous_status = |a: &domain::Action| -> Option<Status> {
        match period.half {
            Half::H2 => tree.update_in(a.id, before).map(|u| u.input.status),
            Half::H1 => pack
                .previous_year
                .and_then(|last| a.continues.and_then(|c| last.update_in(c, before)))
                .map(|u| u.input.status),
        }
    };

    let tops: Vec<(String, RollUp)> = {
        let by_top = tree.rollup_at(0, Some(period));
        tree.children(None)
            .map(|i| {
                let name = match i.number {
                    Some(n) => format!("{} {n}", levels.name(0)),
                    None => i.title.to_string(),
                };
                (name, by_top.get(&i.id).copied().unwrap_or_default())
            })
            .collect()
    };
    let mut summary_rows: Vec<(String, Vec<u32>, u32, u32)> = tops
        .iter()
        .map(|(n, r)| {
            (
                n.clone(),
                Status::ALL.iter().map(|s| r.count(*s)).collect(),
                r.no_update(),
                r.total(),
            )
        })
        .collect();
    summary_rows.push((
        "All actions".into(),
        Status::ALL.iter().map(|s| rollup.count(*s)).collect(),
        rollup.no_update(),
        rollup.total(),
    ));

    let achievements = tree
        .children(None)
        .filter_map(|top| {
            let items: Vec<(String, String)> = tree
                .actions
                .iter()
                .filter(|a| tree.path_of(a).first().map(|i| i.id) == Some(top.id))
                .filter_map(|a| {
                    tree.update_in(a.id, period)
                        .filter(|u| u.input.key_achievement)
                        .map(|u| {
                            (
                                a.details.reference.to_string(),
                                u.input.commentary.to_string(),
                            )
                        })
                })
                .collect();
            (!items.is_empty()).then(|| (heading(tree, top, levels), items))
        })
        .collect();

    let mut sections = Vec::new();
    let mut stack: Vec<&domain::PlanItem> = tree
        .children(None)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    while let Some(item) = stack.pop() {
        let rows = tree
            .actions_of(item.id)
            .map(|a| {
                let update = tree.update_in(a.id, period);
                let status = update.map(|u| u.input.status);
                Row {
                    reference: a.details.reference.to_string(),
                    title: a.details.title.to_string(),
                    lead: match &a.details.directorate {
                        Some(d) => format!("{} ({d})", a.details.lead),
                        None => a.details.lead.to_string(),
                    },
                    target: a.details.target.map(|t| t.to_string()).unwrap_or_default(),
                    measures: measures(tree, a, Some(period)),
                    status: status
                        .map(|s| s.label().to_owned())
                        .unwrap_or_else(|| "No update".into()),
                    swatch: status
                        .map(|s| chart::fill(pack.body.rag.rag(s)))
                        .unwrap_or("#ffffff"),
                    commentary: update
                        .map(|u| u.input.commentary.to_string())
                        .unwrap_or_default(),
                    change: Trend::between(previous_status(a), status)
                        .label()
                        .to_owned(),
                }
            })
            .collect();
        sections.push(Section {
            heading: heading(tree, item, levels),
            level: (item.depth + 2).min(4) as u8,
            rows,
        });
        let children: Vec<&domain::PlanItem> = tree.children(Some(item.id)).collect();
        stack.extend(children.into_iter().rev());
    }

    let appendix2 = next_year.map(|next| {
        let report = RefreshReport::between(tree, next, levels.name(0));
        let change = |a: &domain::Action| -> String {
            match a.continues.and_then(|c| tree.actions.iter().find(|old| old.id == c)) {
                Some(old) if old.details.reference == a.details.reference => Outcome::CarriedForward.label().into(),
                Some(old) => format!("{} (was {})", Outcome::CarriedForward.label(), old.details.reference),
                None => Outcome::New.label().into(),
            }
        };
        let groups = next
            .children(None)
            .map(|top| {
                let rows = next
                    .actions
                    .iter()
                    .filter(|a| next.path_of(a).first().map(|i| i.id) == Some(top.id))
                    .map(|a| NextRow {
                        reference: a.details.reference.to_string(),
                        title: a.details.title.to_string(),
                        lead: a.details.lead.to_string(),
                        target: a.details.target.map(|t| t.to_string()).unwrap_or_default(),
                        measures: measures(next, a, None),
                        change: change(a),
                    })
                    .collect();
                (heading(next, top, levels), rows)
            })
            .collect();
        let ended = report
            .groups
            .iter()
            .map(|g| {
                let lines = g
                    .lines
                    .iter()
                    .filter(|l| matches!(l.outcome, Outcome::Completed | Outcome::Dropped | Outcome::NotCarried))
                    .map(|l| {
                        (
                            l.from.map(|r| r.to_string()).unwrap_or_default(),
                            l.title.clone(),
                            l.outcome.label().to_owned(),
                            l.reason.clone().unwrap_or_default(),
                        )
                    })
                    .collect::<Vec<_>>();
                (g.heading.clone(), lines)
            })
            .filter(|(_, l)| !l.is_empty())
            .collect();
        Appendix2 {
            heading:             format!("Appendix 2: the {} Portfolio Plan {}", pack.portfolio.name, next.plan.year),
            summary: format!(
                "From {} to {}: {} carried forward, {} completed, {} dropped, {} not carried forward, {} new.",
                report.from,
                report.to,
                report.count(Outcome::CarriedForward),
                report.count(Outcome::Completed),
                report.count(Outcome::Dropped),
                report.count(Outcome::NotCarried),
                report.count(Outcome::New)
            ),
            groups,
            ended,
        }
    });

    let mut recommendations = vec![format!(
        "the progress on the actions associated with the {} Portfolio Plan for {words} (Appendix 1) be noted",
        pack.portfolio.name
    )];
    if let Some(next) = next_year {
        recommendations.push(format!(
            "the refresh of the Portfolio Plan for {} (Appendix 2) be noted",
            next.plan.year
        ));
    }
    let page = ReportHtml {
        title: format!(
            "{} Portfolio Plan: progress in {words}",
            pack.portfolio.name
        ),
        body_name: pack.body.name.to_string(),
        meeting: pack
            .cover
            .meeting_date
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default(),
        purpose: format!(
            "This report updates the {} on progress on the {} Portfolio Plan {} in {words}{}.",
            if pack.cover.committee.is_empty() {
                "Committee".to_owned()
            } else {
                pack.cover.committee.clone()
            },
            pack.portfolio.name,
            tree.plan.year,
            next_year
                .map(|n| format!(", and presents the refreshed plan for {}", n.plan.year))
                .unwrap_or_default()
        ),
        cover: pack.cover.clone(),
        recommendations,
        sentence: format!("In {words}, {}.", rollup.sentence()),
        summary_rows,
        statuses: Status::ALL.iter().map(|s| s.label().to_owned()).collect(),
        chart: chart::status_bars(&tops, &pack.body.rag),
        achievements,
        sections,
        appendix2,
    };
    page.render()
}
