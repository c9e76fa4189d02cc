//! A portfolio's plan: its page (the tree with statuses, filters and the
//! progress summary), publishing it, and the officer's form for its details.

use std::collections::{BTreeSet, HashMap, HashSet};

use askama::Template;
use axum::extract::{OriginalUri, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use domain::{Action, Body, Half, PlanTree, ReportingPeriod, RollUp, Status};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Viewer;
use crate::extract::{CsrfForm, Editor, InPlan};
use crate::form::*;
use crate::progress::*;
use crate::request::*;
use crate::views::*;
use crate::words::capitalise;
use report::chart;

/// The plan page's filters.
#[derive(Debug, Deserialize, Default)]
pub struct PlanFilters {
    ambition: Option<String>,
    status: Option<String>,
    lead: Option<String>,
    period: Option<String>,
    /// After an import: its token, whose banner is shown once.
    imported: Option<String>,
    /// After recording the plan's approval: "yes".
    approved: Option<String>,
}

fn some(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// What the plan page's query asks to show, as typed: one half-year's
/// updates or the latest, and the actions under one top-level item, with
/// one status (or "none", no update) and one lead.
struct Shown {
    period: Option<ReportingPeriod>,
    top: Option<domain::PlanItemId>,
    status: Option<String>,
    lead: Option<String>,
}

impl Shown {
    /// The filters of `f` for a plan of `year`; a value that names nothing
    /// (a half-year other than H1 or H2, an item that is not a number) is no
    /// filter.
    fn of(f: &PlanFilters, year: domain::FinancialYear) -> Self {
        Shown {
            period: some(&f.period)
                .and_then(|h| h.parse::<Half>().ok())
                .map(|h| ReportingPeriod::new(year, h)),
            top: some(&f.ambition).and_then(|a| a.parse().ok()),
            status: some(&f.status).map(str::to_owned),
            lead: some(&f.lead).map(str::to_owned),
        }
    }

    /// Whether any of the action filters is set.
    fn filtered(&self) -> bool {
        self.top.is_some() || self.status.is_some() || self.lead.is_some()
    }

    /// The status key `a` is filtered by: its status in the period shown,
    /// or "none".
    fn status_key(&self, tree: &PlanTree, a: &Action) -> String {
        tree.status_of(a.id, self.period)
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| "none".into())
    }

    /// Whether action `a` of `tree` passes every filter.
    fn keeps(&self, tree: &PlanTree, a: &Action) -> bool {
        self.top
            .is_none_or(|id| tree.path_of(a).first().map(|i| i.id) == Some(id))
            && self
                .status
                .as_ref()
                .is_none_or(|s| &self.status_key(tree, a) == s)
            && self
                .lead
                .as_ref()
                .is_none_or(|l| a.details.lead.as_str() == l)
    }
}

/// The previous period's updates a trend is read against.
type Previous = (ReportingPeriod, HashMap<domain::ActionId, domain::Update>);

/// `GET /b/{body}/plans/{code}/{year}`: the plan tree with statuses.
pub async fn plan(
    State(state): State<AppState>,
    InPlan {
        viewer,
        access,
        view,
        tree,
    }: InPlan,
    Query(filters): Query<PlanFilters>,
) -> PageResult {
    let (body, portfolio) = (&view.body, &view.portfolio);
    let plan = &tree.plan;
    let levels = &body.level_names;
    let shown = Shown::of(&filters, plan.year);
    let previous = match shown.period {
        Some(p) => previous_updates(&state, body, portfolio, &tree, p).await?,
        None => None,
    };
    let banner = match (
        some(&filters.imported),
        viewer.as_ref().and_then(|v| v.csrf.as_deref()),
    ) {
        (Some(token), Some(owner)) if access.edits_plans() => {
            crate::import::banner(&state, token, owner).await?
        }
        _ => None,
    };
    let banner = match (banner, plan.approved_on) {
        (Some(b), _) => Some(b),
        (None, Some(on))
            if some(&filters.approved) == Some("yes")
                && plan.status == domain::PlanStatus::Approved =>
        {
            Some(format!(
                "Approval recorded: the committee approved this plan on {}",
                on.format("%-d %B %Y")
            ))
        }
        _ => None,
    };
    let packs = crate::packs::pack_views(
        state
            .store()
            .published_packs(body.id, Some(plan.id))
            .await?,
        &access,
    );

    let (sections, shown_count) = sections(&tree, body, &access, &shown, previous.as_ref());
    let (summary, tops, overall) = summary(&tree, shown.period, levels);
    let href = plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year);
    let edits = access.edits_plans();
    let when = match shown.period {
        Some(p) => format!("{} ({})", p, p.half.months()),
        None => match tree.periods().last() {
            Some(p) => format!("latest updates, to {p}"),
            None => "no updates yet".into(),
        },
    };
    let page = PlanPage {
        packs,
        banner,
        import_href: edits.then(|| format!("{href}/import")),
        chrome: chrome(viewer.as_ref(), Some(body)),
        heading: format!("{} Portfolio Plan {}", portfolio.name, plan.year),
        year: plan.year.to_string(),
        action_name: levels.action().to_owned(),
        published: plan.published_at.is_some(),
        can_edit: edits,
        version: plan.version.get(),
        publish_href: format!("{href}/publish"),
        status_text: match (plan.status, plan.approved_on) {
            (domain::PlanStatus::Approved, Some(on)) => {
                format!("Approved on {}", on.format("%-d %B %Y"))
            }
            (domain::PlanStatus::Approved, None) => "Approved".into(),
            (domain::PlanStatus::Draft, _) => "Draft".into(),
            (domain::PlanStatus::Superseded, _) => "Superseded".into(),
        },
        refresh_href: (edits && plan.status == domain::PlanStatus::Approved)
            .then(|| format!("{href}/refresh")),
        report_href: (access.sees_unpublished()
            && tree.actions.iter().any(|a| a.continues.is_some()))
        .then(|| format!("{href}/refresh-report")),
        approve_href: (edits && plan.status == domain::PlanStatus::Draft)
            .then(|| format!("{href}/approve")),
        period_links: if access.sees_unpublished() {
            period_links(&href, plan.year)
        } else {
            vec![]
        },
        edit_href: format!("{href}/edit"),
        audit_href: format!("/b/{}/audit/plan/{}", body.slug, plan.id),
        aligned: plan.alignments.iter().map(|a| a.name.to_string()).collect(),
        when,
        sentence: capitalise(&overall.sentence()),
        concerns: concerns(&overall),
        superseded_by: (plan.status == domain::PlanStatus::Superseded).then(|| {
            let next = plan.year.next();
            (
                plan_href(body.slug.as_str(), portfolio.code.as_str(), next),
                next.to_string(),
            )
        }),
        chart: chart::status_bars(&tops),
        statuses: Status::ALL.iter().map(|s| s.label().to_owned()).collect(),
        summary,
        ambitions: top_choices(&tree, levels, &shown),
        status_choices: status_choices(&shown),
        leads: lead_choices(&tree, &shown),
        periods: tree
            .periods()
            .iter()
            .map(|p| {
                choice(
                    p.half.to_string(),
                    format!("{p} ({})", p.half.months()),
                    shown.period.map(|q| q.half.to_string()).as_deref(),
                )
            })
            .collect(),
        filtered: shown.filtered(),
        shown: shown_count,
        total: tree.actions.len(),
        sections,
        achievements: shown
            .period
            .map(|p| achievements(&tree, p, levels))
            .unwrap_or_default(),
        compared_with: previous.as_ref().map(|(p, _)| p.to_string()),
        downloads: crate::export::links(&href),
        open_data: crate::open_data::plan_links(
            body.slug.as_str(),
            portfolio.code.as_str(),
            plan.year,
        ),
    };
    html(page)
}

/// The plan's items with the actions `shown` keeps under them, in tree
/// order, each action with its status in the period shown (its latest
/// otherwise) and its trend against `previous`; items with no action kept
/// under them are left out. Also how many actions are kept.
fn sections(
    tree: &PlanTree,
    body: &Body,
    access: &domain::Access,
    shown: &Shown,
    previous: Option<&Previous>,
) -> (Vec<Section>, usize) {
    let levels = &body.level_names;
    let kept: Vec<&Action> = tree
        .actions
        .iter()
        .filter(|a| shown.keeps(tree, a))
        .collect();
    let mut wanted: HashSet<domain::PlanItemId> = HashSet::new();
    for a in &kept {
        wanted.extend(tree.path_of(a).iter().map(|i| i.id));
    }
    let by_top = tree.rollup_at(0, shown.period);
    let by_priority = tree.rollup_at(1, shown.period);
    let items: HashMap<domain::PlanItemId, &domain::PlanItem> =
        tree.items.iter().map(|i| (i.id, i)).collect();
    let mut stack: Vec<domain::PlanItemId> = tree.children(None).map(|i| i.id).collect();
    stack.reverse();
    let mut sections = Vec::new();
    while let Some(id) = stack.pop() {
        let item = items[&id];
        if !wanted.contains(&id) {
            continue;
        }
        let actions = kept
            .iter()
            .filter(|a| a.item_id == id)
            .map(|a| {
                let update = match shown.period {
                    Some(p) => tree.update_in(a.id, p),
                    None => tree.latest(a.id),
                };
                ActionRow {
                    href: format!("/b/{}/actions/{}", body.slug, a.id),
                    reference: a.details.reference.to_string(),
                    title: a.details.title.to_string(),
                    lead: a.details.lead.to_string(),
                    target: a.details.target.map(|t| t.to_string()).unwrap_or_default(),
                    tag: Tag::of(update.map(|u| u.input.status), &body.rag),
                    period: update.map(|u| u.period.to_string()).unwrap_or_default(),
                    illustrative: a.details.illustrative,
                    trend: previous.map(|(_, before)| {
                        domain::Trend::between(
                            before.get(&a.id).map(|u| u.input.status),
                            update.map(|u| u.input.status),
                        )
                        .label()
                    }),
                }
            })
            .collect();
        sections.push(Section {
            level: (item.depth + 2).min(4) as u8,
            label: match &item.reference {
                Some(n) => format!("{} {n}", levels.name(item.depth)),
                None => levels.name(item.depth).to_owned(),
            },
            title: item.title.to_string(),
            illustrative: item.illustrative,
            summary: match item.depth {
                0 => by_top.get(&id),
                1 if levels.item_depths() > 2 => by_priority.get(&id),
                _ => None,
            }
            .map(|r| capitalise(&r.sentence())),
            actions,
            edit_href: access
                .edits_plans()
                .then(|| format!("/b/{}/items/{id}/edit", body.slug)),
            add_href: (access.edits_plans() && item.depth + 1 == levels.item_depths())
                .then(|| format!("/b/{}/items/{id}/actions/new", body.slug)),
        });
        let children: Vec<domain::PlanItemId> = tree.children(Some(id)).map(|i| i.id).collect();
        stack.extend(children.into_iter().rev());
    }
    (sections, kept.len())
}

/// The progress summary in `period` (the latest updates when none): a row
/// of counts per top-level item and one for all actions, with the roll-ups
/// the chart and the headline are drawn from.
fn summary(
    tree: &PlanTree,
    period: Option<ReportingPeriod>,
    levels: &domain::LevelNames,
) -> (Vec<SummaryRow>, Vec<(String, RollUp)>, RollUp) {
    let overall = tree.rollup(period);
    let tops: Vec<(String, RollUp)> = tree
        .rollup_by_top(period)
        .into_iter()
        .map(|(i, r)| (i.short_name(levels), r))
        .collect();
    let row = |name: String, r: &RollUp| SummaryRow {
        name,
        counts: Status::ALL.iter().map(|s| r.count(*s)).collect(),
        no_update: r.no_update(),
        total: r.total(),
    };
    let mut rows: Vec<SummaryRow> = tops.iter().map(|(name, r)| row(name.clone(), r)).collect();
    rows.push(row("All actions".into(), &overall));
    (rows, tops, overall)
}

/// The key achievements reported in `period`, under each top-level item.
fn achievements(
    tree: &PlanTree,
    period: ReportingPeriod,
    levels: &domain::LevelNames,
) -> Vec<AchievementGroup> {
    tree.achievements_by_top(period)
        .into_iter()
        .map(|(top, found)| AchievementGroup {
            heading: top.short_name(levels),
            items: found
                .into_iter()
                .map(|(a, u)| {
                    (
                        a.details.reference.to_string(),
                        u.input.commentary.to_string(),
                    )
                })
                .collect(),
        })
        .collect()
}

/// The links to the plan's two period pages (at `href`) with their reports.
fn period_links(href: &str, year: domain::FinancialYear) -> Vec<crate::views::PeriodLink> {
    [Half::H1, Half::H2]
        .iter()
        .map(|h| {
            let p = ReportingPeriod::new(year, *h);
            let href = format!("{href}/periods/{h}");
            let reports = crate::views::report_links(&format!("{href}/report"));
            crate::views::PeriodLink {
                href,
                label: format!("Updates for {p} ({})", h.months()),
                period: p.to_string(),
                reports,
            }
        })
        .collect()
}

/// One option of a filter, selected when it is the `current` value.
fn choice(value: String, label: String, current: Option<&str>) -> Choice {
    Choice {
        selected: current == Some(value.as_str()),
        value,
        label,
    }
}

/// The top-level items to filter by ("Ambition 1: …").
fn top_choices(tree: &PlanTree, levels: &domain::LevelNames, shown: &Shown) -> Vec<Choice> {
    let current = shown.top.map(|a| a.to_string());
    tree.children(None)
        .map(|i| {
            let title = i.title.to_string();
            let label = match &i.reference {
                Some(n) => format!("{} {n}: {}", levels.name(0), title),
                None => title,
            };
            choice(i.id.to_string(), label, current.as_deref())
        })
        .collect()
}

/// The statuses to filter by, and "No update".
fn status_choices(shown: &Shown) -> Vec<Choice> {
    Status::ALL
        .iter()
        .map(|s| {
            choice(
                s.as_str().to_owned(),
                s.label().to_owned(),
                shown.status.as_deref(),
            )
        })
        .chain(std::iter::once(choice(
            "none".into(),
            "No update".into(),
            shown.status.as_deref(),
        )))
        .collect()
}

/// The leads named in the plan, to filter by.
fn lead_choices(tree: &PlanTree, shown: &Shown) -> Vec<Choice> {
    let leads: BTreeSet<&str> = tree
        .actions
        .iter()
        .map(|a| a.details.lead.as_str())
        .collect();
    leads
        .into_iter()
        .map(|l| choice(l.to_owned(), l.to_owned(), shown.lead.as_deref()))
        .collect()
}

/// The publish form.
#[derive(Debug, Deserialize)]
pub struct PublishFields {
    publish: String,
    version: String,
}

/// `POST /b/{body}/plans/{code}/{year}/publish`: publish or withdraw a plan.
pub async fn publish(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    in_plan: InPlan,
    CsrfForm(fields): CsrfForm<PublishFields>,
) -> PageResult {
    let (portfolio, plan) = (in_plan.portfolio(), in_plan.plan());
    let actor = viewer.actor();
    let version = fields.version.parse().unwrap_or(domain::Version::new(0));
    state
        .store()
        .publish_plan(&actor, plan.id, version, fields.publish == "yes")
        .await?;
    Ok(Redirect::to(&plan_href(
        body.slug.as_str(),
        portfolio.code.as_str(),
        plan.year,
    ))
    .into_response())
}

/// The actions at risk and off track, said beside the progress sentence
/// so that "progress on all of the actions" never hides them.
fn concerns(r: &RollUp) -> Option<String> {
    let said = |n: u32, what: &str| match n {
        0 => None,
        1 => Some(format!("1 is {what}")),
        n => Some(format!("{n} are {what}")),
    };
    let parts: Vec<String> = [
        said(r.count(Status::AtRisk), "at risk"),
        said(r.count(Status::OffTrack), "off track"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
}

async fn plan_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    plan: &domain::Plan,
    chosen: &[domain::AlignmentId],
    (version, amendment): (String, String),
    errors: Vec<FieldError>,
) -> PageResult {
    let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
    let failed = !errors.is_empty();
    let page = crate::views::PlanFormPage {
        chrome: chrome(Some(viewer), Some(body)),
        back_href: crate::request::plan_href(
            body.slug.as_str(),
            portfolio.code.as_str(),
            plan.year,
        ),
        heading: format!("Edit the {} plan {}", portfolio.name, plan.year),
        errors,
        alignments: state
            .store()
            .alignments(body.id)
            .await?
            .into_iter()
            .map(|a| crate::views::Choice {
                value: a.id.to_string(),
                label: format!("{} ({})", a.name, a.kind.as_str()),
                selected: chosen.contains(&a.id),
            })
            .collect(),
        amendment: amendment_field(plan.status, amendment),
        version,
        csrf: viewer.csrf.clone().unwrap_or_default(),
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /b/{body}/plans/{code}/{year}/edit`.
pub async fn plan_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    in_plan: InPlan,
) -> PageResult {
    let plan = in_plan.plan().clone();
    let chosen: Vec<domain::AlignmentId> = plan.alignments.iter().map(|a| a.id).collect();
    plan_page(
        &state,
        &viewer,
        &body,
        &plan,
        &chosen,
        (plan.version.to_string(), String::new()),
        vec![],
    )
    .await
}

/// The fields of the form that edits a plan's details, as typed.
#[derive(Debug, Default)]
pub struct PlanFields {
    /// The alignments ticked, once per box.
    alignments: Vec<domain::AlignmentId>,
    /// Why an approved plan is amended.
    amendment: String,
    /// The plan's version the form was filled in against.
    version: String,
}

impl From<Vec<(String, String)>> for PlanFields {
    /// The form as posted, `alignment` once per box ticked.
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut f = PlanFields::default();
        for (name, value) in pairs {
            match name.as_str() {
                "alignment" => f
                    .alignments
                    .extend(value.parse::<domain::AlignmentId>().ok()),
                "amendment" => f.amendment = value,
                "version" => f.version = value,
                _ => {}
            }
        }
        f
    }
}

/// `POST /b/{body}/plans/{code}/{year}/edit`.
pub async fn edit_plan(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    in_plan: InPlan,
    uri: OriginalUri,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let fields = PlanFields::from(pairs);
    let plan = in_plan.plan().clone();
    let mut errors = Vec::new();
    if let Some(writer) = plan_writer(&state, plan.status, &fields.amendment, &mut errors) {
        match writer
            .set_plan_alignments(
                &viewer.actor(),
                plan.id,
                version(&fields.version),
                &fields.alignments,
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(uri.path().trim_end_matches("/edit")).into_response());
            }
            Err(e) => conflict_or(&mut errors, "alignment", e)?,
        }
    }
    plan_page(
        &state,
        &viewer,
        &body,
        &plan,
        &fields.alignments,
        (fields.version, fields.amendment),
        errors,
    )
    .await
}

/// The routes of a plan's page, its publication and its details.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/b/{body}/plans/{code}/{year}", axum::routing::get(plan))
        .route(
            "/b/{body}/plans/{code}/{year}/publish",
            axum::routing::post(publish),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/edit",
            axum::routing::get(plan_form).post(edit_plan),
        )
}
