//! Searching a body's record: the page `/b/{body}/search?q=…&page=…`
//! (for the public, what is published; for people of the body, what their
//! role lets them see, by `visible::search_scope`) and the same as JSON,
//! `GET /api/v1/bodies/{body}/search`. The matching words are marked by
//! escaping every piece of the text and wrapping the matched ones in
//! `<mark>`: nothing from the data is ever written as HTML.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use domain::{ParseError, SearchQuery};
use serde::Serialize;
use store::{Marked, SearchHit, SearchKind, SearchResults};
use utoipa::ToSchema;

use crate::auth::Viewer;
use crate::error::{Path, WebError};
use crate::pagination::Pagination;
use crate::request::{body_for, chrome, html, viewer};
use crate::views::Chrome;
use crate::{AppState, visible};

/// Results on a page.
pub(crate) const PER_PAGE: i64 = 20;
/// The furthest page offered (results beyond it are not worth paging to).
pub(crate) const MAX_PAGE: i64 = 500;

/// What was asked for, parsed: the search and the page (from 1).
pub(crate) struct Asked {
    pub(crate) query: SearchQuery,
    pub(crate) page: i64,
}

/// Parse the address's `q` and `page`; `None` when there is no `q` at all.
pub(crate) fn asked(params: &HashMap<String, String>) -> Option<Result<Asked, ParseError>> {
    let q = params.get("q")?;
    Some((|| {
        let query = SearchQuery::parse(q)?;
        let page = match params.get("page").map(|p| p.trim()) {
            None | Some("") => 1,
            Some(p) => p
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| {
                    ParseError::new("page", p, format!("a page number from 1 to {MAX_PAGE}"))
                })?,
        };
        Ok(Asked { query, page })
    })())
}

/// Run a search as `access` may see the body.
pub(crate) async fn run(
    state: &AppState,
    body: &domain::Body,
    access: &domain::Access,
    asked: &Asked,
) -> Result<SearchResults, store::StoreError> {
    state
        .store()
        .search(
            &visible::search_scope(body.id, access),
            &asked.query,
            PER_PAGE,
            (asked.page - 1) * PER_PAGE,
        )
        .await
}

/// Marked text as HTML: every piece escaped, matches in `<mark>`.
pub(crate) fn marked_html(text: &Marked) -> String {
    let mut out = String::with_capacity(text.0.len() + 16);
    for (matched, piece) in text.pieces() {
        if matched {
            out.push_str("<mark>");
        }
        for c in piece.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        if matched {
            out.push_str("</mark>");
        }
    }
    out
}

/// Where a hit is shown in full.
pub(crate) fn hit_href(slug: &str, hit: &SearchHit) -> String {
    match (&hit.action, &hit.meeting) {
        (Some(a), _) => format!("/b/{slug}/actions/{}", a.id),
        (None, Some(m)) => format!("/b/{slug}/meetings/{}", m.id),
        (None, None) => format!("/b/{slug}"),
    }
}

/// One result as the page shows it.
pub(crate) struct HitView {
    kind: &'static str,
    href: String,
    heading: String,
    /// Escaped HTML with `<mark>`s (see [`marked_html`]).
    heading_html: Option<String>,
    context: String,
    /// Escaped HTML with `<mark>`s (see [`marked_html`]).
    text_html: String,
}

fn hit_view(slug: &str, hit: &SearchHit) -> HitView {
    let heading_marked = (!hit.title.0.is_empty()).then(|| marked_html(&hit.title));
    let (heading, context) = match (&hit.action, &hit.meeting) {
        (Some(a), _) => (
            format!("{} {}", a.reference, a.title),
            match hit.half {
                Some(h) => format!("{} {} plan, {} {} update", a.portfolio, a.year, h, a.year),
                None => format!("{} {} plan", a.portfolio, a.year),
            },
        ),
        (None, Some(m)) => (
            m.item.clone(),
            format!("{}, {}", m.committee, m.held_on.format("%-d %B %Y")),
        ),
        (None, None) => (String::new(), String::new()),
    };
    HitView {
        kind: hit.kind.label(),
        href: hit_href(slug, hit),
        // An action's own heading is the matched one; an update or a
        // question names its action or agenda item plainly.
        heading_html: match hit.kind {
            SearchKind::Action | SearchKind::Minutes => heading_marked,
            _ => None,
        },
        heading,
        context,
        text_html: marked_html(&hit.text),
    }
}

/// The search page.
#[derive(Template)]
#[template(path = "search.html")]
pub(crate) struct SearchPage {
    chrome: Chrome,
    slug: String,
    body_name: String,
    q: String,
    error: Option<String>,
    searched: Option<String>,
    total: i64,
    first: i64,
    last: i64,
    hits: Vec<HitView>,
    pagination: Pagination,
    signed_in: bool,
}

/// `GET /b/{body}/search?q=…&page=…`.
pub(crate) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let viewer = viewer(&state, &headers).await?;
    let body = body_for(&state, &slug).await?;
    let access = Viewer::access(viewer.as_ref(), body.id);
    let slug = body.slug.to_string();
    let mut page = SearchPage {
        chrome: chrome(viewer.as_ref(), Some(&body)),
        slug: slug.clone(),
        body_name: body.name.to_string(),
        q: params.get("q").cloned().unwrap_or_default(),
        error: None,
        searched: None,
        total: 0,
        first: 0,
        last: 0,
        hits: Vec::new(),
        pagination: Pagination::new("Results pages", 1, 1, |_| String::new()),
        signed_in: viewer.is_some(),
    };
    match asked(&params) {
        None => {}
        Some(Err(e)) => page.error = Some(error_text(&e)),
        Some(Ok(asked)) => {
            let results = run(&state, &body, &access, &asked).await?;
            let link = |n: usize| {
                format!(
                    "/b/{slug}/search?q={}&page={n}",
                    crate::views::query_encode(&asked.query.to_string())
                )
            };
            let pages = ((results.total + PER_PAGE - 1) / PER_PAGE).min(MAX_PAGE);
            page.searched = Some(asked.query.to_string());
            page.total = results.total;
            page.first = (asked.page - 1) * PER_PAGE + 1;
            page.last = page.first + results.hits.len() as i64 - 1;
            page.hits = results.hits.iter().map(|h| hit_view(&slug, h)).collect();
            page.pagination =
                Pagination::new("Results pages", asked.page as usize, pages as usize, link);
        }
    }
    html(page)
}

/// A search's mistake as the page says it (GOV.UK style).
fn error_text(e: &ParseError) -> String {
    if e.field == "page" {
        format!("Page must be a number from 1 to {MAX_PAGE}")
    } else if e.value.trim().is_empty() {
        "Enter a word or two to search for".into()
    } else if e.expected.contains("characters") {
        format!(
            "Search must be {} characters or fewer",
            SearchQuery::MAX_CHARS
        )
    } else if e.expected.contains("words") && e.expected.starts_with("a search of") {
        format!("Search must be {} words or fewer", SearchQuery::MAX_TERMS)
    } else {
        "Enter a word to search for: punctuation and the most common words (such as \u{201c}the\u{201d}) are not searched".into()
    }
}

/// One record found, as the API gives it.
#[derive(Serialize, ToSchema)]
pub struct SearchHitDto {
    /// "action", "update", "question", "promise" or "minutes".
    #[schema(pattern = "^(action|update|question|promise|minutes)$")]
    kind: String,
    /// The record's id (the action's, update's, question's, promise's or agenda item's).
    id: i64,
    /// Where it is shown in full.
    href: String,
    /// The heading matched (an action's reference and title, an agenda item's number and title); empty for others.
    title: String,
    /// The passage matched; empty for an action.
    text: String,
    /// `title` as HTML: escaped, with the matching words in `<mark>`.
    title_html: String,
    /// `text` as HTML: escaped, with the matching words in `<mark>`.
    text_html: String,
    /// The action it is or belongs to.
    action_id: Option<i64>,
    /// The action's reference.
    action_reference: Option<String>,
    /// The portfolio's code.
    portfolio: Option<String>,
    /// The plan's year: "2023/24".
    year: Option<String>,
    /// An update's half-year: "H1" or "H2".
    half: Option<String>,
    /// The meeting it was said at.
    meeting_id: Option<i64>,
    /// The meeting's committee.
    committee: Option<String>,
    /// The meeting's date (YYYY-MM-DD).
    held_on: Option<String>,
}

/// A page of search results.
#[derive(Serialize, ToSchema)]
pub struct SearchDto {
    /// The search as it was looked for (words and "phrases").
    query: String,
    /// How many records were found in all.
    total: i64,
    /// This page's number, from 1.
    page: i64,
    /// Results on a page.
    per_page: i64,
    /// This page's results, best first.
    results: Vec<SearchHitDto>,
}

/// The API's answer for a search.
pub(crate) fn dto(slug: &str, asked: &Asked, results: SearchResults) -> SearchDto {
    SearchDto {
        query: asked.query.to_string(),
        total: results.total,
        page: asked.page,
        per_page: PER_PAGE,
        results: results
            .hits
            .iter()
            .map(|h| SearchHitDto {
                kind: serde_json::to_value(h.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                id: h.id,
                href: hit_href(slug, h),
                title: h.title.plain(),
                text: h.text.plain(),
                title_html: marked_html(&h.title),
                text_html: marked_html(&h.text),
                action_id: (h.action.as_ref().map(|a| a.id)).map(domain::ActionId::get),
                action_reference: h.action.as_ref().map(|a| a.reference.clone()),
                portfolio: h.action.as_ref().map(|a| a.portfolio.clone()),
                year: h.action.as_ref().map(|a| a.year.to_string()),
                half: h.half.map(|x| x.to_string()),
                meeting_id: (h.meeting.as_ref().map(|m| m.id)).map(domain::MeetingId::get),
                committee: h.meeting.as_ref().map(|m| m.committee.clone()),
                held_on: h.meeting.as_ref().map(|m| m.held_on.to_string()),
            })
            .collect(),
    }
}

/// The routes of search over a body's record.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/b/{body}/search", axum::routing::get(page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::{MARK_END, MARK_START};

    #[test]
    fn marked_text_is_escaped_with_only_marks_added() {
        let m = Marked(format!(
            "<script>alert('x')</script> {MARK_START}care & <b>{MARK_END} \"home\""
        ));
        assert_eq!(
            marked_html(&m),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>care &amp; &lt;b&gt;</mark> &quot;home&quot;"
        );
    }

    #[test]
    fn searches_are_percent_encoded_in_links() {
        assert_eq!(
            crate::views::query_encode("care \"home\" é"),
            "care%20%22home%22%20%C3%A9"
        );
    }
}
