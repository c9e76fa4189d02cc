//! Published committee report packs: publishing a period's pack (every
//! format rendered once and stored, frozen, with its data version), the
//! lists of a body's and a plan's packs with each file's size and SHA-256,
//! and the downloads of the stored bytes.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use domain::{Access, FinancialYear, Half, PortfolioCode, ReportingPeriod, Slug};
use store::{NewPack, PublishedPack, Store, StoreError};

use crate::AppState;
use crate::error::{Path, WebError};
use crate::extract::*;
use crate::request::{chrome, plan_href, year_slug};
use crate::views::Chrome;

/// Why a pack could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The store refused or failed (no reference on the cover, the
    /// reference already published, no such plan, …).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A format could not be laid out.
    #[error(transparent)]
    Report(#[from] report::ReportError),
    /// The work laying out the pack stopped before it finished.
    #[error("the pack could not be made: {0}")]
    Stopped(String),
}

impl From<PublishError> for WebError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Store(e) => WebError::Store(e),
            PublishError::Report(e) => e.into(),
            PublishError::Stopped(e) => WebError::Report(e),
        }
    }
}

/// Publish the pack of plan `code` `year` of body `body` for `half`, as
/// `actor`: the pack made from the public's view of the plan (signed-off
/// content only) and the period's saved cover, rendered in every format,
/// stored with its data version in one audited transaction. The web page,
/// the API and `ambit pack publish` all publish through here.
///
/// Refused before anything is rendered when the cover has no reference or
/// the reference is already published in the body (the store checks both
/// again in its transaction).
pub async fn publish_pack(
    store: &Store,
    actor: &str,
    body: &Slug,
    code: &PortfolioCode,
    year: FinancialYear,
    half: Half,
) -> Result<PublishedPack, PublishError> {
    let view = store.plan_view(body, code, year).await?;
    let period = ReportingPeriod::new(year, half);
    let cover = store.report_cover(view.tree.plan.id, period).await?.cover;
    if cover.reference.as_str().is_empty() {
        return Err(StoreError::Invalid(domain::ParseError::new(
            "report reference",
            "",
            "the report's reference on the cover, like ACH24-030: save the cover with it first",
        ))
        .into());
    }
    if let Some(p) = store
        .published_pack_by_reference(view.body.id, cover.reference.as_str())
        .await?
    {
        return Err(StoreError::AlreadyPublished {
            reference: p.reference,
            published_at: p.published_at,
        }
        .into());
    }
    let neighbour = |y: FinancialYear| async move {
        match store.plan_view(body, code, y).await {
            Ok(v) => Ok(Some(v.tree.seen_by(&Access::Public))),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    };
    let previous = neighbour(year.previous()).await?;
    let next = neighbour(year.next()).await?;
    let strategy = store.strategy(view.body.id).await?;
    let tree = view.tree.seen_by(&Access::Public);
    let contents = report::Contents::of(&report::Pack {
        body: &view.body,
        strategy: strategy.as_ref(),
        portfolio: &view.portfolio,
        tree: &tree,
        previous_year: previous.as_deref(),
        next_year: next.as_deref(),
        period,
        cover: cover.clone(),
    });
    let new = NewPack {
        plan_id: view.tree.plan.id,
        half,
        reference: cover.reference.clone(),
        committee: contents.committee.clone(),
        meeting_date: cover.meeting_date,
        title: contents.title.clone(),
        data: String::new(),
        files: Vec::new(),
    };
    let rendered = tokio::task::spawn_blocking(move || report::render_all(&contents))
        .await
        .map_err(|e| PublishError::Stopped(e.to_string()))??;
    let new = NewPack {
        data: rendered.data,
        files: rendered
            .files
            .into_iter()
            .map(|(f, bytes)| (f.extension().to_owned(), bytes))
            .collect(),
        ..new
    };
    Ok(store.publish_pack(actor, &new).await?)
}

/// A published pack as the pages list it.
pub struct PackView {
    /// "ACH24-030".
    pub reference: String,
    /// The pack's title.
    pub title: String,
    /// "H2 2023/24".
    pub period: String,
    /// The plan's page.
    pub plan_href: String,
    /// The plan: the portfolio's code and the year, "ACH 2023/24".
    pub plan: String,
    /// The committee.
    pub committee: String,
    /// The meeting's date in words (may be empty).
    pub meeting: String,
    /// When it was published, in words.
    pub published: String,
    /// Who published it (shown to people of the body only).
    pub published_by: Option<String>,
    /// The SHA-256 of its data version.
    pub data_sha256: String,
    /// Its files.
    pub files: Vec<PackFileView>,
}

/// One file of a published pack, as listed.
pub struct PackFileView {
    /// The download's address.
    pub href: String,
    /// "PDF", "Word (.docx)".
    pub label: String,
    /// "1.2 MB".
    pub size: String,
    /// The SHA-256 in hex.
    pub sha256: String,
}

/// A size for people: "1.2 MB", "345 kB", "512 bytes".
fn size_words(bytes: i64) -> String {
    match bytes {
        b if b < 1000 => format!("{b} bytes"),
        b if b < 1_000_000 => format!("{} kB", (b + 500) / 1000),
        b => format!("{}.{} MB", b / 1_000_000, (b % 1_000_000) / 100_000),
    }
}

/// "1 June 2024 at 10:30" from a stored RFC 3339 time (UTC).
fn when_words(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.format("%-d %B %Y at %H:%M UTC").to_string())
        .unwrap_or_else(|_| at.to_owned())
}

/// The packs `access` may see, as listed: the public sees the packs of
/// published plans only; people of the body see every pack and who
/// published it.
pub(crate) fn pack_views(packs: Vec<PublishedPack>, access: &Access) -> Vec<PackView> {
    let member = access.sees_unpublished();
    packs
        .into_iter()
        .filter(|p| member || p.plan_published)
        .map(|p| PackView {
            files: p
                .files
                .iter()
                .map(|f| PackFileView {
                    href: format!("/b/{}/packs/{}/{}", p.body_slug, p.id, f.format),
                    label: f
                        .format
                        .parse::<report::Format>()
                        .map(|f| f.label().to_owned())
                        .unwrap_or_else(|_| f.format.to_uppercase()),
                    size: size_words(f.size),
                    sha256: f.sha256.clone(),
                })
                .collect(),
            plan_href: plan_href(&p.body_slug, p.portfolio.as_str(), p.period.year),
            plan: format!("{} {}", p.portfolio, p.period.year),
            period: p.period.to_string(),
            committee: p.committee,
            meeting: p
                .meeting_date
                .map(|d| d.format("%-d %B %Y").to_string())
                .unwrap_or_default(),
            published: when_words(&p.published_at),
            published_by: member.then_some(p.published_by),
            data_sha256: p.data_sha256,
            title: p.title,
            reference: p.reference,
        })
        .collect()
}

/// A body's published packs.
#[derive(Template)]
#[template(path = "packs.html")]
pub struct PacksPage {
    pub chrome: Chrome,
    /// The body's name.
    pub body_name: String,
    /// The packs, newest first.
    pub packs: Vec<PackView>,
}

/// `GET /b/{body}/packs`: the body's published packs, with each file's
/// format, size and SHA-256.
pub async fn list(
    State(state): State<AppState>,
    InBody {
        viewer,
        body,
        access,
    }: InBody,
) -> Result<Response, WebError> {
    let packs = pack_views(state.store().published_packs(body.id, None).await?, &access);
    let page = PacksPage {
        chrome: chrome(viewer.as_ref(), Some(&body)),
        body_name: body.name.to_string(),
        packs,
    };
    Ok(Html(page.render()?).into_response())
}

/// The pack `id` of body `slug` if `viewer` may see it; 404 otherwise
/// (another body's, or an unpublished plan's to the public).
pub(crate) async fn visible_pack(
    state: &AppState,
    access: &Access,
    body_id: domain::BodyId,
    id: i64,
) -> Result<PublishedPack, WebError> {
    let pack = match state.store().published_pack(id).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    if pack.body_id != body_id || !(pack.plan_published || access.sees_unpublished()) {
        return Err(WebError::NotFound);
    }
    Ok(pack)
}

/// `GET /b/{body}/packs/{id}/{format}`: a published file, its stored bytes
/// exactly, to save.
pub async fn download(
    State(state): State<AppState>,
    InBody { body, access, .. }: InBody,
    Path((_, id, format)): Path<(String, i64, String)>,
) -> Result<Response, WebError> {
    let pack = visible_pack(&state, &access, body.id, id).await?;
    let Ok(kind) = format.parse::<report::Format>() else {
        return Err(WebError::NotFound);
    };
    if kind.extension() != format {
        return Err(WebError::NotFound);
    }
    let bytes = match state.store().pack_file(pack.id, &format).await {
        Err(StoreError::NotFound { .. }) => return Err(WebError::NotFound),
        other => other?,
    };
    let name = format!(
        "{}-{}-{}.{}",
        pack.reference,
        year_slug(pack.period.year),
        pack.period.half,
        kind.extension()
    );
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kind.media_type()),
    );
    // The HTML pack is a standalone document: its own styles, no scripts.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The routes of published committee report packs.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/b/{body}/packs", axum::routing::get(list))
        .route(
            "/b/{body}/packs/{id}/{format}",
            axum::routing::get(download),
        )
}

#[cfg(test)]
mod tests {
    use super::size_words;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_words(512), "512 bytes");
        assert_eq!(size_words(20_400), "20 kB");
        assert_eq!(size_words(1_234_567), "1.2 MB");
    }
}
