use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::{
    ActionRef, FinancialYear, ItemRef, Measure, ParseError, RagMapping, ReferenceScheme,
    TargetDate, Title,
};

/// A short lower-case name used in addresses: "bromley".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Slug {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let s = raw.trim();
        let ok = (2..=40).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseError::new(
                "slug",
                raw,
                "2 to 40 lower-case letters, digits or hyphens, such as \"bromley\"",
            ))
        }
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Slug {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> Self {
        s.0
    }
}

/// The names of the levels of a body's plan tree, top to bottom.
///
/// The first level is linked to the strategy's ambitions and the last level
/// holds the actions. The default is Ambition → Priority → Statement → Action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct LevelNames(Vec<Title>);

impl Default for LevelNames {
    fn default() -> Self {
        Self(
            ["Ambition", "Priority", "Statement", "Action"]
                .iter()
                .map(|n| Title::parse("level name", n).expect("default names are valid"))
                .collect(),
        )
    }
}

impl LevelNames {
    /// Level names from a list of 2 to 6 distinct names.
    pub fn new(names: &[String]) -> Result<Self, ParseError> {
        let joined = names.join(", ");
        if !(2..=6).contains(&names.len()) {
            return Err(ParseError::new(
                "level names",
                joined,
                "2 to 6 names, top level first, actions last",
            ));
        }
        let titles = names
            .iter()
            .map(|n| Title::parse("level name", n))
            .collect::<Result<Vec<_>, _>>()?;
        if titles
            .iter()
            .enumerate()
            .any(|(i, t)| titles[..i].contains(t))
        {
            return Err(ParseError::new("level names", joined, "distinct names"));
        }
        Ok(Self(titles))
    }

    /// The name of the level at `depth` (0 = top).
    pub fn name(&self, depth: usize) -> &str {
        self.0.get(depth).map(Title::as_str).unwrap_or("Item")
    }

    /// The name of the action level.
    pub fn action(&self) -> &str {
        self.0.last().map(Title::as_str).unwrap_or("Action")
    }

    /// How many levels of items sit above the actions.
    pub fn item_depths(&self) -> usize {
        self.0.len() - 1
    }
}

impl TryFrom<Vec<String>> for LevelNames {
    type Error = ParseError;
    fn try_from(v: Vec<String>) -> Result<Self, Self::Error> {
        Self::new(&v)
    }
}

impl From<LevelNames> for Vec<String> {
    fn from(l: LevelNames) -> Self {
        l.0.into_iter().map(|t| t.to_string()).collect()
    }
}

/// An organisation that runs plans, e.g. a council. Nothing crosses bodies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Body {
    /// Store id.
    pub id: BodyId,
    /// Short name for addresses.
    pub slug: Slug,
    /// Full name: "London Borough of Bromley".
    pub name: Title,
    /// The names of the plan tree's levels.
    pub level_names: LevelNames,
    /// The colours statuses show.
    pub rag: RagMapping,
    /// How its actions and plan items are referenced.
    #[serde(default)]
    pub reference_scheme: ReferenceScheme,
    /// Optimistic-concurrency version.
    pub version: Version,
}

/// The years a strategy runs, e.g. 2021-2031.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StrategyYears {
    /// First calendar year.
    pub first: i32,
    /// Last calendar year.
    pub last: i32,
}

impl FromStr for StrategyYears {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let err = || {
            ParseError::new(
                "strategy years",
                raw,
                "two years such as 2021-2031, the first not after the second",
            )
        };
        let (a, b) = raw.trim().split_once(['-', '–', '/']).ok_or_else(err)?;
        let (first, last) = (
            a.trim().parse::<i32>().map_err(|_| err())?,
            b.trim().parse::<i32>().map_err(|_| err())?,
        );
        if a.trim().len() == 4
            && b.trim().len() == 4
            && first <= last
            && (1950..=2200).contains(&first)
            && last - first <= 50
        {
            Ok(Self { first, last })
        } else {
            Err(err())
        }
    }
}

impl fmt::Display for StrategyYears {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

impl TryFrom<String> for StrategyYears {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<StrategyYears> for String {
    fn from(y: StrategyYears) -> Self {
        y.to_string()
    }
}

/// A numbered ambition of a strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ambition {
    /// Store id.
    pub id: AmbitionId,
    /// Its number within the strategy: "Ambition 2".
    pub number: u16,
    /// Its wording.
    pub title: Title,
    /// Demo content not drawn from a real record.
    pub illustrative: bool,
}

/// A body's corporate strategy and its ambitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    /// Store id.
    pub id: StrategyId,
    /// "Making Bromley Even Better".
    pub title: Title,
    /// The years it runs.
    pub years: StrategyYears,
    /// Its ambitions, by number.
    pub ambitions: Vec<Ambition>,
    /// Optimistic-concurrency version.
    pub version: Version,
}

/// What sort of thing a plan is aligned with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlignmentKind {
    /// A programme of change, e.g. the Transformation Programme.
    Programme,
    /// A strategy, e.g. the Adult Social Care Strategy.
    Strategy,
}

impl AlignmentKind {
    /// "programme" or "strategy".
    pub fn as_str(self) -> &'static str {
        match self {
            AlignmentKind::Programme => "programme",
            AlignmentKind::Strategy => "strategy",
        }
    }
}

impl FromStr for AlignmentKind {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "programme" | "program" => Ok(AlignmentKind::Programme),
            "strategy" => Ok(AlignmentKind::Strategy),
            _ => Err(ParseError::new(
                "alignment kind",
                raw,
                "\"programme\" or \"strategy\"",
            )),
        }
    }
}

/// A programme or strategy that plans align with, with an optional link to its document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    /// Store id.
    pub id: AlignmentId,
    /// "Adult Social Care Strategy".
    pub name: Title,
    /// Programme or strategy.
    pub kind: AlignmentKind,
    /// Where its document is published (http or https).
    pub url: Option<String>,
}

impl Alignment {
    /// Check a document link is an http(s) address without spaces.
    pub fn parse_url(raw: &str) -> Result<String, ParseError> {
        let s = raw.trim();
        let ok = (s.starts_with("https://") || s.starts_with("http://"))
            && s.len() > "https://".len()
            && s.len() <= 2000
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(s.to_owned())
        } else {
            Err(ParseError::new(
                "url",
                raw,
                "an http:// or https:// address",
            ))
        }
    }
}

/// A portfolio's short code: "ACH".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PortfolioCode(String);

impl PortfolioCode {
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for PortfolioCode {
    type Err = ParseError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let s = raw.trim().to_ascii_uppercase();
        let ok = (2..=10).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_uppercase())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok {
            Ok(Self(s))
        } else {
            Err(ParseError::new(
                "portfolio",
                raw,
                "a portfolio code of 2 to 10 letters or digits, such as ACH",
            ))
        }
    }
}

impl fmt::Display for PortfolioCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PortfolioCode {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PortfolioCode> for String {
    fn from(c: PortfolioCode) -> Self {
        c.0
    }
}

/// A service area with a code and the committee that scrutinises it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    /// Store id.
    pub id: PortfolioId,
    /// The body it belongs to.
    pub body_id: BodyId,
    /// "ACH".
    pub code: PortfolioCode,
    /// "Adult Care and Health".
    pub name: Title,
    /// The committee's name, if one is set.
    pub committee: Option<Title>,
    /// Optimistic-concurrency version.
    pub version: Version,
}

/// A portfolio's plan for one financial year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Store id.
    pub id: PlanId,
    /// The portfolio.
    pub portfolio_id: PortfolioId,
    /// The year.
    pub year: FinancialYear,
    /// The programmes and strategies it is aligned with.
    pub alignments: Vec<Alignment>,
    /// When it was published (shown on public pages); none while unpublished.
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Draft, approved or superseded.
    pub status: crate::PlanStatus,
    /// The day the committee approved it.
    pub approved_on: Option<chrono::NaiveDate>,
    /// Optimistic-concurrency version.
    pub version: Version,
}

/// A node of the plan tree above the actions: an ambition, priority or
/// statement (with the default level names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    /// Store id.
    pub id: PlanItemId,
    /// The item above, none for the top level.
    pub parent_id: Option<PlanItemId>,
    /// 0 for the top level.
    pub depth: usize,
    /// For the top level: the strategy ambition it stands for.
    pub ambition_id: Option<AmbitionId>,
    /// Its reference in the body's scheme, when it has one (statements
    /// do: "10"; dotted: "1.2"; free: "CP2").
    pub reference: Option<ItemRef>,
    /// Its wording.
    pub title: Title,
    /// Demo content not drawn from a real record.
    pub illustrative: bool,
    /// Optimistic-concurrency version.
    pub version: Version,
}

impl PlanItem {
    /// The item's short name: its level and reference ("Ambition 2"), or
    /// its title when it has no reference.
    pub fn short_name(&self, levels: &LevelNames) -> String {
        match &self.reference {
            Some(n) => format!("{} {n}", levels.name(self.depth)),
            None => self.title.to_string(),
        }
    }
}

/// What describes an action; what an edit changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionDetails {
    /// "10A".
    pub reference: ActionRef,
    /// "Develop a new support offer to help and sustain unpaid carers including young carers".
    pub title: Title,
    /// The lead role: "Assistant Director for Integrated Commissioning".
    pub lead: Title,
    /// The leading directorate when another directorate leads.
    pub directorate: Option<Title>,
    /// When it is due.
    pub target: Option<TargetDate>,
    /// Demo content not drawn from a real record.
    pub illustrative: bool,
}

impl ActionDetails {
    /// Check the reference has the form of `scheme` and belongs under the
    /// item referenced `item`: "10A" under statement 10, "1.2.3" under
    /// "1.2"; a free code anywhere.
    pub fn check_under(
        &self,
        scheme: ReferenceScheme,
        item: Option<&ItemRef>,
    ) -> Result<(), ParseError> {
        scheme.check_action(&self.reference, item)
    }
}

/// A leaf of the plan tree: something the portfolio will do this year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    /// Store id.
    pub id: ActionId,
    /// The plan it belongs to.
    pub plan_id: PlanId,
    /// The plan item it sits under.
    pub item_id: PlanItemId,
    /// What describes it.
    #[serde(flatten)]
    pub details: ActionDetails,
    /// Its measures of success, with their store ids.
    pub measures: Vec<(MeasureId, Measure)>,
    /// The action in the previous year's plan that this one continues.
    pub continues: Option<ActionId>,
    /// What the yearly refresh did with it: "carried_forward", "completed"
    /// or "dropped" (with the reason); none before a refresh.
    pub outcome: Option<(String, Option<String>)>,
    /// Optimistic-concurrency version.
    pub version: Version,
}

impl Action {
    /// Plan years must contain the target: a target after the year's end is refused.
    pub fn check_target_in(details: &ActionDetails, year: FinancialYear) -> Result<(), ParseError> {
        match details.target {
            Some(t) if t.due_by() > year.last_day() || t.due_by() < year.first_day() => {
                Err(ParseError::new(
                    "target date",
                    t.to_string(),
                    format!("a date within the plan year {year} (1 April to 31 March)"),
                ))
            }
            _ => Ok(()),
        }
    }

    /// What this action lacks for a plan of `year` to be approved
    /// complete: a target date, and a target for `year` on each of its
    /// indicators. Empty when nothing is missing.
    pub fn approval_gaps(&self, year: FinancialYear) -> Vec<ApprovalGap> {
        let mut gaps = Vec::new();
        if self.details.target.is_none() {
            gaps.push(ApprovalGap::NoTargetDate);
        }
        for (_, m) in &self.measures {
            if let Measure::Indicator(i) = m
                && !i.targets.iter().any(|t| t.year == year)
            {
                gaps.push(ApprovalGap::NoTarget {
                    indicator: i.name.to_string(),
                });
            }
        }
        gaps
    }
}

/// Something an action lacks before its plan is approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "missing", rename_all = "snake_case")]
pub enum ApprovalGap {
    /// The action has no target date.
    NoTargetDate,
    /// An indicator has no target for the plan's year.
    NoTarget {
        /// The indicator's name.
        indicator: String,
    },
}

impl fmt::Display for ApprovalGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApprovalGap::NoTargetDate => f.write_str("no target date"),
            ApprovalGap::NoTarget { indicator } => {
                write!(
                    f,
                    "no target for this year on the indicator \"{indicator}\""
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_names_default_and_custom() {
        let d = LevelNames::default();
        assert_eq!(
            (d.name(0), d.name(2), d.action(), d.item_depths()),
            ("Ambition", "Statement", "Action", 3)
        );
        let custom = LevelNames::new(&["Outcome".into(), "Deliverable".into()]).unwrap();
        assert_eq!(custom.action(), "Deliverable");
        assert!(LevelNames::new(&["Only".into()]).is_err());
        assert!(LevelNames::new(&["A".into(), "A".into()]).is_err());
    }

    #[test]
    fn codes_slugs_and_years() {
        assert_eq!("ach".parse::<PortfolioCode>().unwrap().as_str(), "ACH");
        assert_eq!(
            "A-CH".parse::<PortfolioCode>().unwrap_err().field,
            "portfolio"
        );
        assert!("bromley".parse::<Slug>().is_ok());
        assert!("Bromley Council".parse::<Slug>().is_err());
        assert_eq!(
            "2021-2031".parse::<StrategyYears>().unwrap().to_string(),
            "2021-2031"
        );
        assert!("2031-2021".parse::<StrategyYears>().is_err());
        assert!(Alignment::parse_url("https://www.bromley.gov.uk/strategy").is_ok());
        assert!(Alignment::parse_url("javascript:alert(1)").is_err());
    }

    #[test]
    fn actions_sit_under_their_statement_and_within_their_year() {
        let details = ActionDetails {
            reference: "10A".parse().unwrap(),
            title: Title::parse("title", "Develop a new support offer").unwrap(),
            lead: Title::parse("lead", "Assistant Director for Integrated Commissioning").unwrap(),
            directorate: None,
            target: Some("January 2023".parse().unwrap()),
            illustrative: false,
        };
        let s = ReferenceScheme::Statement;
        assert!(details.check_under(s, Some(&"10".parse().unwrap())).is_ok());
        assert!(details.check_under(s, None).is_ok());
        assert_eq!(
            details
                .check_under(s, Some(&"9".parse().unwrap()))
                .unwrap_err()
                .field,
            "action reference"
        );
        assert!(details.check_under(ReferenceScheme::Dotted, None).is_err());
        assert!(Action::check_target_in(&details, "2022/23".parse().unwrap()).is_ok());
        assert_eq!(
            Action::check_target_in(&details, "2023/24".parse().unwrap())
                .unwrap_err()
                .field,
            "target date"
        );
    }
}
