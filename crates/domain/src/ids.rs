//! The ids the store gives records, each its own type, so that an action's
//! id cannot be passed where an update's is wanted, nor a version where an
//! id is. Each is the store's number as it is; [`Version`] is a record's
//! version, which every change raises by one and every edit names to be
//! refused when it is stale.
//!
//! An id of one kind is refused where another is wanted:
//!
//! ```compile_fail
//! fn sign_off(update: domain::UpdateId, based_on: domain::Version) {}
//! let action = domain::ActionId::new(41);
//! sign_off(action, domain::Version::new(3));
//! ```
//!
//! and so is a version where an id is wanted, or the two swapped:
//!
//! ```compile_fail
//! fn sign_off(update: domain::UpdateId, based_on: domain::Version) {}
//! sign_off(domain::Version::new(3), domain::UpdateId::new(41));
//! ```
//!
//! while the right ones go through:
//!
//! ```
//! fn sign_off(update: domain::UpdateId, based_on: domain::Version) -> String {
//!     format!("update {update} at version {based_on}")
//! }
//! let said = sign_off(domain::UpdateId::new(41), domain::Version::new(3));
//! assert_eq!(said, "update 41 at version 3");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident, $what:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// The id the store gave the record.
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// The number, for the store and for addresses.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseError;

            /// A whole number, as in an address (`/actions/41`) or a form.
            fn from_str(s: &str) -> Result<Self, ParseError> {
                s.trim()
                    .parse::<i64>()
                    .map(Self)
                    .map_err(|_| ParseError::new($what, s, "a whole number"))
            }
        }
    )*};
}

ids! {
    /// A body's id.
    BodyId, "body id";
    /// A strategy's id.
    StrategyId, "strategy id";
    /// An ambition's id.
    AmbitionId, "ambition id";
    /// An alignment's id.
    AlignmentId, "alignment id";
    /// A portfolio's id.
    PortfolioId, "portfolio id";
    /// A plan's id.
    PlanId, "plan id";
    /// A plan item's id.
    PlanItemId, "plan item id";
    /// An action's id.
    ActionId, "action id";
    /// A measure's id.
    MeasureId, "measure id";
    /// An update's id.
    UpdateId, "update id";
    /// A committee's id.
    CommitteeId, "committee id";
    /// A committee member's id.
    CommitteeMemberId, "committee member id";
    /// A meeting's id.
    MeetingId, "meeting id";
    /// An agenda item's id.
    AgendaItemId, "agenda item id";
    /// A question's id.
    QuestionId, "question id";
    /// A resolution's id.
    ResolutionId, "resolution id";
    /// A promise's (commitment's) id.
    CommitmentId, "promise id";
    /// A record's version: 1 when made, one more at every change.
    Version, "version";
}

impl Version {
    /// The version a change makes: one more.
    #[must_use]
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }

    /// A record's first version.
    pub const FIRST: Version = Version(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_and_print_as_their_numbers_and_serialise_as_numbers() {
        let id: ActionId = " 41 ".parse().unwrap();
        assert_eq!(id, ActionId::new(41));
        assert_eq!(id.to_string(), "41");
        assert_eq!(serde_json::to_string(&id).unwrap(), "41");
        assert_eq!(serde_json::from_str::<UpdateId>("7").unwrap().get(), 7);
        let e = "forty".parse::<ActionId>().unwrap_err();
        assert_eq!(e.field, "action id");
        assert!("".parse::<Version>().is_err());
    }
}
