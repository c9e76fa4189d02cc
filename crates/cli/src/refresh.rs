//! The yearly refresh from the command line.

use std::collections::HashMap;
use std::fmt::Write;

use clap::Args;
use domain::{ActionRef, Fate, FinancialYear, Outcome, PortfolioCode, RefreshReport, Slug};
use store::{DatabaseLocation, Store};

use crate::{UserError, actor, find_portfolio};

/// `ambit plan refresh` arguments.
#[derive(Args)]
pub struct RefreshArgs {
    /// The portfolio's code, e.g. ACH.
    portfolio: String,
    /// The year being refreshed, e.g. 2024/25.
    year: String,
    /// The year of the new plan, e.g. 2025/26.
    #[arg(long)]
    into: String,
    /// An action that is complete (not carried forward). Repeat for several.
    #[arg(long = "complete", value_name = "REF")]
    completed: Vec<String>,
    /// An action that is dropped, with why: "REF=REASON". Repeat for several.
    #[arg(long = "drop", value_name = "REF=REASON")]
    dropped: Vec<String>,
    /// An action carried forward under a new reference: "OLD=NEW". Repeat for several.
    #[arg(long = "renumber", value_name = "OLD=NEW")]
    renumbered: Vec<String>,
}

fn pair<'a>(
    raw: &'a str,
    field: &'static str,
    form: &str,
) -> Result<(&'a str, &'a str), UserError> {
    raw.split_once('=')
        .map(|(a, b)| (a.trim(), b.trim()))
        .ok_or_else(|| UserError::from(domain::ParseError::new(field, raw, form)))
}

/// `ambit plan refresh`: make next year's draft plan and print the refresh report.
pub async fn refresh(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    args: RefreshArgs,
) -> anyhow::Result<()> {
    let code: PortfolioCode = args.portfolio.parse().map_err(UserError::from)?;
    let year: FinancialYear = args.year.parse().map_err(UserError::from)?;
    let into: FinancialYear = args.into.parse().map_err(UserError::from)?;
    let mut by_ref: Vec<(ActionRef, Fate)> = Vec::new();
    for r in &args.completed {
        by_ref.push((r.parse().map_err(UserError::from)?, Fate::Completed));
    }
    for raw in &args.dropped {
        let (r, reason) = pair(raw, "drop", "REF=REASON, e.g. \"7A=Now business as usual\"")?;
        by_ref.push((
            r.parse().map_err(UserError::from)?,
            Fate::dropped(reason).map_err(UserError::from)?,
        ));
    }
    for raw in &args.renumbered {
        let (old, new) = pair(raw, "renumber", "OLD=NEW, e.g. 6D=6C")?;
        by_ref.push((
            old.parse().map_err(UserError::from)?,
            Fate::CarriedForward {
                reference: new.parse().map_err(UserError::from)?,
                target: None,
            },
        ));
    }
    let store = Store::open(location).await?;
    let portfolio = find_portfolio(&store, body, &code).await?;
    let plan = store.plan(portfolio.id, year).await?;
    let mut fates = HashMap::new();
    for (reference, fate) in by_ref {
        let action = crate::action_in(&store, &plan, &reference).await?;
        if fates.insert(action.id, fate).is_some() {
            return Err(UserError(format!(
                "action reference: {reference} is given more than one outcome; give each action one"
            ))
            .into());
        }
    }
    let next = store.refresh_plan(&actor(), plan.id, into, &fates).await?;
    let report = RefreshReport::between(
        &*store.plan_tree(plan.id).await?,
        &*store.plan_tree(next.id).await?,
        "Ambition",
    );
    print!("{}", render(&portfolio.code, &report));
    println!(
        "\nThe {into} plan is a draft. Approve it with: ambit plan approve {} {into} --on DATE",
        portfolio.code
    );
    Ok(())
}

/// `ambit plan refresh-report`: the report for a plan against the year before.
pub async fn report(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    portfolio: &str,
    year: &str,
) -> anyhow::Result<()> {
    let code: PortfolioCode = portfolio.parse().map_err(UserError::from)?;
    let year: FinancialYear = year.parse().map_err(UserError::from)?;
    let store = Store::open(location).await?;
    let portfolio = find_portfolio(&store, body, &code).await?;
    let new = store.plan(portfolio.id, year).await?;
    let old = store.plan(portfolio.id, year.previous()).await?;
    let report = RefreshReport::between(
        &*store.plan_tree(old.id).await?,
        &*store.plan_tree(new.id).await?,
        "Ambition",
    );
    print!("{}", render(&portfolio.code, &report));
    Ok(())
}

/// `ambit plan approve`.
pub async fn approve(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    (portfolio, year): (&str, &str),
    on: &str,
    accept_gaps: Option<&str>,
) -> anyhow::Result<()> {
    let code: PortfolioCode = portfolio.parse().map_err(UserError::from)?;
    let year: FinancialYear = year.parse().map_err(UserError::from)?;
    let on = domain::parse_day("on", on).map_err(UserError::from)?;
    let reason = accept_gaps
        .map(|r| domain::Text::parse("accept-gaps", r))
        .transpose()
        .map_err(UserError::from)?;
    let store = Store::open(location).await?;
    let portfolio = find_portfolio(&store, body, &code).await?;
    let plan = store.plan(portfolio.id, year).await?;
    if reason.is_none() && plan.status == domain::PlanStatus::Draft {
        let gaps = store.approval_gaps(plan.id).await?;
        if !gaps.is_empty() {
            let lines: Vec<String> = gaps
                .iter()
                .take(20)
                .map(|(a, g)| {
                    let what: Vec<String> = g.iter().map(ToString::to_string).collect();
                    format!("  {}: {}", a.details.reference, what.join("; "))
                })
                .collect();
            return Err(UserError(format!(
                "plan {year} is incomplete: {} action{} lack{} what approval needs:\n{}{}\ngive them target dates and targets for the year, or approve it as it is with --accept-gaps \"REASON\"",
                gaps.len(),
                if gaps.len() == 1 { "" } else { "s" },
                if gaps.len() == 1 { "s" } else { "" },
                lines.join("\n"),
                if gaps.len() > 20 { "\n  …" } else { "" },
            ))
            .into());
        }
    }
    store
        .approve_plan(&actor(), plan.id, plan.version, on, reason.as_ref())
        .await?;
    let previous = store
        .plan(portfolio.id, year.previous())
        .await
        .ok()
        .filter(|p| p.status == domain::PlanStatus::Superseded);
    match previous {
        Some(p) => println!(
            "Approved the {code} plan {year} on {on}; the {code} plan {} is superseded.",
            p.year
        ),
        None => println!("Approved the {code} plan {year} on {on}."),
    }
    Ok(())
}

fn render(code: &PortfolioCode, r: &RefreshReport) -> String {
    let mut out = format!(
        "Refresh of {code} {} into {}: {} carried forward, {} completed, {} dropped, {} not carried forward, {} new.\n",
        r.from,
        r.to,
        r.count(Outcome::CarriedForward),
        r.count(Outcome::Completed),
        r.count(Outcome::Dropped),
        r.count(Outcome::NotCarried),
        r.count(Outcome::New),
    );
    for g in &r.groups {
        let _ = writeln!(out, "\n{}", g.heading);
        for l in &g.lines {
            let refs = match (&l.from, &l.to) {
                (Some(a), Some(b)) => format!("{a} → {b}"),
                (Some(a), None) => a.to_string(),
                (None, Some(b)) => format!("→ {b}"),
                (None, None) => String::new(),
            };
            let _ = write!(out, "  {:<20} {:<11} {}", l.outcome.label(), refs, l.title);
            if let Some(reason) = &l.reason {
                let _ = write!(out, " ({reason})");
            }
            out.push('\n');
        }
    }
    out
}
