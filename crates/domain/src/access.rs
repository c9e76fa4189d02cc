use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Action, ParseError, Title};

const ROLE_EXPECTED: &str =
    "one of: administrator, performance officer, action lead, clerk, member";

/// What a person may do within one body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Role {
    /// Runs the installation for the body: everything, including accounts.
    Administrator,
    /// Sets up the strategy and plans, signs off updates: everything in the body's plans.
    PerformanceOfficer,
    /// Writes the updates on the actions they lead.
    ActionLead,
    /// Keeps committees, meetings and minutes.
    Clerk,
    /// A committee member: reads everything in the body, published or not.
    Member,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 5] = [
        Role::Administrator,
        Role::PerformanceOfficer,
        Role::ActionLead,
        Role::Clerk,
        Role::Member,
    ];

    /// The stored form: "performance_officer".
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::PerformanceOfficer => "performance_officer",
            Role::ActionLead => "action_lead",
            Role::Clerk => "clerk",
            Role::Member => "member",
        }
    }

    /// For people: "Performance officer".
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::PerformanceOfficer => "Performance officer",
            Role::ActionLead => "Action lead",
            Role::Clerk => "Clerk",
            Role::Member => "Member",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Role {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let key = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == key)
            .ok_or_else(|| ParseError::new("role", raw, ROLE_EXPECTED))
    }
}

impl TryFrom<String> for Role {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Role> for String {
    fn from(r: Role) -> Self {
        r.as_str().to_owned()
    }
}

/// Who is asking, within one body: a role (with the lead role an action
/// lead holds), or the public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Not signed in, or not a member of this body: published content only.
    Public,
    /// A member of the body in `role`; `leads` is the lead role an action lead holds.
    Member {
        /// Their role in the body.
        role: Role,
        /// For action leads: the lead role named on the actions they lead.
        leads: Option<Title>,
    },
}

impl Access {
    /// Whether unpublished plans, progress and audit trails are visible.
    pub fn sees_unpublished(&self) -> bool {
        matches!(self, Access::Member { .. })
    }

    /// Whether plans, their trees and actions may be edited and published.
    pub fn edits_plans(&self) -> bool {
        matches!(
            self,
            Access::Member {
                role: Role::Administrator | Role::PerformanceOfficer,
                ..
            }
        )
    }

    /// Whether an update on `action` may be recorded.
    pub fn updates(&self, action: &Action) -> bool {
        match self {
            Access::Member {
                role: Role::ActionLead,
                leads: Some(lead),
            } => lead
                .as_str()
                .eq_ignore_ascii_case(action.details.lead.as_str()),
            _ => self.edits_plans(),
        }
    }

    /// Whether updates are signed off and returned, and so every update's
    /// work in progress is visible: performance officers and administrators.
    pub fn signs_off(&self) -> bool {
        self.edits_plans()
    }

    /// Whether the work in progress on `action`'s updates (drafts,
    /// submitted and returned updates, revisions of signed-off ones) is
    /// visible: to those who sign updates off and to the action's own lead.
    /// Everyone else, the public, clerks and members included, sees
    /// signed-off content only ([`crate::PlanTree::seen_by`]).
    pub fn sees_work_on(&self, action: &Action) -> bool {
        self.updates(action)
    }

    /// `updates` of `action` as this viewer may see them: the work in
    /// progress where [`Access::sees_work_on`] allows it, otherwise each
    /// update's signed-off content, leaving out what was never signed off.
    pub fn visible_updates(
        &self,
        action: &Action,
        updates: Vec<crate::Update>,
    ) -> Vec<crate::Update> {
        if self.sees_work_on(action) {
            updates
        } else {
            updates
                .iter()
                .filter_map(crate::Update::as_published)
                .collect()
        }
    }

    /// Whether the committee record (members, meetings, agenda items,
    /// minutes and the log of promises) may be kept: clerks, and the
    /// performance officers and administrators who also run the cycle.
    pub fn keeps_committee_record(&self) -> bool {
        matches!(
            self,
            Access::Member {
                role: Role::Administrator | Role::PerformanceOfficer | Role::Clerk,
                ..
            }
        )
    }

    /// Whether people and accounts may be managed.
    pub fn administers(&self) -> bool {
        matches!(
            self,
            Access::Member {
                role: Role::Administrator,
                ..
            }
        )
    }
}

/// An email address, lower-cased: enough of a check to catch typing mistakes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let s = raw.trim().to_lowercase();
        let ok = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.matches('@').count() == 1;
        if ok {
            Ok(Self(s))
        } else {
            Err(ParseError::new(
                "email",
                raw,
                "an email address, like name@example.org",
            ))
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Email> for String {
    fn from(e: Email) -> Self {
        e.0
    }
}

/// A new password: at least 12 characters (a passphrase is best).
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// The shortest password accepted.
    pub const MIN_CHARS: usize = 12;

    /// Check a new password.
    pub fn new(raw: &str) -> Result<Self, ParseError> {
        let n = raw.chars().count();
        if !(Self::MIN_CHARS..=1000).contains(&n) {
            return Err(ParseError::new(
                "password",
                "(hidden)",
                format!(
                    "at least {} characters; a few words together are easy to remember",
                    Self::MIN_CHARS
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(hidden)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ActionDetails, ActionId, PlanId, PlanItemId, Title, Version};

    fn action(lead: &str) -> Action {
        Action {
            id: ActionId::new(1),
            plan_id: PlanId::new(1),
            item_id: PlanItemId::new(1),
            details: ActionDetails {
                reference: "10A".parse().unwrap(),
                title: Title::parse("title", "Carers").unwrap(),
                lead: Title::parse("lead", lead).unwrap(),
                directorate: None,
                target: None,
                illustrative: false,
            },
            measures: vec![],
            continues: None,
            outcome: None,
            version: Version::new(1),
        }
    }

    #[test]
    fn roles_parse_as_people_write_them() {
        assert_eq!(
            "Performance officer".parse::<Role>().unwrap(),
            Role::PerformanceOfficer
        );
        assert_eq!("action-lead".parse::<Role>().unwrap(), Role::ActionLead);
        assert_eq!("boss".parse::<Role>().unwrap_err().field, "role");
    }

    #[test]
    fn leads_update_only_their_own_actions() {
        let lead = Access::Member {
            role: Role::ActionLead,
            leads: Some(Title::parse("lead", "Director of Public Health").unwrap()),
        };
        assert!(lead.updates(&action("Director of Public Health")));
        assert!(!lead.updates(&action("Director of Adult Services")));
        assert!(!lead.edits_plans());
        let officer = Access::Member {
            role: Role::PerformanceOfficer,
            leads: None,
        };
        assert!(
            officer.updates(&action("anyone")) && officer.edits_plans() && !officer.administers()
        );
        let member = Access::Member {
            role: Role::Member,
            leads: None,
        };
        assert!(member.sees_unpublished() && !member.updates(&action("anyone")));
        assert!(!Access::Public.sees_unpublished() && !Access::Public.updates(&action("anyone")));
    }

    #[test]
    fn emails_and_passwords() {
        assert_eq!(
            "  Officer@Bromley.GOV.uk "
                .parse::<Email>()
                .unwrap()
                .as_str(),
            "officer@bromley.gov.uk"
        );
        for bad in ["", "no-at", "a@b", "a@@b.c", "a b@c.d", "@b.c"] {
            assert!(bad.parse::<Email>().is_err(), "{bad}");
        }
        assert!(Password::new("short").is_err());
        assert!(Password::new("correct horse battery").is_ok());
        assert!(
            !format!("{:?}", Password::new("correct horse battery").unwrap()).contains("horse")
        );
    }
}
