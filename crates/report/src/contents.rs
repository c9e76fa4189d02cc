//! What a pack says, computed once from the plan and the period; every
//! format (`html`, `pdf`, `docx`, `xlsx`) lays out the same contents.

use serde::Serialize;

use domain::{Half, Measure, Outcome, PlanTree, RefreshReport, RollUp, Status, Trend};

use crate::{Pack, chart, period_words};

/// Everything a pack says, in reading order.
#[derive(Debug, Clone, Serialize)]
pub struct Contents {
    /// "Adult Care and Health Portfolio Plan: progress in the first half of 2022/23".
    pub title: String,
    /// The body's name.
    pub body_name: String,
    /// The report's reference (may be empty).
    pub reference: String,
    /// The committee (may be empty).
    pub committee: String,
    /// The meeting's date in words (may be empty).
    pub meeting: String,
    /// The author's role (may be empty).
    pub author: String,
    /// The officer's summary (may be empty).
    pub summary: String,
    /// Section 1 of the cover.
    pub purpose: String,
    /// "That: …", one clause each.
    pub recommendations: Vec<String>,
    /// The roll-up in words.
    pub sentence: String,
    /// The status columns of the summary table, in order.
    pub statuses: Vec<String>,
    /// Counts by status for each ambition, then for all actions.
    pub summary_rows: Vec<SummaryRow>,
    /// The status chart as SVG.
    pub chart: String,
    /// The chart's text alternative.
    pub chart_text: String,
    /// Key achievements, grouped by ambition.
    pub achievements: Vec<Achievements>,
    /// Appendix 1, one section per plan item that has actions or children.
    pub sections: Vec<Section>,
    /// Appendix 2, for a year-end report when next year's plan exists.
    pub appendix2: Option<Appendix2>,
}

/// One row of the summary table.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    /// "Ambition 1" or "All actions".
    pub name: String,
    /// Counts in the order of `Contents::statuses`.
    pub counts: Vec<u32>,
    /// Actions with no signed-off update.
    pub no_update: u32,
    /// All actions.
    pub total: u32,
}

/// The key achievements under one ambition.
#[derive(Debug, Clone, Serialize)]
pub struct Achievements {
    /// The ambition's heading.
    pub heading: String,
    /// (action reference, commentary).
    pub items: Vec<(String, String)>,
}

/// A heading of Appendix 1 and the actions directly under it.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// "Ambition 1: …", "Priority 2: …".
    pub heading: String,
    /// Depth in the plan: 0 for an ambition.
    pub depth: usize,
    /// The actions directly under this item.
    pub rows: Vec<Row>,
}

/// One action's progress in Appendix 1.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The ambition the action sits under.
    pub ambition: String,
    /// The plan item the action sits directly under.
    pub under: String,
    /// "10A".
    pub reference: String,
    /// The action's title.
    pub title: String,
    /// The lead, with the directorate.
    pub lead: String,
    /// The target date (may be empty).
    pub target: String,
    /// Measures of success, with targets and the period's actuals.
    pub measures: Vec<String>,
    /// The status label, or "No update".
    pub status: String,
    /// The status's colour name ("Green"), or "None".
    pub rag: String,
    /// The status's colour as "#rrggbb".
    pub colour: String,
    /// The period's commentary.
    pub commentary: String,
    /// The change since the previous period, in words.
    pub change: String,
}

/// Appendix 2: next year's plan and what the refresh changed.
#[derive(Debug, Clone, Serialize)]
pub struct Appendix2 {
    /// "Appendix 2: the … Portfolio Plan 2024/25".
    pub heading: String,
    /// The counts of each outcome, in words.
    pub summary: String,
    /// Next year's actions by ambition.
    pub groups: Vec<NextGroup>,
    /// The actions that ended at the refresh, by ambition.
    pub ended: Vec<EndedGroup>,
}

/// Next year's actions under one ambition.
#[derive(Debug, Clone, Serialize)]
pub struct NextGroup {
    /// The ambition's heading.
    pub heading: String,
    /// Its actions.
    pub rows: Vec<NextRow>,
}

/// One of next year's actions.
#[derive(Debug, Clone, Serialize)]
pub struct NextRow {
    /// Its reference.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Its lead.
    pub lead: String,
    /// Its target date (may be empty).
    pub target: String,
    /// Its measures of success with their targets.
    pub measures: Vec<String>,
    /// "Carried forward", "Carried forward (was 6D)" or "New".
    pub change: String,
}

/// The actions of one ambition that ended at the refresh.
#[derive(Debug, Clone, Serialize)]
pub struct EndedGroup {
    /// The ambition's heading.
    pub heading: String,
    /// The actions.
    pub rows: Vec<EndedRow>,
}

/// An action that ended at the refresh.
#[derive(Debug, Clone, Serialize)]
pub struct EndedRow {
    /// Its reference this year.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// "Completed", "Dropped" or "Not carried forward".
    pub outcome: String,
    /// Why (may be empty).
    pub why: String,
}

impl Contents {
    /// Every action in Appendix 1, in order.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.sections.iter().flat_map(|s| s.rows.iter())
    }

    /// The document's title with its reference: "ACH22-038: …".
    pub fn full_title(&self) -> String {
        if self.reference.is_empty() {
            self.title.clone()
        } else {
            format!("{}: {}", self.reference, self.title)
        }
    }

    /// Work out what the pack says.
    pub fn of(pack: &Pack) -> Contents {
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
                    let name = match &i.reference {
                        Some(n) => format!("{} {n}", levels.name(0)),
                        None => i.title.to_string(),
                    };
                    (name, by_top.get(&i.id).copied().unwrap_or_default())
                })
                .collect()
        };
        let summary_row = |name: &str, r: &RollUp| SummaryRow {
            name: name.to_owned(),
            counts: Status::ALL.iter().map(|s| r.count(*s)).collect(),
            no_update: r.no_update(),
            total: r.total(),
        };
        let mut summary_rows: Vec<SummaryRow> =
            tops.iter().map(|(n, r)| summary_row(n, r)).collect();
        summary_rows.push(summary_row("All actions", &rollup));

        let top_heading = |a: &domain::Action| -> String {
            tree.path_of(a)
                .first()
                .map(|i| heading(i, levels))
                .unwrap_or_default()
        };
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
                (!items.is_empty()).then(|| Achievements {
                    heading: heading(top, levels),
                    items,
                })
            })
            .collect();

        let mut sections = Vec::new();
        let mut stack: Vec<&domain::PlanItem> = tree.children(None).collect();
        stack.reverse();
        while let Some(item) = stack.pop() {
            let under = heading(item, levels);
            let rows = tree
                .actions_of(item.id)
                .map(|a| {
                    let update = tree.update_in(a.id, period);
                    let status = update.map(|u| u.input.status);
                    let rag = status.map(|s| pack.body.rag.rag(s));
                    Row {
                        ambition: top_heading(a),
                        under: under.clone(),
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
                        rag: rag.map(|r| r.label()).unwrap_or("None").to_owned(),
                        colour: rag.map(chart::fill).unwrap_or("#ffffff").to_owned(),
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
                heading: under,
                depth: item.depth,
                rows,
            });
            let mut children: Vec<&domain::PlanItem> = tree.children(Some(item.id)).collect();
            children.reverse();
            stack.extend(children);
        }

        let appendix2 = next_year.map(|next| appendix2(pack, tree, next));

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
        let cover = &pack.cover;
        let committee = if cover.committee.is_empty() {
            pack.portfolio
                .committee
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default()
        } else {
            cover.committee.clone()
        };
        Contents {
            title: format!(
                "{} Portfolio Plan: progress in {words}",
                pack.portfolio.name
            ),
            body_name: pack.body.name.to_string(),
            reference: cover.reference.as_str().to_owned(),
            committee: committee.clone(),
            meeting: cover
                .meeting_date
                .map(|d| d.format("%-d %B %Y").to_string())
                .unwrap_or_default(),
            author: cover.author.clone(),
            summary: cover.summary.clone(),
            purpose: format!(
                "This report updates the {} on progress on the {} Portfolio Plan {} in {words}{}.",
                if committee.is_empty() {
                    "Committee"
                } else {
                    &committee
                },
                pack.portfolio.name,
                tree.plan.year,
                next_year
                    .map(|n| format!(", and presents the refreshed plan for {}", n.plan.year))
                    .unwrap_or_default()
            ),
            recommendations,
            sentence: format!("In {words}, {}.", rollup.sentence()),
            statuses: Status::ALL.iter().map(|s| s.label().to_owned()).collect(),
            summary_rows,
            chart: chart::status_bars(&tops, &pack.body.rag),
            chart_text: chart::status_words(&tops),
            achievements,
            sections,
            appendix2,
        }
    }
}

fn appendix2(pack: &Pack, tree: &PlanTree, next: &PlanTree) -> Appendix2 {
    let levels = &pack.body.level_names;
    let report = RefreshReport::between(tree, next, levels.name(0));
    let change = |a: &domain::Action| -> String {
        match a
            .continues
            .and_then(|c| tree.actions.iter().find(|old| old.id == c))
        {
            Some(old) if old.details.reference == a.details.reference => {
                Outcome::CarriedForward.label().into()
            }
            Some(old) => format!(
                "{} (was {})",
                Outcome::CarriedForward.label(),
                old.details.reference
            ),
            None => Outcome::New.label().into(),
        }
    };
    let groups = next
        .children(None)
        .map(|top| NextGroup {
            heading: heading(top, levels),
            rows: next
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
                .collect(),
        })
        .collect();
    let ended = report
        .groups
        .iter()
        .map(|g| EndedGroup {
            heading: g.heading.clone(),
            rows: g
                .lines
                .iter()
                .filter(|l| {
                    matches!(
                        l.outcome,
                        Outcome::Completed | Outcome::Dropped | Outcome::NotCarried
                    )
                })
                .map(|l| EndedRow {
                    reference: l.from.as_ref().map(|r| r.to_string()).unwrap_or_default(),
                    title: l.title.clone(),
                    outcome: l.outcome.label().to_owned(),
                    why: l.reason.clone().unwrap_or_default(),
                })
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    Appendix2 {
        heading: format!(
            "Appendix 2: the {} Portfolio Plan {}",
            pack.portfolio.name, next.plan.year
        ),
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
}

fn measures(
    tree: &PlanTree,
    action: &domain::Action,
    period: Option<domain::ReportingPeriod>,
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

fn heading(item: &domain::PlanItem, levels: &domain::LevelNames) -> String {
    match &item.reference {
        Some(n) => format!("{} {n}: {}", levels.name(item.depth), item.title),
        None => format!("{}: {}", levels.name(item.depth), item.title),
    }
}
