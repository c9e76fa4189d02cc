//! `ambit import` and `ambit export`: plan spreadsheets (and StratML) in and out.
//!
//! Reading and writing the files is `interop`'s; this module turns its
//! `PlanSheet` into the domain's `PlanImport` (references parsed in the
//! body's scheme) and back from a stored `PlanTree`, and prints what an
//! import did.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use domain::{
    Body, FinancialYear, Half, ImportSetup, PlanImport, PortfolioCode, ReferenceScheme,
    ReportingPeriod, SetupStrategy, Slug,
};
use indicatif::{ProgressBar, ProgressStyle};
use interop::{
    About, Limits, Mapping, MappingEntry, PlanExport, PlanSheet, ReadOptions, RefKind, Workbook,
};
use store::{DatabaseLocation, ImportDiff, ImportTarget, Store};

use crate::{UserError, actor, find_portfolio};

/// `ambit import …`
#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import a plan (and its updates) from a spreadsheet: .xlsx, .xls, .ods, .csv, an export's .json, or StratML (.xml).
    Plan(ImportPlanArgs),
    /// Write a blank import template with the canonical headings (the level names of --body when given) and a guidance sheet.
    Template {
        /// The file to write.
        #[arg(long, default_value = "ambit-import-template.xlsx")]
        out: PathBuf,
    },
}

/// `ambit import plan` arguments.
#[derive(Args)]
pub struct ImportPlanArgs {
    /// The spreadsheet. For an export's three CSV files, give the NAME-actions.csv one.
    file: PathBuf,
    /// The portfolio's code, e.g. ACH (defaults to the one the file's About part names).
    #[arg(long)]
    portfolio: Option<String>,
    /// The plan's year, e.g. 2024/25 (defaults to the one the file's About part names).
    #[arg(long)]
    year: Option<String>,
    /// The sheet of actions (by default "Actions", else the first sheet).
    #[arg(long)]
    sheet: Option<String>,
    /// Map a heading to a field: "Lead officer=lead", "Notes=ignore". Repeat for several.
    #[arg(long = "map", value_name = "HEADING=FIELD")]
    map: Vec<String>,
    /// Say what would be created and changed, and write nothing.
    #[arg(long)]
    dry_run: bool,
}

/// `ambit export …`
#[derive(Subcommand)]
pub enum ExportCommand {
    /// Export a plan with every update and its About part (body, scheme, strategy, portfolio).
    Plan(ExportPlanArgs),
}

/// The formats of an export.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// One workbook: About, Actions and Updates sheets.
    Xlsx,
    /// Three files: OUT (actions), and OUT-updates.csv and OUT-about.csv beside it.
    Csv,
    /// One JSON document.
    Json,
    /// StratML Part 2 (XML): a performance plan, or with --period a performance report.
    Stratml,
}

/// `ambit export plan` arguments.
#[derive(Args)]
pub struct ExportPlanArgs {
    /// The portfolio's code, e.g. ACH.
    portfolio: String,
    /// The plan's year, e.g. 2022/23.
    year: String,
    /// The format (defaults to the extension of --out; .xml is StratML).
    #[arg(long, value_enum)]
    format: Option<ExportFormat>,
    /// StratML only: a performance report with the updates up to and including this half (H1 or H2 of the year), instead of the plan.
    #[arg(long, value_name = "HALF")]
    period: Option<String>,
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
}

/// Rows above which the import shows its progress.
const PROGRESS_ROWS: usize = 3000;

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| UserError(format!("{}: {e}", path.display())).into())
}

/// The CSV files beside an export's NAME-actions.csv: (updates, about).
fn csv_siblings(path: &Path) -> Option<(PathBuf, PathBuf)> {
    if !file_name(path).to_ascii_lowercase().ends_with(".csv") {
        return None;
    }
    let (updates, about) = csv_paths(path);
    (updates.exists() && about.exists()).then_some((updates, about))
}

/// What the file holds: a workbook to read with the body's rules, or a
/// plan already read (an export's JSON, a StratML document) with its About
/// part when it has one.
enum Source {
    Book(Box<Workbook>, Box<Option<About>>),
    Read(Box<PlanSheet>, Box<Option<About>>),
}

fn load_source(path: &Path) -> anyhow::Result<Source> {
    let name = file_name(path);
    let bytes = read(path)?;
    let limits = Limits::default();
    if name.to_ascii_lowercase().ends_with(".json") {
        let export = interop::read_json(&name, &bytes).map_err(|p| UserError(p.to_string()))?;
        return Ok(Source::Read(
            Box::new(export.plan),
            Box::new(Some(export.about)),
        ));
    }
    if name.to_ascii_lowercase().ends_with(".xml") {
        let read = interop::read_stratml(&name, &bytes, &interop::StratmlLimits::default())
            .map_err(|e| UserError(e.to_string()))?;
        return Ok(Source::Read(Box::new(read.plan), Box::new(read.about)));
    }
    let book = match csv_siblings(path) {
        Some((updates, about)) => {
            let (u, a) = (read(&updates)?, read(&about)?);
            interop::csv_workbook(
                &[
                    ("Actions", &name, &bytes),
                    ("Updates", &file_name(&updates), &u),
                    ("About", &file_name(&about), &a),
                ],
                &limits,
            )
        }
        None => interop::read_workbook(&name, &bytes, &limits),
    }
    .map_err(|e| UserError(e.to_string()))?;
    let about = interop::read_about(&book).map_err(|p| UserError(p.to_string()))?;
    Ok(Source::Book(Box::new(book), Box::new(about)))
}

/// The body's rules an import reads with.
struct Rules {
    slug: Slug,
    scheme: ReferenceScheme,
    levels: domain::LevelNames,
    rag: domain::RagMapping,
}

async fn rules(store: &Store, body: Option<&Slug>, about: Option<&About>) -> anyhow::Result<Rules> {
    let slug = match (body, about) {
        (Some(s), _) => s.clone(),
        (None, Some(a)) => a.body_slug.clone(),
        (None, None) => match store.bodies().await?.as_slice() {
            [only] => only.slug.clone(),
            [] => {
                return Err(UserError(
                    "body: the database has no body; import an export (whose About part describes its body) or load one first"
                        .into(),
                )
                .into());
            }
            _ => {
                return Err(UserError(
                    "body: name the body with --body SLUG, e.g. --body bromley".into(),
                )
                .into());
            }
        },
    };
    let from_store: Option<Body> = store.body(&slug).await.ok();
    Ok(match (from_store, about.filter(|a| a.body_slug == slug)) {
        (Some(b), _) => Rules {
            slug,
            scheme: b.reference_scheme,
            levels: b.level_names,
            rag: b.rag,
        },
        (None, Some(a)) => Rules {
            slug,
            scheme: scheme_of(a)?,
            levels: a.level_names.clone(),
            rag: a.rag.clone(),
        },
        (None, None) => {
            return Err(UserError(format!(
                "body: there is no body {slug}; import an export (whose About part describes it) or load it first"
            ))
            .into());
        }
    })
}

fn scheme_of(about: &About) -> Result<ReferenceScheme, UserError> {
    about
        .reference_scheme
        .parse()
        .map_err(|e: domain::ParseError| UserError(format!("About: {e}")))
}

/// The About part as what the store creates when it is missing.
fn setup_of(about: &About) -> Result<ImportSetup, UserError> {
    Ok(ImportSetup {
        body_slug: about.body_slug.clone(),
        body_name: about.body_name.clone(),
        reference_scheme: scheme_of(about)?,
        level_names: about.level_names.clone(),
        rag: about.rag.clone(),
        strategy: about.strategy.as_ref().map(|s| SetupStrategy {
            title: s.title.clone(),
            years: s.years,
            ambitions: s
                .ambitions
                .iter()
                .map(|a| (a.number, a.title.clone()))
                .collect(),
        }),
        portfolio_code: about.portfolio.code.clone(),
        portfolio_name: about.portfolio.name.clone(),
        committee: about.portfolio.committee.clone(),
    })
}

/// The sheet's plan with its references parsed in the body's scheme.
fn to_import(
    sheet: &PlanSheet,
    scheme: ReferenceScheme,
    file: &str,
) -> Result<PlanImport, UserError> {
    interop::to_plan_import(sheet, scheme).map_err(|errors| {
        UserError(format!(
            "{file}: {} problem{} found; nothing was imported\n  {}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            errors.join("\n  ")
        ))
    })
}

fn progress(rows: usize) -> ProgressBar {
    if rows < PROGRESS_ROWS {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(3);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:20}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// `ambit import plan`.
pub async fn import_plan(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    a: ImportPlanArgs,
) -> anyhow::Result<()> {
    let name = file_name(&a.file);
    let source = load_source(&a.file)?;
    let about = match &source {
        Source::Book(_, about) | Source::Read(_, about) => (**about).clone(),
    };
    let year: FinancialYear = match (&a.year, &about) {
        (Some(y), _) => y.parse().map_err(UserError::from)?,
        (None, Some(ab)) => ab.year,
        (None, None) => {
            return Err(UserError(
                "year: give the plan's year with --year, e.g. --year 2024/25".into(),
            )
            .into());
        }
    };
    let code: PortfolioCode = match (&a.portfolio, &about) {
        (Some(p), _) => p.parse().map_err(UserError::from)?,
        (None, Some(ab)) => ab.portfolio.code.clone(),
        (None, None) => {
            return Err(UserError(
                "portfolio: give the portfolio with --portfolio CODE, e.g. --portfolio ACH".into(),
            )
            .into());
        }
    };
    let store = Store::open(location).await?;
    let rules = rules(&store, body, about.as_ref()).await?;
    let rows = match &source {
        Source::Book(book, _) => book.sheets.iter().map(|s| s.rows.len()).sum(),
        Source::Read(plan, _) => plan.actions.len() + plan.updates.len(),
    };
    let bar = progress(rows);
    bar.set_message(format!("checking {name}"));
    bar.set_position(1);
    let sheet = match source {
        Source::Read(plan, _) => *plan,
        Source::Book(book, _) => {
            let entries = a
                .map
                .iter()
                .map(|m| MappingEntry::parse_with_levels(m, Some(&rules.levels)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| UserError(format!("map: {}", e.0)))?;
            let scheme = rules.scheme;
            let check = move |kind: RefKind, raw: &str| -> Result<(), String> {
                match kind {
                    RefKind::Item(_) => scheme.parse_item(raw).map(drop),
                    RefKind::Action => scheme.parse_action(raw).map(drop),
                }
                .map_err(|e| e.to_string())
            };
            let mut options = ReadOptions::new(year);
            options.sheet = a.sheet.clone();
            options.mapping = Mapping::new(entries);
            options.level_names = rules.levels.clone();
            options.rag = rules.rag.clone();
            options.check_reference = Some(&check);
            interop::read_plan(&book, &options).map_err(|p| {
                bar.finish_and_clear();
                UserError(p.to_string())
            })?
        }
    };
    let plan = interop::with_about(
        to_import(&sheet, rules.scheme, &name)?,
        about.as_ref(),
        &rules.slug,
        &code,
        year,
    );
    let setup = about
        .as_ref()
        .filter(|ab| ab.body_slug == rules.slug)
        .map(setup_of)
        .transpose()?
        .map(|mut s| {
            // The About part describes the file's portfolio; it is created
            // only when importing into that one.
            if s.portfolio_code != code {
                s.portfolio_code = code.clone();
            }
            s
        });
    bar.set_message(format!("writing {} actions", plan.actions.len()));
    bar.set_position(2);
    let result = store
        .import_plan(
            &actor(),
            ImportTarget {
                body: &rules.slug,
                portfolio: &code,
                year,
                setup: setup.as_ref(),
            },
            &plan,
            &name,
            a.dry_run,
        )
        .await;
    bar.finish_and_clear();
    let diff = result?;
    print!("{}", show_diff(&name, &rules.slug, &code, year, &diff));
    store.close().await;
    Ok(())
}

/// What an import did, for the terminal.
pub fn show_diff(
    file: &str,
    body: &Slug,
    code: &PortfolioCode,
    year: FinancialYear,
    d: &ImportDiff,
) -> String {
    let mut out = String::new();
    if d.dry_run {
        out.push_str(&format!(
            "Dry run of {file} into {body} {code} {year}: nothing was written.\n"
        ));
    } else {
        out.push_str(&format!("Imported {file} into {body} {code} {year}.\n"));
    }
    let verb = if d.dry_run { "would be " } else { "" };
    out.push_str(&format!(
        "{:<12} {:>9} {:>9} {:>10}\n",
        "", "created", "changed", "unchanged"
    ));
    for (kind, c) in [
        ("plan items", d.items),
        ("actions", d.actions),
        ("updates", d.updates),
    ] {
        out.push_str(&format!(
            "{kind:<12} {:>9} {:>9} {:>10}\n",
            c.created, c.changed, c.unchanged
        ));
    }
    let setup: Vec<_> = d
        .changes
        .iter()
        .filter(|c| !matches!(c.entity, "plan item" | "action" | "update"))
        .collect();
    if !setup.is_empty() {
        out.push_str(&format!("Set up ({verb}created):\n"));
        for c in setup {
            out.push_str(&format!("  {} {}\n", c.entity, c.key));
        }
    }
    let changed: Vec<_> = d.changes.iter().filter(|c| !c.fields.is_empty()).collect();
    if !changed.is_empty() {
        out.push_str(&format!(
            "Changes ({verb}audited with the reason \"{file}\"):\n"
        ));
        for c in changed.iter().take(100) {
            out.push_str(&format!(
                "  {} {}: {} ({})\n",
                c.entity,
                c.key,
                c.operation,
                c.fields.join(", ")
            ));
        }
        if changed.len() > 100 {
            out.push_str(&format!("  and {} more\n", changed.len() - 100));
        }
    }
    for u in &d.unlinked {
        out.push_str(&format!(
            "Not linked (no such action in the previous year's plan): {u}\n"
        ));
    }
    if !d.plan_differences.is_empty() {
        out.push_str(
            "Left as the plan has it (an import changes a plan's status, approval, publication and alignments only when it creates the plan):\n",
        );
        for p in &d.plan_differences {
            out.push_str(&format!(
                "  {}: {} in the file; {} in the plan\n",
                p.field, p.file, p.plan
            ));
        }
    }
    if d.is_unchanged() {
        out.push_str("Nothing to change: the plan is already as the file has it.\n");
    }
    out
}

/// `ambit import template`: with the level names of `--body` when given.
pub async fn template(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    out: &Path,
) -> anyhow::Result<()> {
    let levels = match body {
        Some(slug) => {
            let store = Store::open(location).await?;
            let levels = store.body(slug).await?.level_names;
            store.close().await;
            levels
        }
        None => domain::LevelNames::default(),
    };
    let bytes = interop::template(&levels)?;
    write_new(out, &bytes)?;
    println!("Wrote the import template to {}.", out.display());
    Ok(())
}

fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).map_err(|e| UserError(format!("{}: {e}", path.display())).into())
}

/// The stored plan as an export: every item, action and update (as
/// stored), and the About part with the plan's own state.
pub async fn export_of(
    store: &Store,
    body: Option<&Slug>,
    code: &PortfolioCode,
    year: FinancialYear,
) -> anyhow::Result<PlanExport> {
    let portfolio = find_portfolio(store, body, code).await?;
    let the_body = store.body_by_id(portfolio.body_id).await?;
    let plan = store.plan(portfolio.id, year).await?;
    let tree = store.plan_tree(plan.id).await?;
    let strategy = store.strategy(the_body.id).await?;
    let continues: HashMap<domain::ActionId, String> = store
        .continued_actions(plan.id)
        .await?
        .into_iter()
        .map(|(id, c)| (id, c.reference.to_string()))
        .collect();
    Ok(interop::plan_export(
        &the_body,
        strategy.as_ref(),
        &portfolio,
        &tree,
        &continues,
    ))
}

/// `ambit export plan`.
pub async fn export_plan(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    a: ExportPlanArgs,
) -> anyhow::Result<()> {
    let code: PortfolioCode = a.portfolio.parse().map_err(UserError::from)?;
    let year: FinancialYear = a.year.parse().map_err(UserError::from)?;
    let format =
        match a.format {
            Some(f) => f,
            None => match a
                .out
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("xlsx") => ExportFormat::Xlsx,
                Some("csv") => ExportFormat::Csv,
                Some("json") => ExportFormat::Json,
                Some("xml") => ExportFormat::Stratml,
                _ => return Err(UserError(
                    "format: give --format xlsx, csv, json or stratml (or an --out ending in .xlsx, .csv, .json or .xml)"
                        .into(),
                )
                .into()),
            },
        };
    let period = match (&a.period, format) {
        (None, _) => None,
        (Some(h), ExportFormat::Stratml) => Some(ReportingPeriod::new(
            year,
            h.parse::<Half>().map_err(UserError::from)?,
        )),
        (Some(_), _) => {
            return Err(UserError(
                "period: --period makes a StratML performance report; give --format stratml too, or leave --period out".into(),
            )
            .into());
        }
    };
    let store = Store::open(location).await?;
    let export = export_of(&store, body, &code, year).await?;
    store.close().await;
    match format {
        ExportFormat::Stratml => {
            write_new(&a.out, &interop::write_stratml(&export, period))?;
            let what = match period {
                Some(p) => format!("performance report to the end of {p}"),
                None => "performance plan".to_owned(),
            };
            println!(
                "Wrote {code} {year} as a StratML {what}: {} actions to {}.",
                export.plan.actions.len(),
                a.out.display()
            );
            return Ok(());
        }
        ExportFormat::Xlsx => write_new(&a.out, &interop::write_xlsx(&export)?)?,
        ExportFormat::Json => write_new(&a.out, &interop::write_json(&export)?)?,
        ExportFormat::Csv => {
            let files = interop::write_csv(&export)?;
            let (updates, about) = csv_paths(&a.out);
            write_new(&a.out, &files.actions)?;
            write_new(&updates, &files.updates)?;
            write_new(&about, &files.about)?;
            println!(
                "Wrote {code} {year}: {} actions, {} updates to {}, {} and {}.",
                export.plan.actions.len(),
                export.plan.updates.len(),
                a.out.display(),
                updates.display(),
                about.display()
            );
            return Ok(());
        }
    }
    println!(
        "Wrote {code} {year}: {} actions, {} updates to {}.",
        export.plan.actions.len(),
        export.plan.updates.len(),
        a.out.display()
    );
    Ok(())
}

/// The updates and about files beside a CSV export's actions file: for
/// `plan-actions.csv`, `plan-updates.csv` and `plan-about.csv`; for
/// `plan.csv`, `plan-updates.csv` and `plan-about.csv`.
fn csv_paths(out: &Path) -> (PathBuf, PathBuf) {
    let name = file_name(out);
    let stem = name
        .strip_suffix("-actions.csv")
        .or_else(|| name.strip_suffix(".csv"))
        .unwrap_or(&name);
    let dir = out.parent().unwrap_or(Path::new(""));
    (
        dir.join(format!("{stem}-updates.csv")),
        dir.join(format!("{stem}-about.csv")),
    )
}
