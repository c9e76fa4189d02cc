//! The `ambit` command: one binary for every task, each a thin layer over
//! the `store` and `domain` crates.
//!
//! Arguments arrive as text and are parsed into domain types here, at the
//! edge; a bad value stops the command with a one-line message naming the
//! field and the accepted form, and exit code 2, before anything is written.

mod accounts;
mod cycle;
mod import_cmd;
mod minutes_cmd;
mod moderngov_cmd;
mod pack_cmd;
mod refresh;
mod report_cmd;
mod show;
mod synthetic_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use domain::{
    ActionRef, FinancialYear, Half, MeasureActual, ParseError, Percent, PortfolioCode,
    ReportingPeriod, Slug, Status, Text, Title, UpdateInput,
};
use store::{DatabaseLocation, Store, StoreError};

/// Ambit: a body's strategy, portfolio plans, half-yearly progress and committee reports.
#[derive(Parser)]
#[command(name = "ambit", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct DatabaseArgs {
    /// The SQLite database file to use.
    #[arg(long, global = true, value_name = "PATH", default_value = "ambit.db")]
    db: PathBuf,
    /// A database URL (postgres://… or sqlite:…); used instead of --db when given.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "AMBIT_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// The body (by its short name, e.g. bromley) when several bodies share the database.
    #[arg(long, global = true, value_name = "SLUG")]
    body: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Create a database holding the Bromley example (with one account per role) and serve it.
    Demo {
        /// The address to serve on.
        #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Print the plan and stop instead of serving it.
        #[arg(long)]
        no_serve: bool,
    },
    /// Serve the web pages and the JSON API.
    Serve {
        /// The address to serve on.
        #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Mark cookies Secure and send Strict-Transport-Security: set this when the site is reached over https (behind a proxy).
        #[arg(long)]
        secure_cookies: bool,
        /// The largest file (or paste) of minutes taken for review, in megabytes.
        #[arg(long, value_name = "MB", default_value_t = web::Limits::MINUTES_BYTES / 1_000_000)]
        minutes_limit_mb: usize,
        /// The most connections served at once; keep it below the open-file limit (ulimit -n).
        #[arg(long, value_name = "N", default_value_t = web::Limits::MAX_CONNECTIONS)]
        max_connections: usize,
        /// The mail server through which an officer's "chase now" sends a reminder at once
        /// (without it, the reminder waits for `ambit reminders`).
        #[arg(long, value_name = "HOST", requires = "mail_from")]
        smtp_host: Option<String>,
        /// The mail server's port.
        #[arg(long, default_value_t = 587)]
        smtp_port: u16,
        /// Send without STARTTLS (only for a mail server on this machine).
        #[arg(long)]
        no_starttls: bool,
        /// The sender of reminders, e.g. "Ambit <ambit@bromley.gov.uk>".
        #[arg(long, value_name = "ADDRESS")]
        mail_from: Option<String>,
    },
    /// Import a plan from a spreadsheet or StratML, or write the import template.
    #[command(subcommand)]
    Import(import_cmd::ImportCommand),
    /// Export a plan with every update, as xlsx, CSV or JSON, or as StratML (a performance plan or report).
    #[command(subcommand)]
    Export(import_cmd::ExportCommand),
    /// Load a plan file (the format of the Bromley example: a body, its strategy and plans).
    Load {
        /// The TOML plan file.
        file: PathBuf,
    },
    /// Write the committee report pack for a plan and a half-year, from signed-off updates.
    Report(report_cmd::ReportArgs),
    /// Publish a committee report pack, frozen, or check a file against the published packs.
    #[command(subcommand)]
    Pack(pack_cmd::PackCommand),
    /// Read committee minutes.
    #[command(subcommand)]
    Minutes(minutes_cmd::MinutesCommand),
    /// Bring committees, meetings, agenda items and minutes over from the council's ModernGov site.
    #[command(subcommand, name = "moderngov")]
    ModernGov(moderngov_cmd::ModernGovCommand),
    /// Print a synthetic plan file of any size (every record illustrative), to load for benchmarks;
    /// `ambit synthetic national` writes a whole synthetic national data set into the database.
    #[command(args_conflicts_with_subcommands = true)]
    Synthetic {
        /// What to make instead of a plan file.
        #[command(subcommand)]
        command: Option<synthetic_cmd::SyntheticCommand>,
        /// The plan file's size and shape.
        #[command(flatten)]
        plan: synthetic_cmd::PlanArgs,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Single sign-on with the body's OpenID Connect provider.
    #[command(subcommand)]
    Sso(SsoCommand),
    /// The body's settings.
    #[command(subcommand)]
    Body(BodyCommand),
    /// Create an empty database (or bring an existing one up to date).
    Init,
    /// Database maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Look at plans.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Record progress updates and move them through sign-off.
    #[command(subcommand)]
    Update(UpdateCommand),
    /// Open and close reporting periods, and see who owes an update.
    #[command(subcommand)]
    Period(cycle::PeriodCommand),
    /// Remind action leads of updates due soon: queue reminders, then send every unsent message by email.
    /// Run it daily (from cron or a timer); each reminder is sent once.
    Reminders {
        /// The mail server.
        #[arg(long, value_name = "HOST")]
        smtp_host: String,
        /// The mail server's port.
        #[arg(long, default_value_t = 587)]
        smtp_port: u16,
        /// Send without STARTTLS (only for a mail server on this machine).
        #[arg(long)]
        no_starttls: bool,
        /// The sender, e.g. "Ambit <ambit@bromley.gov.uk>".
        #[arg(long)]
        from: String,
        /// The site's address, for links in the messages, e.g. https://plans.bromley.gov.uk.
        #[arg(long)]
        site: String,
        /// Act as if today were this date (YYYY-MM-DD); defaults to today.
        #[arg(long)]
        today: Option<String>,
    },
    /// Write a consistent copy of the whole database to a file, even while it is in use.
    Backup {
        /// The backup file to write (it must not exist yet).
        path: PathBuf,
    },
    /// Replace the database's contents with a backup.
    Restore {
        /// The backup file to read.
        path: PathBuf,
        /// Replace data already in the database.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account with a role in a body (the password is read from AMBIT_PASSWORD or asked for).
    Add {
        /// Sign-in email address.
        #[arg(long)]
        email: String,
        /// The person's name.
        #[arg(long)]
        name: String,
        /// administrator, performance officer, action lead, clerk or member.
        #[arg(long)]
        role: String,
        /// For action leads: the lead role named on the actions they lead.
        #[arg(long, value_name = "ROLE")]
        leads: Option<String>,
    },
    /// List the people of the body (--body, or the only one) with their roles and whether their accounts are active.
    List,
    /// Disable an account: it cannot sign in, and its sessions and API tokens are refused until it is enabled.
    Disable {
        /// The account's email address.
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        /// The account's email address.
        #[arg(long)]
        email: String,
    },
    /// Remove an account: its roles in every body end, and its sessions and API tokens are refused.
    Remove {
        /// The account's email address.
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum BodyCommand {
    /// Show the body's settings, or change them.
    Settings {
        /// Whether updates may be recorded outside the reporting cycle (as
        /// reported, signed off at once): auto (until the body first opens a
        /// period), allow or refuse.
        #[arg(long, value_name = "auto|allow|refuse")]
        updates_outside_cycle: Option<String>,
        /// How actions and plan items are referenced: statement ("10A"
        /// under statement 10), dotted ("1.2.3" under "1.2") or free codes
        /// ("CP2.3.1", "ASC 3.2"). Changeable only while the body has no plans.
        #[arg(long, value_name = "statement|dotted|free")]
        reference_scheme: Option<String>,
        /// Whether an update at risk or off track must say why before it is
        /// submitted, signed off or recorded as reported.
        #[arg(long, value_name = "yes|no")]
        require_commentary: Option<String>,
    },
}

#[derive(Subcommand)]
enum SsoCommand {
    /// Set the body's provider (the client secret is read from AMBIT_SSO_CLIENT_SECRET or asked for).
    /// Register Ambit at the provider with the redirect address https://YOUR-SITE/sso/callback.
    Set {
        /// The provider's issuer URL, e.g. https://login.microsoftonline.com/TENANT/v2.0.
        #[arg(long)]
        issuer: String,
        /// Ambit's client id at the provider.
        #[arg(long)]
        client_id: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an account; it is shown once.
    Create {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "API token")]
        name: String,
    },
    /// List API tokens (never the tokens themselves): one account's with --email, the body's people's with --body, or all.
    List {
        /// The account's email address.
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke an API token: it is refused from then on.
    Revoke {
        /// The token's number, as `ambit token list` shows it.
        id: String,
    },
}

#[derive(Subcommand)]
enum DbCommand {
    /// Apply any schema changes this version of Ambit needs.
    Migrate,
}

#[derive(Subcommand)]
enum PlanCommand {
    /// List every plan with its number of actions and updates.
    List,
    /// Make next year's draft plan from this year's: every action carried forward unless marked complete,
    /// dropped or renumbered. Prints the refresh report.
    Refresh(refresh::RefreshArgs),
    /// Record the committee's approval of a draft plan; the year before becomes superseded.
    Approve {
        /// The portfolio's code, e.g. ACH.
        portfolio: String,
        /// The plan's year, e.g. 2025/26.
        year: String,
        /// The committee's date, e.g. 2025-03-20 or "20 March 2025".
        #[arg(long)]
        on: String,
        /// Approve although actions lack a target date or a target for the year, giving the reason.
        #[arg(long, value_name = "REASON")]
        accept_gaps: Option<String>,
    },
    /// What a refresh did: each action of the year before and of this year, by ambition.
    RefreshReport {
        /// The portfolio's code, e.g. ACH.
        portfolio: String,
        /// The refreshed plan's year, e.g. 2024/25.
        year: String,
    },
    /// Show a plan's tree with each action's status.
    Show {
        /// The portfolio's code, e.g. ACH.
        portfolio: String,
        /// The financial year, e.g. 2022/23.
        year: String,
        /// Show statuses for this half (H1 or H2) instead of each action's latest.
        #[arg(long, value_name = "HALF")]
        period: Option<String>,
    },
}

#[derive(Subcommand)]
enum UpdateCommand {
    /// Record (or replace) one action's update for one half-year.
    Set(SetUpdate),
    /// The actions awaiting a lead's update in every open period.
    Todo {
        /// The lead role, e.g. "Assistant Director for Integrated Commissioning".
        #[arg(long)]
        lead: String,
    },
    #[command(flatten)]
    Move(cycle::Move),
}

#[derive(Args)]
struct SetUpdate {
    /// The portfolio's code, e.g. ACH.
    portfolio: String,
    /// The financial year, e.g. 2022/23.
    year: String,
    /// The half: H1 (April to September) or H2 (October to March).
    half: String,
    /// The action's reference, e.g. 10A.
    action: String,
    /// complete, on track, at risk, off track, not started or deferred.
    #[arg(long)]
    status: String,
    /// What has happened and what comes next.
    #[arg(long, default_value = "")]
    commentary: String,
    /// How far through the action is, 0 to 100.
    #[arg(long)]
    percent: Option<String>,
    /// Mark the update as one of the period's key achievements.
    #[arg(long)]
    key_achievement: bool,
    /// Who is reporting (defaults to the action's lead).
    #[arg(long)]
    author: Option<String>,
    /// A figure for one of the action's indicators: "NAME=VALUE". Repeat for several.
    #[arg(long = "actual", value_name = "NAME=VALUE")]
    actuals: Vec<String>,
    /// Refuse the change if the update's version is no longer this (someone else changed it).
    #[arg(long, value_name = "VERSION")]
    expect_version: Option<i64>,
    /// Correct the signed-off update of a closed period, saying why; the earlier version stays in the history.
    #[arg(long, value_name = "REASON")]
    correction: Option<String>,
}

/// A problem with what the user asked for: reported in one line, exit code 2.
#[derive(Debug)]
pub(crate) struct UserError(pub(crate) String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

impl From<ParseError> for UserError {
    fn from(e: ParseError) -> Self {
        UserError(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let user = e.chain().any(|c| {
                c.is::<UserError>()
                    || c.downcast_ref::<StoreError>()
                        .is_some_and(StoreError::is_user_error)
            });
            if user {
                let root = e
                    .chain()
                    .find(|c| c.is::<UserError>() || c.is::<StoreError>())
                    .map(ToString::to_string);
                eprintln!("error: {}", root.unwrap_or_else(|| e.to_string()));
                ExitCode::from(2)
            } else {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        }
    }
}

/// Who the audit trail names for changes made from the command line.
pub(crate) fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let location =
        DatabaseLocation::from_args(Some(&cli.database.db), cli.database.database_url.as_deref());
    let body: Option<Slug> = cli
        .database
        .body
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(UserError::from)?;
    match cli.command {
        Command::Demo { listen, no_serve } => {
            let addr = parse_listen(&listen)?;
            let store = demo(&location).await?;
            if no_serve {
                store.close().await;
                return Ok(());
            }
            serve(store, addr, web::Options::default()).await
        }
        Command::Serve {
            listen,
            secure_cookies,
            minutes_limit_mb,
            max_connections,
            smtp_host,
            smtp_port,
            no_starttls,
            mail_from,
        } => {
            let addr = parse_listen(&listen)?;
            let store = Store::open(&location).await?;
            let limits = web::Limits {
                minutes_bytes: minutes_limit_mb.saturating_mul(1_000_000),
                max_connections,
                ..web::Limits::default()
            };
            serve(
                store,
                addr,
                web::Options {
                    secure_cookies,
                    limits,
                    mail: smtp_host.map(|host| notify::SmtpSettings {
                        host,
                        port: smtp_port,
                        starttls: !no_starttls,
                        from: mail_from.unwrap_or_default(),
                    }),
                },
            )
            .await
        }
        Command::Load { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| UserError(format!("{}: {e}", file.display())))?;
            let name = file.display().to_string();
            let parsed =
                demo::PlanFile::parse(&name, &text).map_err(|e| UserError(e.to_string()))?;
            let store = Store::open(&location).await?;
            let summary = demo::write(&store, &name, &parsed).await?;
            println!(
                "Loaded {}: {} plans, {} actions, {} updates.",
                file.display(),
                summary.plans,
                summary.actions,
                summary.updates
            );
            store.close().await;
            Ok(())
        }
        Command::User(UserCommand::Add {
            email,
            name,
            role,
            leads,
        }) => {
            let email: domain::Email = email.parse().map_err(UserError::from)?;
            let name = Title::parse("name", &name).map_err(UserError::from)?;
            let role: domain::Role = role.parse().map_err(UserError::from)?;
            let leads = leads
                .as_deref()
                .map(|l| Title::parse("leads", l))
                .transpose()
                .map_err(UserError::from)?;
            if role == domain::Role::ActionLead && leads.is_none() {
                return Err(UserError("leads: an action lead needs --leads ROLE, the lead role named on their actions".into()).into());
            }
            let raw = match std::env::var("AMBIT_PASSWORD") {
                Ok(p) => p,
                Err(_) => read_password()?,
            };
            let password = domain::Password::new(&raw).map_err(UserError::from)?;
            let slug = body.clone().ok_or_else(|| {
                UserError("body: name the body with --body SLUG, e.g. --body bromley".into())
            })?;
            let store = Store::open(&location).await?;
            let the_body = store.body(&slug).await?;
            let user = store
                .create_user(&actor(), email, name, Some(web::hash_password(&password)))
                .await?;
            store
                .set_membership(&actor(), user.id, the_body.id, role, leads)
                .await?;
            println!(
                "Created {} <{}> as {} of {}.",
                user.name, user.email, role, the_body.name
            );
            Ok(())
        }
        Command::Body(BodyCommand::Settings {
            updates_outside_cycle,
            reference_scheme,
            require_commentary,
        }) => {
            let slug = body.clone().ok_or_else(|| {
                UserError("body: name the body with --body SLUG, e.g. --body bromley".into())
            })?;
            let setting = updates_outside_cycle
                .map(|s| s.parse::<domain::OutsideCycle>())
                .transpose()
                .map_err(UserError::from)?;
            let scheme = reference_scheme
                .map(|s| s.parse::<domain::ReferenceScheme>())
                .transpose()
                .map_err(UserError::from)?;
            let require = require_commentary
                .map(|s| match s.as_str() {
                    "yes" => Ok(true),
                    "no" => Ok(false),
                    other => Err(UserError(format!(
                        "require-commentary: {other:?} is not accepted; give yes or no"
                    ))),
                })
                .transpose()?;
            let store = Store::open(&location).await?;
            let mut the_body = store.body(&slug).await?;
            if let Some(scheme) = scheme {
                the_body = store
                    .set_reference_scheme(&actor(), the_body.id, the_body.version, scheme)
                    .await?;
            }
            if let Some(require) = require {
                the_body.version = store
                    .set_require_commentary(&actor(), the_body.id, the_body.version, require)
                    .await?;
            }
            let now = match setting {
                Some(setting) => {
                    store
                        .set_outside_cycle(&actor(), the_body.id, the_body.version, setting)
                        .await?
                }
                None => store.outside_cycle(the_body.id).await?,
            };
            println!(
                "{}: updates outside the reporting cycle: {} ({}).",
                the_body.name,
                now.label(),
                now.as_str()
            );
            println!(
                "{}: reference scheme: {} ({}).",
                the_body.name,
                the_body.reference_scheme.label(),
                the_body.reference_scheme
            );
            println!(
                "{}: commentary on updates at risk or off track: {}.",
                the_body.name,
                if store.require_commentary(the_body.id).await? {
                    "required"
                } else {
                    "optional"
                }
            );
            Ok(())
        }
        Command::User(UserCommand::List) => accounts::list_people(&location, body.as_ref()).await,
        Command::User(UserCommand::Disable { email }) => {
            accounts::change(
                &location,
                body.as_ref(),
                &email,
                accounts::AccountMove::Disable,
            )
            .await
        }
        Command::User(UserCommand::Enable { email }) => {
            accounts::change(
                &location,
                body.as_ref(),
                &email,
                accounts::AccountMove::Enable,
            )
            .await
        }
        Command::User(UserCommand::Remove { email }) => {
            accounts::change(
                &location,
                body.as_ref(),
                &email,
                accounts::AccountMove::Remove,
            )
            .await
        }
        Command::Token(TokenCommand::List { email }) => {
            accounts::list_tokens(&location, body.as_ref(), email.as_deref()).await
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            accounts::revoke_token(&location, body.as_ref(), &id).await
        }
        Command::Sso(SsoCommand::Set { issuer, client_id }) => {
            let slug = body.clone().ok_or_else(|| {
                UserError("body: name the body with --body SLUG, e.g. --body bromley".into())
            })?;
            let client_id = Title::parse("client id", &client_id).map_err(UserError::from)?;
            let secret = match std::env::var("AMBIT_SSO_CLIENT_SECRET") {
                Ok(s) => s,
                Err(_) => read_secret("Client secret: ")?,
            };
            let secret = Title::parse("client secret", &secret).map_err(UserError::from)?;
            let store = Store::open(&location).await?;
            let the_body = store.body(&slug).await?;
            store
                .set_sso(
                    &actor(),
                    the_body.id,
                    &issuer,
                    client_id.as_str(),
                    secret.as_str(),
                )
                .await?;
            println!("Single sign-on for {} now uses {issuer}.", the_body.name);
            Ok(())
        }
        Command::Token(TokenCommand::Create { email, name }) => {
            let email: domain::Email = email.parse().map_err(UserError::from)?;
            let name = Title::parse("name", &name).map_err(UserError::from)?;
            let store = Store::open(&location).await?;
            let (user, status) = store.account_by_email(&email).await?.ok_or_else(|| {
                UserError(format!(
                    "email: no account has the address {email}; create it with `ambit user add`"
                ))
            })?;
            if status == store::AccountStatus::Disabled {
                return Err(UserError(format!(
                    "email: the account {email} is disabled; enable it first with `ambit user enable --email {email}`"
                ))
                .into());
            }
            let token = web::new_token();
            store
                .create_api_token(&actor(), user.id, &name, &web::token_hash(&token))
                .await?;
            println!("{token}");
            eprintln!(
                "This token acts as {} <{}>. Keep it secret: it is not shown again.",
                user.name, user.email
            );
            Ok(())
        }
        Command::Init | Command::Db(DbCommand::Migrate) => {
            let store = Store::open(&location).await?;
            println!(
                "Database ready at {location} (schema version {}).",
                Store::schema_version()
            );
            store.close().await;
            Ok(())
        }
        Command::Plan(PlanCommand::List) => {
            let store = Store::open(&location).await?;
            print!("{}", show::plan_list(&store.plans().await?));
            Ok(())
        }
        Command::Plan(PlanCommand::Show {
            portfolio,
            year,
            period,
        }) => {
            let portfolio: PortfolioCode = portfolio.parse().map_err(UserError::from)?;
            let year: FinancialYear = year.parse().map_err(UserError::from)?;
            let period = period
                .map(|h| h.parse::<Half>().map(|h| ReportingPeriod::new(year, h)))
                .transpose()
                .map_err(UserError::from)?;
            let store = Store::open(&location).await?;
            let portfolio = find_portfolio(&store, body.as_ref(), &portfolio).await?;
            print!("{}", show::plan(&store, &portfolio, year, period).await?);
            Ok(())
        }
        Command::Update(UpdateCommand::Todo { lead }) => cycle::todo(&location, &lead).await,
        Command::Update(UpdateCommand::Move(m)) => {
            cycle::move_update(&location, body.as_ref(), m).await
        }
        Command::Period(p) => cycle::period(&location, body.as_ref(), p).await,
        Command::Report(args) => report_cmd::report(&location, body.as_ref(), args).await,
        Command::Pack(command) => pack_cmd::run(command, &location, body.as_ref()).await,
        Command::Import(import_cmd::ImportCommand::Plan(args)) => {
            import_cmd::import_plan(&location, body.as_ref(), args).await
        }
        Command::Import(import_cmd::ImportCommand::Template { out }) => {
            import_cmd::template(&location, body.as_ref(), &out).await
        }
        Command::Export(import_cmd::ExportCommand::Plan(args)) => {
            import_cmd::export_plan(&location, body.as_ref(), args).await
        }
        Command::Minutes(command) => minutes_cmd::run(command, &location, body.as_ref()).await,
        Command::ModernGov(command) => moderngov_cmd::run(command, &location, body.as_ref()).await,
        Command::Synthetic {
            command: Some(synthetic_cmd::SyntheticCommand::National(args)),
            ..
        } => synthetic_cmd::national(&location, args).await,
        Command::Synthetic {
            command: None,
            plan,
        } => synthetic_cmd::plan(plan),
        Command::Plan(PlanCommand::Refresh(args)) => {
            refresh::refresh(&location, body.as_ref(), args).await
        }
        Command::Plan(PlanCommand::Approve {
            portfolio,
            year,
            on,
            accept_gaps,
        }) => {
            refresh::approve(
                &location,
                body.as_ref(),
                (&portfolio, &year),
                &on,
                accept_gaps.as_deref(),
            )
            .await
        }
        Command::Plan(PlanCommand::RefreshReport { portfolio, year }) => {
            refresh::report(&location, body.as_ref(), &portfolio, &year).await
        }
        Command::Reminders {
            smtp_host,
            smtp_port,
            no_starttls,
            from,
            site,
            today,
        } => {
            let today = match today {
                Some(t) => {
                    chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
                        UserError::from(ParseError::new("today", &t, "a date such as 2024-10-08"))
                    })?
                }
                None => chrono::Utc::now().date_naive(),
            };
            let sender = notify::SmtpSender::new(&notify::SmtpSettings {
                host: smtp_host,
                port: smtp_port,
                starttls: !no_starttls,
                from,
            })
            .map_err(|e| UserError(format!("from: {e}")))?;
            let store = Store::open(&location).await?;
            let queued = store.queue_reminders(&actor(), today, &site).await?;
            let done = notify::deliver(&store, &actor(), &sender).await?;
            println!(
                "Queued {queued} reminders; sent {} messages, {} failed (they will be tried again).",
                done.sent, done.failed
            );
            Ok(())
        }
        Command::Update(UpdateCommand::Set(args)) => {
            set_update(&location, body.as_ref(), args).await
        }
        Command::Backup { path } => {
            let store = Store::open(&location).await?;
            let summary = store.backup(&path).await?;
            println!(
                "Backed up {} rows from {location} to {}.",
                summary.total(),
                path.display()
            );
            Ok(())
        }
        Command::Restore { path, force } => {
            let store = Store::open(&location).await?;
            let summary = store
                .restore(&actor(), &path, &location.to_string(), force)
                .await?;
            println!(
                "Restored {} rows from {} into {location}.",
                summary.total(),
                path.display()
            );
            Ok(())
        }
    }
}

fn parse_listen(raw: &str) -> Result<std::net::SocketAddr, UserError> {
    raw.parse().map_err(|_| {
        UserError::from(ParseError::new(
            "listen",
            raw,
            "an address and port such as 127.0.0.1:8080 or [::1]:8080",
        ))
    })
}

async fn serve(
    store: Store,
    addr: std::net::SocketAddr,
    options: web::Options,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        UserError(format!(
            "listen: cannot serve on {addr} ({e}); choose another with --listen ADDR:PORT"
        ))
    })?;
    let bound = listener.local_addr()?;
    println!("Serving Ambit on http://{bound}/ (press Ctrl-C to stop).");
    web::serve(listener, store.clone(), options)
        .await
        .context("serving")?;
    store.close().await;
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    read_secret(&format!(
        "Password (at least {} characters): ",
        domain::Password::MIN_CHARS
    ))
}

fn read_secret(prompt: &str) -> anyhow::Result<String> {
    use std::io::BufRead;
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

async fn demo(location: &DatabaseLocation) -> anyhow::Result<Store> {
    let store = Store::open(location)
        .await
        .context("opening the demo database")?;
    let slug = "bromley".parse().expect("valid slug");
    match store.body(&slug).await {
        Ok(_) => println!("{location} already holds the Bromley example."),
        Err(StoreError::NotFound { .. }) => {
            let summary = demo::load_bromley(&store)
                .await
                .context("loading the Bromley example")?;
            println!(
                "Created the Bromley example in {location}: {} plans, {} actions, {} updates.",
                summary.plans, summary.actions, summary.updates
            );
            let accounts = demo::load_people(&store, web::hash_password)
                .await
                .context("creating the demo accounts")?;
            demo::load_committee_record(&store)
                .await
                .context("recording the committee's meetings")?;
            println!("Demo accounts (for trying Ambit on this computer only):");
            for a in accounts {
                println!(
                    "  {:<20} {:<28} password: {}",
                    a.role.label(),
                    a.email,
                    a.password
                );
            }
        }
        Err(e) => return Err(e.into()),
    }
    let northmoor = "northmoor".parse().expect("valid slug");
    match store.body(&northmoor).await {
        Ok(_) => println!("{location} already holds the Northmoor example (illustrative)."),
        Err(StoreError::NotFound { .. }) => {
            let summary = demo::load_northmoor(&store)
                .await
                .context("loading the Northmoor example")?;
            println!(
                "Created the Northmoor example (an invented council, dotted references) in {location}: {} plans, {} actions, {} updates.",
                summary.plans, summary.actions, summary.updates
            );
            let accounts = demo::load_northmoor_people(&store, web::hash_password)
                .await
                .context("creating the Northmoor demo accounts")?;
            println!("Northmoor demo accounts:");
            for a in accounts {
                println!(
                    "  {:<20} {:<28} password: {}",
                    a.role.label(),
                    a.email,
                    a.password
                );
            }
        }
        Err(e) => return Err(e.into()),
    }
    println!();
    let code: PortfolioCode = "ACH".parse().expect("valid code");
    let year: FinancialYear = "2022/23".parse().expect("valid year");
    let portfolio = find_portfolio(&store, Some(&slug), &code).await?;
    print!("{}", show::plan(&store, &portfolio, year, None).await?);
    println!();
    println!("Try:  ambit --db {} plan list", shell_word(location));
    println!(
        "      ambit --db {} plan show ACH 2023/24 --period H2",
        shell_word(location)
    );
    Ok(store)
}

fn shell_word(location: &DatabaseLocation) -> String {
    let s = location.to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The action of `plan` with `reference`, which must be written in the
/// form of the plan's body's reference scheme (a one-line user error if not).
pub(crate) async fn action_in(
    store: &Store,
    plan: &domain::Plan,
    reference: &ActionRef,
) -> anyhow::Result<domain::Action> {
    let portfolio = store.portfolio_by_id(plan.portfolio_id).await?;
    let scheme = store.body_by_id(portfolio.body_id).await?.reference_scheme;
    scheme
        .check_action_form(reference)
        .map_err(UserError::from)?;
    Ok(store.action_by_ref(plan.id, reference).await?)
}

/// The portfolio with `code`, in `body` when given.
pub(crate) async fn find_portfolio(
    store: &Store,
    body: Option<&Slug>,
    code: &PortfolioCode,
) -> Result<domain::Portfolio, StoreError> {
    let body_id = match body {
        Some(slug) => Some(store.body(slug).await?.id),
        None => None,
    };
    store.portfolio(body_id, code).await
}

async fn set_update(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    args: SetUpdate,
) -> anyhow::Result<()> {
    let portfolio: PortfolioCode = args.portfolio.parse().map_err(UserError::from)?;
    let year: FinancialYear = args.year.parse().map_err(UserError::from)?;
    let half: Half = args.half.parse().map_err(UserError::from)?;
    let reference: ActionRef = args.action.parse().map_err(UserError::from)?;
    let status: Status = args.status.parse().map_err(UserError::from)?;
    let commentary = Text::parse("commentary", &args.commentary).map_err(UserError::from)?;
    let percent = args
        .percent
        .as_deref()
        .map(str::parse::<Percent>)
        .transpose()
        .map_err(UserError::from)?;
    let author = args
        .author
        .as_deref()
        .map(|a| Title::parse("author", a))
        .transpose()
        .map_err(UserError::from)?;
    let mut named_actuals = Vec::new();
    for raw in &args.actuals {
        let parsed = raw
            .rsplit_once('=')
            .and_then(|(name, value)| {
                value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .map(|v| (name.trim().to_owned(), v))
            })
            .ok_or_else(|| {
                UserError::from(ParseError::new(
                    "actual",
                    raw,
                    "NAME=VALUE, e.g. \"Number of carers assessed=640\"",
                ))
            })?;
        named_actuals.push(parsed);
    }
    let period = ReportingPeriod::new(year, half);

    let store = Store::open(location).await?;
    let portfolio = find_portfolio(&store, body, &portfolio).await?;
    let plan = store.plan(portfolio.id, year).await?;
    let action = action_in(&store, &plan, &reference).await?;
    let mut actuals = Vec::new();
    for (name, value) in named_actuals {
        let (measure_id, _) = Store::measure_named(&action, &name).ok_or_else(|| {
            let known: Vec<String> = action
                .measures
                .iter()
                .filter_map(|(_, m)| match m {
                    domain::Measure::Indicator(i) => Some(i.name.to_string()),
                    domain::Measure::Statement { .. } => None,
                })
                .collect();
            UserError::from(ParseError::new(
                "actual",
                &name,
                if known.is_empty() {
                    format!("no figures: action {reference} has no numeric measures")
                } else {
                    format!(
                        "one of action {reference}'s indicators: {}",
                        known.join("; ")
                    )
                },
            ))
        })?;
        actuals.push(MeasureActual {
            measure_id: *measure_id,
            value,
        });
    }
    let input = UpdateInput {
        status,
        commentary,
        percent,
        key_achievement: args.key_achievement,
        actuals,
        author: author.unwrap_or_else(|| action.details.lead.clone()),
        illustrative: false,
    }
    .validate()
    .map_err(UserError::from)?;
    let saved = match &args.correction {
        None => {
            store
                .record_update(
                    &actor(),
                    action.id,
                    period,
                    input,
                    args.expect_version.map(domain::Version::new),
                )
                .await?
        }
        Some(reason) => {
            let reason = Text::parse("correction", reason).map_err(UserError::from)?;
            let current = store
                .updates_of(action.id)
                .await?
                .into_iter()
                .find(|u| u.period == period)
                .ok_or_else(|| {
                    UserError(format!(
                        "correction: action {reference} has no update for {period} to correct"
                    ))
                })?;
            let version = args.expect_version.unwrap_or(current.version.get());
            store
                .correct_update(
                    &actor(),
                    current.id,
                    domain::Version::new(version),
                    input,
                    &reason,
                )
                .await?
        }
    };
    println!(
        "Saved update for {} in {}: {} (version {}).",
        action.details.reference, period, saved.input.status, saved.version
    );
    store.close().await;
    Ok(())
}
