//! `ambit moderngov sync`: bring the body's committees, meetings, agenda
//! items and minutes (for review) over from its ModernGov site.

use std::time::Duration;

use chrono::NaiveDate;
use clap::Subcommand;
use domain::Slug;
use indicatif::{ProgressBar, ProgressStyle};
use moderngov::{Progress, Site, SyncOptions};
use store::{DatabaseLocation, Store};

use crate::accounts::the_body;
use crate::{UserError, actor};

/// `ambit moderngov …`
#[derive(Subcommand)]
pub enum ModernGovCommand {
    /// Create or update the committees, meetings and agenda items from the council's ModernGov
    /// site, keyed by ModernGov's ids; each item's published minutes wait for a clerk's review.
    Sync {
        /// The ModernGov site, e.g. https://democracy.example.gov.uk (with any sub-path such as
        /// /moderngov); without it, the body's saved site.
        #[arg(long, value_name = "URL")]
        site: Option<String>,
        /// Once the sync has worked, save --site (and --delay-ms) as the body's ModernGov site
        /// for later syncs and the web.
        #[arg(long, requires = "site")]
        save: bool,
        /// Only this committee (ModernGov's id: the CId=… of its pages); repeat for several.
        #[arg(long = "committee", value_name = "ID")]
        committees: Vec<i64>,
        /// The first day of meetings to read (default: 90 days ago).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        /// The last day of meetings to read (default: 90 days ahead).
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// Milliseconds between requests (default: the body's setting, else 1000).
        #[arg(long, value_name = "MS")]
        delay_ms: Option<u64>,
        /// Seconds to wait for each answer; ModernGov servers can take 90.
        #[arg(long, value_name = "SECONDS", default_value_t = 120)]
        timeout: u64,
    },
}

fn day(field: &str, raw: &str) -> Result<NaiveDate, UserError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        UserError(format!(
            "{field}: {raw:?} is not a date; write it as 2024-04-01"
        ))
    })
}

/// A progress bar on standard error.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn begin(&self, total: usize, what: &str) {
        self.0.set_length(total as u64);
        self.0.set_position(0);
        self.0.set_message(format!("reading {what}"));
    }

    fn step(&self, message: &str) {
        self.0.inc(1);
        self.0.set_message(message.to_owned());
    }
}

/// Run an `ambit moderngov` command.
pub async fn run(
    command: ModernGovCommand,
    location: &DatabaseLocation,
    body: Option<&Slug>,
) -> anyhow::Result<()> {
    let ModernGovCommand::Sync {
        site,
        save,
        committees,
        from,
        to,
        delay_ms,
        timeout,
    } = command;
    let store = Store::open(location).await?;
    let body = the_body(&store, body).await?;
    let saved = store.moderngov_site(body.id).await?;
    let raw = match (&site, &saved) {
        (Some(s), _) => s.clone(),
        (None, Some(s)) => s.site.clone(),
        (None, None) => {
            return Err(UserError(format!(
                "site: {} has no ModernGov site saved; give it with --site https://… (add --save to keep it)",
                body.slug
            ))
            .into());
        }
    };
    let site = Site::parse(&raw).map_err(|e| UserError(e.to_string()))?;
    let delay = delay_ms
        .map(|d| d as i64)
        .or(saved.as_ref().map(|s| s.delay_ms))
        .unwrap_or(1000);
    let today = chrono::Local::now().date_naive();
    let mut options = SyncOptions::new(site.clone(), today);
    options.committees = committees;
    if let Some(f) = from {
        options.from = day("--from", &f)?;
    }
    if let Some(t) = to {
        options.to = day("--to", &t)?;
    }
    options.manners.delay = Duration::from_millis(delay.max(0) as u64);
    options.manners.timeout = Duration::from_secs(timeout.max(1));
    let run = match moderngov::begin(&store, &actor(), body.id.get(), &site).await {
        Ok(run) => run,
        Err(moderngov::SyncError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(UserError(e.to_string()).into()),
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:20}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(format!("asking {site}"));
    bar.enable_steady_tick(Duration::from_millis(120));
    let result = moderngov::run(
        &store,
        &actor(),
        run,
        body.id.get(),
        &options,
        &Bar(bar.clone()),
    )
    .await;
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            // Saved once it has worked: a failed sync leaves the setting as it was.
            if save {
                store
                    .set_moderngov_site(
                        &actor(),
                        body.id,
                        saved
                            .as_ref()
                            .map_or(domain::Version::new(0), |s| s.version),
                        site.as_str(),
                        delay,
                    )
                    .await?;
            }
            let text = summary.to_string();
            println!(
                "Synced {} from {site} (meetings {} to {}, {} requests):",
                body.slug, options.from, options.to, summary.requests
            );
            print!("{text}");
            if summary.minutes_queued > 0 {
                println!(
                    "The queued minutes wait for a clerk's review (the body's ModernGov settings, /b/{}/settings/moderngov, count them).",
                    body.slug
                );
            }
            Ok(())
        }
        Err(moderngov::SyncError::Store(e)) => Err(e.into()),
        Err(e) => Err(UserError(e.to_string()).into()),
    }
}
