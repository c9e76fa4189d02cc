//! The yearly refresh on the web: the form choosing each action's fate,
//! the refresh report, and approval.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect};
use domain::{Fate, FinancialYear, Outcome, ParseError, RefreshReport, TargetDate};
use store::StoreError;

use crate::AppState;
use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::form::{DateInputs, optional, parsed, status_of, version};
use crate::request::PageResult;
use crate::request::{chrome, plan_href};
use crate::views::{
    ApprovalGapRow, ApprovePage, DateField, FieldError, RefreshChoice, RefreshFormPage,
    RefreshReportPage,
};
use crate::words::{error_message, note, user_message};

/// `GET /b/{body}/plans/{code}/{year}/refresh-report`: this plan against the year before.
pub async fn report(
    State(state): State<AppState>,
    SignedIn {
        viewer,
        body,
        access,
    }: SignedIn,
    Path((_, code, year)): Path<(String, String, String)>,
) -> PageResult {
    if !access.sees_unpublished() {
        return Err(WebError::Forbidden);
    }
    let (Ok(code), Ok(year)) = (
        code.parse::<domain::PortfolioCode>(),
        year.parse::<FinancialYear>(),
    ) else {
        return Err(WebError::NotFound);
    };
    let (new, old) = match (
        state.store().plan_view(&body.slug, &code, year).await,
        state
            .store()
            .plan_view(&body.slug, &code, year.previous())
            .await,
    ) {
        (Ok(n), Ok(o)) => (n, o),
        (Err(StoreError::NotFound { .. }), _) | (_, Err(StoreError::NotFound { .. })) => {
            return Err(WebError::NotFound);
        }
        (Err(e), _) | (_, Err(e)) => return Err(e.into()),
    };
    let r = RefreshReport::between(&old.tree, &new.tree, body.level_names.name(0));
    let page = RefreshReportPage {
        chrome: chrome(Some(&viewer), Some(&body)),
        plan_href: plan_href(body.slug.as_str(), code.as_str(), year),
        heading: format!("{} plan {}: what the refresh did", new.portfolio.name, year),
        summary: format!(
            "From {} to {}: {} carried forward, {} completed, {} dropped, {} not carried forward, {} new.",
            r.from,
            r.to,
            r.count(Outcome::CarriedForward),
            r.count(Outcome::Completed),
            r.count(Outcome::Dropped),
            r.count(Outcome::NotCarried),
            r.count(Outcome::New)
        ),
        groups: r.groups,
    };
    Ok(Html(page.render()?).into_response())
}

async fn refresh_page(
    state: &AppState,
    viewer: &Viewer,
    body: &domain::Body,
    code: &domain::PortfolioCode,
    year: FinancialYear,
    posted: &RefreshFields,
    errors: Vec<FieldError>,
) -> PageResult {
    let view = match state.store().plan_view(&body.slug, code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let actions = view
        .tree
        .actions
        .iter()
        .map(|a| {
            let row = posted.row(a);
            let error = |field: &str| {
                crate::views::error_for(&errors, &format!("{field}-{}", a.id)).map(str::to_owned)
            };
            RefreshChoice {
                id: a.id.get(),
                reference: a.details.reference.to_string(),
                title: a.details.title.to_string(),
                status: crate::views::Tag::of(
                    view.tree.latest(a.id).map(|u| u.input.status),
                    &body.rag,
                ),
                status_period: view
                    .tree
                    .latest(a.id)
                    .map(|u| u.period.to_string())
                    .unwrap_or_default(),
                ref_error: error("ref"),
                target_error: error("target"),
                reason_error: error("reason"),
                choice: row.fate,
                new_reference: row
                    .reference
                    .unwrap_or_else(|| a.details.reference.to_string()),
                target: row.target,
                reason: row.reason,
            }
        })
        .collect();
    let failed = !errors.is_empty();
    let page = RefreshFormPage {
        chrome: chrome(Some(viewer), Some(body)),
        plan_href: plan_href(body.slug.as_str(), code.as_str(), year),
        heading: format!(
            "Refresh the {} plan {} into {}",
            view.portfolio.name,
            year,
            year.next()
        ),
        into: year.next().to_string(),
        errors,
        actions,
        all_target: posted.all_target.clone(),
        into_end: year.next().start_year() + 1,
        csrf: viewer.csrf.clone().unwrap_or_default(),
    };
    Ok((status_of(failed), Html(page.render()?)).into_response())
}

fn parse_plan(code: &str, year: &str) -> Result<(domain::PortfolioCode, FinancialYear), WebError> {
    match (code.parse(), year.parse()) {
        (Ok(c), Ok(y)) => Ok((c, y)),
        _ => Err(WebError::NotFound),
    }
}

/// `GET /b/{body}/plans/{code}/{year}/refresh`.
pub async fn form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
) -> PageResult {
    let (code, year) = parse_plan(&code, &year)?;
    let blank = RefreshFields::default();
    refresh_page(&state, &viewer, &body, &code, year, &blank, vec![]).await
}

/// The refresh form, as typed: one target date for every action carried
/// forward (`all-target`) and each action's row, posted as `fate-ID`,
/// `ref-ID`, `target-ID` and `reason-ID`.
#[derive(Debug, Default)]
pub struct RefreshFields {
    /// The target date for every action carried forward.
    all_target: String,
    /// The rows posted, by action id.
    rows: BTreeMap<i64, RefreshRow>,
}

/// One action's row of the refresh form, as typed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RefreshRow {
    /// "carry", "complete" or "drop".
    fate: String,
    /// Its reference next year, when posted; empty keeps this year's.
    reference: Option<String>,
    /// Its own target date next year.
    target: String,
    /// Why it is dropped.
    reason: String,
}

impl From<Vec<(String, String)>> for RefreshFields {
    /// The form as posted; fields of no row are left out.
    fn from(pairs: Vec<(String, String)>) -> Self {
        let mut f = RefreshFields::default();
        for (name, value) in pairs {
            if name == "all-target" {
                f.all_target = value;
                continue;
            }
            let Some((field, id)) = name
                .rsplit_once('-')
                .and_then(|(field, id)| Some((field, id.parse::<i64>().ok()?)))
            else {
                continue;
            };
            let row = f.rows.entry(id).or_insert_with(|| RefreshRow {
                fate: "carry".into(),
                ..RefreshRow::default()
            });
            match field {
                "fate" => row.fate = value,
                "ref" => row.reference = Some(value),
                "target" => row.target = value,
                "reason" => row.reason = value,
                _ => {}
            }
        }
        f
    }
}

impl RefreshFields {
    /// The row of action `a` as posted, else as the form first shows it:
    /// carried forward.
    fn row(&self, a: &domain::Action) -> RefreshRow {
        self.rows
            .get(&a.id.get())
            .cloned()
            .unwrap_or_else(|| RefreshRow {
                fate: "carry".into(),
                ..RefreshRow::default()
            })
    }
}

/// What the refresh form describes: the fate of each of the plan's actions.
#[derive(Debug)]
struct Refresh {
    fates: HashMap<domain::ActionId, Fate>,
}

impl TryFrom<(&RefreshFields, &[domain::Action], domain::ReferenceScheme)> for Refresh {
    type Error = Vec<FieldError>;

    /// The rows of `actions`, references read in the body's `scheme`; each
    /// error names its action and links to its field.
    fn try_from(
        (f, actions, scheme): (&RefreshFields, &[domain::Action], domain::ReferenceScheme),
    ) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        // One target date for every action carried forward, unless an
        // action is given its own.
        let all_target = optional(&f.all_target, str::parse::<TargetDate>)
            .map_err(|e| {
                note(
                    &mut errors,
                    "all-target",
                    &format!(
                        "Target date for every action carried forward must be {}",
                        e.expected
                    ),
                )
            })
            .unwrap_or_default();
        let mut fates = HashMap::new();
        for a in actions {
            let row = f.row(a);
            let reference = &a.details.reference;
            let mut wrong = |field: &str, e: ParseError| {
                note(
                    &mut errors,
                    &format!("{field}-{}", a.id),
                    &format!("{reference}: {}", error_message(&e)),
                )
            };
            let fate = match row.fate.trim() {
                "complete" => Some(Fate::Completed),
                "drop" => Fate::dropped(row.reason.trim())
                    .map_err(|e| wrong("reason", e))
                    .ok(),
                _ => {
                    let typed = row.reference.as_deref().unwrap_or_default();
                    let reference = optional(typed, |r| scheme.parse_action(r))
                        .map_err(|e| wrong("ref", e))
                        .ok()
                        .map(|r| r.unwrap_or_else(|| reference.clone()));
                    let target = optional(&row.target, str::parse::<TargetDate>)
                        .map_err(|e| wrong("target", e))
                        .ok()
                        .map(|own| own.or(all_target));
                    target
                        .zip(reference)
                        .map(|(target, reference)| Fate::CarriedForward { reference, target })
                }
            };
            fates.extend(fate.map(|fate| (a.id, fate)));
        }
        parsed(errors, Some(Refresh { fates }))
    }
}

/// `POST /b/{body}/plans/{code}/{year}/refresh`: make next year's draft plan.
pub async fn refresh(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (code, year) = parse_plan(&code, &year)?;
    let view = match state.store().plan_view(&body.slug, &code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let fields = RefreshFields::from(pairs);
    let errors = match Refresh::try_from((&fields, &view.tree.actions[..], body.reference_scheme)) {
        Ok(Refresh { fates }) => match state
            .store()
            .refresh_plan(&viewer.actor(), view.tree.plan.id, year.next(), &fates)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "{}/refresh-report",
                    plan_href(body.slug.as_str(), code.as_str(), year.next())
                ))
                .into_response());
            }
            Err(e) if e.is_user_error() => vec![refusal(&e, &view.tree.actions, &fates)],
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors,
    };
    refresh_page(&state, &viewer, &body, &code, year, &fields, errors).await
}

/// A refusal of the whole refresh as the error summary shows it, linked
/// to the row it is about: the renumbered reference that does not fit under
/// its item, or the reference two actions would share (named by the
/// action's reference this year); the first row's choice when the refusal
/// is about the plan as a whole.
fn refusal(
    e: &StoreError,
    actions: &[domain::Action],
    fates: &HashMap<domain::ActionId, Fate>,
) -> FieldError {
    let new_reference = |a: &domain::Action| match fates.get(&a.id) {
        Some(Fate::CarriedForward { reference, .. }) => Some(reference.clone()),
        Some(_) => None,
        None => Some(a.details.reference.clone()),
    };
    let row = match e {
        StoreError::Invalid(p) if p.field == "renumber" => {
            let old = p.value.split(" → ").next().unwrap_or_default();
            actions
                .iter()
                .find(|a| a.details.reference.to_string() == old)
                .map(|a| (a, format!("the reference next year must be {}", p.expected)))
        }
        StoreError::Duplicate { key, .. } => {
            let clashes = |a: &&domain::Action| {
                new_reference(a).is_some_and(|r| r.to_string().eq_ignore_ascii_case(key))
            };
            // The action renumbered onto another's reference, before the
            // one that kept its own.
            actions
                .iter()
                .filter(clashes)
                .find(|a| new_reference(a).as_ref() != Some(&a.details.reference))
                .or_else(|| actions.iter().find(clashes))
                .map(|a| (a, user_message(e)))
        }
        _ => None,
    };
    match row {
        Some((a, message)) => FieldError {
            field: format!("ref-{}", a.id),
            message: format!("{}: {message}", a.details.reference),
        },
        None => FieldError {
            field: actions
                .first()
                .map(|a| format!("fate-{}", a.id))
                .unwrap_or_default(),
            message: user_message(e),
        },
    }
}

/// The approval form, as typed.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ApproveFields {
    /// The plan's version the form was filled in against.
    #[serde(default)]
    version: String,
    /// Why the committee approved the plan with its gaps.
    #[serde(default, rename = "accept-gaps")]
    accept_gaps: String,
    /// The day the committee approved it (`on`).
    #[serde(flatten)]
    dates: DateInputs,
}

/// The draft plan `code` `year` of `body` and the approval page for it,
/// showing `fields` as typed and `errors` against them.
async fn approve_page(
    state: &AppState,
    viewer: &Viewer,
    body: &domain::Body,
    (code, year): (&domain::PortfolioCode, FinancialYear),
    fields: &ApproveFields,
    errors: Vec<FieldError>,
) -> PageResult {
    let view = match state.store().plan_view(&body.slug, code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let href = plan_href(body.slug.as_str(), code.as_str(), year);
    if view.tree.plan.status != domain::PlanStatus::Draft {
        // Approved already (perhaps by someone else): the plan says so.
        return Ok(Redirect::to(&href).into_response());
    }
    let gaps = state
        .store()
        .approval_gaps(view.tree.plan.id)
        .await?
        .into_iter()
        .map(|(a, g)| ApprovalGapRow {
            href: format!("/b/{}/actions/{}", body.slug, a.id),
            reference: a.details.reference.to_string(),
            title: a.details.title.to_string(),
            missing: g.iter().map(ToString::to_string).collect(),
        })
        .collect();
    let status = status_of(!errors.is_empty());
    let page = ApprovePage {
        chrome: chrome(Some(viewer), Some(body)),
        heading: format!("Approve the {} plan {year}", view.portfolio.name),
        action: format!("{href}/approve"),
        plan_href: href,
        version: view.tree.plan.version.get(),
        gaps,
        on: DateField::new(
            "on",
            "Date the committee approved this plan",
            "For example, 20 3 2025",
            fields.dates.parts("on"),
            &errors,
        ),
        reason: fields.accept_gaps.clone(),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /b/{body}/plans/{code}/{year}/approve`: what the draft plan lacks,
/// and the form recording the committee's approval.
pub async fn approve_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
) -> PageResult {
    let (code, year) = parse_plan(&code, &year)?;
    approve_page(
        &state,
        &viewer,
        &body,
        (&code, year),
        &ApproveFields::default(),
        Vec::new(),
    )
    .await
}

/// `POST /b/{body}/plans/{code}/{year}/approve`: record the approval, or
/// show the form again with what is wrong against its fields.
pub async fn approve(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    Path((_, code, year)): Path<(String, String, String)>,
    CsrfForm(f): CsrfForm<ApproveFields>,
) -> PageResult {
    let (code, year) = parse_plan(&code, &year)?;
    let view = match state.store().plan_view(&body.slug, &code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let mut errors = Vec::new();
    let on = match f
        .dates
        .parts("on")
        .required("Date", "Enter the date the committee approved the plan")
    {
        Ok(on) => Some(on),
        Err(e) => {
            errors.push(FieldError {
                field: "on".into(),
                message: e.message,
            });
            None
        }
    };
    let reason = match f.accept_gaps.trim() {
        "" => None,
        raw => match domain::Text::parse("accept-gaps", raw) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(FieldError {
                    field: "accept-gaps".into(),
                    message: error_message(&e),
                });
                None
            }
        },
    };
    if reason.is_none()
        && !state
            .store()
            .approval_gaps(view.tree.plan.id)
            .await?
            .is_empty()
    {
        errors.push(FieldError {
            field: "accept-gaps".into(),
            message: "Enter why the committee approved the plan with these gaps, or give the actions their target dates and targets first".into(),
        });
    }
    let Some(on) = on.filter(|_| errors.is_empty()) else {
        return approve_page(&state, &viewer, &body, (&code, year), &f, errors).await;
    };
    state
        .store()
        .approve_plan(
            &viewer.actor(),
            view.tree.plan.id,
            version(&f.version),
            on,
            reason.as_ref(),
        )
        .await?;
    let back = plan_href(body.slug.as_str(), code.as_str(), year);
    Ok(Redirect::to(&format!("{back}?approved=yes")).into_response())
}

/// The routes of the yearly refresh and approval of a plan.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/b/{body}/plans/{code}/{year}/refresh-report",
            axum::routing::get(report),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/refresh",
            axum::routing::get(form).post(refresh),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/approve",
            axum::routing::get(approve_form).post(approve),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ReferenceScheme;

    fn action(id: domain::ActionId, reference: &str) -> domain::Action {
        domain::Action {
            id,
            plan_id: domain::PlanId::new(1),
            item_id: domain::PlanItemId::new(1),
            details: domain::ActionDetails {
                reference: ReferenceScheme::Statement
                    .parse_action(reference)
                    .expect("a reference"),
                title: domain::Title::parse("title", "Open the new library").expect("a title"),
                lead: domain::Title::parse("lead", "Head of Libraries").expect("a lead"),
                directorate: None,
                target: None,
                illustrative: false,
            },
            measures: vec![],
            continues: None,
            outcome: None,
            version: domain::Version::new(1),
        }
    }

    fn posted(posted: &[(&str, &str)]) -> RefreshFields {
        RefreshFields::from(crate::form::pairs(posted))
    }

    #[test]
    fn a_refresh_wrong_in_several_rows_names_each_rows_field() {
        let actions = [
            action(domain::ActionId::new(7), "7C"),
            action(domain::ActionId::new(12), "12B"),
            action(domain::ActionId::new(10), "10A"),
        ];
        let f = posted(&[
            ("all-target", "someday"),
            ("fate-7", "carry"),
            ("ref-7", "seven"),
            ("target-7", "31/13/2026"),
            ("fate-12", "drop"),
            ("reason-12", "  "),
            ("fate-10", "complete"),
            ("target-10", "never read: completed"),
        ]);
        let Err(errors) = Refresh::try_from((&f, &actions[..], ReferenceScheme::Statement)) else {
            panic!("the form is wrong in four places");
        };
        assert_eq!(
            crate::form::fields_of(&errors),
            ["all-target", "ref-7", "target-7", "reason-12"]
        );
        assert!(
            errors[0]
                .message
                .starts_with("Target date for every action carried forward must be")
        );
        assert!(
            errors[2].message.starts_with("7C: Target date must be"),
            "{}",
            errors[2].message
        );
        assert_eq!(errors[3].message, "12B: Enter why the action is dropped");
    }

    #[test]
    fn a_refresh_filled_in_gives_each_action_its_fate() {
        let actions = [
            action(domain::ActionId::new(7), "7C"),
            action(domain::ActionId::new(12), "12B"),
            action(domain::ActionId::new(10), "10A"),
            action(domain::ActionId::new(11), "11A"),
        ];
        let f = posted(&[
            ("csrf", "token"),
            ("all-target", "March 2026"),
            ("fate-7", "complete"),
            ("fate-12", "drop"),
            ("reason-12", "Audit response finished"),
            ("fate-10", "carry"),
            ("ref-10", "10B"),
            ("target-10", "31 December 2025"),
        ]);
        let Refresh { fates } = Refresh::try_from((&f, &actions[..], ReferenceScheme::Statement))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(matches!(fates[&domain::ActionId::new(7)], Fate::Completed));
        assert!(
            matches!(&fates[&domain::ActionId::new(12)], Fate::Dropped { reason } if reason.as_str() == "Audit response finished")
        );
        let Fate::CarriedForward { reference, target } = &fates[&domain::ActionId::new(10)] else {
            panic!("10A is carried forward");
        };
        assert_eq!(reference.to_string(), "10B");
        assert_eq!(
            target.map(|t| t.to_string()).as_deref(),
            Some("31 December 2025")
        );
        // A row not posted is carried forward under its reference, with the
        // target date for every action.
        let Fate::CarriedForward { reference, target } = &fates[&domain::ActionId::new(11)] else {
            panic!("11A is carried forward");
        };
        assert_eq!(reference.to_string(), "11A");
        assert_eq!(target.map(|t| t.to_string()).as_deref(), Some("March 2026"));
    }
}
