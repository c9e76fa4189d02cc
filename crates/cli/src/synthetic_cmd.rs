//! `ambit synthetic`: a synthetic plan file printed for benchmarks, or
//! (`ambit synthetic national`) a whole synthetic national data set
//! written straight into the database.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use domain::FinancialYear;
use indicatif::{ProgressBar, ProgressStyle};
use store::DatabaseLocation;

use crate::UserError;

/// The password of the synthetic accounts when `AMBIT_PASSWORD` is not set.
const PASSWORD: &str = "synthetic-data-only";

/// `ambit synthetic`'s own arguments: the plan file to print.
#[derive(Args)]
pub struct PlanArgs {
    /// How many actions.
    #[arg(long, default_value_t = 150)]
    actions: usize,
    /// The body's slug.
    #[arg(long, default_value = "synthetic")]
    slug: String,
    /// The plan's year.
    #[arg(long, default_value = "2024/25")]
    year: String,
    /// Include a signed-off update for both halves of the year.
    #[arg(long)]
    updates: bool,
}

/// What `ambit synthetic` makes besides a plan file.
#[derive(Subcommand)]
pub enum SyntheticCommand {
    /// Write a synthetic national data set into the database: many invented bodies, each with
    /// a strategy, committees, portfolios with a plan a year (lineage across the years), an
    /// update for every action for every half-year, meetings, questions, promises and
    /// accounts. Every record is invented and marked so; the same seed gives the same data.
    National(NationalArgs),
}

/// The size of a national data set.
#[derive(Args)]
pub struct NationalArgs {
    /// How many bodies.
    #[arg(long, default_value_t = 400)]
    bodies: usize,
    /// Portfolios per body (at most 12).
    #[arg(long, default_value_t = 8)]
    portfolios: usize,
    /// Actions in each plan.
    #[arg(long, default_value_t = 120)]
    actions: usize,
    /// Plan years per portfolio, ending with --last-year.
    #[arg(long, default_value_t = 10)]
    years: usize,
    /// The seed: the same seed gives the same data.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// The last plan year (its second half is left open for sign-off).
    #[arg(long, value_name = "YEAR", default_value = "2025/26")]
    last_year: String,
}

/// Print the plan file.
pub fn plan(a: PlanArgs) -> anyhow::Result<()> {
    let year: FinancialYear = a.year.parse().map_err(UserError::from)?;
    print!(
        "{}",
        demo::synthetic::plan(a.actions, &a.slug, year, a.updates)
    );
    Ok(())
}

/// `ambit synthetic national`.
pub async fn national(location: &DatabaseLocation, a: NationalArgs) -> anyhow::Result<()> {
    let params = demo::national::Params {
        bodies: a.bodies,
        portfolios: a.portfolios,
        actions: a.actions,
        years: a.years,
        seed: a.seed,
        last_year: a.last_year.parse().map_err(UserError::from)?,
    };
    params.check().map_err(UserError::from)?;
    let raw = std::env::var("AMBIT_PASSWORD").unwrap_or_else(|_| PASSWORD.to_owned());
    let password = domain::Password::new(&raw).map_err(UserError::from)?;
    // argon2 is slow by design: one hash serves every account.
    let hash = web::hash_password(&password);
    println!(
        "Writing a synthetic national data set (seed {}) to {location}: {} bodies, {} portfolios each, {} years of plans of {} actions: {} updates.",
        params.seed,
        params.bodies,
        params.portfolios,
        params.years,
        params.actions,
        thousands(params.updates())
    );
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(params.bodies as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len} bodies, {msg} ({elapsed}, about {eta} to go)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        ProgressBar::hidden()
    };
    // Without a terminal, a line every twentieth of the way.
    let every = params.bodies.div_ceil(20);
    let started = Instant::now();
    let (mut done, mut rows) = (0usize, 0u64);
    let total = demo::national::write(location, &params, Some(hash), |w| {
        done += 1;
        rows += w.total();
        let rate = rows as f64 / started.elapsed().as_secs_f64().max(0.001);
        let message = format!(
            "{} rows, {} rows/s",
            thousands(rows),
            thousands(rate as u64)
        );
        if bar.is_hidden() {
            if done.is_multiple_of(every) || done == params.bodies {
                eprintln!(
                    "{done}/{} bodies, {message}, {:.0} s",
                    params.bodies,
                    started.elapsed().as_secs_f64()
                );
            }
        } else {
            bar.set_message(message);
            bar.inc(1);
        }
    })
    .await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Wrote {} rows in {seconds:.1} s ({} rows/s): {} bodies, {} plans, {} actions, {} updates, {} meetings, {} questions, {} promises, {} accounts, {} audit events.",
        thousands(total.total()),
        thousands((total.total() as f64 / seconds.max(0.001)) as u64),
        thousands(total.of("bodies")),
        thousands(total.of("plans")),
        thousands(total.of("actions")),
        thousands(total.of("updates")),
        thousands(total.of("meetings")),
        thousands(total.of("questions")),
        thousands(total.of("commitments")),
        thousands(total.of("users")),
        thousands(total.of("audit_events")),
    );
    let first = demo::national::slug(&params, 0);
    println!(
        "Every record is invented. Each body has accounts admin@, officer@, lead@, lead2@, clerk@ and member@ at <slug>.example (the first: officer@{first}.example), all with the password: {raw}"
    );
    Ok(())
}

/// `n` with thousands separated by commas.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(7_680_000), "7,680,000");
    }
}
