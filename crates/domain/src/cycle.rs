use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::{ParseError, ReportingPeriod, Status};

/// Where an update is in its sign-off: written by the lead (draft),
/// submitted for sign-off, signed off by a performance officer, or returned
/// to the lead with a comment. Reports use signed-off updates only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum UpdateState {
    /// Being written.
    Draft,
    /// Waiting for sign-off.
    Submitted,
    /// Signed off: what reports use.
    SignedOff,
    /// Sent back to the lead with a comment.
    Returned,
}

/// A refused change of state, naming the state it was refused in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {attempt} an update that is {from}; {hint}")]
pub struct TransitionError {
    /// What was attempted: "sign off".
    pub attempt: &'static str,
    /// The state the update is in.
    pub from: UpdateState,
    /// What to do instead.
    pub hint: &'static str,
}

impl UpdateState {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateState::Draft => "draft",
            UpdateState::Submitted => "submitted",
            UpdateState::SignedOff => "signed_off",
            UpdateState::Returned => "returned",
        }
    }

    /// For people: "Signed off".
    pub fn label(self) -> &'static str {
        match self {
            UpdateState::Draft => "Draft",
            UpdateState::Submitted => "Submitted",
            UpdateState::SignedOff => "Signed off",
            UpdateState::Returned => "Returned",
        }
    }

    /// The state after new content is saved in an open period: a draft.
    /// Saving over a signed-off update starts a revision, which goes through
    /// sign-off again while the signed-off content stays published; a
    /// submitted update is withdrawn to a draft by its next save.
    pub fn edit(self) -> Self {
        UpdateState::Draft
    }

    /// The lead submits the update for sign-off.
    pub fn submit(self) -> Result<Self, TransitionError> {
        match self {
            UpdateState::Draft | UpdateState::Returned => Ok(UpdateState::Submitted),
            _ => Err(TransitionError {
                attempt: "submit",
                from: self,
                hint: "only a draft or returned update can be submitted",
            }),
        }
    }

    /// A performance officer signs the update off.
    pub fn sign_off(self) -> Result<Self, TransitionError> {
        match self {
            UpdateState::Submitted => Ok(UpdateState::SignedOff),
            _ => Err(TransitionError {
                attempt: "sign off",
                from: self,
                hint: "it must be submitted first",
            }),
        }
    }

    /// A performance officer returns the update to the lead.
    pub fn send_back(self) -> Result<Self, TransitionError> {
        match self {
            UpdateState::Submitted | UpdateState::SignedOff => Ok(UpdateState::Returned),
            _ => Err(TransitionError {
                attempt: "return",
                from: self,
                hint: "only a submitted or signed-off update can be returned",
            }),
        }
    }
}

impl fmt::Display for UpdateState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label().to_lowercase())
    }
}

impl FromStr for UpdateState {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "draft" => Ok(UpdateState::Draft),
            "submitted" => Ok(UpdateState::Submitted),
            "signed_off" => Ok(UpdateState::SignedOff),
            "returned" => Ok(UpdateState::Returned),
            _ => Err(ParseError::new(
                "state",
                raw,
                "draft, submitted, signed off or returned",
            )),
        }
    }
}

impl TryFrom<String> for UpdateState {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<UpdateState> for String {
    fn from(s: UpdateState) -> Self {
        s.as_str().to_owned()
    }
}

impl UpdateState {
    /// An officer's correction of signed-off content: allowed on a
    /// signed-off update only (a revision under way is signed off or
    /// returned first).
    pub fn correct(self) -> Result<Self, TransitionError> {
        match self {
            UpdateState::SignedOff => Ok(UpdateState::SignedOff),
            _ => Err(TransitionError {
                attempt: "correct",
                from: self,
                hint: "corrections are for signed-off updates; change it as usual, or sign it off first",
            }),
        }
    }
}

/// Whether a body's updates may be recorded outside the reporting cycle:
/// recorded as reported, signed off at once, with no period opened. Useful
/// for bringing in past years; once a body runs its cycle, updates go
/// through sign-off instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(try_from = "String", into = "String")]
pub enum OutsideCycle {
    /// Allowed until the body first opens a reporting period (the default).
    #[default]
    UntilCycleStarts,
    /// Always allowed.
    Allowed,
    /// Never allowed: every update goes through an open period.
    Refused,
}

impl OutsideCycle {
    /// The stored form (NULL, 1 or 0).
    pub fn stored(self) -> Option<i64> {
        match self {
            OutsideCycle::UntilCycleStarts => None,
            OutsideCycle::Allowed => Some(1),
            OutsideCycle::Refused => Some(0),
        }
    }

    /// From the stored form.
    pub fn from_stored(v: Option<i64>) -> Self {
        match v {
            None => OutsideCycle::UntilCycleStarts,
            Some(0) => OutsideCycle::Refused,
            Some(_) => OutsideCycle::Allowed,
        }
    }

    /// Whether an update may be recorded outside the cycle now, given
    /// whether the body has ever opened a reporting period.
    pub fn allows(self, cycle_started: bool) -> bool {
        match self {
            OutsideCycle::UntilCycleStarts => !cycle_started,
            OutsideCycle::Allowed => true,
            OutsideCycle::Refused => false,
        }
    }

    /// The form typed on the command line and in forms: "auto", "allow", "refuse".
    pub fn as_str(self) -> &'static str {
        match self {
            OutsideCycle::UntilCycleStarts => "auto",
            OutsideCycle::Allowed => "allow",
            OutsideCycle::Refused => "refuse",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            OutsideCycle::UntilCycleStarts => "Allowed until the first reporting period is opened",
            OutsideCycle::Allowed => "Allowed: updates may be recorded as reported at any time",
            OutsideCycle::Refused => "Not allowed: every update goes through an open period",
        }
    }
}

impl FromStr for OutsideCycle {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "auto" | "until-cycle-starts" | "" => Ok(OutsideCycle::UntilCycleStarts),
            "allow" | "allowed" | "on" | "yes" => Ok(OutsideCycle::Allowed),
            "refuse" | "refused" | "off" | "no" => Ok(OutsideCycle::Refused),
            _ => Err(ParseError::new(
                "updates outside the cycle",
                raw,
                "auto (allowed until the first period is opened), allow or refuse",
            )),
        }
    }
}

impl TryFrom<String> for OutsideCycle {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<OutsideCycle> for String {
    fn from(o: OutsideCycle) -> Self {
        o.as_str().to_owned()
    }
}

/// How an action's status moved since the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Trend {
    /// Better than before.
    Improved,
    /// Worse than before.
    Worsened,
    /// The same.
    Unchanged,
    /// No status to compare with.
    New,
}

impl Trend {
    /// Compare a status with the one before it.
    pub fn between(before: Option<Status>, now: Option<Status>) -> Self {
        match (before, now) {
            (Some(b), Some(n)) => match rank(n).cmp(&rank(b)) {
                std::cmp::Ordering::Greater => Trend::Improved,
                std::cmp::Ordering::Less => Trend::Worsened,
                std::cmp::Ordering::Equal => Trend::Unchanged,
            },
            _ => Trend::New,
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Trend::Improved => "Improved",
            Trend::Worsened => "Worsened",
            Trend::Unchanged => "Unchanged",
            Trend::New => "No earlier status",
        }
    }
}

/// How good a status is, for comparing periods: complete is best; not
/// started and deferred are the same, lowest.
fn rank(s: Status) -> u8 {
    match s {
        Status::Complete => 5,
        Status::OnTrack => 4,
        Status::AtRisk => 3,
        Status::OffTrack => 2,
        Status::NotStarted | Status::Deferred => 1,
    }
}

/// One action without a signed-off update in the period being closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outstanding {
    /// The action.
    pub action_id: ActionId,
    /// Its update in the period, if one is recorded.
    pub update_id: Option<UpdateId>,
    /// Where that update is in its sign-off; `None` while it is missing.
    pub state: Option<UpdateState>,
    /// Why it was returned, when it was.
    pub returned_comment: Option<String>,
}

/// The check before a reporting period is closed: how many of the plan's
/// actions have their update in each state, and which have no signed-off
/// update (so the report will say "No update" for them once the period is
/// closed). Closing with outstanding updates needs the officer's
/// confirmation ([`CloseCheck::allows_close`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseCheck {
    /// The period.
    pub period: ReportingPeriod,
    /// Actions with no update.
    pub missing: usize,
    /// Actions whose update is a draft.
    pub draft: usize,
    /// Actions whose update awaits sign-off.
    pub submitted: usize,
    /// Actions whose update was returned to the lead.
    pub returned: usize,
    /// Actions whose update is signed off.
    pub signed_off: usize,
    /// The actions without a signed-off update, in the order given.
    pub outstanding: Vec<Outstanding>,
}

impl CloseCheck {
    /// The check of `period` over `actions` and their `updates` as stored
    /// (every state, as those who sign off see them).
    pub fn of(
        period: ReportingPeriod,
        actions: &[crate::Action],
        updates: &[crate::Update],
    ) -> Self {
        let mut check = CloseCheck {
            period,
            missing: 0,
            draft: 0,
            submitted: 0,
            returned: 0,
            signed_off: 0,
            outstanding: Vec::new(),
        };
        let in_period: std::collections::HashMap<ActionId, &crate::Update> = updates
            .iter()
            .filter(|u| u.period == period)
            .map(|u| (u.action_id, u))
            .collect();
        for a in actions {
            let update = in_period.get(&a.id).copied();
            let state = update.map(|u| u.state);
            *match state {
                None => &mut check.missing,
                Some(UpdateState::Draft) => &mut check.draft,
                Some(UpdateState::Submitted) => &mut check.submitted,
                Some(UpdateState::Returned) => &mut check.returned,
                Some(UpdateState::SignedOff) => &mut check.signed_off,
            } += 1;
            if state != Some(UpdateState::SignedOff) {
                check.outstanding.push(Outstanding {
                    action_id: a.id,
                    update_id: update.map(|u| u.id),
                    state,
                    returned_comment: update
                        .filter(|u| u.state == UpdateState::Returned)
                        .and_then(|u| u.returned_comment.clone()),
                });
            }
        }
        check
    }

    /// Whether the period may be closed: at once when every action has a
    /// signed-off update, otherwise only once the officer has seen what is
    /// outstanding and `confirmed` closing anyway.
    pub fn allows_close(&self, confirmed: bool) -> bool {
        confirmed || self.outstanding.is_empty()
    }

    /// What closing leaves undone, for a refusal: "23 actions have no
    /// signed-off update (20 missing, 1 draft, 1 submitted, 1 returned)".
    pub fn summary(&self) -> String {
        let n = self.outstanding.len();
        let parts: Vec<String> = [
            (self.missing, "missing"),
            (self.draft, "draft"),
            (self.submitted, "submitted"),
            (self.returned, "returned"),
        ]
        .iter()
        .filter(|(c, _)| *c > 0)
        .map(|(c, w)| format!("{c} {w}"))
        .collect();
        format!(
            "{n} {} no signed-off update ({})",
            if n == 1 { "action has" } else { "actions have" },
            parts.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use UpdateState::*;

    #[test]
    fn every_transition_allowed_and_refused() {
        assert_eq!(Draft.submit(), Ok(Submitted));
        assert_eq!(Returned.submit(), Ok(Submitted));
        assert!(Submitted.submit().is_err() && SignedOff.submit().is_err());
        assert_eq!(Submitted.sign_off(), Ok(SignedOff));
        for s in [Draft, Returned, SignedOff] {
            let e = s.sign_off().unwrap_err();
            assert_eq!(e.from, s);
        }
        assert_eq!(
            Draft.sign_off().unwrap_err().to_string(),
            "cannot sign off an update that is draft; it must be submitted first"
        );
        assert_eq!(Submitted.send_back(), Ok(Returned));
        assert_eq!(SignedOff.send_back(), Ok(Returned));
        assert!(Draft.send_back().is_err() && Returned.send_back().is_err());
        for s in [Draft, Submitted, Returned, SignedOff] {
            assert_eq!(s.edit(), Draft);
        }
        assert_eq!(SignedOff.correct(), Ok(SignedOff));
        for s in [Draft, Submitted, Returned] {
            assert!(
                s.correct()
                    .unwrap_err()
                    .to_string()
                    .contains("signed-off updates")
            );
        }
        for o in [
            OutsideCycle::UntilCycleStarts,
            OutsideCycle::Allowed,
            OutsideCycle::Refused,
        ] {
            assert_eq!(o.as_str().parse::<OutsideCycle>().unwrap(), o);
            assert_eq!(OutsideCycle::from_stored(o.stored()), o);
        }
        assert!(OutsideCycle::UntilCycleStarts.allows(false));
        assert!(!OutsideCycle::UntilCycleStarts.allows(true));
        assert!("sometimes".parse::<OutsideCycle>().is_err());
        for s in [Draft, Submitted, SignedOff, Returned] {
            assert_eq!(s.as_str().parse::<UpdateState>().unwrap(), s);
        }
    }

    #[test]
    fn trends_compare_statuses() {
        assert_eq!(
            Trend::between(Some(Status::AtRisk), Some(Status::OnTrack)),
            Trend::Improved
        );
        assert_eq!(
            Trend::between(Some(Status::OnTrack), Some(Status::OffTrack)),
            Trend::Worsened
        );
        assert_eq!(
            Trend::between(Some(Status::NotStarted), Some(Status::Deferred)),
            Trend::Unchanged
        );
        assert_eq!(Trend::between(None, Some(Status::Complete)), Trend::New);
    }

    #[test]
    fn the_close_check_counts_each_state_and_lists_what_is_outstanding() {
        let period = ReportingPeriod::new("2024/25".parse().unwrap(), crate::Half::H1);
        let action = |id: i64| crate::Action {
            id: ActionId::new(id),
            plan_id: PlanId::new(1),
            item_id: PlanItemId::new(1),
            details: crate::ActionDetails {
                reference: format!("{id}A").parse().unwrap(),
                title: crate::Title::parse("title", "Carers").unwrap(),
                lead: crate::Title::parse("lead", "Director").unwrap(),
                directorate: None,
                target: None,
                illustrative: false,
            },
            measures: vec![],
            continues: None,
            outcome: None,
            version: Version::new(1),
        };
        let update = |id: i64, action_id: i64, state: UpdateState| crate::Update {
            id: UpdateId::new(id),
            action_id: ActionId::new(action_id),
            period,
            input: crate::UpdateInput {
                status: Status::OnTrack,
                commentary: crate::Text::parse("commentary", "Progress").unwrap(),
                percent: None,
                key_achievement: false,
                actuals: vec![],
                author: crate::Title::parse("author", "Lead").unwrap(),
                illustrative: false,
            },
            state,
            returned_comment: (state == Returned).then(|| "Add the figures".to_owned()),
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            version: Version::new(1),
            published: None,
        };
        let actions: Vec<_> = (1..=5).map(action).collect();
        let updates = vec![
            update(10, 2, Draft),
            update(11, 3, Returned),
            update(12, 4, SignedOff),
            update(13, 5, Submitted),
        ];
        let check = CloseCheck::of(period, &actions, &updates);
        assert_eq!(
            (
                check.missing,
                check.draft,
                check.submitted,
                check.returned,
                check.signed_off
            ),
            (1, 1, 1, 1, 1)
        );
        assert_eq!(
            check
                .outstanding
                .iter()
                .map(|o| o.action_id.get())
                .collect::<Vec<_>>(),
            [1, 2, 3, 5]
        );
        assert_eq!(
            check.outstanding[2].returned_comment.as_deref(),
            Some("Add the figures")
        );
        assert!(!check.allows_close(false) && check.allows_close(true));
        assert_eq!(
            check.summary(),
            "4 actions have no signed-off update (1 missing, 1 draft, 1 submitted, 1 returned)"
        );
        let settled = CloseCheck::of(period, &actions[3..4], &updates);
        assert!(settled.allows_close(false));
    }
}
