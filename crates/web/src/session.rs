//! Signing in and out, the site's start page and each body's public home page.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect};
use domain::Body;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self};
use crate::error::WebError;
use crate::extract::*;
use crate::request::*;
use crate::views::*;

/// `GET /`: the bodies on this installation.
pub async fn index(State(state): State<AppState>, Asker(viewer): Asker) -> PageResult {
    let bodies = state.store().bodies().await?;
    if let [only] = bodies.as_slice() {
        return Ok(Redirect::to(&format!("/b/{}", only.slug)).into_response());
    }
    // Someone with a role in one body of several goes to that body.
    let mine: Vec<&Body> = bodies
        .iter()
        .filter(|b| {
            viewer
                .as_ref()
                .is_some_and(|v| v.memberships.iter().any(|m| m.body_id == b.id))
        })
        .collect();
    if let [only] = mine.as_slice() {
        return Ok(Redirect::to(&format!("/b/{}", only.slug)).into_response());
    }
    html(IndexPage {
        chrome: chrome(viewer.as_ref(), None),
        bodies: bodies
            .iter()
            .map(|b| (b.slug.to_string(), b.name.to_string()))
            .collect(),
    })
}

/// `GET /b/{body}`: the body's strategy, ambitions and plans.
pub async fn body_home(
    State(state): State<AppState>,
    InBody {
        viewer,
        body,
        access,
    }: InBody,
) -> PageResult {
    let strategy = state.store().strategy(body.id).await?;
    let mut plans = Vec::new();
    for p in state.store().body_plans(body.id).await?.into_iter() {
        let published = p.published;
        if published || access.sees_unpublished() {
            plans.push(PlanLink {
                href: plan_href(body.slug.as_str(), &p.portfolio_code, p.year),
                portfolio: format!("{} ({})", p.portfolio_name, p.portfolio_code),
                year: p.year.to_string(),
                actions: p.actions,
                published,
            });
        }
    }
    html(BodyPage {
        chrome: chrome(viewer.as_ref(), Some(&body)),
        name: body.name.to_string(),
        strategy: strategy.map(|s| {
            (
                format!("{} {}", s.title, s.years),
                s.ambitions
                    .iter()
                    .map(|a| (a.number, a.title.to_string(), a.illustrative))
                    .collect(),
            )
        }),
        plans,
        signed_in: viewer.is_some(),
        edit_strategy_href: access
            .edits_plans()
            .then(|| format!("/b/{}/strategy/edit", body.slug)),
        accounts_href: access
            .administers()
            .then(|| format!("/b/{}/accounts", body.slug)),
        settings_href: access
            .edits_plans()
            .then(|| format!("/b/{}/settings", body.slug)),
        moderngov_href: access
            .keeps_committee_record()
            .then(|| format!("/b/{}/settings/moderngov", body.slug)),
        sso_href: match (&viewer, state.store().sso(body.id).await?) {
            (None, Some(_)) => Some(format!("/b/{}/sign-in/sso", body.slug)),
            _ => None,
        },
    })
}

/// The sign-in page's query.
#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /sign-in`.
pub async fn sign_in_form(State(state): State<AppState>, Query(q): Query<NextQuery>) -> PageResult {
    let token = auth::new_token();
    let page = SignInPage {
        chrome: Chrome::plain(),
        errors: vec![],
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        form_token: token.clone(),
    };
    let cookie = auth::set_cookie(auth::FORM_COOKIE, &token, 3600, state.secure_cookies());
    Ok(([(header::SET_COOKIE, cookie)], Html(page.render()?)).into_response())
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    form_token: String,
}

/// The longest password checked (1,024 bytes); a longer one is refused
/// before any work is done on it.
const MAX_PASSWORD_BYTES: usize = 1024;

/// `POST /sign-in`. The form's token is checked first, then the email's
/// form; only then is the limiter asked, and only a checked password is
/// counted as a failure ([`auth::SignInLimiter`]). Unknown accounts cost the
/// same password check as known ones ([`auth::check_password`]).
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::ConnectInfo(client): axum::extract::ConnectInfo<std::net::SocketAddr>,
    Form(f): Form<SignInFields>,
) -> PageResult {
    let expected = auth::cookie(&headers, auth::FORM_COOKIE).unwrap_or_default();
    if expected.is_empty() || !auth::same_secret(&expected, &f.form_token) {
        return Err(WebError::Forged);
    }
    let client = client.ip();
    let refuse = |message: &str| -> PageResult {
        let page = SignInPage {
            chrome: Chrome::plain(),
            errors: vec![FieldError {
                field: "email".into(),
                message: message.into(),
            }],
            email: f.email.chars().take(254).collect(),
            next: safe_next(Some(&f.next)),
            form_token: f.form_token.clone(),
        };
        Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            Html(page.render()?),
        )
            .into_response())
    };
    let Ok(email) = f.email.parse::<domain::Email>() else {
        return refuse("Enter your email address, like name@example.org");
    };
    if f.password.len() > MAX_PASSWORD_BYTES {
        return refuse("Enter a correct email address and password");
    }
    let account = email.to_string();
    let client = client.to_string();
    if let Some(wait) = state
        .store()
        .sign_in_wait(&account, &client, auth::now_ms())
        .await?
    {
        return Err(WebError::TooManyAttempts {
            minutes: u64::try_from(wait).unwrap_or(0).div_ceil(60_000),
        });
    }
    let (user, hash) = match state.store().user_by_email(&email).await? {
        Some((user, hash)) => (Some(user), hash),
        None => (None, None),
    };
    let matches = auth::check_password(f.password.clone(), hash).await;
    let user = match user {
        Some(user) if matches => user,
        _ => {
            state
                .store()
                .sign_in_failed(&account, &client, auth::now_ms())
                .await?;
            return refuse("Enter a correct email address and password");
        }
    };
    state.store().sign_in_succeeded(&account, &client).await?;
    let cookie = auth::start_session(&state, user.id).await?;
    let clear = auth::set_cookie(auth::FORM_COOKIE, "", 0, state.secure_cookies());
    // Sign-in lands on the person's home unless it was asked for elsewhere.
    let target = match safe_next(Some(&f.next)) {
        next if next == "/" => "/home".to_owned(),
        next => next,
    };
    let mut response = Redirect::to(&target).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, cookie.parse().expect("cookie is ASCII"));
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear.parse().expect("cookie is ASCII"));
    Ok(response)
}

/// `POST /sign-out`.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    // Back to the public home of the one body they belong to, if one.
    let mut home = "/".to_owned();
    if let Some(viewer) = viewer(&state, &headers).await? {
        check_form(&headers, &viewer, &f.csrf)?;
        if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE) {
            state
                .store()
                .delete_session(&auth::token_hash(&token))
                .await?;
        }
        if let [only] = viewer.memberships.as_slice() {
            home = format!("/b/{}", state.store().body_by_id(only.body_id).await?.slug);
        }
    }
    let clear = auth::set_cookie(auth::SESSION_COOKIE, "", 0, state.secure_cookies());
    Ok(([(header::SET_COOKIE, clear)], Redirect::to(&home)).into_response())
}

/// Any other address: the "page not found" page.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// The routes of signing in and out and the public landing pages.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", axum::routing::get(index))
        .route("/sign-in", axum::routing::get(sign_in_form).post(sign_in))
        .route("/sign-out", axum::routing::post(sign_out))
        .route("/b/{body}", axum::routing::get(body_home))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn sign_in_returns_only_to_this_site() {
        assert_eq!(
            safe_next(Some("/b/bromley/plans/ACH/2022-23?period=H1")),
            "/b/bromley/plans/ACH/2022-23?period=H1"
        );
        for hostile in [
            "//evil.example/",
            "/\t/evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "/\n/x",
            "/ /x",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
