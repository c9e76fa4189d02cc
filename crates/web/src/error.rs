//! What can go wrong serving a page, and the page people then see.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use store::StoreError;

use crate::views::{Chrome, ErrorPage};

/// Why a page could not be served.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Nothing at this address (or not visible to this viewer).
    #[error("page not found")]
    NotFound,
    /// Signed in, but the role does not allow it.
    #[error("you do not have permission to do this")]
    Forbidden,
    /// Signing in would allow it: go to the sign-in page and come back to `next`.
    #[error("sign in to continue")]
    SignIn {
        /// Where to return after signing in.
        next: String,
    },
    /// The form did not come from our page (missing or wrong CSRF token, cross-site post).
    #[error(
        "the form has expired or did not come from this site; go back, reload the page and try again"
    )]
    Forged,
    /// Too many failed sign-ins.
    #[error("too many failed attempts to sign in; wait {minutes} minutes and try again")]
    TooManyAttempts {
        /// Minutes to wait.
        minutes: u64,
    },
    /// The request cannot be carried out as given.
    #[error("{0}")]
    Refused(String),
    /// The request's body is larger than the address takes.
    #[error("{what} is too large: the limit is {}; {advice}", size(*limit))]
    TooLarge {
        /// What was too large ("the form").
        what: &'static str,
        /// The limit, in bytes.
        limit: usize,
        /// What to do instead.
        advice: &'static str,
    },
    /// The request took too long to arrive or to answer.
    #[error("the request took too long; try again")]
    TimedOut,
    /// Single sign-on did not work out.
    #[error("you could not be signed in: {0}")]
    SignInFailed(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A template failed to render.
    #[error("the page could not be shown: {0}")]
    Template(#[from] askama::Error),
    /// A committee report could not be laid out.
    #[error("the report could not be made: {0}")]
    Report(String),
    /// A plan's download could not be written.
    #[error("the download could not be made: {0}")]
    Export(String),
}

impl From<report::ReportError> for WebError {
    fn from(e: report::ReportError) -> Self {
        WebError::Report(e.to_string())
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::SignIn { .. } => StatusCode::SEE_OTHER,
            WebError::Forged => StatusCode::FORBIDDEN,
            WebError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::SignInFailed(_) => StatusCode::UNAUTHORIZED,
            WebError::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::TimedOut => StatusCode::REQUEST_TIMEOUT,
            WebError::Store(e) => store_status(e),
            WebError::Template(_) | WebError::Report(_) | WebError::Export(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

/// The HTTP status of a store error, the same for pages and the API: the
/// user's refusals are 404, 409 (the record is not in a state that allows
/// the change: changed by someone else, closed, signed off, already done)
/// or 422 (the input is wrong); the database out of service for now (not
/// reachable, read-only, disk full: [`StoreError::outage`]) is 503; other
/// faults of the system are 500. The match is exhaustive, so a new kind of
/// error must be placed here.
pub(crate) fn store_status(e: &StoreError) -> StatusCode {
    if e.outage().is_some() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    match e {
        StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
        StoreError::Conflict { .. }
        | StoreError::Closed { .. }
        | StoreError::PeriodState { .. }
        | StoreError::Unsettled { .. }
        | StoreError::Transition(_)
        | StoreError::CommitmentClosed { .. }
        | StoreError::AccountState { .. }
        | StoreError::UploadsFull { .. }
        | StoreError::AlreadyPublished { .. }
        | StoreError::WouldOverwrite { .. } => StatusCode::CONFLICT,
        StoreError::Invalid(_)
        | StoreError::Duplicate { .. }
        | StoreError::NotInPeriod { .. }
        | StoreError::PlanState { .. }
        | StoreError::Backup { .. }
        | StoreError::Location { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        StoreError::Corrupt { .. }
        | StoreError::Connect { .. }
        | StoreError::Migrate(_)
        | StoreError::Database(_)
        | StoreError::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::SignIn { next } = &self {
            return Redirect::to(&format!("/sign-in?next={}", crate::views::url_encode(next)))
                .into_response();
        }
        let status = self.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!("{self}");
        }
        let outage = match &self {
            WebError::Store(e) => e.outage(),
            _ => None,
        };
        if outage.is_some() {
            tracing::warn!("{self}");
        }
        let (title, message) = match status {
            StatusCode::NOT_FOUND => ("Page not found".to_owned(), "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.".to_owned()),
            StatusCode::INTERNAL_SERVER_ERROR => ("Sorry, there is a problem with the service".to_owned(), "Try again later. Nothing you entered has been lost or half-saved.".to_owned()),
            StatusCode::SERVICE_UNAVAILABLE => ("Sorry, the service is unavailable".to_owned(), sentence(outage.map_or("try again in a few minutes", store::Outage::explain))),
            _ => {
                let msg = self.to_string();
                let mut title = msg.clone();
                if let Some(first) = title.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                (title.split(';').next().unwrap_or("Error").to_owned(), msg)
            }
        };
        let shown = ErrorShown { title, message };
        let mut response = shown.render(Chrome::plain(), status);
        response.extensions_mut().insert(shown);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, RETRY_AFTER.into());
        }
        response
    }
}

/// Seconds a client is asked to wait before trying again while the
/// database is out of service (`Retry-After` on a 503).
pub(crate) const RETRY_AFTER: u16 = 10;

/// What an error page says, kept on its response so that
/// [`crate::signed_in_errors`] can show it again with the header of the
/// person signed in (an error raised before anyone was looked up has only
/// the plain header).
#[derive(Clone)]
pub(crate) struct ErrorShown {
    title: String,
    message: String,
}

impl ErrorShown {
    /// The error page with `chrome` as its header, answered with `status`.
    pub(crate) fn render(&self, chrome: Chrome, status: StatusCode) -> Response {
        let page = ErrorPage {
            chrome,
            title: self.title.clone(),
            message: self.message.clone(),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, "error").into_response(),
        }
    }
}

/// `text` as a sentence: its first letter upper case, a full stop at the end.
fn sentence(text: &str) -> String {
    let mut s = text.to_owned();
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s.push('.');
    s
}

/// A size for people: "10 MB", "256 KiB".
pub(crate) fn size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    match bytes {
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b >= 1_000_000 && b % 1_000_000 == 0 => format!("{} MB", b / 1_000_000),
        b if b >= 1024 && b % 1024 == 0 => format!("{} KiB", b / 1024),
        b if b >= 1000 && b % 1000 == 0 => format!("{} KB", b / 1000),
        b => format!("{b} bytes"),
    }
}

/// The parameters in a page's address. A malformed one (`/actions/abc`)
/// names no page, so it is answered with the "page not found" page rather
/// than the framework's plain-text 400.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Path(v))
            .map_err(|_| WebError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{ParseError, TransitionError, UpdateState};

    /// Every kind of store error, with the status pages and the API answer.
    fn every_store_error() -> Vec<(StoreError, StatusCode)> {
        let parse = || ParseError::new("percent", "140", "a whole number from 0 to 100");
        vec![
            (
                StoreError::Invalid(parse()),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                StoreError::NotFound {
                    entity: "action",
                    key: "9".into(),
                    hint: String::new(),
                },
                StatusCode::NOT_FOUND,
            ),
            (
                StoreError::Duplicate {
                    entity: "action",
                    key: "10A".into(),
                    field: "reference",
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                StoreError::Conflict {
                    entity: "update",
                    key: "10A".into(),
                    expected: 1,
                    current: 2,
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::NotInPeriod {
                    reference: "10A".into(),
                    plan_year: "2024/25".into(),
                    period: "H1 2023/24".into(),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                StoreError::Closed {
                    period: "H1 2024/25".into(),
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::PeriodState {
                    period: "H2 2024/25".into(),
                    state: "not open",
                    hint: "open it first",
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::Unsettled {
                    period: "H1 2024/25".into(),
                    summary: "1 action has no signed-off update (1 missing)".into(),
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::PlanState {
                    year: "2023/24".into(),
                    state: "superseded",
                    hint: "it does not change",
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                StoreError::CommitmentClosed {
                    id: 1,
                    state: "delivered",
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::Transition(TransitionError {
                    attempt: "sign off",
                    from: UpdateState::Draft,
                    hint: "it must be submitted first",
                }),
                StatusCode::CONFLICT,
            ),
            (
                StoreError::AccountState {
                    entity: "account",
                    key: "admin@example.org".into(),
                    state: "is already disabled".into(),
                    hint: "enable it first",
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::UploadsFull {
                    held: 45_000_000,
                    limit: 50_000_000,
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::AlreadyPublished {
                    reference: "ACH24-030".into(),
                    published_at: "2024-06-01T10:00:00.000000Z".into(),
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::WouldOverwrite {
                    location: "ambit.db".into(),
                },
                StatusCode::CONFLICT,
            ),
            (
                StoreError::Backup {
                    path: "b.json".into(),
                    reason: "not a backup".into(),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                StoreError::Corrupt {
                    entity: "update",
                    id: 1,
                    source: parse(),
                },
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (
                StoreError::Location {
                    location: "x".into(),
                    reason: "not a database".into(),
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                StoreError::Connect {
                    location: "x".into(),
                    source: sqlx::Error::PoolTimedOut,
                },
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::Connect {
                    location: "x".into(),
                    source: sqlx::Error::Configuration("bad URL".into()),
                },
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (
                StoreError::Migrate(sqlx::migrate::MigrateError::VersionMissing(1)),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (
                StoreError::Database(sqlx::Error::PoolTimedOut),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::Database(sqlx::Error::Io(std::io::Error::from(
                    std::io::ErrorKind::ConnectionRefused,
                ))),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (
                StoreError::Database(sqlx::Error::Protocol("unexpected message".into())),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
            (
                StoreError::Io {
                    path: "x".into(),
                    source: std::io::Error::other("disk full"),
                },
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        ]
    }

    #[test]
    fn every_store_error_has_its_status_on_pages_and_in_the_api() {
        for (e, status) in every_store_error() {
            let shown = e.to_string();
            assert_eq!(store_status(&e), status, "{shown}");
            assert_eq!(!status.is_server_error(), e.is_user_error(), "{shown}");
            let page = WebError::Store(e);
            assert_eq!(page.status(), status, "{shown}");
            let WebError::Store(e) = page else {
                unreachable!()
            };
            let api = crate::api::ApiError::from(e);
            let api = serde_json::to_value(&api).unwrap();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                assert!(api["error"].as_str().unwrap().contains("try again later"));
            } else if status == StatusCode::SERVICE_UNAVAILABLE {
                let said = api["error"].as_str().unwrap();
                assert!(
                    said.contains("database") && said.contains("try again"),
                    "{said}"
                );
            } else if status != StatusCode::NOT_FOUND {
                assert_eq!(api["error"], shown, "the API says what the store said");
            }
        }
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(10_000_000), "10 MB");
        assert_eq!(size(256 * 1024), "256 KiB");
        assert_eq!(size(1024 * 1024), "1 MiB");
        assert_eq!(size(200_000), "200 KB");
        assert_eq!(size(999), "999 bytes");
    }
}
