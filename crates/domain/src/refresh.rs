use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::{ActionRef, ParseError, Text};

/// Where a plan is in its life: drafted (usually by a refresh), approved by
/// the committee, then superseded when the next year's plan is approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PlanStatus {
    /// Being prepared; its tree can change freely.
    Draft,
    /// Approved: its tree changes only through an audited amendment.
    Approved,
    /// Replaced by the next year's approved plan.
    Superseded,
}

impl PlanStatus {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Approved => "approved",
            PlanStatus::Superseded => "superseded",
        }
    }

    /// Whether the plan's tree (items, actions, alignments) may change without an amendment.
    pub fn editable(self) -> bool {
        self == PlanStatus::Draft
    }
}

impl fmt::Display for PlanStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PlanStatus {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "draft" => Ok(PlanStatus::Draft),
            "approved" => Ok(PlanStatus::Approved),
            "superseded" => Ok(PlanStatus::Superseded),
            _ => Err(ParseError::new(
                "plan status",
                raw,
                "draft, approved or superseded",
            )),
        }
    }
}

impl TryFrom<String> for PlanStatus {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PlanStatus> for String {
    fn from(s: PlanStatus) -> Self {
        s.as_str().to_owned()
    }
}

/// What the yearly refresh does with one action of the year ending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum Fate {
    /// It continues in next year's plan, under this reference (renumbering keeps lineage).
    CarriedForward {
        /// Its reference next year.
        reference: ActionRef,
        /// Its target date next year, when set at the refresh; otherwise
        /// the new plan's action has none until one is given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<crate::TargetDate>,
    },
    /// It is done.
    Completed,
    /// It stops, for this reason.
    Dropped {
        /// Why.
        reason: Text,
    },
}

impl Fate {
    /// The stored form of the fate's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Fate::CarriedForward { .. } => "carried_forward",
            Fate::Completed => "completed",
            Fate::Dropped { .. } => "dropped",
        }
    }

    /// A dropped fate; the reason must say something.
    pub fn dropped(reason: &str) -> Result<Self, ParseError> {
        let reason = Text::parse("reason", reason)?;
        if reason.is_empty() {
            return Err(ParseError::new("reason", "", "why the action is dropped"));
        }
        Ok(Fate::Dropped { reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_statuses_and_fates() {
        assert!(
            PlanStatus::Draft.editable()
                && !PlanStatus::Approved.editable()
                && !PlanStatus::Superseded.editable()
        );
        for s in [
            PlanStatus::Draft,
            PlanStatus::Approved,
            PlanStatus::Superseded,
        ] {
            assert_eq!(s.as_str().parse::<PlanStatus>().unwrap(), s);
        }
        assert!(Fate::dropped("  ").is_err());
        assert_eq!(
            Fate::dropped("Now business as usual").unwrap().kind(),
            "dropped"
        );
        assert_eq!(
            Fate::CarriedForward {
                reference: "6C".parse().unwrap(),
                target: None,
            }
            .kind(),
            "carried_forward"
        );
    }
}

/// What happened to one action at a refresh, for the refresh report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// Continues next year.
    CarriedForward,
    /// Done.
    Completed,
    /// Stopped, with a reason.
    Dropped,
    /// Not in next year's plan, with no recorded reason.
    NotCarried,
    /// New in next year's plan.
    New,
}

impl Outcome {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::CarriedForward => "Carried forward",
            Outcome::Completed => "Completed",
            Outcome::Dropped => "Dropped",
            Outcome::NotCarried => "Not carried forward",
            Outcome::New => "New",
        }
    }
}

/// One line of the refresh report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefreshLine {
    /// What happened.
    pub outcome: Outcome,
    /// The reference this year, if it was in this year's plan.
    pub from: Option<crate::ActionRef>,
    /// The reference next year, if it is in next year's plan.
    pub to: Option<crate::ActionRef>,
    /// The action's title (next year's when it has one).
    pub title: String,
    /// Why it was dropped.
    pub reason: Option<String>,
}

/// The lines under one top-level item (ambition), side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefreshGroup {
    /// "Ambition 2: For adults and older people …".
    pub heading: String,
    /// Its lines, this year's order first, then the new ones.
    pub lines: Vec<RefreshLine>,
}

/// What a refresh did: every action of the year ending and of the year
/// beginning, by ambition — the basis of a committee report's Appendix 2.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefreshReport {
    /// The year ending.
    pub from: crate::FinancialYear,
    /// The year beginning.
    pub to: crate::FinancialYear,
    /// By ambition.
    pub groups: Vec<RefreshGroup>,
}

impl RefreshReport {
    /// Compare `old` (the year ending) with `new` (its refresh); `top_level`
    /// names the top level ("Ambition").
    pub fn between(old: &crate::PlanTree, new: &crate::PlanTree, top_level: &str) -> Self {
        let top = |tree: &crate::PlanTree, a: &crate::Action| -> (Option<AmbitionId>, String) {
            let path = tree.path_of(a);
            match path.first() {
                Some(i) => (
                    i.ambition_id,
                    match &i.reference {
                        Some(n) => format!("{top_level} {n}: {}", i.title),
                        None => i.title.to_string(),
                    },
                ),
                None => (None, String::new()),
            }
        };
        let mut groups: Vec<(Option<AmbitionId>, RefreshGroup)> = Vec::new();
        let mut push = |key: (Option<AmbitionId>, String), line: RefreshLine| match groups
            .iter_mut()
            .find(|(k, g)| *k == key.0 && (key.0.is_some() || g.heading == key.1))
        {
            Some((_, g)) => g.lines.push(line),
            None => groups.push((
                key.0,
                RefreshGroup {
                    heading: key.1,
                    lines: vec![line],
                },
            )),
        };
        for a in &old.actions {
            let next = new.actions.iter().find(|n| n.continues == Some(a.id));
            let (outcome, reason) = match (
                next,
                a.outcome.as_ref().map(|(k, r)| (k.as_str(), r.clone())),
            ) {
                (Some(_), _) => (Outcome::CarriedForward, None),
                (None, Some(("completed", _))) => (Outcome::Completed, None),
                (None, Some(("dropped", r))) => (Outcome::Dropped, r),
                _ => (Outcome::NotCarried, None),
            };
            push(
                top(old, a),
                RefreshLine {
                    outcome,
                    from: Some(a.details.reference.clone()),
                    to: next.map(|n| n.details.reference.clone()),
                    title: next.unwrap_or(a).details.title.to_string(),
                    reason,
                },
            );
        }
        for n in new.actions.iter().filter(|n| {
            !n.continues
                .is_some_and(|c| old.actions.iter().any(|a| a.id == c))
        }) {
            push(
                top(new, n),
                RefreshLine {
                    outcome: Outcome::New,
                    from: None,
                    to: Some(n.details.reference.clone()),
                    title: n.details.title.to_string(),
                    reason: None,
                },
            );
        }
        Self {
            from: old.plan.year,
            to: new.plan.year,
            groups: groups.into_iter().map(|(_, g)| g).collect(),
        }
    }

    /// How many lines have `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.groups
            .iter()
            .flat_map(|g| &g.lines)
            .filter(|l| l.outcome == outcome)
            .count()
    }
}
