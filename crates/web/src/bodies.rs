//! A body's own settings and its corporate strategy, edited by its officers.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::{Body, OutsideCycle, StrategyYears, Title};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;
use crate::extract::*;
use crate::form::*;
use crate::request::*;
use crate::views::*;
use crate::words::{note, take};

/// The fields of the strategy form, as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct StrategyFields {
    /// The strategy's title.
    title: String,
    /// Its first and last years, like 2021-2031.
    years: String,
    /// The strategy's version the form was filled in against.
    version: String,
    /// Each ambition's title, in the field `ambition_{id}`.
    #[serde(flatten)]
    ambitions: std::collections::HashMap<String, String>,
}

impl StrategyFields {
    /// What was typed for ambition `id`.
    fn ambition(&self, id: i64) -> String {
        self.ambitions
            .get(&format!("ambition_{id}"))
            .cloned()
            .unwrap_or_default()
    }
}

/// What the strategy form describes, every field checked.
struct StrategyEdit {
    title: Title,
    years: StrategyYears,
    ambitions: Vec<(domain::AmbitionId, Title)>,
}

impl TryFrom<(&StrategyFields, &domain::Strategy)> for StrategyEdit {
    type Error = Vec<FieldError>;

    /// The fields, with a title for each of the strategy's ambitions.
    fn try_from((f, strategy): (&StrategyFields, &domain::Strategy)) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let title = take(&mut errors, "title", Title::parse("title", &f.title));
        let years = take(&mut errors, "years", f.years.parse::<StrategyYears>());
        let ambitions: Vec<(domain::AmbitionId, Title)> = strategy
            .ambitions
            .iter()
            .filter_map(|a| {
                let title = Title::parse("ambition", &f.ambition(a.id.get()));
                take(&mut errors, &format!("ambition_{}", a.id), title).map(|t| (a.id, t))
            })
            .collect();
        let value = match (title, years) {
            (Some(title), Some(years)) => Some(StrategyEdit {
                title,
                years,
                ambitions,
            }),
            _ => None,
        };
        parsed(errors, value)
    }
}

/// The fields of the settings form, as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SettingsFields {
    /// How updates outside the reporting cycle are treated.
    updates_outside_cycle: String,
    /// "yes" or "no": whether concerns must be explained.
    require_commentary: String,
    /// How actions and plan items are referenced.
    reference_scheme: String,
    /// The body's version the form was filled in against.
    version: String,
}

/// What the settings form describes, every field checked.
struct Settings {
    outside_cycle: OutsideCycle,
    require_commentary: bool,
    reference_scheme: domain::ReferenceScheme,
}

impl TryFrom<&SettingsFields> for Settings {
    type Error = Vec<FieldError>;

    fn try_from(f: &SettingsFields) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let outside_cycle = take(
            &mut errors,
            "updates_outside_cycle",
            f.updates_outside_cycle.parse::<OutsideCycle>(),
        );
        let reference_scheme = take(
            &mut errors,
            "reference_scheme",
            f.reference_scheme.parse::<domain::ReferenceScheme>(),
        );
        let require_commentary = match f.require_commentary.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                note(
                    &mut errors,
                    "require_commentary",
                    "Select whether updates at risk or off track must say why",
                );
                None
            }
        };
        let value = match (outside_cycle, require_commentary, reference_scheme) {
            (Some(outside_cycle), Some(require_commentary), Some(reference_scheme)) => {
                Some(Settings {
                    outside_cycle,
                    require_commentary,
                    reference_scheme,
                })
            }
            _ => None,
        };
        parsed(errors, value)
    }
}

async fn strategy_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    posted: Option<&StrategyFields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let strategy = state
        .store()
        .strategy(body.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut fields = vec![
        field(
            "title",
            "Title",
            "",
            posted.map_or_else(|| strategy.title.to_string(), |f| f.title.clone()),
            "",
        ),
        field(
            "years",
            "Years",
            "The first and last years, like 2021-2031",
            posted.map_or_else(|| strategy.years.to_string(), |f| f.years.clone()),
            "govuk-input--width-10",
        ),
    ];
    for a in &strategy.ambitions {
        fields.push(field(
            &format!("ambition_{}", a.id),
            &format!("Ambition {}", a.number),
            "",
            posted.map_or_else(|| a.title.to_string(), |f| f.ambition(a.id.get())),
            "",
        ));
    }
    let failed = !errors.is_empty();
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}", body.slug),
            heading: "Edit the strategy".into(),
            caption: body.name.to_string(),
            submit: "Save changes".into(),
            errors,
            fields,
            selects: vec![],
            checks: vec![],
            amendment: None,
            version: posted.map_or_else(|| strategy.version.to_string(), |f| f.version.clone()),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `GET /b/{body}/strategy/edit`.
pub async fn strategy_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
) -> PageResult {
    strategy_page(&state, &viewer, &body, None, vec![]).await
}

/// `POST /b/{body}/strategy/edit`.
pub async fn edit_strategy(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    CsrfForm(fields): CsrfForm<StrategyFields>,
) -> PageResult {
    let strategy = state
        .store()
        .strategy(body.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let errors = match StrategyEdit::try_from((&fields, &strategy)) {
        Ok(StrategyEdit {
            title,
            years,
            ambitions,
        }) => {
            let version = version(&fields.version);
            match state
                .store()
                .edit_strategy(&viewer.actor(), body.id, version, title, years, ambitions)
                .await
            {
                Ok(_) => return Ok(Redirect::to(&format!("/b/{}", body.slug)).into_response()),
                Err(e) => {
                    let mut errors = Vec::new();
                    conflict_or(&mut errors, "title", e)?;
                    errors
                }
            }
        }
        Err(errors) => errors,
    };
    strategy_page(&state, &viewer, &body, Some(&fields), errors).await
}

/// "yes" or "no", as a radio's value.
fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

async fn settings_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    posted: Option<&SettingsFields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let now = state.store().outside_cycle(body.id).await?;
    let chosen = posted.map_or_else(
        || now.as_str().to_owned(),
        |f| f.updates_outside_cycle.clone(),
    );
    let scheme = posted.map_or_else(
        || body.reference_scheme.as_str().to_owned(),
        |f| f.reference_scheme.clone(),
    );
    let has_plans = state.store().plan_count(body.id).await? > 0;
    let require = match posted {
        Some(f) => f.require_commentary.clone(),
        None => yes_no(state.store().require_commentary(body.id).await?).to_owned(),
    };
    let failed = !errors.is_empty();
    render(
        TextFormPage {
            chrome: chrome(Some(viewer), Some(body)),
            back_href: format!("/b/{}", body.slug),
            heading: "Settings".into(),
            caption: body.name.to_string(),
            submit: "Save settings".into(),
            errors,
            fields: vec![],
            selects: vec![SelectField {
                name: "updates_outside_cycle".into(),
                label: "Updates outside the reporting cycle (recorded as reported and published at once, without sign-off)".into(),
                options: [
                    OutsideCycle::UntilCycleStarts,
                    OutsideCycle::Allowed,
                    OutsideCycle::Refused,
                ]
                .iter()
                .map(|o| Choice {
                    value: o.as_str().into(),
                    label: o.label().into(),
                    selected: o.as_str() == chosen,
                })
                .collect(),
            }],
            checks: vec![CheckGroup {
                name: "require_commentary".into(),
                legend: "Commentary on concerns".into(),
                hint: "Whether an update that says at risk or off track must say why before it is submitted for sign-off, signed off or recorded as reported.".into(),
                choices: [
                    ("yes", "Required: an update at risk or off track must say why"),
                    ("no", "Optional"),
                ]
                .iter()
                .map(|(v, label)| Choice {
                    value: (*v).into(),
                    label: (*label).into(),
                    selected: *v == require,
                })
                .collect(),
                radio: true,
            }, CheckGroup {
                name: "reference_scheme".into(),
                legend: "How actions and plan items are referenced".into(),
                hint: if has_plans {
                    format!(
                        "The body has plans, so this stays as it is: {}.",
                        body.reference_scheme.label()
                    )
                } else {
                    "Choose before the first plan is added: it cannot be changed once the body has a plan.".into()
                },
                choices: domain::ReferenceScheme::ALL
                    .iter()
                    .map(|s| Choice {
                        value: s.as_str().into(),
                        label: s.label().into(),
                        selected: s.as_str() == scheme,
                    })
                    .collect(),
                radio: true,
            }],
            amendment: None,
            version: posted.map_or_else(|| body.version.to_string(), |f| f.version.clone()),
            csrf: viewer.csrf.clone().unwrap_or_default(),
        },
        failed,
    )
}

/// `GET /b/{body}/settings`: the body's settings, for those who run its cycle.
pub async fn settings_form(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
) -> PageResult {
    settings_page(&state, &viewer, &body, None, vec![]).await
}

/// `POST /b/{body}/settings`.
pub async fn save_settings(
    State(state): State<AppState>,
    Editor { viewer, body }: Editor,
    CsrfForm(fields): CsrfForm<SettingsFields>,
) -> PageResult {
    let settings = match Settings::try_from(&fields) {
        Ok(settings) => settings,
        Err(errors) => return settings_page(&state, &viewer, &body, Some(&fields), errors).await,
    };
    let mut errors = Vec::new();
    let mut version = version(&fields.version);
    if settings.require_commentary != state.store().require_commentary(body.id).await? {
        match state
            .store()
            .set_require_commentary(
                &viewer.actor(),
                body.id,
                version,
                settings.require_commentary,
            )
            .await
        {
            Ok(changed) => version = changed,
            Err(e) => {
                conflict_or(&mut errors, "require_commentary", e)?;
                return settings_page(&state, &viewer, &body, Some(&fields), errors).await;
            }
        }
    }
    if settings.reference_scheme != body.reference_scheme {
        match state
            .store()
            .set_reference_scheme(&viewer.actor(), body.id, version, settings.reference_scheme)
            .await
        {
            Ok(changed) => version = changed.version,
            Err(e) => {
                conflict_or(&mut errors, "reference_scheme", e)?;
                return settings_page(&state, &viewer, &body, Some(&fields), errors).await;
            }
        }
    }
    match state
        .store()
        .set_outside_cycle(&viewer.actor(), body.id, version, settings.outside_cycle)
        .await
    {
        Ok(_) => return Ok(Redirect::to(&format!("/b/{}", body.slug)).into_response()),
        Err(e) => conflict_or(&mut errors, "updates_outside_cycle", e)?,
    }
    settings_page(&state, &viewer, &body, Some(&fields), errors).await
}

/// The most a clerk may make Ambit pause between requests to ModernGov (a
/// minute): longer would make a sync last for hours.
const MAX_DELAY_MS: i64 = 60_000;

/// What the ModernGov page was sent to say: `?done=saved` after the site
/// was saved.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ModernGovQuery {
    /// "saved".
    #[serde(default)]
    done: Option<String>,
}

/// The message for a ModernGov site address Ambit cannot use: what to
/// enter, in the words of the form's label.
fn site_problem(raw: &str, e: &moderngov::SyncError) -> String {
    if raw.trim().is_empty() {
        return "Enter the ModernGov site address".into();
    }
    match e {
        // The address's own fault, said plainly ("it must begin https://").
        moderngov::SyncError::BadSite { why, .. } if why.starts_with("it must") => {
            format!("The ModernGov site address {}", &why["it ".len()..])
        }
        _ => "Enter the ModernGov site address as a web address, like \
              https://democracy.example.gov.uk"
            .into(),
    }
}

/// The fields of the ModernGov site form, as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ModernGovFields {
    /// The site's address, like https://democracy.example.gov.uk.
    site: String,
    /// The pause between requests, in milliseconds.
    delay_ms: String,
    /// The saved site's version the form was filled in against.
    version: String,
}

/// What the ModernGov site form describes, every field checked.
struct ModernGovSite {
    site: moderngov::Site,
    delay_ms: i64,
}

impl TryFrom<&ModernGovFields> for ModernGovSite {
    type Error = Vec<FieldError>;

    fn try_from(f: &ModernGovFields) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let site = moderngov::Site::parse(&f.site)
            .map_err(|e| note(&mut errors, "site", &site_problem(&f.site, &e)))
            .ok();
        let delay_ms = f
            .delay_ms
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|d| (0..=MAX_DELAY_MS).contains(d));
        if delay_ms.is_none() {
            note(
                &mut errors,
                "delay_ms",
                &format!(
                    "Pause between requests must be a whole number of milliseconds from 0 to {MAX_DELAY_MS}"
                ),
            );
        }
        let value = match (site, delay_ms) {
            (Some(site), Some(delay_ms)) => Some(ModernGovSite { site, delay_ms }),
            _ => None,
        };
        parsed(errors, value)
    }
}

/// The fields of the "Sync now" form, as typed: the first and last days
/// of the meetings to bring over (`from` and `to`, date inputs).
#[derive(Debug, Default, serde::Deserialize)]
pub struct SyncFields {
    /// The date inputs `from` and `to`.
    #[serde(flatten)]
    dates: DateInputs,
}

/// The meetings a sync brings over: from the first day to the last.
#[derive(Debug, PartialEq, Eq)]
struct SyncWindow {
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
}

impl TryFrom<(&SyncFields, chrono::NaiveDate)> for SyncWindow {
    type Error = Vec<FieldError>;

    /// The days typed, or those a sync on `today` takes when left empty
    /// ([`moderngov::DAYS_BACK`] before, [`moderngov::DAYS_AHEAD`] after).
    fn try_from((f, today): (&SyncFields, chrono::NaiveDate)) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let from = date_field(&f.dates, "from", "Meetings from", &mut errors)
            .unwrap_or(today - chrono::Duration::days(moderngov::DAYS_BACK));
        let to = date_field(&f.dates, "to", "Meetings to", &mut errors)
            .unwrap_or(today + chrono::Duration::days(moderngov::DAYS_AHEAD));
        if errors.is_empty() && to < from {
            note(
                &mut errors,
                "to",
                "Meetings to must be the same as or after Meetings from",
            );
        }
        parsed(errors, Some(SyncWindow { from, to }))
    }
}

/// What the ModernGov page shows in its forms: the site's fields as
/// posted (else as saved) and the sync's dates as typed.
#[derive(Default)]
struct ModernGovPosted<'a> {
    site: Option<&'a ModernGovFields>,
    sync: Option<&'a SyncFields>,
}

async fn moderngov_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    posted: ModernGovPosted<'_>,
    errors: Vec<FieldError>,
    banner: Option<String>,
) -> PageResult {
    let store = state.store();
    let saved = store.moderngov_site(body.id).await?;
    // What was posted, where the form posted it: the sync form does not
    // post the site's fields, which then show as saved.
    let pick = |typed: fn(&ModernGovFields) -> &String, current: String| {
        posted.site.map(|f| typed(f).clone()).unwrap_or(current)
    };
    let dates = posted.sync.map(|f| f.dates.clone()).unwrap_or_default();
    let runs = store.moderngov_syncs(body.id, 10).await?;
    let latest = runs.first().map(|r| {
        (
            r.state.clone(),
            r.site.clone(),
            r.started_at.clone(),
            r.summary.lines().map(str::to_owned).collect(),
            r.message.clone(),
        )
    });
    let failed = !errors.is_empty();
    let page = ModernGovPage {
        chrome: chrome(Some(viewer), Some(body)),
        action: format!("/b/{}/settings/moderngov", body.slug),
        banner,
        csrf: viewer.csrf.clone().unwrap_or_default(),
        site: pick(
            |f| &f.site,
            saved.as_ref().map(|s| s.site.clone()).unwrap_or_default(),
        ),
        delay_ms: pick(
            |f| &f.delay_ms,
            saved
                .as_ref()
                .map_or_else(|| "1000".to_owned(), |s| s.delay_ms.to_string()),
        ),
        version: pick(
            |f| &f.version,
            saved
                .as_ref()
                .map_or(domain::Version::new(0), |s| s.version)
                .to_string(),
        ),
        saved: saved.is_some(),
        from: DateField::new(
            "from",
            "Meetings from",
            &format!(
                "For example, 1 4 2024. Leave it empty to start {} days ago",
                moderngov::DAYS_BACK
            ),
            dates.parts("from"),
            &errors,
        ),
        to: DateField::new(
            "to",
            "Meetings to",
            &format!(
                "For example, 31 3 2025. Leave it empty to end {} days ahead",
                moderngov::DAYS_AHEAD
            ),
            dates.parts("to"),
            &errors,
        ),
        errors,
        latest,
        counts: store.moderngov_counts(body.id).await?,
        queued: store
            .queued_minutes(body.id)
            .await?
            .into_iter()
            .map(|q| {
                (
                    format!(
                        "{}, {}: item {} {}",
                        q.committee,
                        q.held_on.format("%-d %B %Y"),
                        q.item_number,
                        q.item_title
                    ),
                    format!("/b/{}/agenda-items/{}/minutes", body.slug, q.agenda_item_id),
                )
            })
            .collect(),
        runs: runs
            .iter()
            .map(|r| {
                let what = if r.message.is_empty() {
                    r.summary.lines().nth(1).unwrap_or_default().to_owned()
                } else {
                    r.message.clone()
                };
                (
                    r.started_at.clone(),
                    r.started_by.clone(),
                    r.state.clone(),
                    what,
                )
            })
            .collect(),
    };
    Ok((status_of(failed), axum::response::Html(page.render()?)).into_response())
}

/// `GET /b/{body}/settings/moderngov`: the body's ModernGov site, "Sync
/// now", and how the last syncs went, for those who keep its committee
/// record.
pub async fn moderngov_form(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    Query(q): Query<ModernGovQuery>,
) -> PageResult {
    let banner = (q.done.as_deref() == Some("saved"))
        .then(|| "The ModernGov site address was saved".to_owned());
    moderngov_page(
        &state,
        &viewer,
        &body,
        ModernGovPosted::default(),
        vec![],
        banner,
    )
    .await
}

/// `POST /b/{body}/settings/moderngov`: save the site's address and the
/// pause between requests, then show the page saying so.
pub async fn save_moderngov(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    CsrfForm(fields): CsrfForm<ModernGovFields>,
) -> PageResult {
    let errors = match ModernGovSite::try_from(&fields) {
        Ok(ModernGovSite { site, delay_ms }) => match state
            .store()
            .set_moderngov_site(
                &viewer.actor(),
                body.id,
                version(&fields.version),
                site.as_str(),
                delay_ms,
            )
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/b/{}/settings/moderngov?done=saved",
                    body.slug
                ))
                .into_response());
            }
            Err(e) => {
                let mut errors = Vec::new();
                conflict_or(&mut errors, "site", e)?;
                errors
            }
        },
        Err(errors) => errors,
    };
    let posted = ModernGovPosted {
        site: Some(&fields),
        sync: None,
    };
    moderngov_page(&state, &viewer, &body, posted, errors, None).await
}

/// `POST /b/{body}/settings/moderngov/sync`: "Sync now". The sync is the
/// command line's (`moderngov::begin` and `moderngov::run`), run in the
/// background because ModernGov servers are slow; the page shows it under
/// way, then its summary.
pub async fn sync_moderngov(
    State(state): State<AppState>,
    Clerk { viewer, body }: Clerk,
    CsrfForm(fields): CsrfForm<SyncFields>,
) -> PageResult {
    let posted = ModernGovPosted {
        site: None,
        sync: Some(&fields),
    };
    let window = SyncWindow::try_from((&fields, crate::record::today()));
    let mut errors = window.as_ref().err().cloned().unwrap_or_default();
    let site = match state.store().moderngov_site(body.id).await? {
        None => Err("Save the ModernGov site address before syncing".to_owned()),
        Some(saved) => moderngov::Site::parse(&saved.site)
            .map(|site| (site, saved.delay_ms))
            .map_err(|e| site_problem(&saved.site, &e)),
    };
    let (site, delay_ms, window) = match (site, window) {
        (Ok((site, delay_ms)), Ok(window)) => (site, delay_ms, window),
        (site, _) => {
            if let Err(message) = site {
                errors.insert(
                    0,
                    FieldError {
                        field: "site".into(),
                        message,
                    },
                );
            }
            return moderngov_page(&state, &viewer, &body, posted, errors, None).await;
        }
    };
    let mut options = moderngov::SyncOptions::new(site.clone(), crate::record::today());
    options.from = window.from;
    options.to = window.to;
    options.manners.delay = std::time::Duration::from_millis(delay_ms.max(0) as u64);
    let actor = viewer.actor();
    let run = match moderngov::begin(state.store(), &actor, body.id.get(), &site).await {
        Ok(run) => run,
        Err(moderngov::SyncError::Store(e)) => return Err(e.into()),
        Err(e) => {
            let errors = vec![FieldError {
                field: "site".into(),
                message: e.to_string(),
            }];
            return moderngov_page(&state, &viewer, &body, posted, errors, None).await;
        }
    };
    let store = state.store().clone();
    let body_id = body.id;
    tokio::spawn(async move {
        // How it ended is recorded on the run, which the page shows.
        let _ = moderngov::run(
            &store,
            &actor,
            run,
            body_id.get(),
            &options,
            &moderngov::Quietly,
        )
        .await;
    });
    Ok(Redirect::to(&format!("/b/{}/settings/moderngov", body.slug)).into_response())
}

/// The routes of a body's settings and strategy.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/b/{body}/settings",
            axum::routing::get(settings_form).post(save_settings),
        )
        .route(
            "/b/{body}/strategy/edit",
            axum::routing::get(strategy_form).post(edit_strategy),
        )
        .route(
            "/b/{body}/settings/moderngov",
            axum::routing::get(moderngov_form).post(save_moderngov),
        )
        .route(
            "/b/{body}/settings/moderngov/sync",
            axum::routing::post(sync_moderngov),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a day")
    }

    #[test]
    fn a_site_form_wrong_in_both_fields_gives_both_errors() {
        let posted = ModernGovFields {
            site: "democracy.example.gov.uk".into(),
            delay_ms: "a second".into(),
            version: "3".into(),
        };
        let Err(errors) = ModernGovSite::try_from(&posted) else {
            panic!("both fields are wrong");
        };
        assert_eq!(crate::form::fields_of(&errors), ["site", "delay_ms"]);
        assert!(
            errors[0]
                .message
                .starts_with("Enter the ModernGov site address as a web address"),
            "{}",
            errors[0].message
        );
        let empty = ModernGovFields::default();
        let Err(errors) = ModernGovSite::try_from(&empty) else {
            panic!("nothing is entered");
        };
        assert_eq!(errors[0].message, "Enter the ModernGov site address");
    }

    #[test]
    fn a_site_form_filled_in_gives_the_site_and_pause() {
        let posted = ModernGovFields {
            site: "https://democracy.example.gov.uk".into(),
            delay_ms: " 1500 ".into(),
            version: "3".into(),
        };
        let s = ModernGovSite::try_from(&posted).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(s.delay_ms, 1500);
        assert!(
            s.site
                .as_str()
                .starts_with("https://democracy.example.gov.uk")
        );
    }

    #[test]
    fn a_sync_takes_the_days_typed_or_those_around_today() {
        let today = day(2024, 6, 1);
        let typed = SyncFields {
            dates: DateInputs::default()
                .with("from", Some(day(2024, 3, 17)))
                .with("to", Some(day(2024, 9, 13))),
        };
        assert_eq!(
            SyncWindow::try_from((&typed, today)),
            Ok(SyncWindow {
                from: day(2024, 3, 17),
                to: day(2024, 9, 13)
            })
        );
        let empty = SyncFields::default();
        assert_eq!(
            SyncWindow::try_from((&empty, today)),
            Ok(SyncWindow {
                from: day(2024, 3, 3),
                to: day(2024, 8, 30)
            })
        );
    }

    #[test]
    fn a_sync_wrong_in_both_days_names_each() {
        let today = day(2024, 6, 1);
        let wrong = SyncFields {
            dates: serde_urlencoded::from_str(
                "from-day=31&from-month=2&from-year=2024&to-day=1&to-month=13&to-year=2024",
            )
            .expect("the form"),
        };
        let Err(errors) = SyncWindow::try_from((&wrong, today)) else {
            panic!("both days are wrong");
        };
        assert_eq!(crate::form::fields_of(&errors), ["from", "to"]);
        assert!(
            errors[0].message.starts_with("Meetings from"),
            "{}",
            errors[0].message
        );
        let backwards = SyncFields {
            dates: DateInputs::default()
                .with("from", Some(day(2024, 9, 13)))
                .with("to", Some(day(2024, 3, 17))),
        };
        let Err(errors) = SyncWindow::try_from((&backwards, today)) else {
            panic!("the last day is before the first");
        };
        assert_eq!(errors[0].field, "to");
        assert_eq!(
            errors[0].message,
            "Meetings to must be the same as or after Meetings from"
        );
    }
}
