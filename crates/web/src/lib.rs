//! Ambit's web server: server-rendered, accessible pages for people and a
//! JSON API for programs, both over the same [`store::Store`].
//!
//! Pages use GOV.UK Frontend's styles and components (compiled into
//! `assets/`, embedded in the binary) and work without JavaScript. Every
//! request's ids are checked against the body in its address and the
//! viewer's role there; forms carry a CSRF token; the public sees published
//! plans only.

mod accounts;
mod actions;
mod api;
mod assets;
mod audit;
mod auth;
mod bodies;
mod committees;
mod dates;
mod error;
mod export;
mod extract;
mod form;
mod history;
mod home;
mod import;
mod items;
mod measures;
mod meetings;
mod minutes;
mod oparl;
mod open_data;
mod packs;
mod pagecache;
mod pagination;
mod periods;
mod plans;
mod progress;
mod promise_log;
mod record;
mod refresh;
mod request;
mod search;
mod server;
mod session;
mod sso;
mod updates;
mod views;
mod visible;
mod words;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use store::Store;
use tokio::net::TcpListener;

pub use auth::{hash_password, new_token, token_hash};
pub use packs::{PublishError, publish_pack};

/// How the server is run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Mark cookies `Secure` and send `Strict-Transport-Security` (set when
    /// the site is served over https); forms must then come from an
    /// `https` origin.
    pub secure_cookies: bool,
    /// How much the server takes from each client, and for how long.
    pub limits: Limits,
    /// The mail server "chase now" sends reminders through at once; without
    /// one they wait in the outbox for `ambit reminders`.
    pub mail: Option<notify::SmtpSettings>,
}

/// How much the server takes from each client, and for how long. The
/// defaults suit a council's site; each is documented with its constant.
#[derive(Debug, Clone)]
pub struct Limits {
    /// See [`Limits::HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// See [`Limits::IDLE_TIMEOUT`].
    pub idle_timeout: Duration,
    /// See [`Limits::REQUEST_TIMEOUT`].
    pub request_timeout: Duration,
    /// See [`Limits::MAX_CONNECTIONS`].
    pub max_connections: usize,
    /// See [`Limits::FORM_BYTES`].
    pub form_bytes: usize,
    /// See [`Limits::API_BYTES`].
    pub api_bytes: usize,
    /// See [`Limits::MINUTES_BYTES`].
    pub minutes_bytes: usize,
    /// See [`Limits::IMPORT_BYTES`].
    pub import_bytes: usize,
    /// See [`Limits::IMPORT_HELD_BYTES`].
    pub import_held_bytes: usize,
}

impl Limits {
    /// A client must send a request's whole header within this time of
    /// starting it (10 s), or the connection is closed: half-sent headers
    /// cannot hold connections open.
    pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// A connection on which nothing is read or written for this long
    /// (60 s) is closed, whether it is idle between requests or stalled
    /// reading a response.
    pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
    /// A request, its body included, must be answered within this time
    /// (30 s), or it is answered 408; a slowly sent body cannot hold a
    /// connection longer. The slowest page, a 2,000-action committee
    /// report as PDF, takes a few seconds.
    pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// The most connections served at once (4,096); more wait to be
    /// accepted. The process's open-file limit (`ulimit -n`) must be above it.
    pub const MAX_CONNECTIONS: usize = 4096;
    /// The largest body of a form (256 KiB): room for the longest text a
    /// form takes (`domain::Text::MAX_CHARS`, 50,000 characters) once
    /// URL-encoded. Larger forms are answered 413.
    pub const FORM_BYTES: usize = 256 * 1024;
    /// The largest JSON body the API takes (1 MiB); larger is answered 413
    /// with an `ApiError`.
    pub const API_BYTES: usize = 1024 * 1024;
    /// The largest file of minutes, or pasted minutes, taken for review
    /// (10 MB). The minutes of one meeting are a few hundred kilobytes.
    pub const MINUTES_BYTES: usize = 10 * 1000 * 1000;
    /// The largest spreadsheet taken for a plan import on the web (10 MB),
    /// kept in the database between the import's steps. A plan of a few
    /// thousand actions with their updates is well under it.
    pub const IMPORT_BYTES: usize = 10 * 1000 * 1000;
    /// The most that the spreadsheets uploaded for import and waiting for
    /// their next step may take together, per body (50 MB): five files of
    /// the largest size. Past it an upload is refused with a message until
    /// some are imported or expire (30 minutes after upload).
    pub const IMPORT_HELD_BYTES: usize = 50 * 1000 * 1000;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Self::HEADER_READ_TIMEOUT,
            idle_timeout: Self::IDLE_TIMEOUT,
            request_timeout: Self::REQUEST_TIMEOUT,
            max_connections: Self::MAX_CONNECTIONS,
            form_bytes: Self::FORM_BYTES,
            api_bytes: Self::API_BYTES,
            minutes_bytes: Self::MINUTES_BYTES,
            import_bytes: Self::IMPORT_BYTES,
            import_held_bytes: Self::IMPORT_HELD_BYTES,
        }
    }
}

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    options: Options,
    /// One permit: minutes are reviewed one document at a time, so
    /// concurrent uploads do not add up their peaks.
    minutes_review: tokio::sync::Semaphore,
    /// One permit per core: downloads made at once (plan exports and
    /// committee report packs). Others wait their turn, within the request
    /// timeout, so many downloads of a large plan at once cost no more
    /// processor or memory than the machine has cores.
    downloads: tokio::sync::Semaphore,
    /// Public pages already rendered for the data's current version.
    pages: pagecache::PageCache,
}

impl AppState {
    /// State over `store`.
    pub fn new(store: Store, options: Options) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                options,
                minutes_review: tokio::sync::Semaphore::new(1),
                downloads: tokio::sync::Semaphore::new(
                    std::thread::available_parallelism().map_or(1, |n| n.get()),
                ),
                pages: Default::default(),
            }),
        }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn secure_cookies(&self) -> bool {
        self.inner.options.secure_cookies
    }

    pub(crate) fn mail(&self) -> Option<&notify::SmtpSettings> {
        self.inner.options.mail.as_ref()
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.inner.options.limits
    }

    /// The permits to make a download (a plan export or a report pack),
    /// one per core.
    pub(crate) fn downloads(&self) -> &tokio::sync::Semaphore {
        &self.inner.downloads
    }

    /// The public pages kept for the data's current version.
    pub(crate) fn pages(&self) -> &pagecache::PageCache {
        &self.inner.pages
    }

    /// The one permit to review minutes, held while a document is read,
    /// extracted and rendered.
    pub(crate) fn minutes_review(&self) -> &tokio::sync::Semaphore {
        &self.inner.minutes_review
    }
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    let limits = state.limits().clone();
    Router::new()
        .merge(session::routes())
        .merge(sso::routes())
        .merge(home::routes())
        .merge(plans::routes())
        .merge(export::routes())
        .merge(import::routes(&limits))
        .merge(periods::routes())
        .merge(packs::routes())
        .merge(search::routes())
        .merge(refresh::routes())
        .merge(committees::routes())
        .merge(promise_log::routes())
        .merge(meetings::routes())
        .merge(minutes::routes(&limits))
        .merge(actions::routes())
        .merge(updates::routes())
        .merge(measures::routes())
        .merge(audit::routes())
        .merge(accounts::routes())
        .merge(bodies::routes())
        .merge(items::routes())
        .merge(open_data::routes())
        .route("/assets/{file}", get(assets::serve))
        .merge(oparl::routes())
        .merge(api::routes().layer(DefaultBodyLimit::max(limits.api_bytes)))
        .fallback(session::not_found)
        .layer(DefaultBodyLimit::max(limits.form_bytes))
        .layer(from_fn_with_state(state.clone(), declared_size))
        .layer(from_fn_with_state(state.clone(), same_origin_forms))
        .layer(from_fn_with_state(state.clone(), pagecache::public_pages))
        .layer(from_fn_with_state(state.clone(), time_limit))
        .layer(from_fn_with_state(state.clone(), signed_in_errors))
        .layer(from_fn_with_state(state.clone(), hygiene))
        .layer(compression())
        .with_state(state)
}

/// Compress answers for clients that ask (brotli or gzip, by their
/// `Accept-Encoding`), except files that are compressed already (the
/// spreadsheets, Word documents and zips are zip archives; images), at a
/// moderate level: a page is compressed on each request, so speed counts
/// as much as size. Answers to signed-in requests are not compressed:
/// their pages hold a secret (the CSRF token) beside text the request
/// chose (a search, a form's values), which compression would let an
/// eavesdropper guess from the sizes (the BREACH attack).
fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    let predicate = SizeAbove::new(256)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats",
        ))
        .and(
            |_status,
             _version,
             _headers: &axum::http::HeaderMap,
             extensions: &axum::http::Extensions| {
                extensions.get::<Personal>().is_none()
            },
        );
    tower_http::compression::CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Precise(4))
        .compress_when(predicate)
}

/// Marks the answer to a signed-in request (a session cookie or an API
/// token), which is never compressed.
#[derive(Clone, Copy)]
struct Personal;

/// Show an error page with the header of the person signed in ("Signed in
/// as …", sign out), never "Sign in" to someone who is: errors are raised
/// before or without looking the viewer up, so the page is drawn again
/// here, and only for error pages of signed-in requests.
async fn signed_in_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let session = (!is_api(request.uri().path())
        && auth::cookie(request.headers(), auth::SESSION_COOKIE).is_some())
    .then(|| request.headers().clone());
    let response = next.run(request).await;
    let (Some(headers), Some(shown)) = (session, response.extensions().get::<error::ErrorShown>())
    else {
        return response;
    };
    match request::viewer(&state, &headers).await {
        Ok(Some(viewer)) => {
            // The same status and headers, with the page drawn again.
            let again = shown.render(request::chrome(Some(&viewer), None), response.status());
            let (mut parts, _) = response.into_parts();
            parts.headers.remove(axum::http::header::CONTENT_LENGTH);
            Response::from_parts(parts, again.into_body())
        }
        _ => response,
    }
}

/// Whether a request is to the JSON API (answered in JSON, never with pages).
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Refuse a form posted from another site: every state-changing request
/// outside the API (whose callers use bearer tokens, not cookies) must come
/// from this site's own origin ([`auth::same_origin`]).
async fn same_origin_forms(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe
        && !is_api(request.uri().path())
        && !auth::same_origin(request.headers(), state.secure_cookies())
    {
        return error::WebError::Forged.into_response();
    }
    next.run(request).await
}

/// The largest body the address `path` takes.
fn body_limit(path: &str, limits: &Limits) -> usize {
    if is_api(path) {
        limits.api_bytes
    } else if is_minutes(path) {
        limits.minutes_bytes + form::FORM_SLACK
    } else if is_import_upload(path) {
        limits.import_bytes + form::FORM_SLACK
    } else {
        limits.form_bytes
    }
}

/// Whether `path` takes minutes (pasted or uploaded).
fn is_minutes(path: &str) -> bool {
    path.starts_with("/b/")
        && path.contains("/agenda-items/")
        && (path.ends_with("/minutes") || path.ends_with("/minutes/upload"))
}

/// Whether `path` takes a spreadsheet for a plan import.
fn is_import_upload(path: &str) -> bool {
    path.starts_with("/b/") && path.contains("/plans/") && path.ends_with("/import")
}

/// The 413 answer to a body too large for `path`: a page naming the
/// limit, or a JSON `ApiError` from the API.
fn too_large(path: &str, limits: &Limits) -> Response {
    if is_api(path) {
        api::ApiError::too_large(limits.api_bytes).into_response()
    } else if is_minutes(path) {
        minutes::too_large(limits.minutes_bytes, path.ends_with("/upload")).into_response()
    } else if is_import_upload(path) {
        import::too_large(limits.import_bytes).into_response()
    } else {
        error::WebError::TooLarge {
            what: "the form",
            limit: limits.form_bytes,
            advice: "shorten what you entered and send it again",
        }
        .into_response()
    }
}

/// The most of an over-large body read, and thrown away, before answering
/// 413 (64 MiB): a client still sending then sees the answer rather than a
/// reset connection. Reading costs time, bounded by the request timeout,
/// not memory.
const DRAIN_BYTES: u64 = 64 * 1024 * 1024;

/// Answer 413 at once to a request whose declared length is over its
/// address's limit, without passing it on. (A body sent without a length
/// is cut off at the limit by `DefaultBodyLimit` as it is read.)
async fn declared_size(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = body_limit(request.uri().path(), state.limits());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let Some(declared) = declared.filter(|&n| n > limit as u64) else {
        return next.run(request).await;
    };
    let response = too_large(request.uri().path(), state.limits());
    if declared <= DRAIN_BYTES {
        let mut body = request.into_body();
        while let Some(Ok(_)) = http_body_util::BodyExt::frame(&mut body).await {}
    }
    response
}

/// Answer 408 to a request not answered within [`Limits::request_timeout`]
/// (its body included).
async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    match tokio::time::timeout(state.limits().request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) if api => api::ApiError::timed_out().into_response(),
        Err(_) => error::WebError::TimedOut.into_response(),
    }
}

/// What every response carries: the security headers, `Cache-Control:
/// no-store` unless it is public (an answer to a request without a session
/// or token, setting no cookie, succeeding or 404, and not an audit trail or
/// a committee report), `Strict-Transport-Security` over https, and a proper
/// page (or JSON error) for a body that was too large.
async fn hygiene(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let personal = request.headers().contains_key(header::AUTHORIZATION)
        || auth::cookie(request.headers(), auth::SESSION_COOKIE).is_some()
        || path.contains("/audit/")
        || path.ends_with("/report")
        || path.ends_with("/refresh-report");
    let signed_in = request.headers().contains_key(header::AUTHORIZATION)
        || auth::cookie(request.headers(), auth::SESSION_COOKIE).is_some();
    let mut response = next.run(request).await;
    if signed_in {
        response.extensions_mut().insert(Personal);
    }
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_page_or_json(&response) {
        response = too_large(&path, state.limits());
    }
    let public = !personal
        && !response.headers().contains_key(header::SET_COOKIE)
        && (response.status().is_success()
            || response.status() == StatusCode::NOT_MODIFIED
            || response.status() == StatusCode::NOT_FOUND);
    if !public {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.secure_cookies() {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    security_headers(response)
}

/// Whether a response is already a page or a JSON document (not one of
/// the framework's plain-text refusals).
fn is_page_or_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"))
}

fn security_headers(mut response: Response) -> Response {
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

/// Serve the application on `listener` until Ctrl-C (or SIGTERM), within
/// the [`Limits`] of `options`.
pub async fn serve(listener: TcpListener, store: Store, options: Options) -> std::io::Result<()> {
    let limits = options.limits.clone();
    let app = router(AppState::new(store, options));
    auth::password_checkers();
    server::run(listener, app, &limits, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("signal handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
