//! What a pack says, computed once from the plan and the period; every
//! format (`html`, `pdf`, `docx`, `xlsx`) lays out the same contents.

use serde::{Deserialize, Serialize};

use domain::{AlignmentKind, Half, Measure, PlanItem, PlanTree, RollUp, Status, Trend};

use crate::{Pack, chart, period_words};

/// Everything a pack says, in reading order.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// Whom readers contact: the cover's contact officer, else the author
    /// (may be empty).
    #[serde(default)]
    pub contact: String,
    /// The officer's summary (may be empty).
    pub summary: String,
    /// The pack's date as YYYY-MM-DD: the meeting's, else the last day of
    /// the period. Documents carry it as their date, never the time they
    /// were made, so the same data always gives the same files.
    pub date: String,
    /// The names of the plan's levels above the actions, top first.
    pub levels: Vec<String>,
    /// Section 1 of the cover.
    pub purpose: String,
    /// The plan's place in the body's strategy, in paragraphs.
    pub context: Vec<String>,
    /// The ambitions the plan serves, one line each (may be empty).
    pub ambitions: Vec<String>,
    /// "That: …", one clause each.
    pub recommendations: Vec<String>,
    /// The roll-up in words.
    pub sentence: String,
    /// How many actions are at risk and off track, in words.
    pub risks: String,
    /// A warning that some of the data is invented for demonstration;
    /// empty when none is.
    pub illustrative: String,
    /// The status columns of the summary table, in order.
    pub statuses: Vec<String>,
    /// Each status with its colour and what it means.
    pub status_key: Vec<StatusKey>,
    /// Counts by status for each ambition, then for all actions.
    pub summary_rows: Vec<SummaryRow>,
    /// The status chart as SVG, with its legend.
    pub chart: String,
    /// The chart's text alternative.
    pub chart_text: String,
    /// Key achievements (completed actions and flagged achievements), grouped by ambition.
    pub achievements: Vec<Achievements>,
    /// Whether Appendix 1 has the "Since the last period" column: only
    /// when some action had a status in an earlier period.
    pub show_change: bool,
    /// Appendix 1, one section per plan item that has actions or children.
    pub sections: Vec<Section>,
    /// Appendix 2, for a year-end report when next year's plan exists.
    pub appendix2: Option<Appendix2>,
}

/// A status as the key on the cover explains it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusKey {
    /// "On track".
    pub label: String,
    /// What it means.
    pub definition: String,
    /// Its colour as "#rrggbb".
    pub colour: String,
    /// The colour of text written on it.
    pub text_colour: String,
}

/// One row of the summary table.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Achievements {
    /// The ambition's heading.
    pub heading: String,
    /// Its achievements, in plan order.
    pub items: Vec<Achievement>,
}

/// One key achievement: an action completed in the period or an update
/// flagged as a key achievement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Achievement {
    /// The action's reference.
    pub reference: String,
    /// The action's title.
    pub title: String,
    /// "Completed", "Key achievement" or "Completed; key achievement".
    pub why: String,
    /// The period's commentary, on one line.
    pub words: String,
}

/// A heading of Appendix 1 and the actions directly under it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Section {
    /// "Ambition 1: …", "Priority 2: …".
    pub heading: String,
    /// Depth in the plan: 0 for an ambition.
    pub depth: usize,
    /// The actions directly under this item.
    pub rows: Vec<Row>,
}

/// One action's progress in Appendix 1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// The ambition the action sits under.
    pub ambition: String,
    /// The headings of the items above the action, top first (one per
    /// level of `Contents::levels` it sits under).
    pub path: Vec<String>,
    /// "10A".
    pub reference: String,
    /// The action's title.
    pub title: String,
    /// The lead, with the directorate.
    pub lead: String,
    /// The target date in words (may be empty).
    pub target: String,
    /// The day the target falls due, as YYYY-MM-DD (may be empty).
    pub due: String,
    /// Whether the target is a month rather than a day.
    pub due_month: bool,
    /// Measures of success, with targets and the period's actuals.
    pub measures: Vec<String>,
    /// The measures' figures, one per measure.
    pub figures: Vec<Figure>,
    /// The status label, or "No update".
    pub status: String,
    /// The status's RAG colour name ("Green"), or "None".
    pub rag: String,
    /// The status's colour as "#rrggbb".
    pub colour: String,
    /// The colour of text written on `colour`.
    pub text_colour: String,
    /// How far through the action is, when the update says.
    pub percent: Option<u8>,
    /// The period's commentary.
    pub commentary: String,
    /// The change since the previous period, in words.
    pub change: String,
    /// What the refresh did with the action ([`Fate::label`]); empty when
    /// the pack has no Appendix 2.
    pub fate: String,
    /// The action's reference next year when it was renumbered (may be empty).
    pub renumbered_to: String,
}

/// A measure of success with its figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figure {
    /// The indicator's name or the statement.
    pub measure: String,
    /// The unit (empty for a statement).
    pub unit: String,
    /// "higher is better" (empty for a statement).
    pub direction: String,
    /// The baseline.
    pub baseline: Option<f64>,
    /// The year-end target.
    pub target: Option<f64>,
    /// The period's actual.
    pub actual: Option<f64>,
}

/// What the yearly refresh did with an action, as Appendix 2 reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fate {
    /// Finished this year.
    Completed,
    /// Continues under the same reference.
    CarriedForward,
    /// Continues under a new reference.
    Renumbered,
    /// Stops unfinished.
    Dropped,
    /// New next year.
    New,
}

impl Fate {
    /// Every fate, in the order Appendix 2 counts them.
    pub const ALL: [Fate; 5] = [
        Fate::Completed,
        Fate::CarriedForward,
        Fate::Renumbered,
        Fate::Dropped,
        Fate::New,
    ];

    /// For people: "Carried forward".
    pub fn label(self) -> &'static str {
        match self {
            Fate::Completed => "Completed",
            Fate::CarriedForward => "Carried forward",
            Fate::Renumbered => "Renumbered",
            Fate::Dropped => "Dropped",
            Fate::New => "New",
        }
    }

    /// What the word means, as Appendix 2 defines it.
    pub fn definition(self) -> &'static str {
        match self {
            Fate::Completed => {
                "The action was finished this year (reported complete, or recorded as completed at the refresh), so it is not in the new plan."
            }
            Fate::CarriedForward => {
                "The action continues in the new plan under the same reference."
            }
            Fate::Renumbered => {
                "The action continues in the new plan under a new reference, shown beside it."
            }
            Fate::Dropped => {
                "The action stops unfinished and is not in the new plan; the reason is given where one was recorded."
            }
            Fate::New => "The action is in the new plan and did not continue one of this year's.",
        }
    }

    /// Whether an action with this fate is in next year's plan.
    pub fn continues(self) -> bool {
        matches!(self, Fate::CarriedForward | Fate::Renumbered | Fate::New)
    }
}

/// A fate, its meaning and how many actions had it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FateCount {
    /// [`Fate::label`].
    pub label: String,
    /// [`Fate::definition`].
    pub definition: String,
    /// How many actions.
    pub count: usize,
}

/// Appendix 2: next year's plan and what the refresh changed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Appendix2 {
    /// "Appendix 2: the … Portfolio Plan 2024/25".
    pub heading: String,
    /// The year ending: "2023/24".
    pub from: String,
    /// The year beginning: "2024/25".
    pub to: String,
    /// The counts of each fate, in words.
    pub summary: String,
    /// Each fate with its definition and count, in [`Fate::ALL`]'s order.
    pub counts: Vec<FateCount>,
    /// Next year's plan, one section per plan item, as Appendix 1 groups it.
    pub sections: Vec<NextSection>,
    /// This year's actions that are not in next year's plan, grouped as in Appendix 1.
    pub ended: Vec<EndedSection>,
}

impl Appendix2 {
    /// How many actions had `fate`.
    pub fn count(&self, fate: Fate) -> usize {
        self.counts
            .iter()
            .find(|c| c.label == fate.label())
            .map_or(0, |c| c.count)
    }

    /// Every row of next year's plan, in order.
    pub fn rows(&self) -> impl Iterator<Item = &NextRow> {
        self.sections.iter().flat_map(|s| s.rows.iter())
    }

    /// Every action that ended, in order.
    pub fn ended_rows(&self) -> impl Iterator<Item = &EndedRow> {
        self.ended.iter().flat_map(|s| s.rows.iter())
    }
}

/// A heading of next year's plan and the actions directly under it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NextSection {
    /// "Priority 2: …".
    pub heading: String,
    /// Depth in the plan: 0 for an ambition.
    pub depth: usize,
    /// The actions directly under this item.
    pub rows: Vec<NextRow>,
}

/// One of next year's actions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NextRow {
    /// The headings of the items above it, top first.
    pub path: Vec<String>,
    /// Its reference.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// Its lead.
    pub lead: String,
    /// Its target date in words (may be empty).
    pub target: String,
    /// The day the target falls due, as YYYY-MM-DD (may be empty).
    pub due: String,
    /// Whether the target is a month rather than a day.
    pub due_month: bool,
    /// Its measures of success with their targets.
    pub measures: Vec<String>,
    /// "Carried forward", "Renumbered" or "New" ([`Fate::label`]).
    pub change: String,
    /// Its reference this year when it was renumbered (may be empty).
    pub was: String,
}

/// This year's actions under one item that ended at the refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndedSection {
    /// The item's heading.
    pub heading: String,
    /// Depth in the plan: 0 for an ambition.
    pub depth: usize,
    /// The actions.
    pub rows: Vec<EndedRow>,
}

/// An action that ended at the refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndedRow {
    /// The headings of the items above it, top first.
    pub path: Vec<String>,
    /// Its reference this year.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// "Completed" or "Dropped" ([`Fate::label`]).
    pub outcome: String,
    /// Why: when it was reported complete, or why it was dropped.
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

    /// Who the document is by: the author, else the body.
    pub fn creator(&self) -> &str {
        if self.author.is_empty() {
            &self.body_name
        } else {
            &self.author
        }
    }

    /// The heading of Appendix 1's column of fates: "In 2024/25".
    pub fn fate_heading(&self) -> String {
        self.appendix2
            .as_ref()
            .map(|a| format!("In {}", a.to))
            .unwrap_or_default()
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
        let previous_status = |a: &domain::Action| -> Option<Status> {
            tree.update_before(pack.previous_year, a, period)
                .map(|u| u.input.status)
        };
        let fates = next_year.map(|next| fates(tree, next, period));

        let tops: Vec<(String, RollUp)> = tree
            .rollup_by_top(Some(period))
            .into_iter()
            .map(|(i, r)| (i.short_name(levels), r))
            .collect();
        let summary_row = |name: &str, r: &RollUp| SummaryRow {
            name: name.to_owned(),
            counts: Status::ALL.iter().map(|s| r.count(*s)).collect(),
            no_update: r.no_update(),
            total: r.total(),
        };
        let mut summary_rows: Vec<SummaryRow> =
            tops.iter().map(|(n, r)| summary_row(n, r)).collect();
        summary_rows.push(summary_row("All actions", &rollup));

        let achievements = tree
            .achievements_by_top(period)
            .into_iter()
            .map(|(top, found)| Achievements {
                heading: heading(top, levels),
                items: found
                    .into_iter()
                    .map(|(a, u)| Achievement {
                        reference: a.details.reference.to_string(),
                        title: a.details.title.to_string(),
                        why: match (u.input.status == Status::Complete, u.input.key_achievement) {
                            (true, true) => "Completed; key achievement",
                            (true, false) => "Completed",
                            _ => "Key achievement",
                        }
                        .to_owned(),
                        words: u
                            .input
                            .commentary
                            .as_str()
                            .lines()
                            .collect::<Vec<_>>()
                            .join(" "),
                    })
                    .collect(),
            })
            .collect();

        let mut show_change = false;
        let sections = walk(tree)
            .into_iter()
            .map(|item| Section {
                heading: heading(item, levels),
                depth: item.depth,
                rows: tree
                    .actions_of(item.id)
                    .map(|a| {
                        let update = tree.update_in(a.id, period);
                        let status = update.map(|u| u.input.status);
                        let earlier = previous_status(a);
                        show_change |= earlier.is_some();
                        let (fate, renumbered_to) = fates
                            .as_ref()
                            .and_then(|f| f.of(a.id))
                            .map(|(f, to)| (f.label().to_owned(), to))
                            .unwrap_or_default();
                        let path = path_headings(tree, a, levels);
                        Row {
                            ambition: path.first().cloned().unwrap_or_default(),
                            path,
                            reference: a.details.reference.to_string(),
                            title: a.details.title.to_string(),
                            lead: lead(a),
                            target: a.details.target.map(|t| t.to_string()).unwrap_or_default(),
                            due: a
                                .details
                                .target
                                .map(|t| t.due_by().to_string())
                                .unwrap_or_default(),
                            due_month: is_month(a),
                            measures: measures(tree, a, Some(period)),
                            figures: figures(tree, a, Some(period)),
                            status: status
                                .map(|s| s.label().to_owned())
                                .unwrap_or_else(|| "No update".into()),
                            rag: status
                                .map(|s| pack.body.rag.rag(s).label())
                                .unwrap_or("None")
                                .to_owned(),
                            colour: status.map(chart::status_fill).unwrap_or("#ffffff").into(),
                            text_colour: status.map(chart::text_on).unwrap_or("#0b0c0c").into(),
                            percent: update.and_then(|u| u.input.percent).map(|p| p.value()),
                            commentary: update
                                .map(|u| u.input.commentary.to_string())
                                .unwrap_or_default(),
                            change: Trend::between(earlier, status).label().to_owned(),
                            fate,
                            renumbered_to,
                        }
                    })
                    .collect(),
            })
            .collect();

        let appendix2 = next_year
            .zip(fates.as_ref())
            .map(|(next, f)| appendix2(pack, tree, next, f));

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
        let depths = tree.items.iter().map(|i| i.depth + 1).max().unwrap_or(0);
        let (context, ambitions) = context(pack);
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
            contact: cover.contact_officer().to_owned(),
            summary: cover.summary.clone(),
            date: cover
                .meeting_date
                .unwrap_or_else(|| period.last_day())
                .to_string(),
            levels: (0..depths).map(|d| levels.name(d).to_owned()).collect(),
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
            context,
            ambitions,
            recommendations,
            sentence: format!("In {words}, {}.", rollup.sentence()),
            risks: risks(&rollup),
            illustrative: illustrative(pack, period),
            statuses: Status::ALL.iter().map(|s| s.label().to_owned()).collect(),
            status_key: Status::ALL
                .iter()
                .map(|s| StatusKey {
                    label: s.label().to_owned(),
                    definition: s.definition().to_owned(),
                    colour: chart::status_fill(*s).to_owned(),
                    text_colour: chart::text_on(*s).to_owned(),
                })
                .collect(),
            summary_rows,
            chart: chart::status_bars(&tops),
            chart_text: chart::status_words(&tops),
            achievements,
            show_change,
            sections,
            appendix2,
        }
    }
}

/// The plan's items in reading order: each item, then its children.
fn walk(tree: &PlanTree) -> Vec<&PlanItem> {
    let mut out = Vec::new();
    let mut stack: Vec<&PlanItem> = tree.children(None).collect();
    stack.reverse();
    while let Some(item) = stack.pop() {
        out.push(item);
        let mut children: Vec<&PlanItem> = tree.children(Some(item.id)).collect();
        children.reverse();
        stack.extend(children);
    }
    out
}

fn is_month(a: &domain::Action) -> bool {
    matches!(a.details.target, Some(domain::TargetDate::Month { .. }))
}

fn lead(a: &domain::Action) -> String {
    match &a.details.directorate {
        Some(d) => format!("{} ({d})", a.details.lead),
        None => a.details.lead.to_string(),
    }
}

fn path_headings(tree: &PlanTree, a: &domain::Action, levels: &domain::LevelNames) -> Vec<String> {
    tree.path_of(a)
        .into_iter()
        .map(|i| heading(i, levels))
        .collect()
}

/// "1 action was" / "3 actions were".
fn actions_were(n: u32) -> String {
    if n == 1 {
        "1 action was".to_owned()
    } else {
        format!("{n} actions were")
    }
}

fn risks(r: &RollUp) -> String {
    let (risk, off) = (r.count(Status::AtRisk), r.count(Status::OffTrack));
    match (risk, off) {
        (0, 0) => "No action was at risk or off track.".to_owned(),
        (_, 0) => format!("{} at risk; none was off track.", actions_were(risk)),
        (0, _) => format!("No action was at risk; {} off track.", actions_were(off)),
        _ => format!(
            "{} at risk and {} off track.",
            actions_were(risk),
            actions_were(off)
        ),
    }
}

/// The plan's place in the strategy: paragraphs, and the ambitions it serves.
fn context(pack: &Pack) -> (Vec<String>, Vec<String>) {
    let tree = pack.tree;
    let plan = format!(
        "The {} Portfolio Plan {}",
        pack.portfolio.name, tree.plan.year
    );
    let mut paragraphs = Vec::new();
    let mut ambitions = Vec::new();
    match pack.strategy {
        Some(s) => {
            let served: Vec<&domain::Ambition> = s
                .ambitions
                .iter()
                .filter(|a| tree.children(None).any(|top| top.ambition_id == Some(a.id)))
                .collect();
            paragraphs.push(format!(
                "{plan} sets out what the portfolio will do this year towards {} {}, the {}'s corporate strategy{}",
                s.title,
                s.years,
                pack.body.name,
                if served.is_empty() {
                    ".".to_owned()
                } else {
                    format!(
                        ". It serves {} of the strategy's {} ambitions:",
                        served.len(),
                        s.ambitions.len()
                    )
                }
            ));
            ambitions = served
                .iter()
                .map(|a| format!("Ambition {}: {}", a.number, a.title))
                .collect();
        }
        None => paragraphs.push(format!(
            "{plan} sets out what the portfolio will do this year, under {} {}.",
            tree.children(None).count(),
            if tree.children(None).count() == 1 {
                pack.body.level_names.name(0).to_lowercase()
            } else {
                format!("{}s", pack.body.level_names.name(0).to_lowercase())
            }
        )),
    }
    let named = |kind: AlignmentKind| -> Vec<String> {
        tree.plan
            .alignments
            .iter()
            .filter(|a| a.kind == kind)
            .map(|a| a.name.to_string())
            .collect()
    };
    let (strategies, programmes) = (
        named(AlignmentKind::Strategy),
        named(AlignmentKind::Programme),
    );
    let list = |names: &[String]| match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let aligned = match (strategies.is_empty(), programmes.is_empty()) {
        (true, true) => None,
        (false, true) => Some(format!("the {}", list(&strategies))),
        (true, false) => Some(format!("the {}", list(&programmes))),
        (false, false) => Some(format!(
            "the {}, and with the {}",
            list(&strategies),
            list(&programmes)
        )),
    };
    if let Some(a) = aligned {
        paragraphs.push(format!("The plan is aligned with {a}."));
    }
    (paragraphs, ambitions)
}

/// The warning for data invented for demonstration, counting the records
/// the pack shows that are marked illustrative; empty when none is.
fn illustrative(pack: &Pack, period: domain::ReportingPeriod) -> String {
    let tree = pack.tree;
    let mut shown = 0usize;
    let mut invented = 0usize;
    let mut count = |flag: bool| {
        shown += 1;
        invented += usize::from(flag);
    };
    for i in &tree.items {
        count(i.illustrative);
    }
    for a in &tree.actions {
        count(a.details.illustrative);
        if let Some(u) = tree.update_in(a.id, period) {
            count(u.input.illustrative);
        }
    }
    if let Some(s) = pack.strategy {
        for a in s
            .ambitions
            .iter()
            .filter(|a| tree.items.iter().any(|i| i.ambition_id == Some(a.id)))
        {
            count(a.illustrative);
        }
    }
    if invented == 0 {
        String::new()
    } else {
        format!(
            "Illustrative data: {invented} of the {shown} records this report draws on are invented for demonstration, not taken from the body's records."
        )
    }
}

/// What the refresh did with each of this year's actions, and which of
/// next year's are new.
struct Fates {
    /// (this year's action id, fate, next year's reference when renumbered).
    ended: Vec<(domain::ActionId, Fate, String)>,
}

impl Fates {
    fn of(&self, id: domain::ActionId) -> Option<(Fate, String)> {
        self.ended
            .iter()
            .find(|(a, _, _)| *a == id)
            .map(|(_, f, to)| (*f, to.clone()))
    }
}

fn fates(tree: &PlanTree, next: &PlanTree, period: domain::ReportingPeriod) -> Fates {
    let ended = tree
        .actions
        .iter()
        .map(|a| {
            let continued = next.actions.iter().find(|n| n.continues == Some(a.id));
            let recorded = a.outcome.as_ref().map(|(k, _)| k.as_str());
            let finished = tree
                .update_in(a.id, period)
                .or_else(|| tree.latest(a.id))
                .is_some_and(|u| u.input.status == Status::Complete);
            match continued {
                Some(n) if n.details.reference == a.details.reference => {
                    (a.id, Fate::CarriedForward, String::new())
                }
                Some(n) => (a.id, Fate::Renumbered, n.details.reference.to_string()),
                None if recorded == Some("completed") || finished => {
                    (a.id, Fate::Completed, String::new())
                }
                None => (a.id, Fate::Dropped, String::new()),
            }
        })
        .collect();
    Fates { ended }
}

fn appendix2(pack: &Pack, tree: &PlanTree, next: &PlanTree, fates: &Fates) -> Appendix2 {
    let levels = &pack.body.level_names;
    let period = pack.period;
    let sections: Vec<NextSection> = walk(next)
        .into_iter()
        .map(|item| NextSection {
            heading: heading(item, levels),
            depth: item.depth,
            rows: next
                .actions_of(item.id)
                .map(|a| {
                    let old = a
                        .continues
                        .and_then(|c| tree.actions.iter().find(|o| o.id == c));
                    let (change, was) = match old {
                        Some(o) if o.details.reference == a.details.reference => {
                            (Fate::CarriedForward, String::new())
                        }
                        Some(o) => (Fate::Renumbered, o.details.reference.to_string()),
                        None => (Fate::New, String::new()),
                    };
                    NextRow {
                        path: path_headings(next, a, levels),
                        reference: a.details.reference.to_string(),
                        title: a.details.title.to_string(),
                        lead: lead(a),
                        target: a.details.target.map(|t| t.to_string()).unwrap_or_default(),
                        due: a
                            .details
                            .target
                            .map(|t| t.due_by().to_string())
                            .unwrap_or_default(),
                        due_month: is_month(a),
                        measures: measures(next, a, None),
                        change: change.label().to_owned(),
                        was,
                    }
                })
                .collect(),
        })
        .collect();
    let ended: Vec<EndedSection> = walk(tree)
        .into_iter()
        .map(|item| EndedSection {
            heading: heading(item, levels),
            depth: item.depth,
            rows: tree
                .actions_of(item.id)
                .filter_map(|a| {
                    let (fate, _) = fates.of(a.id)?;
                    let why = match fate {
                        Fate::Completed => match tree.update_in(a.id, period) {
                            Some(u) if u.input.status == Status::Complete => {
                                format!("Reported complete in {}.", period_words(period))
                            }
                            _ => "Recorded as completed at the refresh.".to_owned(),
                        },
                        Fate::Dropped => match &a.outcome {
                            Some((k, Some(reason))) if k == "dropped" && !reason.is_empty() => {
                                reason.clone()
                            }
                            _ => "No reason was recorded at the refresh.".to_owned(),
                        },
                        _ => return None,
                    };
                    Some(EndedRow {
                        path: path_headings(tree, a, levels),
                        reference: a.details.reference.to_string(),
                        title: a.details.title.to_string(),
                        outcome: fate.label().to_owned(),
                        why,
                    })
                })
                .collect(),
        })
        .collect();
    // A heading stays when something under it has rows, so the grouping
    // reads as in Appendix 1 without empty branches.
    let ended = prune(ended, |s| s.depth, |s| s.rows.is_empty());
    let count = |fate: Fate| -> usize {
        if fate == Fate::New {
            sections
                .iter()
                .flat_map(|s| &s.rows)
                .filter(|r| r.change == fate.label())
                .count()
        } else {
            fates.ended.iter().filter(|(_, f, _)| *f == fate).count()
        }
    };
    let counts: Vec<FateCount> = Fate::ALL
        .iter()
        .map(|f| FateCount {
            label: f.label().to_owned(),
            definition: f.definition().to_owned(),
            count: count(*f),
        })
        .collect();
    let n = |f: Fate| counts[Fate::ALL.iter().position(|g| *g == f).unwrap_or(0)].count;
    let this_year = fates.ended.len();
    let next_year: usize = sections.iter().map(|s| s.rows.len()).sum();
    Appendix2 {
        heading: format!(
            "Appendix 2: the {} Portfolio Plan {}",
            pack.portfolio.name, next.plan.year
        ),
        from: tree.plan.year.to_string(),
        to: next.plan.year.to_string(),
        summary: format!(
            "Of the {this_year} actions of {}: {} completed, {} carried forward, {} renumbered and {} dropped. The {} plan has {next_year} actions: {} carried forward, {} renumbered and {} new.",
            tree.plan.year,
            n(Fate::Completed),
            n(Fate::CarriedForward),
            n(Fate::Renumbered),
            n(Fate::Dropped),
            next.plan.year,
            n(Fate::CarriedForward),
            n(Fate::Renumbered),
            n(Fate::New),
        ),
        counts,
        sections,
        ended,
    }
}

/// Keep the sections that have rows and the headings above them.
fn prune<S>(sections: Vec<S>, depth: impl Fn(&S) -> usize, empty: impl Fn(&S) -> bool) -> Vec<S> {
    let mut keep = vec![false; sections.len()];
    for i in 0..sections.len() {
        if empty(&sections[i]) {
            continue;
        }
        keep[i] = true;
        let mut d = depth(&sections[i]);
        for j in (0..i).rev() {
            if depth(&sections[j]) < d {
                keep[j] = true;
                d = depth(&sections[j]);
            }
        }
    }
    sections
        .into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
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

fn figures(
    tree: &PlanTree,
    action: &domain::Action,
    period: Option<domain::ReportingPeriod>,
) -> Vec<Figure> {
    action
        .measures
        .iter()
        .map(|(id, m)| match m {
            Measure::Statement { text } => Figure {
                measure: text.to_string(),
                unit: String::new(),
                direction: String::new(),
                baseline: None,
                target: None,
                actual: None,
            },
            Measure::Indicator(i) => Figure {
                measure: i.name.to_string(),
                unit: i.unit.to_string(),
                direction: i.direction.describe().to_owned(),
                baseline: i.baseline,
                target: i.year_end_target(tree.plan.year),
                actual: period
                    .and_then(|p| tree.update_in(action.id, p))
                    .and_then(|u| u.input.actuals.iter().find(|a| a.measure_id == *id))
                    .map(|a| a.value),
            },
        })
        .collect()
}

fn heading(item: &domain::PlanItem, levels: &domain::LevelNames) -> String {
    match &item.reference {
        Some(n) => format!("{} {n}: {}", levels.name(item.depth), item.title),
        None => format!("{}: {}", levels.name(item.depth), item.title),
    }
}
