//! Synthetic plans of any size, for benchmarks and for tests of large plans.
//! Every record is marked illustrative.

use std::fmt::Write;

const STATUSES: [&str; 6] = [
    "on track",
    "complete",
    "at risk",
    "off track",
    "not started",
    "deferred",
];

/// A TOML string literal.
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A plan file (the format of `data/bromley.toml`) with `actions` actions
/// for body `slug`, portfolio SYN, in `year` (e.g. "2024/25"): four
/// ambitions, three statements per priority, up to five actions per
/// statement, one indicator and one statement measure per action, and with
/// `updates` a signed-off update for both halves of the year.
pub fn plan(actions: usize, slug: &str, year: domain::FinancialYear, updates: bool) -> String {
    let start = year.start_year();
    let mut out = String::new();
    let mut w = |line: String| {
        out.push_str(&line);
        out.push('\n');
    };
    w("# Synthetic plan: every record is illustrative.".into());
    w("[body]".into());
    w(format!(
        "name = {}",
        q(&format!("Synthetic Borough Council {slug}"))
    ));
    w(format!("slug = {}", q(slug)));
    w("[strategy]\ntitle = \"Synthetic Strategy\"".into());
    w(format!("years = \"{}-{}\"", start - 2, start + 8));
    for n in 1..=4 {
        w(format!(
            "[[strategy.ambitions]]\nnumber = {n}\ntitle = \"Synthetic ambition {n} for residents and services\"\nillustrative = true"
        ));
    }
    w("[[committees]]\nname = \"Synthetic Scrutiny Committee\"".into());
    w("[[portfolios]]\ncode = \"SYN\"\nname = \"Synthetic Services\"\ncommittee = \"Synthetic Scrutiny Committee\"".into());
    w(format!(
        "[[plans]]\nportfolio = \"SYN\"\nyear = \"{year}\"\npublished = true"
    ));
    let mut made = 0;
    let mut statement = 0;
    'plan: while made < actions {
        for ambition in 1..=4 {
            if made >= actions {
                break 'plan;
            }
            w(format!(
                "[[plans.priorities]]\nambition = {ambition}\ntitle = \"Priority {} under ambition {ambition}\"\nillustrative = true",
                statement + 1
            ));
            for _ in 0..3 {
                if made >= actions {
                    break;
                }
                statement += 1;
                w(format!(
                    "[[plans.priorities.statements]]\nnumber = {statement}\ntitle = \"Statement {statement}: residents get the support they need\"\nillustrative = true"
                ));
                for letter in ['A', 'B', 'C', 'D', 'E'] {
                    if made >= actions {
                        break;
                    }
                    made += 1;
                    let lead = format!("Assistant Director {}", made % 9 + 1);
                    let indicator = format!("Residents supported by improvement {made}");
                    let mut a = String::new();
                    let _ = write!(
                        a,
                        "[[plans.priorities.statements.actions]]\nref = \"{statement}{letter}\"\n\
                         title = \"Deliver improvement {made} to services for residents, with partners\"\n\
                         lead = {}\ntarget = \"March {}\"\nillustrative = true\n\
                         [[plans.priorities.statements.actions.measures]]\nindicator = {}\n\
                         unit = \"people\"\ndirection = \"up\"\nbaseline = 100\n\
                         targets = [{{ year = \"{year}\", value = 150 }}]\n\
                         [[plans.priorities.statements.actions.measures]]\n\
                         statement = \"Residents say the service has improved\"",
                        q(&lead),
                        start + 1,
                        q(&indicator)
                    );
                    if updates {
                        for (half, value, shift) in [("H1", 120, 0), ("H2", 140, 1)] {
                            let status = STATUSES[(made + shift) % STATUSES.len()];
                            let _ = write!(
                                a,
                                "\n[[plans.priorities.statements.actions.updates]]\nperiod = \"{half} {year}\"\n\
                                 status = {}\ncommentary = \"Progress on improvement {made} in {half}: work continues with partners.\"\n\
                                 author = {}\nillustrative = true\n\
                                 actuals = [{{ measure = {}, value = {value} }}]",
                                q(status),
                                q(&lead),
                                q(&indicator)
                            );
                        }
                    }
                    w(a);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synthetic_plan_parses_with_the_asked_number_of_actions() {
        let text = plan(37, "synthetic", "2024/25".parse().unwrap(), true);
        let file = crate::PlanFile::parse("synthetic.toml", &text).unwrap();
        let actions: usize = file
            .plans
            .iter()
            .flat_map(|p| &p.priorities)
            .flat_map(|p| &p.statements)
            .map(|s| s.actions.len())
            .sum();
        assert_eq!(actions, 37);
    }
}
