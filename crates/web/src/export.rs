//! Downloads of a plan: the export `ambit export plan` writes, of what the
//! viewer may see of the plan.
//!
//! `GET /b/{body}/plans/{code}/{year}/export.xlsx` (one workbook: About,
//! Actions and Updates sheets), `…/export-csv.zip` (the three CSV files,
//! `NAME-actions.csv`, `NAME-updates.csv` and `NAME-about.csv`, in one
//! zip, so they stay together and an import of the actions file finds the
//! other two beside it) and `…/export.json`. The files are named after the
//! body, portfolio and year: `bromley-ACH-2024-25.xlsx`.
//!
//! `…/export.stratml.xml` is the plan as a StratML Part 2 performance plan
//! (see [`interop::stratml`]); with `?period=H1` or `?period=H2`, the
//! performance report of the plan's year to the end of that half, with the
//! updates the viewer may see (`bromley-ACH-2024-25-H1.stratml.xml`).
//!
//! The plan page's rule decides: a plan that is not published answers 404
//! to the public and to other bodies' people; the tree is read through
//! [`crate::visible`], so the public gets signed-off content only (never a
//! draft, a submitted or returned update, or a revision not yet signed
//! off), and each of the body's people what they see on its pages. Making
//! a file holds one of [`crate::AppState::downloads`]' permits, so
//! downloads of large plans at once wait their turn instead of adding up.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::{Access, Body, Half, PlanTree, Portfolio, ReportingPeriod, Strategy};
use interop::PlanExport;
use serde::Deserialize;
use store::StoreError;

use crate::AppState;
use crate::error::WebError;
use crate::extract::*;
use crate::request::year_slug;

/// The formats a plan downloads in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// One workbook.
    Xlsx,
    /// The three CSV files in a zip.
    CsvZip,
    /// One JSON document.
    Json,
    /// StratML Part 2: a performance plan, or for a period a performance
    /// report.
    Stratml(Option<Half>),
}

impl Format {
    /// Every format, in the order the plan page lists them.
    pub(crate) const ALL: [Format; 4] = [
        Format::Xlsx,
        Format::CsvZip,
        Format::Json,
        Format::Stratml(None),
    ];

    /// The last part of its address, after the plan's.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Format::Xlsx => "export.xlsx",
            Format::CsvZip => "export-csv.zip",
            Format::Json => "export.json",
            Format::Stratml(_) => "export.stratml.xml",
        }
    }

    /// What the plan page calls it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "Excel (.xlsx)",
            Format::CsvZip => "CSV (three files in a .zip)",
            Format::Json => "JSON",
            Format::Stratml(_) => "StratML (.xml)",
        }
    }

    /// What the plan page says it holds.
    pub(crate) fn hint(self) -> &'static str {
        match self {
            Format::Xlsx => "a workbook with About, Actions and Updates sheets",
            Format::CsvZip => "the actions, updates and about tables, one file each",
            Format::Json => "for programs, as the API gives it",
            Format::Stratml(_) => {
                "the plan as a StratML Part 2 performance plan, the open standard for plans and performance reports"
            }
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::CsvZip => "application/zip",
            Format::Json => "application/json",
            Format::Stratml(_) => interop::stratml::MEDIA_TYPE,
        }
    }

    /// The downloaded file's name: `{stem}.xlsx`, `{stem}-csv.zip`,
    /// `{stem}.json`, `{stem}.stratml.xml` (`{stem}-H1.stratml.xml` for a
    /// report).
    fn file_name(self, stem: &str) -> String {
        match self {
            Format::Xlsx => format!("{stem}.xlsx"),
            Format::CsvZip => format!("{stem}-csv.zip"),
            Format::Json => format!("{stem}.json"),
            Format::Stratml(None) => format!("{stem}.stratml.xml"),
            Format::Stratml(Some(h)) => format!("{stem}-{h}.stratml.xml"),
        }
    }
}

/// The plan page's download links for the plan at `plan_href`.
pub(crate) fn links(plan_href: &str) -> Vec<crate::views::DownloadLink> {
    Format::ALL
        .into_iter()
        .map(|f| crate::views::DownloadLink {
            href: format!("{plan_href}/{}", f.path()),
            label: f.label(),
            hint: f.hint(),
        })
        .collect()
}

/// What a plan's export is made from, read from the store.
pub(crate) struct Source {
    body: Body,
    portfolio: Portfolio,
    /// The plan's tree as the viewer may see it.
    tree: Arc<PlanTree>,
    strategy: Option<Strategy>,
    /// The previous year's reference of each action that continues one.
    continues: HashMap<domain::ActionId, String>,
}

impl Source {
    /// `body`'s plan of `portfolio`, as `tree` (what the viewer may see of
    /// it), with the body's strategy and the references of the actions it
    /// continues (those in an unpublished plan only for those who see
    /// unpublished plans).
    pub(crate) async fn read(
        state: &AppState,
        body: Body,
        portfolio: Portfolio,
        tree: Arc<PlanTree>,
        access: &Access,
    ) -> Result<Self, StoreError> {
        let strategy = state.store().strategy(body.id).await?;
        let continues = state
            .store()
            .continued_actions(tree.plan.id)
            .await?
            .into_iter()
            .filter(|(_, c)| c.published || access.sees_unpublished())
            .map(|(id, c)| (id, c.reference.to_string()))
            .collect();
        Ok(Self {
            body,
            portfolio,
            tree,
            strategy,
            continues,
        })
    }

    /// The export: the About part and the plan's sheet.
    pub(crate) fn export(&self) -> PlanExport {
        interop::plan_export(
            &self.body,
            self.strategy.as_ref(),
            &self.portfolio,
            &self.tree,
            &self.continues,
        )
    }

    /// The stem of the export's file names: `bromley-ACH-2024-25`.
    fn file_stem(&self) -> String {
        format!(
            "{}-{}-{}",
            self.body.slug,
            self.portfolio.code,
            year_slug(self.tree.plan.year)
        )
    }
}

/// `f` run off the async threads while holding one of the download
/// permits: the work of making a plan's file, bounded by the machine's
/// cores however many ask at once.
pub(crate) async fn gated<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let _permit = state
        .downloads()
        .acquire()
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| e.to_string())
}

/// The plan of `source` written in `format`.
async fn render(state: &AppState, source: Source, format: Format) -> Result<Vec<u8>, WebError> {
    let stem = source.file_stem();
    gated(state, move || {
        let export = source.export();
        match format {
            Format::Xlsx => interop::write_xlsx(&export),
            Format::CsvZip => interop::write_csv_zip(&export, &stem),
            Format::Json => interop::write_json(&export),
            Format::Stratml(half) => Ok(interop::write_stratml(
                &export,
                half.map(|h| ReportingPeriod::new(export.about.year, h)),
            )),
        }
    })
    .await
    .map_err(WebError::Export)?
    .map_err(|e| WebError::Export(e.to_string()))
}

/// `GET …/export.xlsx`.
pub async fn xlsx(state: State<AppState>, plan: InPlan) -> Result<Response, WebError> {
    download(state, plan, Format::Xlsx).await
}

/// `GET …/export-csv.zip`.
pub async fn csv_zip(state: State<AppState>, plan: InPlan) -> Result<Response, WebError> {
    download(state, plan, Format::CsvZip).await
}

/// `GET …/export.json`.
pub async fn json(state: State<AppState>, plan: InPlan) -> Result<Response, WebError> {
    download(state, plan, Format::Json).await
}

/// The query of `…/export.stratml.xml`.
#[derive(Debug, Deserialize)]
pub struct StratmlQuery {
    /// H1 or H2: the performance report to the end of that half of the
    /// plan's year, instead of the plan.
    period: Option<String>,
}

/// `GET …/export.stratml.xml[?period=H1|H2]`.
pub async fn stratml(
    state: State<AppState>,
    plan: InPlan,
    Query(q): Query<StratmlQuery>,
) -> Result<Response, WebError> {
    let half = match q.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Some(p.parse::<Half>().map_err(|e| {
            WebError::Refused(format!(
                "period: {e}; give ?period=H1 or ?period=H2 for a performance report, or leave it out for the plan"
            ))
        })?),
    };
    download(state, plan, Format::Stratml(half)).await
}

async fn download(
    State(state): State<AppState>,
    InPlan {
        access, view, tree, ..
    }: InPlan,
    format: Format,
) -> Result<Response, WebError> {
    let source = Source::read(
        &state,
        view.body.clone(),
        view.portfolio.clone(),
        tree,
        &access,
    )
    .await?;
    let name = format.file_name(&source.file_stem());
    let bytes = render(&state, source, format).await?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    // The name is the body's slug, the portfolio's code and the year:
    // letters, digits and hyphens only.
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// The routes of a plan's downloads.
pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/b/{body}/plans/{code}/{year}/export.xlsx",
            axum::routing::get(xlsx),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/export-csv.zip",
            axum::routing::get(csv_zip),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/export.json",
            axum::routing::get(json),
        )
        .route(
            "/b/{body}/plans/{code}/{year}/export.stratml.xml",
            axum::routing::get(stratml),
        )
}
