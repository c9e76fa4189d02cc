//! A body's own settings and its corporate strategy, edited by its officers.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use domain::{Body, OutsideCycle, StrategyYears, Title};

use crate::AppState;
use crate::auth::Viewer;
use crate::error::WebError;
use crate::extract::*;
use crate::form::*;
use crate::request::*;
use crate::views::*;
use crate::words::take;

async fn strategy_page(
    state: &AppState,
    viewer: &Viewer,
    body: &Body,
    posted: Option<&Fields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let strategy = state
        .store()
        .strategy(body.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let pick = |name: &str, current: String| posted.map(|f| value(f, name)).unwrap_or(current);
    let mut fields = vec![
        field(
            "title",
            "Title",
            "",
            pick("title", strategy.title.to_string()),
            "",
        ),
        field(
            "years",
            "Years",
            "The first and last years, like 2021-2031",
            pick("years", strategy.years.to_string()),
            "govuk-input--width-10",
        ),
    ];
    for a in &strategy.ambitions {
        let name = format!("ambition_{}", a.id);
        fields.push(field(
            &name,
            &format!("Ambition {}", a.number),
            "",
            pick(&name, a.title.to_string()),
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
            version: posted
                .map(|f| value(f, "version"))
                .unwrap_or_else(|| strategy.version.to_string()),
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
    CsrfForm(fields): CsrfForm<Fields>,
) -> PageResult {
    let strategy = state
        .store()
        .strategy(body.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut errors = Vec::new();
    let title = take(
        &mut errors,
        "title",
        Title::parse("title", &value(&fields, "title")),
    );
    let years = take(
        &mut errors,
        "years",
        value(&fields, "years").parse::<StrategyYears>(),
    );
    let mut ambitions = Vec::new();
    for a in &strategy.ambitions {
        let name = format!("ambition_{}", a.id);
        if let Some(t) = take(
            &mut errors,
            &name,
            Title::parse("ambition", &value(&fields, &name)),
        ) {
            ambitions.push((a.id, t));
        }
    }
    let version = value(&fields, "version").parse().unwrap_or(0);
    if let (true, Some(title), Some(years)) = (errors.is_empty(), title, years) {
        match state
            .store()
            .edit_strategy(&viewer.actor(), body.id, version, title, years, ambitions)
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/b/{}", body.slug)).into_response()),
            Err(e) => conflict_or(&mut errors, "title", e)?,
        }
    }
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
    posted: Option<&Fields>,
    errors: Vec<FieldError>,
) -> PageResult {
    let now = state.store().outside_cycle(body.id).await?;
    let chosen = posted
        .map(|f| value(f, "updates_outside_cycle"))
        .unwrap_or_else(|| now.as_str().to_owned());
    let scheme = posted
        .map(|f| value(f, "reference_scheme"))
        .unwrap_or_else(|| body.reference_scheme.as_str().to_owned());
    let has_plans = state.store().plan_count(body.id).await? > 0;
    let require = match posted {
        Some(f) => value(f, "require_commentary"),
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
            version: posted
                .map(|f| value(f, "version"))
                .unwrap_or_else(|| body.version.to_string()),
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
    CsrfForm(fields): CsrfForm<Fields>,
) -> PageResult {
    let mut errors = Vec::new();
    let setting = take(
        &mut errors,
        "updates_outside_cycle",
        value(&fields, "updates_outside_cycle").parse::<OutsideCycle>(),
    );
    let scheme = take(
        &mut errors,
        "reference_scheme",
        value(&fields, "reference_scheme").parse::<domain::ReferenceScheme>(),
    );
    let require = match value(&fields, "require_commentary").as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(FieldError {
                field: "require_commentary".into(),
                message: "Select whether updates at risk or off track must say why".into(),
            });
            None
        }
    };
    let mut version = value(&fields, "version").parse().unwrap_or(0);
    if let (Some(setting), Some(scheme), Some(require)) = (setting, scheme, require) {
        if require != state.store().require_commentary(body.id).await? {
            match state
                .store()
                .set_require_commentary(&viewer.actor(), body.id, version, require)
                .await
            {
                Ok(changed) => version = changed,
                Err(e) => {
                    conflict_or(&mut errors, "require_commentary", e)?;
                    return settings_page(&state, &viewer, &body, Some(&fields), errors).await;
                }
            }
        }
        if scheme != body.reference_scheme {
            match state
                .store()
                .set_reference_scheme(&viewer.actor(), body.id, version, scheme)
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
            .set_outside_cycle(&viewer.actor(), body.id, version, setting)
            .await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/b/{}", body.slug)).into_response()),
            Err(e) => conflict_or(&mut errors, "updates_outside_cycle", e)?,
        }
    }
    settings_page(&state, &viewer, &body, Some(&fields), errors).await
}
