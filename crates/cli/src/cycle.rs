//! The reporting cycle from the command line: open and close periods, see
//! each action's state, move updates through sign-off, list what a lead owes.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use domain::{
    ActionRef, FinancialYear, Half, PortfolioCode, ReportingPeriod, Slug, Text, UpdateState,
};
use store::{DatabaseLocation, Store};

use crate::{UserError, actor, find_portfolio};

/// Which plan and half.
#[derive(Args)]
pub struct PeriodArgs {
    /// The portfolio's code, e.g. ACH.
    portfolio: String,
    /// The financial year, e.g. 2024/25.
    year: String,
    /// H1 (April to September) or H2 (October to March).
    half: String,
}

/// Which action's update in which plan and half.
#[derive(Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    period: PeriodArgs,
    /// The action's reference, e.g. 10A.
    action: String,
    /// Refuse if the update's version is no longer this (defaults to the current one).
    #[arg(long, value_name = "VERSION")]
    expect_version: Option<i64>,
}

/// Commands on reporting periods.
#[derive(Subcommand)]
pub enum PeriodCommand {
    /// Open a half-year for updates, with a deadline.
    Open {
        #[command(flatten)]
        period: PeriodArgs,
        /// When updates are due, e.g. 2024-10-15.
        #[arg(long)]
        deadline: String,
        /// Remind leads of missing updates this many days before the deadline.
        #[arg(long, default_value_t = 7)]
        reminder_days: u16,
    },
    /// Close a half-year: its updates are frozen.
    Close {
        #[command(flatten)]
        period: PeriodArgs,
    },
    /// Show each action's update state in a half-year, and who owes it.
    Show {
        #[command(flatten)]
        period: PeriodArgs,
    },
}

/// Moves of an update through sign-off.
#[derive(Subcommand)]
pub enum Move {
    /// Submit an update for sign-off (the lead).
    Submit(UpdateArgs),
    /// Sign off a submitted update (a performance officer).
    SignOff(UpdateArgs),
    /// Return an update to its lead with a comment (a performance officer).
    Return {
        #[command(flatten)]
        update: UpdateArgs,
        /// What the lead should change.
        #[arg(long)]
        comment: String,
    },
}

struct Resolved {
    store: Store,
    plan: domain::Plan,
    period: ReportingPeriod,
}

async fn resolve(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    args: &PeriodArgs,
) -> anyhow::Result<Resolved> {
    let code: PortfolioCode = args.portfolio.parse().map_err(UserError::from)?;
    let year: FinancialYear = args.year.parse().map_err(UserError::from)?;
    let half: Half = args.half.parse().map_err(UserError::from)?;
    let store = Store::open(location).await?;
    let portfolio = find_portfolio(&store, body, &code).await?;
    let plan = store.plan(portfolio.id, year).await?;
    Ok(Resolved {
        store,
        plan,
        period: ReportingPeriod::new(year, half),
    })
}

/// `ambit period …`.
pub async fn period(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    command: PeriodCommand,
) -> anyhow::Result<()> {
    match command {
        PeriodCommand::Open {
            period,
            deadline,
            reminder_days,
        } => {
            let deadline =
                NaiveDate::parse_from_str(deadline.trim(), "%Y-%m-%d").map_err(|_| {
                    UserError::from(domain::ParseError::new(
                        "deadline",
                        &deadline,
                        "a date such as 2024-10-15",
                    ))
                })?;
            let r = resolve(location, body, &period).await?;
            r.store
                .open_period(&actor(), r.plan.id, r.period.half, deadline, reminder_days)
                .await?;
            println!("Opened {} for updates, due by {deadline}.", r.period);
        }
        PeriodCommand::Close { period } => {
            let r = resolve(location, body, &period).await?;
            // Typing the command is the officer's confirmation.
            r.store
                .close_period(&actor(), r.plan.id, r.period.half, true)
                .await?;
            println!("Closed {}: its updates are now frozen.", r.period);
        }
        PeriodCommand::Show { period } => {
            let r = resolve(location, body, &period).await?;
            let record = r
                .store
                .period_records(r.plan.id)
                .await?
                .into_iter()
                .find(|p| p.half == r.period.half);
            match &record {
                Some(p) if p.open => {
                    println!("{} is open; updates are due by {}.", r.period, p.deadline)
                }
                Some(p) => println!(
                    "{} is closed (since {}).",
                    r.period,
                    p.closed_at.as_deref().unwrap_or("?")
                ),
                None => println!("{} has not been opened.", r.period),
            }
            let tree = r.store.plan_tree(r.plan.id).await?;
            for a in &tree.actions {
                let state = tree
                    .any_update_in(a.id, r.period)
                    .map(|u| u.state.label())
                    .unwrap_or("Missing");
                println!(
                    "{:<5} {:<11} {}",
                    a.details.reference.to_string(),
                    state,
                    a.details.lead
                );
            }
        }
    }
    Ok(())
}

/// `ambit update submit|sign-off|return`.
pub async fn move_update(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    command: Move,
) -> anyhow::Result<()> {
    let (args, comment) = match &command {
        Move::Submit(a) | Move::SignOff(a) => (a, None),
        Move::Return { update, comment } => (
            update,
            Some(Text::parse("comment", comment).map_err(UserError::from)?),
        ),
    };
    let reference: ActionRef = args.action.parse().map_err(UserError::from)?;
    let r = resolve(location, body, &args.period).await?;
    let action = crate::action_in(&r.store, &r.plan, &reference).await?;
    let update = r
        .store
        .updates_of(action.id)
        .await?
        .into_iter()
        .find(|u| u.period == r.period)
        .ok_or_else(|| {
            UserError(format!(
                "action {reference} has no update for {} yet; record one with `ambit update set`",
                r.period
            ))
        })?;
    let version = args.expect_version.unwrap_or(update.version.get());
    let moved = match command {
        Move::Submit(_) => {
            r.store
                .submit_update(&actor(), update.id, domain::Version::new(version))
                .await?
        }
        Move::SignOff(_) => {
            r.store
                .sign_off_update(&actor(), update.id, domain::Version::new(version))
                .await?
        }
        Move::Return { .. } => {
            r.store
                .return_update(
                    &actor(),
                    update.id,
                    domain::Version::new(version),
                    &comment.expect("parsed above"),
                )
                .await?
        }
    };
    println!(
        "Update for {reference} in {} is now {}.",
        r.period, moved.state
    );
    Ok(())
}

/// `ambit update todo --lead ROLE`: the actions awaiting that lead's update in every open period.
pub async fn todo(location: &DatabaseLocation, lead: &str) -> anyhow::Result<()> {
    let lead = domain::Title::parse("lead", lead).map_err(UserError::from)?;
    let store = Store::open(location).await?;
    let mut owed = 0;
    let all_open = store.open_periods().await?;
    for summary in store.plans().await? {
        let open: Vec<_> = all_open
            .iter()
            .filter(|p| p.plan_id == summary.plan_id)
            .cloned()
            .collect();
        if open.is_empty() {
            continue;
        }
        let tree = store.plan_tree(summary.plan_id).await?;
        for p in open {
            let period = ReportingPeriod::new(summary.year, p.half);
            for a in tree
                .actions
                .iter()
                .filter(|a| a.details.lead.as_str().eq_ignore_ascii_case(lead.as_str()))
            {
                let state = tree.any_update_in(a.id, period).map(|u| u.state);
                if matches!(
                    state,
                    None | Some(UpdateState::Draft) | Some(UpdateState::Returned)
                ) {
                    owed += 1;
                    let label = state.map(UpdateState::label).unwrap_or("Missing");
                    println!(
                        "{} {} {:<5} {:<9} due {}  {}",
                        summary.portfolio_code,
                        period,
                        a.details.reference.to_string(),
                        label,
                        p.deadline,
                        a.details.title
                    );
                }
            }
        }
    }
    if owed == 0 {
        println!("Nothing is awaiting an update from {lead}.");
    }
    Ok(())
}
