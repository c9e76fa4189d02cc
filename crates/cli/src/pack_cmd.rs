//! `ambit pack`: publish a period's committee report pack, frozen, and
//! verify whether a file is a published pack's.

use std::path::PathBuf;

use clap::Subcommand;
use domain::{FinancialYear, Half, PortfolioCode, Slug};
use sha2::{Digest, Sha256};
use store::{DatabaseLocation, Store};

use crate::{UserError, actor, find_portfolio};

/// `ambit pack` commands.
#[derive(Subcommand)]
pub enum PackCommand {
    /// Say whether FILE is a file of a published pack, and of which.
    Verify {
        /// The file to check (a PDF, Word, Excel or HTML file).
        file: PathBuf,
    },
    /// Publish the pack for a plan's half-year, frozen, under the reference on its saved cover.
    Publish {
        /// The portfolio's code, e.g. ACH.
        portfolio: String,
        /// The plan's year, e.g. 2023/24.
        year: String,
        /// The half reported on: H1 or H2.
        half: String,
    },
}

/// Run an `ambit pack` command.
pub async fn run(
    command: PackCommand,
    location: &DatabaseLocation,
    body: Option<&Slug>,
) -> anyhow::Result<()> {
    match command {
        PackCommand::Verify { file } => verify(location, body, &file).await,
        PackCommand::Publish {
            portfolio,
            year,
            half,
        } => {
            let code: PortfolioCode = portfolio.parse().map_err(UserError::from)?;
            let year: FinancialYear = year.parse().map_err(UserError::from)?;
            let half: Half = half.parse().map_err(UserError::from)?;
            let store = Store::open(location).await?;
            let portfolio = find_portfolio(&store, body, &code).await?;
            let slug = store.body_by_id(portfolio.body_id).await?.slug;
            let pack = match web::publish_pack(&store, &actor(), &slug, &code, year, half).await {
                Ok(p) => p,
                Err(web::PublishError::Store(e)) => return Err(e.into()),
                Err(e) => return Err(e.into()),
            };
            println!(
                "Published the pack {} ({} {} {}): {} files.",
                pack.reference,
                pack.portfolio,
                pack.period.half,
                pack.period.year,
                pack.files.len()
            );
            for f in &pack.files {
                println!(
                    "  {:<5} {:>10} bytes  SHA-256 {}",
                    f.format, f.size, f.sha256
                );
            }
            Ok(())
        }
    }
}

/// The SHA-256 of the file at `path`, read in pieces.
fn file_sha256(path: &PathBuf) -> anyhow::Result<String> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| UserError(format!("file: cannot read {} ({e})", path.display())))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)
        .map_err(|e| UserError(format!("file: cannot read {} ({e})", path.display())))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

async fn verify(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    path: &PathBuf,
) -> anyhow::Result<()> {
    let hash = file_sha256(path)?;
    let store = Store::open(location).await?;
    let found: Vec<_> = store
        .packs_with_file(&hash)
        .await?
        .into_iter()
        .filter(|m| body.is_none_or(|b| b.as_str() == m.pack.body_slug))
        .collect();
    if found.is_empty() {
        return Err(UserError(format!(
            "{} is not a published pack (SHA-256 {hash})",
            path.display()
        ))
        .into());
    }
    for m in found {
        let format = m
            .format
            .parse::<report::Format>()
            .map(|f| f.label().to_owned())
            .unwrap_or(m.format);
        println!(
            "{} is the published {format} file of pack {} ({} {} {}) of {}, published by {} on {}, SHA-256 {hash}",
            path.display(),
            m.pack.reference,
            m.pack.portfolio,
            m.pack.period.half,
            m.pack.period.year,
            m.pack.body_slug,
            m.pack.published_by,
            m.pack.published_at,
        );
    }
    Ok(())
}
