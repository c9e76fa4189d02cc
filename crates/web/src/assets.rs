//! The compiled GOV.UK Frontend assets, built into the binary by
//! `scripts/build-assets` (which needs Node only when they change).

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "ambit.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/ambit.css"),
    ),
    (
        "govuk-frontend.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/govuk-frontend.min.js"),
    ),
    (
        "init.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/init.js"),
    ),
];

/// `GET /assets/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    match FILES.iter().find(|(name, ..)| *name == file) {
        Some((_, mime, bytes)) => {
            let mut r = (*bytes).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
