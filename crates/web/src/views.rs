//! The pages' templates and the view models they show. Templates live in
//! `templates/`; askama escapes every value unless marked safe, and only
//! markup built here from numbers and escaped text (the chart) is.

use askama::Template;
use domain::{Rag, Status};

/// What the page frame shows: who is signed in, the body, the sign-out form's token.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    /// The signed-in person's name.
    pub signed_in_as: Option<String>,
    /// Their role in the body shown, if any.
    pub role: Option<String>,
    /// CSRF token for the sign-out form.
    pub csrf: String,
    /// The body being shown: (slug, name).
    pub body: Option<(String, String)>,
    /// For action leads: their "your updates" page.
    pub my_updates: Option<String>,
    /// For anyone signed in: their home (in the body shown, if they have
    /// a role there).
    pub home: Option<String>,
}

impl Chrome {
    /// The frame with nobody signed in and no body.
    pub fn plain() -> Self {
        Self::default()
    }
}

/// Percent-encode a value for a URL's query (every byte but the unreserved
/// letters, digits and `-_.~`).
pub fn query_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-encode a value for a URL's query or path segment, keeping `/`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The GOV.UK tag colour for a RAG colour.
pub fn tag_colour(rag: Rag) -> &'static str {
    match rag {
        Rag::Blue => "blue",
        Rag::Green => "green",
        Rag::Amber => "orange",
        Rag::Red => "red",
        Rag::Grey => "grey",
    }
}

/// A status shown as a tag: text always, colour as well.
#[derive(Debug, Clone)]
pub struct Tag {
    /// "On track", or "No update".
    pub label: String,
    /// GOV.UK tag colour.
    pub colour: &'static str,
}

impl Tag {
    /// The tag for `status` (none = no update) in a body's colours.
    pub fn of(status: Option<Status>, rag: &domain::RagMapping) -> Self {
        match status {
            Some(s) => Tag {
                label: s.label().to_owned(),
                colour: tag_colour(rag.rag(s)),
            },
            None => Tag {
                label: "No update".to_owned(),
                colour: "grey",
            },
        }
    }
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub title: String,
    pub message: String,
}

/// The list of bodies.
#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub chrome: Chrome,
    pub bodies: Vec<(String, String)>,
}

/// A plan as listed on a body's home page.
pub struct PlanLink {
    pub href: String,
    pub portfolio: String,
    pub year: String,
    pub actions: i64,
    pub published: bool,
}

/// An ambition as listed: number, wording, whether illustrative.
pub type AmbitionLine = (u16, String, bool);

/// A body's home: strategy, ambitions, portfolios and plans.
#[derive(Template)]
#[template(path = "body.html")]
pub struct BodyPage {
    pub chrome: Chrome,
    pub name: String,
    pub strategy: Option<(String, Vec<AmbitionLine>)>,
    pub plans: Vec<PlanLink>,
    pub signed_in: bool,
    /// For editors: where to edit the strategy.
    pub edit_strategy_href: Option<String>,
    /// When the body has single sign-on and nobody is signed in: where to start it.
    pub sso_href: Option<String>,
    /// For administrators: the body's accounts page.
    pub accounts_href: Option<String>,
    /// The settings page, for those who run the cycle.
    pub settings_href: Option<String>,
    /// The ModernGov settings and "Sync now", for those who keep the
    /// committee record.
    pub moderngov_href: Option<String>,
}

/// One option of a filter.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A status to choose on the update form, with what it means.
pub struct StatusChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
    /// What choosing it means.
    pub hint: String,
}

/// An action as a row of the plan page.
pub struct ActionRow {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub target: String,
    pub tag: Tag,
    pub period: String,
    pub illustrative: bool,
    /// With a period chosen: how the status moved since the period before.
    pub trend: Option<&'static str>,
}

/// The key achievements of a period under one top-level item (ambition).
pub struct AchievementGroup {
    pub heading: String,
    /// (reference, commentary)
    pub items: Vec<(String, String)>,
}

/// A heading of the plan tree with the actions directly under it.
pub struct Section {
    /// 2 for the top level, 3 and 4 below.
    pub level: u8,
    pub label: String,
    pub title: String,
    pub illustrative: bool,
    pub summary: Option<String>,
    pub actions: Vec<ActionRow>,
    /// For editors: where to edit the item.
    pub edit_href: Option<String>,
    /// For editors, on the lowest item level: where to add an action.
    pub add_href: Option<String>,
}

/// A row of the status summary table.
pub struct SummaryRow {
    pub name: String,
    pub counts: Vec<u32>,
    pub no_update: u32,
    pub total: u32,
}

/// The plan page: the tree with statuses, filters, summary and chart.
#[derive(Template)]
#[template(path = "plan.html")]
pub struct PlanPage {
    pub chrome: Chrome,
    /// After an import: what was imported, in a notification banner.
    pub banner: Option<String>,
    /// For editors: where to import the plan from a spreadsheet.
    pub import_href: Option<String>,
    pub heading: String,
    pub year: String,
    pub action_name: String,
    pub published: bool,
    pub can_edit: bool,
    pub version: i64,
    pub publish_href: String,
    pub edit_href: String,
    /// For people of the body: the pages of the year's two reporting
    /// periods, each with its committee report in every format.
    pub period_links: Vec<PeriodLink>,
    /// "Draft", "Approved on 20 March 2025" or "Superseded".
    pub status_text: String,
    /// For a superseded plan: the plan that replaced it (its page, its year).
    pub superseded_by: Option<(String, String)>,
    /// Beside the progress sentence: "4 are at risk and 1 is off track".
    pub concerns: Option<String>,
    /// For editors of an approved plan: where to refresh it into next year.
    pub refresh_href: Option<String>,
    /// For people of the body, when last year's plan exists: the refresh report.
    pub report_href: Option<String>,
    /// For editors of a draft plan: where to post its approval.
    pub approve_href: Option<String>,
    pub audit_href: String,
    pub aligned: Vec<String>,
    pub when: String,
    pub sentence: String,
    pub chart: String,
    pub statuses: Vec<String>,
    pub summary: Vec<SummaryRow>,
    pub ambitions: Vec<Choice>,
    pub status_choices: Vec<Choice>,
    pub leads: Vec<Choice>,
    pub periods: Vec<Choice>,
    pub filtered: bool,
    pub shown: usize,
    pub total: usize,
    pub sections: Vec<Section>,
    /// With a period chosen: its key achievements, by ambition.
    pub achievements: Vec<AchievementGroup>,
    /// With a period chosen: the period it is compared with.
    pub compared_with: Option<String>,
    /// The plan as a file, in each format.
    pub downloads: Vec<DownloadLink>,
    /// Its open data beyond the downloads: the JSON schema, OParl, the feed.
    pub open_data: Vec<crate::open_data::OpenLink>,
    /// The committee report packs published for the plan, newest first.
    pub packs: Vec<crate::packs::PackView>,
}

/// One format of a plan's download.
pub struct DownloadLink {
    pub href: String,
    /// "Excel (.xlsx)".
    pub label: &'static str,
    /// What the file holds.
    pub hint: &'static str,
}

/// One measure on the action page, with its figures per period.
pub struct MeasureView {
    pub description: String,
    pub baseline: String,
    pub target: String,
    pub figures: Vec<(String, String)>,
    pub chart: String,
    /// For officers: the form changing or removing the measure.
    pub edit_href: Option<String>,
}

/// One update on the action page.
pub struct UpdateView {
    pub period: String,
    pub tag: Tag,
    pub percent: String,
    pub commentary: String,
    pub key_achievement: bool,
    pub author: String,
    pub updated: String,
    pub illustrative: bool,
    pub audit_href: String,
    /// Where it is in its sign-off ("Draft", "Revision of the signed-off
    /// update, submitted"), for those who see work in progress; empty for
    /// everyone else, who see signed-off content only.
    pub state: String,
}

/// A year of the action's life.
pub struct LineageView {
    pub year: String,
    pub reference: String,
    pub title: String,
    pub href: String,
    pub current: bool,
}

/// The action page.
#[derive(Template)]
#[template(path = "action.html")]
pub struct ActionPage {
    pub chrome: Chrome,
    /// What was just done here ("Your update … is submitted for sign-off").
    pub banner: Option<String>,
    pub reference: String,
    pub title: String,
    pub plan_href: String,
    pub plan_name: String,
    pub path: Vec<(String, String)>,
    pub lead: String,
    pub directorate: String,
    pub target: String,
    pub illustrative: bool,
    pub measures: Vec<MeasureView>,
    /// For officers: the form adding a measure of success.
    pub add_measure_href: Option<String>,
    pub updates: Vec<UpdateView>,
    pub lineage: Vec<LineageView>,
    pub update_links: Vec<(String, String)>,
    pub edit_href: Option<String>,
    pub audit_href: Option<String>,
    /// Questions members asked about the action.
    pub questions: Vec<QuestionRow>,
    /// What officers promised the committee about it.
    pub promises: Vec<PromiseRow>,
}

/// The message for `field` among `errors`, if any.
pub(crate) fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

/// A field's error, shown in the summary and beside the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// One indicator's figure on the update form.
pub struct ActualField {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub value: String,
    pub error: Option<String>,
    /// The baseline and the year's target: "Baseline 240. Target for 2024/25: 300 (higher is better)."
    pub hint: String,
}

/// The update form.
#[derive(Template)]
#[template(path = "update_form.html")]
pub struct UpdateFormPage {
    pub chrome: Chrome,
    pub action_href: String,
    pub reference: String,
    pub title: String,
    pub period: String,
    pub months: String,
    pub errors: Vec<FieldError>,
    pub statuses: Vec<StatusChoice>,
    pub percent: String,
    pub commentary: String,
    pub key_achievement: bool,
    pub actuals: Vec<ActualField>,
    pub version: String,
    pub csrf: String,
    /// Why a performance officer returned the update.
    pub returned_comment: Option<String>,
    /// What saving does here (a draft for sign-off, a revision of the
    /// signed-off update, recorded as reported, a correction).
    pub notice: String,
    /// The reason for a correction, when one may be given: `Some` shows the field.
    pub correction: Option<String>,
    /// Whether the correction's reason is required (the update can change
    /// only by correction here).
    pub correction_required: bool,
    /// Whether "Save and submit for sign-off" is offered.
    pub can_submit: bool,
    /// Whether saving is offered at all (not when it was refused).
    pub can_save: bool,
    /// When the update is due, in an open period: "15 October 2024".
    pub deadline: Option<String>,
    /// The action's update of the period before: (period, status, commentary).
    pub previous: Option<(String, Tag, String)>,
    /// Whether the body requires commentary on updates at risk or off track.
    pub commentary_required: bool,
    /// Why the update cannot be written now (the period is not open, or
    /// closed): `Some` shows this instead of the form.
    pub closed: Option<String>,
    /// The viewer's home, offered when the form is not.
    pub home_href: String,
}

impl UpdateFormPage {
    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The form to edit an action's details.
#[derive(Template)]
#[template(path = "action_form.html")]
pub struct ActionFormPage {
    pub chrome: Chrome,
    pub action_href: String,
    pub errors: Vec<FieldError>,
    pub reference: String,
    /// The hint for a reference in the body's scheme.
    pub reference_hint: &'static str,
    pub title: String,
    pub lead: String,
    pub directorate: String,
    pub target: String,
    /// On an approved plan: the reason for the amendment (shown as a field).
    pub amendment: Option<String>,
    pub version: String,
    pub csrf: String,
}

impl ActionFormPage {
    /// The form's text fields: (name, label, hint, value, width class).
    pub fn fields(&self) -> Vec<(&'static str, &'static str, &'static str, &str, &'static str)> {
        [
            (
                "reference",
                "Reference",
                self.reference_hint,
                &self.reference,
                "govuk-input--width-10",
            ),
            ("title", "Action", "", &self.title, ""),
            (
                "lead",
                "Lead",
                "The role that leads the action, like Director of Adult Services",
                &self.lead,
                "",
            ),
            (
                "directorate",
                "Leading directorate (optional)",
                "When another directorate leads the action",
                &self.directorate,
                "",
            ),
            (
                "target",
                "Target date (optional)",
                "A month, like January 2023, or a day, like 31 March 2023",
                &self.target,
                "govuk-input--width-20",
            ),
        ]
        .into_iter()
        .chain(self.amendment.as_ref().map(|a| {
            (
                "amendment",
                "Reason for amending the approved plan",
                "The plan has been approved, so this change is an amendment",
                a,
                "",
            )
        }))
        .map(|(n, l, h, v, w)| (n, l, h, v.as_str(), w))
        .collect()
    }

    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// One change on the audit page.
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub operation: String,
    /// The event made the record (so "before" has nothing to show).
    pub created: bool,
    pub changes: Vec<crate::history::FieldChange>,
}

/// A record's history.
#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub heading: String,
    pub back_href: String,
    pub rows: Vec<AuditRow>,
}

/// The sign-in page.
#[derive(Template)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    pub errors: Vec<FieldError>,
    pub email: String,
    pub next: String,
    pub form_token: String,
}

/// One labelled text field of a simple form.
pub struct TextField {
    pub name: String,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub width: &'static str,
    /// Several lines (a text area) rather than one.
    pub multiline: bool,
    /// A date, shown as the GOV.UK date input (day, month, year) instead.
    pub date: Option<DateField>,
}

/// A date field in the GOV.UK date input pattern (`date_input.html`): the
/// day input has the id `name`, so error summaries link to it.
pub struct DateField {
    pub name: String,
    pub legend: String,
    pub hint: String,
    pub error: Option<String>,
    /// The part the error is about.
    pub part: Option<crate::dates::Part>,
    pub parts: crate::dates::DateParts,
}

impl DateField {
    /// A date field named `name` showing `parts`, with the error for `name` among `errors`.
    pub fn new(
        name: &str,
        legend: &str,
        hint: &str,
        parts: crate::dates::DateParts,
        errors: &[FieldError],
    ) -> Self {
        let error = error_for(errors, name).map(str::to_owned);
        let part = error.as_ref().map(|_| {
            let (day, month, year) = (
                parts.day.trim().is_empty(),
                parts.month.trim().is_empty(),
                parts.year.trim().is_empty(),
            );
            use crate::dates::Part;
            match (day, month, year) {
                (true, false, false) => Part::Day,
                (false, true, false) => Part::Month,
                (false, false, true) => Part::Year,
                _ => Part::All,
            }
        });
        Self {
            name: name.to_owned(),
            legend: legend.to_owned(),
            hint: hint.to_owned(),
            error,
            part,
            parts,
        }
    }

    /// Whether the day input is marked in error.
    pub fn marks_day(&self) -> bool {
        matches!(
            self.part,
            Some(crate::dates::Part::Day | crate::dates::Part::All)
        )
    }

    /// Whether the month input is marked in error.
    pub fn marks_month(&self) -> bool {
        matches!(
            self.part,
            Some(crate::dates::Part::Month | crate::dates::Part::All)
        )
    }

    /// Whether the year input is marked in error.
    pub fn marks_year(&self) -> bool {
        matches!(
            self.part,
            Some(crate::dates::Part::Year | crate::dates::Part::All)
        )
    }
}

/// A drop-down list of a simple form.
pub struct SelectField {
    pub name: String,
    pub label: String,
    pub options: Vec<Choice>,
}

/// A group of checkboxes of a simple form, each posting `name` once when
/// ticked; or, when `radio`, radios posting `name` once with the one chosen.
pub struct CheckGroup {
    pub name: String,
    pub legend: String,
    pub hint: String,
    pub choices: Vec<Choice>,
    pub radio: bool,
}

/// A simple form: text fields, then drop-down lists and checkboxes
/// (strategy, plan item, committee, member, meeting).
#[derive(Template)]
#[template(path = "text_form.html")]
pub struct TextFormPage {
    pub chrome: Chrome,
    pub back_href: String,
    pub heading: String,
    pub caption: String,
    pub submit: String,
    pub errors: Vec<FieldError>,
    pub fields: Vec<TextField>,
    pub selects: Vec<SelectField>,
    pub checks: Vec<CheckGroup>,
    /// On an approved plan: the reason for the amendment.
    pub amendment: Option<TextField>,
    pub version: String,
    pub csrf: String,
}

impl TextFormPage {
    /// The fields to show, the amendment's last.
    pub fn all_fields(&self) -> Vec<&TextField> {
        self.fields.iter().chain(&self.amendment).collect()
    }

    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The form choosing what a plan is aligned with.
#[derive(Template)]
#[template(path = "plan_form.html")]
pub struct PlanFormPage {
    pub chrome: Chrome,
    pub back_href: String,
    pub heading: String,
    pub errors: Vec<FieldError>,
    pub alignments: Vec<Choice>,
    /// On an approved plan: the reason for the amendment.
    pub amendment: Option<TextField>,
    pub version: String,
    pub csrf: String,
}

/// One action's row on the period page.
pub struct PeriodRow {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub lead: String,
    /// "Missing", "Draft", "Submitted", "Returned", "Signed off".
    pub state: String,
    pub state_colour: &'static str,
    pub status: Option<Tag>,
    /// For officers, when the update is submitted: its id and version for sign-off or return.
    pub decide: Option<(domain::UpdateId, domain::Version)>,
    pub returned_comment: Option<String>,
    /// What the officer reads before signing off, shown expandable under
    /// the action: `None` when there is neither an update nor one before.
    pub detail: Option<UpdateDetail>,
}

/// An update read in full beside its sign-off: what it says, its figures
/// against their targets, and the period before's status and commentary.
pub struct UpdateDetail {
    /// The commentary, empty when none was written or there is no update.
    pub commentary: String,
    /// "60%", when given.
    pub percent: Option<String>,
    /// Whether the lead flagged it a key achievement.
    pub key_achievement: bool,
    /// Each indicator: (name, "84.1 %", "Baseline 80. Target for 2024/25: 86 (higher is better).").
    pub measures: Vec<(String, String, String)>,
    /// The period before's update: (period, status, commentary).
    pub previous: Option<(String, Tag, String)>,
}

/// A reporting period of a plan: who owes what.
#[derive(Template)]
#[template(path = "period.html")]
pub struct PeriodPage {
    pub chrome: Chrome,
    /// What was just done here ("The update on 6A for H1 2024/25 is signed off").
    pub banner: Option<String>,
    pub body_slug: String,
    pub plan_href: String,
    pub heading: String,
    pub period: String,
    /// "open", "closed" or "not opened".
    pub state: String,
    pub deadline: String,
    pub can_manage: bool,
    pub open_href: String,
    pub close_href: String,
    /// This page (the period without the check).
    pub period_href: String,
    /// The committee report pack for the period, to read.
    pub report_href: String,
    /// The report's cover form.
    pub cover_href: String,
    /// (label, value) of what the saved cover says.
    pub cover: Vec<(&'static str, String)>,
    /// The pack to download, in every format.
    pub report_links: Vec<ReportLink>,
    pub counts: Vec<(String, usize)>,
    /// Actions with no signed-off update in the period.
    pub unsettled: usize,
    /// Whether this is the check before closing the period.
    pub checking: bool,
    pub rows: Vec<PeriodRow>,
    pub errors: Vec<FieldError>,
    /// The deadline of the form that opens the period.
    pub deadline_field: DateField,
    /// The packs published for the period, newest first.
    pub packs: Vec<crate::packs::PackView>,
    /// Where an officer publishes the period's pack.
    pub publish_href: String,
}

/// One action awaiting the viewer's update.
pub struct OwedRow {
    pub href: String,
    pub plan: String,
    pub period: String,
    pub reference: String,
    pub title: String,
    pub state: String,
    pub deadline: String,
    pub comment: Option<String>,
}

/// The actions awaiting the signed-in lead's updates.
#[derive(Template)]
#[template(path = "my_updates.html")]
pub struct MyUpdatesPage {
    pub chrome: Chrome,
    pub lead: String,
    pub rows: Vec<OwedRow>,
}

/// The refresh report page: what the refresh did with every action.
#[derive(Template)]
#[template(path = "refresh_report.html")]
pub struct RefreshReportPage {
    pub chrome: Chrome,
    pub plan_href: String,
    pub heading: String,
    pub summary: String,
    pub groups: Vec<domain::RefreshGroup>,
}

/// One action's row on the refresh form.
pub struct RefreshChoice {
    pub id: i64,
    pub reference: String,
    pub title: String,
    /// Its latest status, and the period it was reported for.
    pub status: Tag,
    pub status_period: String,
    /// "carry", "complete" or "drop".
    pub choice: String,
    pub new_reference: String,
    /// Its target date next year, as typed.
    pub target: String,
    pub reason: String,
    /// What is wrong with its reference, target date and reason, if anything.
    pub ref_error: Option<String>,
    pub target_error: Option<String>,
    pub reason_error: Option<String>,
}

/// The refresh form: each action's fate for next year.
#[derive(Template)]
#[template(path = "refresh_form.html")]
pub struct RefreshFormPage {
    pub chrome: Chrome,
    pub plan_href: String,
    pub heading: String,
    pub into: String,
    pub errors: Vec<FieldError>,
    pub actions: Vec<RefreshChoice>,
    /// The target date for every action carried forward, as typed.
    pub all_target: String,
    /// The calendar year the new plan's year ends in, for the hint.
    pub into_end: i32,
    pub csrf: String,
}

impl RefreshFormPage {
    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// A reporting period's page and its committee report, from the plan page.
pub struct PeriodLink {
    /// The period's page.
    pub href: String,
    /// "Updates for H1 2022/23 (April to September)".
    pub label: String,
    /// "H1 2022/23".
    pub period: String,
    /// The committee report in every format.
    pub reports: Vec<ReportLink>,
}

/// A link to download a committee report pack in one format.
pub struct ReportLink {
    /// The address.
    pub href: String,
    /// "PDF", "Word (.docx)".
    pub label: &'static str,
}

/// The download links of the committee report pack at `report_href`.
pub fn report_links(report_href: &str) -> Vec<ReportLink> {
    report::Format::ALL
        .into_iter()
        .map(|f| ReportLink {
            href: match f {
                report::Format::Html => format!("{report_href}?download=1"),
                _ => format!("{report_href}?format={f}"),
            },
            label: f.label(),
        })
        .collect()
}

/// The committees of a body, with how many promises are open and overdue.
#[derive(Template)]
#[template(path = "committees.html")]
pub struct CommitteesPage {
    pub chrome: Chrome,
    pub href: String,
    /// (href, name, open, overdue).
    pub rows: Vec<(String, String, usize, usize)>,
    /// Whether the viewer keeps the committee record (and may add a committee).
    pub keeps: bool,
    pub csrf: String,
    pub errors: Vec<FieldError>,
}

/// One promise in a log of promises.
pub struct PromiseRow {
    pub id: i64,
    pub version: i64,
    pub text: String,
    pub owner: String,
    pub due: String,
    pub made_at: String,
    pub made_href: String,
    pub committee: String,
    /// "Open", "Overdue", "Delivered" or "Withdrawn".
    pub standing: &'static str,
    /// The GOV.UK tag colour for the standing.
    pub tag: &'static str,
    /// How it was delivered or why withdrawn, with the date.
    pub closed: String,
    /// Whether it is still open (so it can be closed).
    pub open: bool,
    /// Open with no due date: flagged "No date set".
    pub no_date: bool,
    /// The action it concerns, when the viewer may see it: (href, "10A: title").
    pub action: Option<(String, String)>,
    /// The sentence of the minutes it came from.
    pub source: String,
    /// The index of that sentence in its item's minutes, when found.
    pub sentence: Option<usize>,
    /// The paragraph of the minutes it came from, when found (meeting page).
    pub paragraph: Option<String>,
}

/// A committee: its log of promises, meetings and members.
#[derive(Template)]
#[template(path = "committee.html")]
pub struct CommitteePage {
    pub chrome: Chrome,
    /// The report packs published for the committee, newest first.
    pub packs: Vec<crate::packs::PackView>,
    pub href: String,
    pub name: String,
    /// Who clerks it (empty when not recorded).
    pub clerk: String,
    /// "Adult Care and Health (ACH)", each portfolio it scrutinises.
    pub portfolios: Vec<String>,
    pub summary: String,
    pub promises: Vec<PromiseRow>,
    /// The pages of the log.
    pub pagination: crate::pagination::Pagination,
    /// The filters of the log, as chosen.
    pub filter: LogFilterView,
    /// (href, date, venue, status, published).
    pub meetings: Vec<(String, String, String, &'static str, bool)>,
    /// Its members and co-opted members, shown to everyone.
    pub members: Vec<MemberRow>,
    /// Its open data: CSV, JSON, OParl, the feed.
    pub open_data: Vec<crate::open_data::OpenLink>,
    /// Whether the viewer keeps the committee record.
    pub keeps: bool,
    pub csrf: String,
    /// (stored, label) of each member role.
    pub roles: Vec<(&'static str, &'static str)>,
    /// (stored, label) of each meeting status.
    pub statuses: Vec<(&'static str, &'static str)>,
    /// The new member's term and the new meeting's date.
    pub term_from: DateField,
    pub term_to: DateField,
    pub held_on: DateField,
    pub errors: Vec<FieldError>,
}

/// The filter form of a committee's log of promises: each list's choices
/// (value, label, chosen), and the query the downloads repeat.
pub struct LogFilterView {
    pub standings: Vec<Choice>,
    pub actions: Vec<Choice>,
    pub owners: Vec<Choice>,
    pub meetings: Vec<Choice>,
    /// Whether any filter is chosen.
    pub filtering: bool,
    /// "Showing 2 of 7 promises", when filtering.
    pub showing: String,
    /// The filtered log as CSV.
    pub csv_href: String,
    /// The matters-arising list (open promises of the filtered log) as Word.
    pub docx_href: String,
}

/// A member on a committee's page.
pub struct MemberRow {
    pub name: String,
    pub role: &'static str,
    pub term: String,
    /// Whether they sit on the committee today.
    pub serving: bool,
    /// Their edit form, linked only for those who keep the record.
    pub edit_href: String,
}

/// A question asked at a meeting.
pub struct QuestionRow {
    pub asker: String,
    pub responder: String,
    /// The action it was about, when the viewer may see it: (href, "10A: title").
    pub action: Option<(String, String)>,
    /// The index of the minutes' sentence it came from, when found.
    pub sentence: Option<usize>,
    pub source: String,
    /// Where it was asked (on an action's page).
    pub meeting: String,
    /// The meeting page, at the item.
    pub meeting_href: String,
}

/// One agenda item on a meeting's page.
pub struct ItemView {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub report_ref: String,
    /// The minutes, sentence by sentence.
    pub sentences: Vec<String>,
    pub questions: Vec<QuestionRow>,
    pub promises: Vec<PromiseRow>,
    /// (text, outcome).
    pub resolutions: Vec<(String, &'static str)>,
    pub minutes_href: String,
    /// The report pack of the period the item's report covers, in every
    /// format, when the viewer may read it: ("ACH 2022/23 H2", links).
    pub reports: Option<(String, Vec<ReportLink>)>,
}

/// A meeting: its agenda and, item by item, the record from the minutes.
#[derive(Template)]
#[template(path = "meeting.html")]
pub struct MeetingPage {
    pub chrome: Chrome,
    /// The report packs published for this meeting, frozen.
    pub packs: Vec<crate::packs::PackView>,
    pub heading: String,
    pub committee_href: String,
    pub href: String,
    pub venue: String,
    pub status: &'static str,
    pub published: bool,
    pub items: Vec<ItemView>,
    pub keeps: bool,
    pub csrf: String,
    /// Today, as the default date a promise is closed on.
    pub today: String,
    /// ("plan id:half", "ACH 2022/23 H1") choices for a new item's report.
    pub plans: Vec<(String, String)>,
    /// (item id, "21 March 2023, item 5: Carers Strategy"): the items that
    /// can be recorded as delivering a promise.
    pub delivering: Vec<(domain::AgendaItemId, String)>,
    /// What was just done, said from the record as it is now.
    pub banner: Option<String>,
    /// The meeting's version, for the form that publishes it.
    pub version: i64,
    pub errors: Vec<FieldError>,
}

/// A question found in minutes, as the clerk reviews it.
#[derive(Default)]
pub struct ProposedQuestion {
    pub accept: bool,
    pub asker: String,
    pub responder: String,
    /// "action-12" (chosen from the plan), a reference typed, or empty.
    pub action: String,
    pub source: String,
    /// The sentence of the displayed minutes it was found in (`#m-{n}`).
    pub mark: Option<usize>,
}

impl ProposedQuestion {
    /// The question's words as quoted for review: its first 600 characters.
    pub fn quote(&self) -> String {
        match self.source.char_indices().nth(600) {
            Some((at, _)) => format!("{} …", &self.source[..at]),
            None => self.source.clone(),
        }
    }
}

/// A promise found in minutes (or added by the clerk), as reviewed.
#[derive(Default)]
pub struct ProposedCommitment {
    pub accept: bool,
    pub text: String,
    pub owner: String,
    /// "2023-03" or "2024-01-31", or empty.
    pub due: String,
    pub due_text: String,
    /// "action-12" (chosen from the plan), a reference typed, or empty.
    pub action: String,
    /// The sentences of the minutes it was found in; empty for the clerk's own.
    pub source: String,
    /// The sentence of the displayed minutes it was found in (`#m-{n}`).
    pub mark: Option<usize>,
    /// The text as the extractor proposed it; empty for the clerk's own.
    pub proposed: String,
    /// Why the extractor found it ("undertook to"); empty for the clerk's own.
    pub cue: String,
    /// How sure the extractor was, in per cent; none for the clerk's own.
    pub confidence: Option<u8>,
    /// Below the review threshold: shown apart, unticked, as possible.
    pub possible: bool,
}

impl ProposedCommitment {
    /// "Found by “undertook to”, 92% sure", or empty for the clerk's own.
    pub fn why(&self) -> String {
        match (self.cue.is_empty(), self.confidence) {
            (false, Some(c)) => format!("Found by “{}”, {c}% sure", self.cue),
            (false, None) => format!("Found by “{}”", self.cue),
            (true, Some(c)) => format!("{c}% sure"),
            (true, None) => String::new(),
        }
    }
}

/// A resolution found in minutes, as reviewed.
#[derive(Default)]
pub struct ProposedResolution {
    pub accept: bool,
    pub text: String,
    /// The stored outcome: "noted", ….
    pub outcome: &'static str,
}

/// Pasting an agenda item's minutes, then reviewing what was found beside them.
#[derive(Template)]
#[template(path = "minutes.html")]
pub struct MinutesPage {
    pub chrome: Chrome,
    pub heading: String,
    pub meeting_href: String,
    pub href: String,
    pub csrf: String,
    pub version: i64,
    /// The minutes' text.
    pub minutes: String,
    /// Where the minutes are shown to read, each finding's sentences marked.
    pub marked: String,
    /// How many words the minutes have, when reviewing (the page quotes
    /// each finding rather than repeating the whole text).
    pub words: usize,
    /// Whether findings are being reviewed (else the paste form shows).
    pub reviewing: bool,
    /// Where the minutes in the form came from, when a ModernGov sync
    /// brought them over for review.
    pub queued_from: Option<String>,
    pub questions: Vec<ProposedQuestion>,
    /// The promises: those proposed, then those possible, then a blank one.
    pub commitments: Vec<ProposedCommitment>,
    pub resolutions: Vec<ProposedResolution>,
    /// (stored, label) of each resolution outcome.
    pub outcomes: Vec<(&'static str, &'static str)>,
    /// The actions a finding can concern, plan by plan.
    pub picker: Vec<ActionGroup>,
    pub errors: Vec<FieldError>,
}

/// One plan's actions in the review's action picker.
pub struct ActionGroup {
    /// "ACH 2022/23 (the plan this item covers)".
    pub label: String,
    /// (value "action-12", label "10A: Develop a new support offer …").
    pub actions: Vec<(String, String)>,
}

impl MinutesPage {
    /// Whether `value` (a finding's action) is one of the picker's choices.
    pub fn offered(&self, value: &str) -> bool {
        value.is_empty()
            || self
                .picker
                .iter()
                .any(|g| g.actions.iter().any(|(v, _)| v == value))
    }

    /// How many promises are proposed (the blank one not counted).
    pub fn proposed_count(&self) -> usize {
        self.commitments
            .iter()
            .filter(|c| !c.possible)
            .count()
            .saturating_sub(1)
    }

    /// How many promises are shown apart as possible.
    pub fn possible_count(&self) -> usize {
        self.commitments.iter().filter(|c| c.possible).count()
    }

    /// Whether promise `i` is the first of the possible ones.
    pub fn starts_possible(&self, i: usize) -> bool {
        self.commitments.get(i).is_some_and(|c| c.possible)
            && (i == 0 || self.commitments.get(i - 1).is_some_and(|c| !c.possible))
    }
}

/// A person as a row of the accounts page.
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub leads: String,
    /// "Active" or "Disabled".
    pub status: &'static str,
    pub active: bool,
}

/// An API token as a row of the accounts page.
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub owner: String,
    /// The day it was created.
    pub created: String,
    /// The day it was revoked, if it was.
    pub revoked: Option<String>,
}

/// The people of a body and their API tokens, for its administrators.
#[derive(Template)]
#[template(path = "accounts.html")]
pub struct AccountsPage {
    pub chrome: Chrome,
    pub body_slug: String,
    pub body_name: String,
    pub errors: Vec<FieldError>,
    pub people: Vec<PersonRow>,
    pub tokens: Vec<TokenRow>,
}

/// "Are you sure?" before an account is removed.
#[derive(Template)]
#[template(path = "account_remove.html")]
pub struct RemoveAccountPage {
    pub chrome: Chrome,
    pub body_slug: String,
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// One action that lacks what approval needs.
pub struct ApprovalGapRow {
    /// Its page.
    pub href: String,
    /// "10A".
    pub reference: String,
    /// Its title.
    pub title: String,
    /// What it lacks, in words: "no target date".
    pub missing: Vec<String>,
}

/// Approving a draft plan: what it lacks, the committee's date and, when
/// something is missing, the reason it is approved as it is.
#[derive(Template)]
#[template(path = "approve.html")]
pub struct ApprovePage {
    pub chrome: Chrome,
    pub heading: String,
    pub plan_href: String,
    pub action: String,
    pub version: i64,
    pub gaps: Vec<ApprovalGapRow>,
    /// The date the committee approved the plan.
    pub on: DateField,
    pub reason: String,
    pub errors: Vec<FieldError>,
}

impl ApprovePage {
    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The body's ModernGov settings: the site, "Sync now" and the last runs.
#[derive(Template)]
#[template(path = "moderngov.html")]
pub struct ModernGovPage {
    pub chrome: Chrome,
    pub action: String,
    /// What was just done ("The ModernGov site address was saved"); shown
    /// instead of the newest run's banner.
    pub banner: Option<String>,
    pub errors: Vec<FieldError>,
    pub csrf: String,
    pub site: String,
    pub delay_ms: String,
    pub version: String,
    /// Whether a site is saved (and "Sync now" is offered).
    pub saved: bool,
    /// The first day of the meetings to sync, as typed.
    pub from: DateField,
    /// The last day, as typed.
    pub to: DateField,
    /// The newest run: (state, site, started at, summary lines, message).
    pub latest: Option<(String, String, String, Vec<String>, String)>,
    /// Linked (committees, meetings, items).
    pub counts: (i64, i64, i64),
    /// Items whose minutes wait for review: (what, the review's address).
    pub queued: Vec<(String, String)>,
    /// The earlier runs: (started at, by, state, message or first line).
    pub runs: Vec<(String, String, String, String)>,
}

impl ModernGovPage {
    /// The error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}
