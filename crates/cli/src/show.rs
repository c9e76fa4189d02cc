//! Plain-text views for the terminal.

use std::fmt::Write;

use domain::{FinancialYear, PlanTree, ReportingPeriod, RollUp, Status};
use store::{PlanSummary, Store, StoreError};

/// The table `ambit plan list` prints.
pub fn plan_list(plans: &[PlanSummary]) -> String {
    if plans.is_empty() {
        return "No plans yet. Run `ambit demo` to load the Bromley example.\n".into();
    }
    let mut out = format!(
        "{:<12} {:<10} {:<8} {:>7} {:>7}  {}\n",
        "BODY", "PORTFOLIO", "YEAR", "ACTIONS", "UPDATES", "NAME"
    );
    for p in plans {
        let _ = writeln!(
            out,
            "{:<12} {:<10} {:<8} {:>7} {:>7}  {}",
            p.body, p.portfolio_code, p.year, p.actions, p.updates, p.portfolio_name
        );
    }
    out
}

/// Shown after demo records that are not drawn from a real record.
fn marker(illustrative: bool) -> &'static str {
    if illustrative { " [illustrative]" } else { "" }
}

fn counts(r: &RollUp) -> String {
    let mut parts: Vec<String> = Status::ALL
        .iter()
        .filter(|s| r.count(**s) > 0)
        .map(|s| format!("{} {}", r.count(*s), s.label().to_lowercase()))
        .collect();
    if r.no_update() > 0 {
        parts.push(format!("{} no update", r.no_update()));
    }
    parts.join(", ")
}

/// The tree `ambit plan show` prints: every item and action with the
/// action's status (in `period`, or its latest).
pub async fn plan(
    store: &Store,
    portfolio: &domain::Portfolio,
    year: FinancialYear,
    period: Option<ReportingPeriod>,
) -> Result<String, StoreError> {
    let plan = store.plan(portfolio.id, year).await?;
    let body = store.body_by_id(portfolio.body_id).await?;
    let strategy = store.strategy(body.id).await?;
    let tree = store.plan_tree(plan.id).await?;
    Ok(render(&tree, &body, strategy.as_ref(), portfolio, period))
}

fn render(
    tree: &PlanTree,
    body: &domain::Body,
    strategy: Option<&domain::Strategy>,
    portfolio: &domain::Portfolio,
    period: Option<ReportingPeriod>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}): Portfolio Plan {}",
        portfolio.name, portfolio.code, tree.plan.year
    );
    let mut context = body.name.to_string();
    if let Some(s) = strategy {
        let _ = write!(context, " · {} {}", s.title, s.years);
    }
    if let Some(c) = &portfolio.committee {
        let _ = write!(context, " · {c}");
    }
    let _ = writeln!(out, "{context}");
    if !tree.plan.alignments.is_empty() {
        let names: Vec<String> = tree
            .plan
            .alignments
            .iter()
            .map(|a| a.name.to_string())
            .collect();
        let _ = writeln!(out, "Aligned with: {}", names.join("; "));
    }
    let overall = tree.rollup(period);
    let when = match period {
        Some(p) => format!("In {p} ({})", p.half.months()),
        None => match tree.periods().last() {
            Some(p) => format!("Latest updates (to {p})"),
            None => "No updates yet".into(),
        },
    };
    let _ = writeln!(
        out,
        "{when}: {} — {}.",
        overall.sentence(),
        counts(&overall)
    );

    let by_top = tree.rollup_at(0, period);
    let levels = &body.level_names;
    write_items(&mut out, tree, levels, &by_top, None, period);
    out
}

fn write_items(
    out: &mut String,
    tree: &PlanTree,
    levels: &domain::LevelNames,
    by_top: &std::collections::BTreeMap<domain::PlanItemId, RollUp>,
    parent: Option<domain::PlanItemId>,
    period: Option<ReportingPeriod>,
) {
    for item in tree.children(parent) {
        let indent = "  ".repeat(item.depth);
        let label = match &item.reference {
            Some(n) => format!("{} {n}", levels.name(item.depth)),
            None => levels.name(item.depth).to_owned(),
        };
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{indent}{label}: {}{}",
            item.title,
            marker(item.illustrative)
        );
        if let Some(r) = by_top.get(&item.id).filter(|_| item.depth == 0) {
            let _ = writeln!(out, "{indent}  ({}; {})", r.sentence(), counts(r));
        }
        for action in tree.actions_of(item.id) {
            let pad = "  ".repeat(item.depth + 1);
            let update = match period {
                Some(p) => tree.update_in(action.id, p),
                None => tree.latest(action.id),
            };
            let status = match update {
                Some(u) => {
                    let mut s = format!("{} ({})", u.input.status, u.period);
                    if let Some(p) = u.input.percent {
                        let _ = write!(s, " {p}");
                    }
                    if u.input.key_achievement {
                        s.push_str(" ★ key achievement");
                    }
                    s.push_str(marker(u.input.illustrative));
                    s
                }
                None => "No update".into(),
            };
            let _ = writeln!(
                out,
                "{pad}{:<4} {}{}",
                action.details.reference,
                action.details.title,
                marker(action.details.illustrative)
            );
            let _ = writeln!(out, "{pad}     Status: {status}");
            let mut lead = format!("Lead: {}", action.details.lead);
            if let Some(d) = &action.details.directorate {
                let _ = write!(lead, " ({d})");
            }
            if let Some(t) = action.details.target {
                let _ = write!(lead, " · Target: {t}");
            }
            let _ = writeln!(out, "{pad}     {lead}");
            for (_, m) in &action.measures {
                let _ = writeln!(out, "{pad}     Measure: {}", m.describe());
            }
        }
        write_items(out, tree, levels, by_top, Some(item.id), period);
    }
}

/// The table `ambit user list` prints: the people of one body.
pub fn people(body: &domain::Body, people: &[store::Person]) -> String {
    if people.is_empty() {
        return format!(
            "No one has a role in {} yet. Add someone with `ambit --body {} user add`.\n",
            body.name, body.slug
        );
    }
    let mut out = format!(
        "{:<32} {:<24} {:<20} {:<9} {}\n",
        "EMAIL", "NAME", "ROLE", "STATUS", "LEADS"
    );
    for p in people {
        let line = format!(
            "{:<32} {:<24} {:<20} {:<9} {}",
            p.user.email.as_str(),
            p.user.name.as_str(),
            p.role.label(),
            p.status.label().to_lowercase(),
            p.lead_role.as_ref().map(|l| l.as_str()).unwrap_or("")
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// The table `ambit token list` prints (never the tokens themselves).
pub fn tokens(tokens: &[store::ApiToken]) -> String {
    if tokens.is_empty() {
        return "No API tokens. Create one with `ambit token create --email EMAIL`.\n".into();
    }
    let mut out = format!(
        "{:>5} {:<24} {:<32} {:<10} {}\n",
        "ID", "NAME", "OWNER", "CREATED", "REVOKED"
    );
    for t in tokens {
        let day = |at: &str| at.get(..10).unwrap_or(at).to_owned();
        let _ = writeln!(
            out,
            "{:>5} {:<24} {:<32} {:<10} {}",
            t.id,
            t.name.as_str(),
            t.owner.email.as_str(),
            day(&t.created_at),
            t.revoked_at
                .as_deref()
                .map(day)
                .unwrap_or_else(|| "-".into())
        );
    }
    out
}
