//! `ambit report`: the committee report pack for a plan and a period.

use std::path::PathBuf;

use std::time::Duration;

use clap::Args;
use domain::{FinancialYear, Half, PortfolioCode, ReportingPeriod, Slug};
use indicatif::{ProgressBar, ProgressStyle};
use report::{Contents, Format};
use store::{DatabaseLocation, Store};

use crate::{UserError, find_portfolio};

/// `ambit report` arguments.
#[derive(Args)]
pub struct ReportArgs {
    /// The portfolio's code, e.g. ACH.
    portfolio: String,
    /// The plan's year, e.g. 2022/23.
    year: String,
    /// The half reported on: H1 or H2. A year-end (H2) report includes the refreshed plan when it exists.
    half: String,
    /// The report's reference, e.g. ACH22-038 (defaults to the saved cover's).
    #[arg(long = "ref", value_name = "REFERENCE")]
    reference: Option<String>,
    /// The committee (defaults to the saved cover's, then the portfolio's).
    #[arg(long)]
    committee: Option<String>,
    /// The meeting's date, e.g. 2022-11-24 (defaults to the saved cover's).
    #[arg(long)]
    meeting_date: Option<String>,
    /// Who wrote the report, a role (defaults to the saved cover's).
    #[arg(long)]
    author: Option<String>,
    /// Whom readers contact, a name or role (defaults to the saved
    /// cover's; empty means the author).
    #[arg(long)]
    contact: Option<String>,
    /// A short summary for the cover (defaults to the saved cover's).
    #[arg(long)]
    summary: Option<String>,
    /// Save the cover details given here for the period, so the report on the web says the same.
    #[arg(long)]
    save: bool,
    /// The format: html, pdf, docx or xlsx (defaults to the extension of --out, then html).
    #[arg(long)]
    format: Option<Format>,
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
}

/// Write the pack.
pub async fn report(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    a: ReportArgs,
) -> anyhow::Result<()> {
    let code: PortfolioCode = a.portfolio.parse().map_err(UserError::from)?;
    let year: FinancialYear = a.year.parse().map_err(UserError::from)?;
    let half: Half = a.half.parse().map_err(UserError::from)?;
    let format = a
        .format
        .or_else(|| {
            a.out
                .extension()
                .and_then(|e| e.to_str())
                .and_then(|e| e.parse().ok())
        })
        .unwrap_or(Format::Html);
    let progress = Progress::start(format);
    let store = Store::open(location).await?;
    let portfolio = find_portfolio(&store, body, &code).await?;
    let the_body = store.body_by_id(portfolio.body_id).await?;
    let tree = store
        .plan_tree(store.plan(portfolio.id, year).await?.id)
        .await?;
    let previous = match store.plan(portfolio.id, year.previous()).await {
        Ok(p) => Some(store.plan_tree(p.id).await?),
        Err(_) => None,
    };
    let next = match store.plan(portfolio.id, year.next()).await {
        Ok(p) => Some(store.plan_tree(p.id).await?),
        Err(_) => None,
    };
    let period = ReportingPeriod::new(year, half);
    let saved = store.report_cover(tree.plan.id, period).await?;
    let given =
        |flag: &Option<String>, saved: &str| flag.clone().unwrap_or_else(|| saved.to_owned());
    let cover = domain::ReportCover::parse(
        &given(&a.reference, saved.cover.reference.as_str()),
        &given(&a.committee, &saved.cover.committee),
        &given(
            &a.meeting_date,
            &saved
                .cover
                .meeting_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        &given(&a.author, &saved.cover.author),
        &given(&a.summary, &saved.cover.summary),
    )
    .and_then(|c| c.with_contact(&given(&a.contact, &saved.cover.contact)))
    .map_err(UserError::from)?;
    if a.save {
        store
            .save_report_cover(&crate::actor(), tree.plan.id, period, saved.version, &cover)
            .await?;
    }
    let strategy = store.strategy(the_body.id).await?;
    let pack = report::Pack {
        body: &the_body,
        strategy: strategy.as_ref(),
        portfolio: &portfolio,
        tree: &tree,
        previous_year: previous.as_deref(),
        next_year: next.as_deref(),
        period,
        cover,
    };
    progress.step("Working out the contents");
    let contents = Contents::of(&pack);
    progress.step(match format {
        Format::Pdf => "Laying out the PDF pages",
        Format::Docx => "Writing the Word document",
        Format::Xlsx => "Writing the spreadsheet",
        Format::Html => "Writing the HTML document",
    });
    let bytes = tokio::task::spawn_blocking(move || report::render(&contents, format)).await??;
    progress.step("Saving");
    std::fs::write(&a.out, bytes)
        .map_err(|e| UserError(format!("out: cannot write {} ({e})", a.out.display())))?;
    progress.finish();
    println!(
        "Wrote the {} report for {} as {} to {}.",
        portfolio.code,
        pack.period,
        format.label(),
        a.out.display()
    );
    Ok(())
}

/// Progress on the terminal while a pack is made; nothing when output is not
/// a terminal.
struct Progress(ProgressBar);

impl Progress {
    fn start(format: Format) -> Progress {
        let bar = ProgressBar::new(4);
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(format!(
            "Reading the plan for the {} report",
            format.label()
        ));
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar)
    }

    fn step(&self, what: &'static str) {
        self.0.inc(1);
        self.0.set_message(what);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
