//! The committee's record: meetings, the questions members asked, what
//! officers promised (commitments) and what the committee resolved.
//!
//! A commitment's recorded status is open, delivered or withdrawn; whether an
//! open one is overdue is derived from its due date and today, never stored.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::{ParseError, TargetDate, Text, Title};

/// An enum stored as a word, shown with a label, parsed from either.
macro_rules! worded {
    ($(#[$meta:meta])* $name:ident, $field:literal, $expected:literal, { $($(#[$vmeta:meta])* $variant:ident => ($stored:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $stored),+
                }
            }

            /// For people.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                let t = raw.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(t) || v.label().eq_ignore_ascii_case(t))
                    .ok_or_else(|| ParseError::new($field, raw, $expected))
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                raw.parse()
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_owned()
            }
        }
    };
}

worded!(
    /// Where a meeting is.
    MeetingStatus, "status", "scheduled, held or cancelled", {
        /// In the calendar.
        Scheduled => ("scheduled", "Scheduled"),
        /// Has taken place.
        Held => ("held", "Held"),
        /// Will not take place.
        Cancelled => ("cancelled", "Cancelled"),
    }
);

worded!(
    /// A person's place on a committee.
    MemberRole, "role", "chair, vice-chair, member or co-opted member", {
        /// Chairs the committee.
        Chair => ("chair", "Chair"),
        /// Chairs in the chair's absence.
        ViceChair => ("vice-chair", "Vice-chair"),
        /// An elected member.
        Member => ("member", "Member"),
        /// Co-opted (not elected), often with a voice but no vote.
        CoOpted => ("co-opted member", "Co-opted member"),
    }
);

worded!(
    /// The recorded status of a commitment. Overdue is not stored: see
    /// [`Commitment::standing`].
    CommitmentStatus, "status", "open, delivered or withdrawn", {
        /// Promised, not yet delivered.
        Open => ("open", "Open"),
        /// Delivered (by a later report, or a written response).
        Delivered => ("delivered", "Delivered"),
        /// No longer to be delivered, with a reason.
        Withdrawn => ("withdrawn", "Withdrawn"),
    }
);

worded!(
    /// What a commitment's standing is today.
    Standing, "standing", "open, overdue, delivered or withdrawn", {
        /// Open and not yet due.
        Open => ("open", "Open"),
        /// Open and past its due date.
        Overdue => ("overdue", "Overdue"),
        /// Delivered.
        Delivered => ("delivered", "Delivered"),
        /// Withdrawn.
        Withdrawn => ("withdrawn", "Withdrawn"),
    }
);

worded!(
    /// What the committee did with a recommendation.
    #[derive(Default)]
    ResolutionOutcome, "outcome", "noted, agreed, approved, recommended, deferred or other", {
        /// Noted.
        Noted => ("noted", "Noted"),
        /// Agreed.
        Agreed => ("agreed", "Agreed"),
        /// Approved.
        Approved => ("approved", "Approved"),
        /// Recommended to another body (e.g. the Executive).
        Recommended => ("recommended", "Recommended"),
        /// Deferred to a later meeting.
        Deferred => ("deferred", "Deferred"),
        /// Anything else.
        #[default]
        Other => ("other", "Other"),
    }
);

/// A promise made to the committee, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commitment {
    /// Its id.
    pub id: CommitmentId,
    /// The agenda item it was made at.
    pub agenda_item_id: AgendaItemId,
    /// The promise as written: "a written response would be provided".
    pub text: String,
    /// Who promised it (role or person), when the minutes say.
    pub owner: Option<String>,
    /// The latest date it is due by, when known.
    pub due_by: Option<TargetDate>,
    /// The words the due date came from: "later in the year".
    pub due_text: String,
    /// The action it concerns.
    pub action_id: Option<ActionId>,
    /// Recorded status.
    pub status: CommitmentStatus,
    /// How it was delivered or why withdrawn: "written response to Members".
    pub delivery_note: String,
    /// When it was delivered or withdrawn.
    pub closed_on: Option<NaiveDate>,
    /// The later agenda item that delivered it, if any.
    pub delivered_by_item_id: Option<AgendaItemId>,
    /// The sentence of the minutes it came from.
    pub source: String,
    /// Optimistic-locking version.
    pub version: Version,
}

impl Commitment {
    /// Where it stands on `today`: an open commitment is overdue the day
    /// after its due date.
    pub fn standing(&self, today: NaiveDate) -> Standing {
        match self.status {
            CommitmentStatus::Delivered => Standing::Delivered,
            CommitmentStatus::Withdrawn => Standing::Withdrawn,
            CommitmentStatus::Open => match self.due_by {
                Some(due) if today > due.due_by() => Standing::Overdue,
                _ => Standing::Open,
            },
        }
    }
}

/// A committee of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committee {
    /// Its id.
    pub id: CommitteeId,
    /// The body.
    pub body_id: BodyId,
    /// "Adult Care and Health Policy Development and Scrutiny Committee".
    pub name: String,
    /// Who clerks it (a name, role or team; empty when not recorded).
    pub clerk: String,
    /// Optimistic-locking version.
    pub version: Version,
}

/// A member or co-opted member of a committee, with their term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeMember {
    /// Its id.
    pub id: CommitteeMemberId,
    /// The committee.
    pub committee_id: CommitteeId,
    /// "Councillor Jane Smith".
    pub name: String,
    /// Their place on the committee.
    pub role: MemberRole,
    /// The first day of their term, when known.
    pub term_from: Option<NaiveDate>,
    /// The last day of their term, when known.
    pub term_to: Option<NaiveDate>,
    /// Optimistic-locking version.
    pub version: Version,
}

impl CommitteeMember {
    /// Whether they sit on the committee on `day`: within their term, where
    /// its ends are known.
    pub fn serves_on(&self, day: NaiveDate) -> bool {
        self.term_from.is_none_or(|f| f <= day) && self.term_to.is_none_or(|t| day <= t)
    }
}

/// A meeting of a committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Its id.
    pub id: MeetingId,
    /// The committee.
    pub committee_id: CommitteeId,
    /// The day it is held.
    pub held_on: NaiveDate,
    /// Where.
    pub venue: String,
    /// Scheduled, held or cancelled.
    pub status: MeetingStatus,
    /// Whether the public may see it, its minutes and its record.
    pub published: bool,
    /// Optimistic-locking version.
    pub version: Version,
}

/// An item on a meeting's agenda: usually a report the committee considers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// Its id.
    pub id: AgendaItemId,
    /// The meeting.
    pub meeting_id: MeetingId,
    /// "7" or "7a".
    pub number: String,
    /// "Adult Care and Health Portfolio Plan 2022 Q2 update".
    pub title: String,
    /// The report it considers, e.g. "ACH22-038" (may be empty).
    pub report_ref: String,
    /// The plan the report covers.
    pub plan_id: Option<PlanId>,
    /// The half of the plan's year it covers.
    pub half: Option<crate::Half>,
    /// The minutes of the item, as accepted.
    pub minutes: String,
    /// Optimistic-locking version.
    pub version: Version,
}

/// A question a member asked, and who answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Its id.
    pub id: QuestionId,
    /// The agenda item it was asked at.
    pub agenda_item_id: AgendaItemId,
    /// "Member", "Co-opted Member" or a name; none when the minutes do not say.
    pub asker: Option<String>,
    /// The officer who answered, as written.
    pub responder: Option<String>,
    /// The action it was about.
    pub action_id: Option<ActionId>,
    /// The sentences of the minutes it came from.
    pub source: String,
}

/// What the committee resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// Its id.
    pub id: ResolutionId,
    /// The agenda item.
    pub agenda_item_id: AgendaItemId,
    /// "the progress on the actions … be noted".
    pub text: String,
    /// Noted, agreed, ….
    pub outcome: ResolutionOutcome,
}

/// A question to record from an item's minutes.
#[derive(Debug, Clone, Serialize)]
pub struct NewQuestion {
    /// Who asked.
    pub asker: Option<Title>,
    /// Who answered.
    pub responder: Option<Title>,
    /// The action it was about.
    pub action_id: Option<ActionId>,
    /// The sentences it came from.
    pub source: Text,
}

/// A commitment to record from an item's minutes.
#[derive(Debug, Clone, Serialize)]
pub struct NewCommitment {
    /// The promise as written.
    pub text: Text,
    /// Who promised it.
    pub owner: Option<Title>,
    /// The latest date it is due by.
    pub due_by: Option<TargetDate>,
    /// The words the due date came from.
    pub due_text: String,
    /// The action it concerns.
    pub action_id: Option<ActionId>,
    /// The sentence it came from.
    pub source: Text,
}

/// A resolution to record from an item's minutes.
#[derive(Debug, Clone, Serialize)]
pub struct NewResolution {
    /// What was resolved.
    pub text: Text,
    /// Noted, agreed, ….
    pub outcome: ResolutionOutcome,
}

/// What a clerk accepts from an item's minutes, all at once.
#[derive(Debug, Clone, Default)]
pub struct AcceptedMinutes {
    /// The minutes' text.
    pub minutes: String,
    /// The questions.
    pub questions: Vec<NewQuestion>,
    /// The commitments.
    pub commitments: Vec<NewCommitment>,
    /// The resolutions.
    pub resolutions: Vec<NewResolution>,
    /// What the clerk decided about each promise the extractor proposed,
    /// kept so the corpus that measures the extractor can grow from use.
    pub reviewed: Vec<ReviewedProposal>,
}

/// A promise the extractor proposed and what the clerk did with it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewedProposal {
    /// The text as proposed.
    pub proposed: String,
    /// Why it was proposed ("undertook to").
    pub cue: String,
    /// How sure the extractor was, from 0 to 1.
    pub confidence: f64,
    /// Whether the clerk recorded it (possibly corrected).
    pub kept: bool,
    /// The text as recorded, when kept.
    pub recorded: Option<String>,
}

/// A financial year's end for a date: the 31 March on or after it.
pub fn year_end_after(d: NaiveDate) -> NaiveDate {
    let year = if d.month() <= 3 {
        d.year()
    } else {
        d.year() + 1
    };
    NaiveDate::from_ymd_opt(year, 3, 31).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn open(due: Option<&str>) -> Commitment {
        Commitment {
            id: CommitmentId::new(1),
            agenda_item_id: AgendaItemId::new(1),
            text: "a written response would be provided".into(),
            owner: None,
            due_by: due.map(|d| d.parse().unwrap()),
            due_text: String::new(),
            action_id: None,
            status: CommitmentStatus::Open,
            delivery_note: String::new(),
            closed_on: None,
            delivered_by_item_id: None,
            source: String::new(),
            version: Version::new(1),
        }
    }

    #[test]
    fn a_month_is_due_until_its_last_day() {
        let c = open(Some("2023-03"));
        assert_eq!(c.standing(day("2023-03-31")), Standing::Open);
        assert_eq!(c.standing(day("2023-04-01")), Standing::Overdue);
        assert_eq!(open(None).standing(day("2099-01-01")), Standing::Open);
        let mut done = open(Some("2020-01-01"));
        done.status = CommitmentStatus::Delivered;
        assert_eq!(done.standing(day("2024-01-01")), Standing::Delivered);
    }

    #[test]
    fn worded_values_parse_from_stored_form_or_label() {
        assert_eq!(
            "co-opted member".parse::<MemberRole>().unwrap(),
            MemberRole::CoOpted
        );
        assert_eq!(
            "Noted".parse::<ResolutionOutcome>().unwrap(),
            ResolutionOutcome::Noted
        );
        assert!("adjourned".parse::<MeetingStatus>().is_err());
        assert_eq!(year_end_after(day("2024-03-12")), day("2024-03-31"));
        assert_eq!(year_end_after(day("2024-11-12")), day("2025-03-31"));
    }
}
