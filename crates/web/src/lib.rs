//! Ambit's web server: server-rendered, accessible pages for people and a
//! JSON API for programs, both over the same [`store::Store`].
//!
//! Pages use GOV.UK Frontend's styles and components (compiled into
//! `assets/`, embedded in the binary) and work without JavaScript. Every
//! request's ids are checked against the body in its address and the
//! viewer's role there; forms carry a CSRF token; the public sees published
//! plans only.

mod accounts;
mod api;
mod assets;
mod auth;
mod committees;
mod cycle;
mod error;
mod forms;
mod minutes_review;
mod pages;
mod refresh;
mod sso;
mod views;
mod visible;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use store::Store;
use tokio::net::TcpListener;

pub use auth::{hash_password, new_token, token_hash};

/// How the server is run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Mark cookies `Secure` (set when the site is served over https).
    pub secure_cookies: bool,
}

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    options: Options,
    limiter: auth::SignInLimiter,
}

impl AppState {
    /// State over `store`.
    pub fn new(store: Store, options: Options) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                options,
                limiter: Default::default(),
            }),
        }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn secure_cookies(&self) -> bool {
        self.inner.options.secure_cookies
    }

    pub(crate) fn limiter(&self) -> &auth::SignInLimiter {
        &self.inner.limiter
    }
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/sign-in", get(pages::sign_in_form).post(pages::sign_in))
        .route("/sign-out", post(pages::sign_out))
        .route("/sso/callback", get(sso::callback))
        .route("/b/{body}/sign-in/sso", get(sso::start))
        .route("/b/{body}", get(pages::body_home))
        .route("/b/{body}/plans/{code}/{year}", get(pages::plan))
        .route(
            "/b/{body}/plans/{code}/{year}/publish",
            post(pages::publish),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/edit",
            get(forms::plan_form).post(forms::edit_plan),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}",
            get(cycle::period),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}/open",
            post(cycle::open),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}/close",
            post(cycle::close),
        )
        .route("/b/{body}/updates/{id}/{step}", post(cycle::move_update))
        .route("/b/{body}/my-updates", get(cycle::my_updates))
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}/report",
            get(cycle::report),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/periods/{half}/cover",
            get(cycle::cover_form).post(cycle::save_cover),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/refresh-report",
            get(refresh::report),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/refresh",
            get(refresh::form).post(refresh::refresh),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/approve",
            post(refresh::approve),
        )
        .route(
            "/b/{body}/committees",
            get(committees::committees).post(committees::add_committee),
        )
        .route("/b/{body}/committees/{id}", get(committees::committee))
        .route(
            "/b/{body}/committees/{id}/edit",
            get(committees::committee_form).post(committees::edit_committee),
        )
        .route(
            "/b/{body}/committee-members/{id}/edit",
            get(committees::member_form).post(committees::edit_member),
        )
        .route(
            "/b/{body}/meetings/{id}/edit",
            get(committees::meeting_form).post(committees::edit_meeting),
        )
        .route(
            "/b/{body}/committees/{id}/members",
            post(committees::add_member),
        )
        .route(
            "/b/{body}/committees/{id}/meetings",
            post(committees::add_meeting),
        )
        .route("/b/{body}/meetings/{id}", get(committees::meeting))
        .route("/b/{body}/meetings/{id}/items", post(committees::add_item))
        .route(
            "/b/{body}/agenda-items/{id}/minutes",
            get(minutes_review::form).post(minutes_review::post),
        )
        .route(
            "/b/{body}/agenda-items/{id}/minutes/upload",
            post(minutes_review::upload).layer(axum::extract::DefaultBodyLimit::max(
                minutes::MAX_INPUT_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/b/{body}/commitments/{id}/close",
            post(committees::close_commitment),
        )
        .route("/b/{body}/actions/{id}", get(pages::action))
        .route(
            "/b/{body}/actions/{id}/edit",
            get(pages::edit_action_form).post(pages::edit_action),
        )
        .route(
            "/b/{body}/actions/{id}/updates/{half}",
            get(pages::update_form).post(pages::record_update),
        )
        .route("/b/{body}/audit/{entity}/{id}", get(pages::audit))
        .route("/b/{body}/accounts", get(accounts::page))
        .route(
            "/b/{body}/accounts/{id}/remove",
            get(accounts::confirm_remove).post(accounts::change_remove),
        )
        .route("/b/{body}/accounts/{id}/{step}", post(accounts::change))
        .route("/b/{body}/tokens/{id}/revoke", post(accounts::revoke))
        .route(
            "/b/{body}/settings",
            get(forms::settings_form).post(forms::save_settings),
        )
        .route(
            "/b/{body}/strategy/edit",
            get(forms::strategy_form).post(forms::edit_strategy),
        )
        .route(
            "/b/{body}/items/{id}/edit",
            get(forms::item_form).post(forms::edit_item),
        )
        .route(
            "/b/{body}/items/{id}/actions/new",
            get(forms::new_action_form).post(forms::add_action),
        )
        .route("/assets/{file}", get(assets::serve))
        .merge(api::routes())
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let h = response.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Serve the application on `listener` until Ctrl-C (or SIGTERM).
pub async fn serve(listener: TcpListener, store: Store, options: Options) -> std::io::Result<()> {
    let app = router(AppState::new(store, options));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("signal handler");
            tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    })
    .await
}
