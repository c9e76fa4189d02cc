//! The reporting cycle on the web: a period page (who owes what, open and
//! close, sign off and return), the lead's "your updates" page, and the
//! update moves.

use askama::Template;
use axum::Form;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect};
use domain::{Access, FinancialYear, Half, ReportingPeriod, Role, UpdateState};
use serde::Deserialize;
use store::StoreError;

use crate::auth::Viewer;
use crate::dates::DateParts;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::form::{
    DateInputs, conflict_or, date_field, date_input, field, optional, parsed, render, version,
};
use crate::progress::measure_hint;
use crate::request::PageResult;
use crate::request::{DoneQuery, body_for, check_form, chrome, need_sign_in, plan_href, viewer};
use crate::views::{
    DateField, FieldError, MyUpdatesPage, OwedRow, PeriodPage, PeriodRow, Tag, TextFormPage,
    UpdateDetail,
};
use crate::words::user_message;
use crate::words::{number, take};
use crate::{AppState, visible};

fn state_colour(state: Option<UpdateState>) -> &'static str {
    match state {
        None => "red",
        Some(UpdateState::Draft) => "grey",
        Some(UpdateState::Submitted) => "yellow",
        Some(UpdateState::Returned) => "orange",
        Some(UpdateState::SignedOff) => "green",
    }
}

/// The reporting period in the address, with its plan.
pub(crate) struct Located {
    viewer: Viewer,
    body: domain::Body,
    access: Access,
    view: std::sync::Arc<store::PlanView>,
    period: ReportingPeriod,
}

impl axum::extract::FromRequestParts<AppState> for Located {
    type Rejection = WebError;

    /// The period in the address, for someone who sees the work in
    /// progress: the sign-in page for the public, 403 for other roles.
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, WebError> {
        let SignedIn {
            viewer,
            body,
            access,
        } = SignedIn::from_request_parts(parts, state).await?;
        if !access.sees_unpublished() {
            return Err(WebError::Forbidden);
        }
        let (Ok(code), Ok(year), Ok(half)) = (
            param(parts, state, "code").await?.parse(),
            param(parts, state, "year").await?.parse::<FinancialYear>(),
            param(parts, state, "half").await?.parse::<Half>(),
        ) else {
            return Err(WebError::NotFound);
        };
        let view = match state.store().plan_view(&body.slug, &code, year).await {
            Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
            other => other?,
        };
        Ok(Located {
            viewer,
            body,
            access,
            view,
            period: ReportingPeriod::new(year, half),
        })
    }
}

/// What the period page shows of `update` on `action` (and of the period
/// before's) for the officer to read before signing off.
fn update_detail(
    action: &domain::Action,
    update: Option<&domain::Update>,
    previous: Option<&domain::Update>,
    l: &Located,
) -> Option<UpdateDetail> {
    if update.is_none() && previous.is_none() {
        return None;
    }
    let measures = action
        .measures
        .iter()
        .filter_map(|(id, m)| match m {
            domain::Measure::Indicator(i) => Some((
                i.name.to_string(),
                update
                    .and_then(|u| u.input.actuals.iter().find(|x| x.measure_id == *id))
                    .map(|x| {
                        format!("{} {}", number(x.value), i.unit)
                            .trim_end()
                            .to_owned()
                    })
                    .unwrap_or_else(|| "No figure given".to_owned()),
                measure_hint(i, l.period.year),
            )),
            domain::Measure::Statement { .. } => None,
        })
        .collect();
    Some(UpdateDetail {
        commentary: update
            .map(|u| u.input.commentary.to_string())
            .unwrap_or_default(),
        percent: update
            .and_then(|u| u.input.percent)
            .map(|p| format!("{}%", p.value())),
        key_achievement: update.is_some_and(|u| u.input.key_achievement),
        measures,
        previous: previous.map(|u| {
            (
                u.period.to_string(),
                Tag::of(Some(u.input.status), &l.body.rag),
                u.input.commentary.to_string(),
            )
        }),
    })
}

/// The period page; with `checking`, the "check before you close" page:
/// the same page headed by what closing leaves without a signed-off update
/// and a button that closes.
/// The banner after an officer opened or closed the period, or signed
/// off or returned an update in it, said from what the period and the
/// update are now.
fn period_banner(
    done: &DoneQuery,
    tree: &domain::PlanTree,
    state_text: &str,
    packs: &[(i64, String, usize)],
) -> Option<String> {
    let update = || {
        let u = tree
            .updates
            .iter()
            .find(|u| Some(u.id) == done.update.map(domain::UpdateId::new))?;
        let a = tree.actions.iter().find(|a| a.id == u.action_id)?;
        Some((a.details.reference.to_string(), u))
    };
    match done.done.as_deref()? {
        "opened" if state_text == "open" => {
            Some("The period is open: leads can now record their updates".to_owned())
        }
        "closed" if state_text == "closed" => {
            Some("The period is closed: its updates can no longer change".to_owned())
        }
        "signed-off" => update()
            .filter(|(_, u)| u.state == UpdateState::SignedOff)
            .map(|(r, u)| format!("The update on {r} for {} is signed off", u.period)),
        "published" => {
            packs
                .iter()
                .find(|p| Some(p.0) == done.pack)
                .map(|(_, reference, files)| {
                    format!("The pack {reference} is published: {files} files")
                })
        }
        "returned" => update()
            .filter(|(_, u)| u.state == UpdateState::Returned)
            .map(|(r, u)| {
                format!(
                    "The update on {r} for {} is returned to its lead with your comment",
                    u.period
                )
            }),
        _ => None,
    }
}

async fn period_page(
    state: &AppState,
    l: &Located,
    errors: Vec<FieldError>,
    checking: bool,
    done: &DoneQuery,
    typed_deadline: DateParts,
) -> PageResult {
    let tree = &visible::view(&l.view, &l.access);
    let record = state
        .store()
        .period_records(tree.plan.id)
        .await?
        .into_iter()
        .find(|p| p.half == l.period.half);
    let (state_text, deadline) = match &record {
        Some(p) if p.open => ("open", p.deadline.to_string()),
        Some(p) => ("closed", p.deadline.to_string()),
        None => ("not opened", String::new()),
    };
    let base = plan_href(
        l.body.slug.as_str(),
        l.view.portfolio.code.as_str(),
        tree.plan.year,
    );
    let check = domain::CloseCheck::of(l.period, &tree.actions, &tree.updates);
    let counts = [
        ("Missing", check.missing),
        ("Draft", check.draft),
        ("Submitted", check.submitted),
        ("Returned", check.returned),
        ("Signed off", check.signed_off),
    ];
    let previous =
        crate::progress::previous_updates(state, &l.body, &l.view.portfolio, tree, l.period)
            .await?
            .map(|(_, updates)| updates)
            .unwrap_or_default();
    let rows: Vec<PeriodRow> = tree
        .actions
        .iter()
        .map(|a| {
            let update = tree.any_update_in(a.id, l.period);
            let st = update.map(|u| u.state);
            let label = st.map(UpdateState::label).unwrap_or("Missing");
            PeriodRow {
                href: format!("/b/{}/actions/{}", l.body.slug, a.id),
                reference: a.details.reference.to_string(),
                title: a.details.title.to_string(),
                lead: a.details.lead.to_string(),
                state: label.to_owned(),
                state_colour: state_colour(st),
                status: update.map(|u| Tag::of(Some(u.input.status), &l.body.rag)),
                decide: (l.access.edits_plans()
                    && st == Some(UpdateState::Submitted)
                    && state_text == "open")
                    .then(|| update.map(|u| (u.id, u.version)))
                    .flatten(),
                returned_comment: update
                    .filter(|u| u.state == UpdateState::Returned)
                    .and_then(|u| u.returned_comment.clone()),
                detail: update_detail(a, update, previous.get(&a.id), l),
            }
        })
        .collect();
    let failed = !errors.is_empty();
    let published: Vec<store::PublishedPack> = state
        .store()
        .published_packs(l.body.id, Some(tree.plan.id))
        .await?
        .into_iter()
        .filter(|p| p.period == l.period)
        .collect();
    let published_now: Vec<(i64, String, usize)> = published
        .iter()
        .map(|p| (p.id, p.reference.clone(), p.files.len()))
        .collect();
    let page = PeriodPage {
        // Opening, closing, signing off, returning and publishing are the officer's.
        banner: l
            .access
            .edits_plans()
            .then(|| period_banner(done, &l.view.tree, state_text, &published_now))
            .flatten(),
        packs: crate::packs::pack_views(published, &l.access),
        publish_href: format!("{base}/periods/{}/packs", l.period.half),
        chrome: chrome(Some(&l.viewer), Some(&l.body)),
        body_slug: l.body.slug.to_string(),
        plan_href: base.clone(),
        heading: format!("{} updates for {}", l.view.portfolio.name, l.period),
        period: format!("{} ({})", l.period, l.period.half.months()),
        state: state_text.to_owned(),
        deadline,
        can_manage: l.access.edits_plans(),
        open_href: format!("{base}/periods/{}/open", l.period.half),
        close_href: format!("{base}/periods/{}/close", l.period.half),
        period_href: format!("{base}/periods/{}", l.period.half),
        report_href: format!("{base}/periods/{}/report", l.period.half),
        cover_href: format!("{base}/periods/{}/cover", l.period.half),
        cover: {
            let c = state
                .store()
                .report_cover(tree.plan.id, l.period)
                .await?
                .cover;
            [
                ("Reference", c.reference.as_str().to_owned()),
                (
                    "Meeting",
                    c.meeting_date
                        .map(|d| d.format("%-d %B %Y").to_string())
                        .unwrap_or_default(),
                ),
                ("Author", c.author),
            ]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect()
        },
        report_links: crate::views::report_links(&format!(
            "{base}/periods/{}/report",
            l.period.half
        )),
        counts: counts.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect(),
        unsettled: check.outstanding.len(),
        checking: checking && state_text == "open",
        deadline_field: DateField::new(
            "deadline",
            "Deadline for updates",
            "For example, 15 10 2024",
            typed_deadline,
            &errors,
        ),
        rows,
        errors,
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /b/{body}/plans/{code}/{year}/periods/{half}`.
pub async fn period(
    State(state): State<AppState>,
    l: Located,
    Query(done): Query<DoneQuery>,
) -> PageResult {
    period_page(&state, &l, vec![], false, &done, DateParts::default()).await
}

/// The open-period form, as typed.
#[derive(Debug, Deserialize)]
pub struct OpenFields {
    /// How many days before the deadline the reminders go.
    #[serde(default)]
    reminder_days: String,
    /// The deadline for updates (`deadline`).
    #[serde(flatten)]
    dates: DateInputs,
}

/// `POST …/periods/{half}/open`.
pub async fn open(
    State(state): State<AppState>,
    l: Located,
    uri: OriginalUri,
    CsrfForm(f): CsrfForm<OpenFields>,
) -> PageResult {
    if !l.access.edits_plans() {
        return Err(WebError::Forbidden);
    }
    let mut errors = Vec::new();
    let typed = f.dates.parts("deadline");
    let deadline = typed.required("Deadline", "Enter the deadline for updates");
    let reminder_days = f
        .reminder_days
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|d| *d <= 365);
    match (deadline, reminder_days) {
        (Ok(deadline), Some(days)) => match state
            .store()
            .open_period(
                &l.viewer.actor(),
                l.view.tree.plan.id,
                l.period.half,
                deadline,
                days,
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "{}?done=opened",
                    uri.path().trim_end_matches("/open")
                ))
                .into_response());
            }
            Err(e @ (StoreError::PeriodState { .. } | StoreError::Invalid(_))) => {
                errors.push(FieldError {
                    field: "deadline".into(),
                    message: user_message(&e),
                })
            }
            Err(e) => return Err(e.into()),
        },
        (Err(e), _) => errors.push(FieldError {
            field: "deadline".into(),
            message: e.message,
        }),
        (_, None) => errors.push(FieldError {
            field: "reminder_days".into(),
            message: "Enter the number of days as a whole number from 0 to 365".into(),
        }),
    }
    period_page(&state, &l, errors, false, &DoneQuery::default(), typed).await
}

/// A form with only its CSRF token (and perhaps a version and comment).
#[derive(Debug, Deserialize)]
pub struct MoveFields {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    comment: String,
    /// "yes" when the officer has checked what closing leaves undone.
    #[serde(default)]
    confirm: String,
}

/// `GET …/periods/{half}/close`: check before you close. Says what the
/// period still lacks (missing, draft, submitted and returned updates) and
/// what that means for the report, with the button that closes it.
pub async fn close_check(State(state): State<AppState>, l: Located) -> PageResult {
    if !l.access.edits_plans() {
        return Err(WebError::Forbidden);
    }
    period_page(
        &state,
        &l,
        vec![],
        true,
        &DoneQuery::default(),
        DateParts::default(),
    )
    .await
}

/// `POST …/periods/{half}/close`: closes the period once the officer has
/// seen the check (`confirm=yes`); otherwise shows the check.
pub async fn close(
    State(state): State<AppState>,
    l: Located,
    uri: OriginalUri,
    CsrfForm(f): CsrfForm<MoveFields>,
) -> PageResult {
    if !l.access.edits_plans() {
        return Err(WebError::Forbidden);
    }
    if f.confirm != "yes" {
        return Ok(Redirect::to(uri.path()).into_response());
    }
    match state
        .store()
        .close_period(&l.viewer.actor(), l.view.tree.plan.id, l.period.half, true)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "{}?done=closed",
            uri.path().trim_end_matches("/close")
        ))
        .into_response()),
        Err(e @ StoreError::PeriodState { .. }) => {
            period_page(
                &state,
                &l,
                vec![FieldError {
                    field: "main-content".into(),
                    message: user_message(&e),
                }],
                false,
                &DoneQuery::default(),
                DateParts::default(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /b/{body}/updates/{id}/{move}`: submit (the lead), sign off or return (an officer).
pub async fn move_update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id, step)): Path<(String, String, String)>,
    uri: OriginalUri,
    Form(f): Form<MoveFields>,
) -> PageResult {
    let viewer = viewer(&state, &headers)
        .await?
        .ok_or_else(|| need_sign_in(uri.path()))?;
    check_form(&headers, &viewer, &f.csrf)?;
    let body = body_for(&state, &slug).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let id: domain::UpdateId = id.parse().map_err(|_| WebError::NotFound)?;
    let update = match state.store().update(id).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let action = state.store().action(update.action_id).await?;
    let plan = state.store().plan_by_id(action.plan_id).await?;
    let portfolio = state.store().portfolio_by_id(plan.portfolio_id).await?;
    if portfolio.body_id != body.id {
        return Err(WebError::NotFound);
    }
    let allowed = match step.as_str() {
        "submit" => access.updates(&action),
        "sign-off" | "return" => access.edits_plans(),
        _ => return Err(WebError::NotFound),
    };
    if !allowed {
        return Err(WebError::Forbidden);
    }
    let version = f.version.parse().unwrap_or(update.version);
    let who = viewer.actor();
    let result = match step.as_str() {
        "submit" => state.store().submit_update(&who, id, version).await,
        "sign-off" => state.store().sign_off_update(&who, id, version).await,
        _ => match domain::Text::parse("comment", &f.comment) {
            Ok(c) => state.store().return_update(&who, id, version, &c).await,
            Err(e) => Err(StoreError::Invalid(e)),
        },
    };
    let period_href = format!(
        "{}/periods/{}",
        plan_href(body.slug.as_str(), portfolio.code.as_str(), plan.year),
        update.period.half
    );
    match result {
        Ok(_) if step == "submit" => Ok(Redirect::to(&format!(
            "/b/{}/actions/{}?done=submitted&update={id}",
            body.slug, action.id
        ))
        .into_response()),
        Ok(_) => {
            let done = if step == "sign-off" {
                "signed-off"
            } else {
                "returned"
            };
            Ok(Redirect::to(&format!("{period_href}?done={done}&update={id}")).into_response())
        }
        Err(e) if e.is_user_error() => {
            let l = Located {
                viewer,
                access,
                view: state
                    .store()
                    .plan_view(&body.slug, &portfolio.code, plan.year)
                    .await?,
                body,
                period: update.period,
            };
            period_page(
                &state,
                &l,
                vec![FieldError {
                    field: "main-content".into(),
                    message: user_message(&e),
                }],
                false,
                &DoneQuery::default(),
                DateParts::default(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /b/{body}/my-updates`: the actions awaiting the signed-in lead's updates.
pub async fn my_updates(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    uri: OriginalUri,
) -> PageResult {
    let viewer = viewer(&state, &headers)
        .await?
        .ok_or_else(|| need_sign_in(uri.path()))?;
    let body = body_for(&state, &slug).await?;
    let access = Viewer::access(Some(&viewer), body.id);
    let leads = match &access {
        Access::Member {
            role: Role::ActionLead,
            leads: Some(l),
        } => l.clone(),
        // Only action leads write updates: everyone else is sent to their home.
        Access::Member { .. } => {
            return Ok(Redirect::to(&format!("/b/{}/home", body.slug)).into_response());
        }
        Access::Public => return Err(WebError::Forbidden),
    };
    let mut rows = Vec::new();
    let all_open = state.store().body_open_periods(body.id).await?;
    for summary in state.store().body_plans(body.id).await?.into_iter() {
        let open: Vec<_> = all_open
            .iter()
            .filter(|p| p.plan_id == summary.plan_id)
            .cloned()
            .collect();
        if open.is_empty() {
            continue;
        }
        let tree = visible::tree(&state, summary.plan_id, &access).await?;
        for p in open {
            let period = ReportingPeriod::new(summary.year, p.half);
            for a in tree
                .actions
                .iter()
                .filter(|a| a.details.lead.as_str().eq_ignore_ascii_case(leads.as_str()))
            {
                let update = tree.any_update_in(a.id, period);
                let st = update.map(|u| u.state);
                if matches!(
                    st,
                    None | Some(UpdateState::Draft) | Some(UpdateState::Returned)
                ) {
                    rows.push(OwedRow {
                        href: format!("/b/{}/actions/{}/updates/{}", body.slug, a.id, p.half),
                        plan: format!("{} {}", summary.portfolio_code, summary.year),
                        period: period.to_string(),
                        reference: a.details.reference.to_string(),
                        title: a.details.title.to_string(),
                        state: st.map(UpdateState::label).unwrap_or("Missing").to_owned(),
                        deadline: p.deadline.format("%-d %B %Y").to_string(),
                        comment: update.and_then(|u| u.returned_comment.clone()),
                    });
                }
            }
        }
    }
    let page = MyUpdatesPage {
        chrome: chrome(Some(&viewer), Some(&body)),
        lead: leads.to_string(),
        rows,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST …/periods/{half}/packs`: publish the period's pack, frozen: every
/// format rendered from the plan's signed-off content and the saved cover,
/// stored with its data version and hashes; lands on the period page with
/// a banner, or shows why not (no reference on the cover, or the reference
/// already published).
pub async fn publish(
    State(state): State<AppState>,
    l: Located,
    uri: OriginalUri,
    CsrfForm(_f): CsrfForm<MoveFields>,
) -> PageResult {
    if !l.access.edits_plans() {
        return Err(WebError::Forbidden);
    }
    let permit = state
        .downloads()
        .acquire()
        .await
        .map_err(|e| WebError::Report(e.to_string()))?;
    let result = crate::packs::publish_pack(
        state.store(),
        &l.viewer.actor(),
        &l.body.slug,
        &l.view.portfolio.code,
        l.period.year,
        l.period.half,
    )
    .await;
    drop(permit);
    match result {
        Ok(pack) => Ok(Redirect::to(&format!(
            "{}?done=published&pack={}",
            uri.path().trim_end_matches("/packs"),
            pack.id
        ))
        .into_response()),
        Err(crate::packs::PublishError::Store(e)) if e.is_user_error() => {
            let status = crate::error::store_status(&e);
            let mut page = period_page(
                &state,
                &l,
                vec![FieldError {
                    field: "publish".into(),
                    message: user_message(&e),
                }],
                false,
                &DoneQuery::default(),
                DateParts::default(),
            )
            .await?;
            *page.status_mut() = status;
            Ok(page)
        }
        Err(e) => Err(e.into()),
    }
}

/// The query of the report page.
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    download: Option<String>,
    #[serde(default, rename = "ref")]
    reference: Option<String>,
    /// html (the default), pdf, docx or xlsx.
    #[serde(default)]
    format: Option<String>,
}

/// A period's report pack as a reader may have it: a published plan's
/// pack is a public committee paper, so anyone may read it; an unpublished
/// plan's only those who see unpublished plans (others are asked to sign
/// in, or refused).
struct PackLocated {
    body: domain::Body,
    access: Access,
    view: std::sync::Arc<store::PlanView>,
    period: ReportingPeriod,
}

async fn locate_pack(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    (slug, code, year, half): (&str, &str, &str, &str),
) -> Result<PackLocated, WebError> {
    let viewer = viewer(state, headers).await?;
    let body = body_for(state, slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    let (Ok(code), Ok(year), Ok(half)) = (
        code.parse(),
        year.parse::<FinancialYear>(),
        half.parse::<Half>(),
    ) else {
        return Err(WebError::NotFound);
    };
    let view = match state.store().plan_view(&body.slug, &code, year).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    if view.tree.plan.published_at.is_none() && !access.sees_unpublished() {
        return Err(match viewer {
            None => need_sign_in(path),
            Some(_) => WebError::Forbidden,
        });
    }
    Ok(PackLocated {
        body,
        access,
        view,
        period: ReportingPeriod::new(year, half),
    })
}

/// `GET …/periods/{half}/report`: the committee report pack for the period,
/// to read (it has its own print stylesheet) or, with `?download=1`, to save;
/// `?format=pdf|docx|xlsx` downloads it in that format. A published plan's
/// pack is public (it counts signed-off updates only, and the next or last
/// year's plan only when the reader may see it).
pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, code, year, half)): Path<(String, String, String, String)>,
    uri: OriginalUri,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> PageResult {
    let l = locate_pack(&state, &headers, uri.path(), (&slug, &code, &year, &half)).await?;
    let tree = &visible::view(&l.view, &l.access);
    let neighbour = |y: FinancialYear| {
        let state = state.clone();
        let body = l.body.slug.clone();
        let code = l.view.portfolio.code.clone();
        let access = l.access.clone();
        async move {
            match state.store().plan_view(&body, &code, y).await {
                Ok(v) if v.tree.plan.published_at.is_some() || access.sees_unpublished() => {
                    Ok(Some(visible::view(&v, &access)))
                }
                Ok(_) | Err(StoreError::NotFound { .. }) => Ok(None),
                Err(e) => Err(WebError::from(e)),
            }
        }
    };
    let previous = neighbour(tree.plan.year.previous()).await?;
    let next = neighbour(tree.plan.year.next()).await?;
    let mut cover = state
        .store()
        .report_cover(tree.plan.id, l.period)
        .await?
        .cover;
    if let Some(r) = q.reference.as_deref().filter(|r| !r.trim().is_empty()) {
        cover.reference = domain::ReportReference::parse(r)
            .map_err(|e| WebError::Refused(crate::words::error_message(&e)))?;
    }
    let reference = cover.reference.as_str().to_owned();
    let strategy = state.store().strategy(l.body.id).await?;
    let pack = report::Pack {
        body: &l.body,
        strategy: strategy.as_ref(),
        portfolio: &l.view.portfolio,
        tree,
        previous_year: previous.as_deref(),
        next_year: next.as_deref(),
        period: l.period,
        cover,
    };
    let format: report::Format = match q.format.as_deref() {
        None | Some("") => report::Format::Html,
        Some(f) => f
            .parse()
            .map_err(|e: domain::ParseError| WebError::Refused(e.to_string()))?,
    };
    let contents = report::Contents::of(&pack);
    let permit = state
        .downloads()
        .acquire()
        .await
        .map_err(|e| WebError::Report(e.to_string()))?;
    let bytes = tokio::task::spawn_blocking(move || report::render(&contents, format))
        .await
        .map_err(|e| WebError::Report(e.to_string()))??;
    drop(permit);
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(format.media_type()),
    );
    // The pack is a standalone document: its own styles, no scripts.
    h.insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        axum::http::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"),
    );
    if q.download.is_some() || format != report::Format::Html {
        let name = format!(
            "{}-{}-{}.{}",
            if reference.is_empty() {
                l.view.portfolio.code.to_string()
            } else {
                reference
            },
            tree.plan.year.to_string().replace('/', "-"),
            l.period.half,
            format.extension()
        );
        if let Ok(v) =
            axum::http::HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        {
            h.insert(axum::http::header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(response)
}

/// The fields of the report's cover form, as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CoverFields {
    /// The report's reference, like ACH22-038.
    reference: String,
    /// The committee it goes to; empty for the portfolio's.
    committee: String,
    /// Who wrote it.
    author: String,
    /// Whom readers contact; empty for the author.
    contact: String,
    /// A few sentences for the cover.
    summary: String,
    /// The cover's version the form was filled in against.
    version: String,
    /// The day of the meeting (`meeting-date`).
    #[serde(flatten)]
    dates: DateInputs,
}

impl TryFrom<&CoverFields> for domain::ReportCover {
    type Error = Vec<FieldError>;

    fn try_from(f: &CoverFields) -> Result<Self, Self::Error> {
        use domain::{ReportReference, Text, Title};
        let mut errors = Vec::new();
        let title = |field: &'static str, raw: &str| {
            optional(raw, |t| Title::parse(field, t)).map(|t| t.map(|t| t.to_string()))
        };
        let reference = take(
            &mut errors,
            "reference",
            ReportReference::parse(&f.reference),
        );
        let committee = take(&mut errors, "committee", title("committee", &f.committee));
        let meeting_date = date_field(&f.dates, "meeting-date", "Meeting date", &mut errors);
        let author = take(&mut errors, "author", title("author", &f.author));
        let contact = take(&mut errors, "contact", title("contact officer", &f.contact));
        let summary = take(&mut errors, "summary", Text::parse("summary", &f.summary));
        let value = match (reference, committee, author, contact, summary) {
            (Some(reference), Some(committee), Some(author), Some(contact), Some(summary)) => {
                Some(domain::ReportCover {
                    reference,
                    committee: committee.unwrap_or_default(),
                    meeting_date,
                    author: author.unwrap_or_default(),
                    contact: contact.unwrap_or_default(),
                    summary: summary.to_string(),
                })
            }
            _ => None,
        };
        parsed(errors, value)
    }
}

/// `GET …/periods/{half}/cover`: the report's cover details.
pub async fn cover_form(State(state): State<AppState>, l: Located) -> PageResult {
    if !l.access.edits_plans() {
        return Err(WebError::Forbidden);
    }
    let saved = state
        .store()
        .report_cover(l.view.tree.plan.id, l.period)
        .await?;
    let c = saved.cover;
    let fields = CoverFields {
        reference: c.reference.as_str().to_owned(),
        committee: c.committee,
        author: c.author,
        contact: c.contact,
        summary: c.summary,
        version: saved.version.to_string(),
        dates: DateInputs::default().with("meeting-date", c.meeting_date),
    };
    cover_page(&l, &fields, vec![])
}

fn cover_page(l: &Located, fields: &CoverFields, errors: Vec<FieldError>) -> PageResult {
    let base = plan_href(
        l.body.slug.as_str(),
        l.view.portfolio.code.as_str(),
        l.view.tree.plan.year,
    );
    let failed = !errors.is_empty();
    let mut summary = field(
        "summary",
        "Summary (optional)",
        "A few sentences in your words for the cover, after its purpose",
        fields.summary.clone(),
        "",
    );
    summary.multiline = true;
    let meeting_date = date_input(
        &fields.dates,
        &errors,
        "meeting-date",
        "Meeting date (optional)",
        "For example, 24 11 2022",
    );
    render(
        TextFormPage {
            chrome: chrome(Some(&l.viewer), Some(&l.body)),
            back_href: format!("{base}/periods/{}", l.period.half),
            heading: "The committee report's cover".into(),
            caption: format!("{} {}", l.view.portfolio.name, l.period),
            submit: "Save the cover".into(),
            fields: vec![
                field(
                    "reference",
                    "Report reference (optional)",
                    "Like ACH22-038",
                    fields.reference.clone(),
                    "govuk-input--width-10",
                ),
                field(
                    "committee",
                    "Committee (optional)",
                    &format!(
                        "Leave empty for the portfolio's: {}",
                        l.view
                            .portfolio
                            .committee
                            .as_ref()
                            .map(|c| c.to_string())
                            .unwrap_or_else(|| "none is set".into())
                    ),
                    fields.committee.clone(),
                    "",
                ),
                meeting_date,
                field(
                    "author",
                    "Author (optional)",
                    "A role, like Assistant Director for Strategy, Performance and Corporate Transformation",
                    fields.author.clone(),
                    "",
                ),
                field(
                    "contact",
                    "Contact officer (optional)",
                    "Whom readers contact: a name or role, with a telephone number or email if you wish. Leave empty for the author",
                    fields.contact.clone(),
                    "",
                ),
                summary,
            ],
            errors,
            selects: vec![],
            checks: vec![],
            amendment: None,
            version: fields.version.clone(),
            csrf: l.viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `POST …/periods/{half}/cover`: save the report's cover details.
pub async fn save_cover(
    State(state): State<AppState>,
    l: Located,
    uri: OriginalUri,
    CsrfForm(fields): CsrfForm<CoverFields>,
) -> PageResult {
    if !l.access.edits_plans() {
        return Err(WebError::Forbidden);
    }
    let errors = match domain::ReportCover::try_from(&fields) {
        Ok(cover) => match state
            .store()
            .save_report_cover(
                &l.viewer.actor(),
                l.view.tree.plan.id,
                l.period,
                version(&fields.version),
                &cover,
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(uri.path().trim_end_matches("/cover")).into_response());
            }
            Err(e) => {
                let mut errors = Vec::new();
                conflict_or(&mut errors, "reference", e)?;
                errors
            }
        },
        Err(errors) => errors,
    };
    cover_page(&l, &fields, errors)
}

/// The routes of the reporting cycle: periods, sign-off and the committee report.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}",
            axum::routing::get(period),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}/open",
            axum::routing::post(open),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}/close",
            axum::routing::get(close_check).post(close),
        )
        .route(
            "/b/{body}/updates/{id}/{step}",
            axum::routing::post(move_update),
        )
        .route("/b/{body}/my-updates", axum::routing::get(my_updates))
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}/report",
            axum::routing::get(report),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}/packs",
            axum::routing::post(publish),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}/cover",
            axum::routing::get(cover_form).post(save_cover),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cover_wrong_in_several_fields_gives_each_fields_error() {
        let long = "x".repeat(domain::Title::MAX_CHARS + 1);
        let posted = CoverFields {
            reference: "ACH22/038".into(),
            author: long.clone(),
            contact: long,
            dates: serde_urlencoded::from_str(
                "meeting-date-day=31&meeting-date-month=2&meeting-date-year=2022",
            )
            .expect("the form"),
            ..CoverFields::default()
        };
        let Err(errors) = domain::ReportCover::try_from(&posted) else {
            panic!("the cover is wrong in four places");
        };
        assert_eq!(
            crate::form::fields_of(&errors),
            ["reference", "meeting-date", "author", "contact"]
        );
        assert!(
            errors[0].message.starts_with("Report reference must be"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[1].message.contains("real date"),
            "{}",
            errors[1].message
        );
    }

    #[test]
    fn a_cover_filled_in_reads_every_field() {
        let posted = CoverFields {
            reference: " ACH22-038 ".into(),
            committee: "Adult Care and Health PDS Committee".into(),
            author: "Assistant Director for Strategy".into(),
            summary: "Progress on all actions.".into(),
            dates: DateInputs::default().with(
                "meeting-date",
                chrono::NaiveDate::from_ymd_opt(2022, 11, 24),
            ),
            ..CoverFields::default()
        };
        let cover = domain::ReportCover::try_from(&posted).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(cover.reference.as_str(), "ACH22-038");
        assert_eq!(
            cover.meeting_date,
            chrono::NaiveDate::from_ymd_opt(2022, 11, 24)
        );
        assert_eq!(cover.contact_officer(), "Assistant Director for Strategy");
        let empty = domain::ReportCover::try_from(&CoverFields::default())
            .unwrap_or_else(|e| panic!("every field may be empty: {e:?}"));
        assert_eq!(empty.meeting_date, None);
    }
}
