//! A plan to import: the tree, actions and updates read from a file and
//! parsed into domain types at the edge, with what is needed to create the
//! body, strategy and portfolio when the database has none yet. The store
//! writes it in one transaction (`Store::import_plan`).

use serde::{Deserialize, Serialize};

use crate::{
    ActionDetails, ActionRef, AlignmentKind, ItemRef, LevelNames, Measure, Percent, PlanStatus,
    PortfolioCode, RagMapping, ReferenceScheme, ReportingPeriod, Slug, Status, StrategyYears, Text,
    Title,
};

/// An item of the imported tree (an ambition, priority, statement, … by
/// the body's level names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportItem {
    /// Its level: 0 for the top.
    pub depth: usize,
    /// Its reference in the body's scheme, if it has one. At the top level
    /// a number names the strategy's ambition ("2" for Ambition 2).
    pub reference: Option<ItemRef>,
    /// Its wording.
    pub title: Title,
    /// The item above: an index into [`PlanImport::items`].
    pub parent: Option<usize>,
}

/// An imported action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportAction {
    /// Reference, title, lead, directorate, target.
    pub details: ActionDetails,
    /// Its measures of success, in order.
    pub measures: Vec<Measure>,
    /// The item it sits under: an index into [`PlanImport::items`].
    pub item: usize,
    /// The reference of the previous year's action it continues.
    pub continues: Option<ActionRef>,
}

/// One imported update: an action's progress in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportUpdate {
    /// The action's reference.
    pub action: ActionRef,
    /// The half-year reported on.
    pub period: ReportingPeriod,
    /// The status.
    pub status: Status,
    /// The commentary (may be empty).
    pub commentary: Text,
    /// How far through the action is.
    pub percent: Option<Percent>,
    /// One of the period's key achievements.
    pub key_achievement: bool,
    /// Who wrote it; the action's lead when not given.
    pub author: Option<Title>,
    /// Figures by indicator name (as in the action's measures).
    pub actuals: Vec<(String, f64)>,
}

/// A plan's own state as an export records it: its status, the day it was
/// approved and when it was published. An import sets it on the plan it
/// creates and never changes it on a plan already there (it reports a
/// difference instead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanState {
    /// Draft, approved or superseded.
    pub status: PlanStatus,
    /// The day the committee approved it.
    pub approved_on: Option<chrono::NaiveDate>,
    /// When it was published; none while unpublished.
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A programme or strategy an imported plan is aligned with, found among
/// the body's by name (ignoring case) or created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportAlignment {
    /// Its name.
    pub name: Title,
    /// Programme or strategy.
    pub kind: AlignmentKind,
    /// Its document's address (http or https).
    pub url: Option<String>,
}

/// A whole plan to import.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanImport {
    /// The tree's items, each parent before its children.
    pub items: Vec<ImportItem>,
    /// The actions.
    pub actions: Vec<ImportAction>,
    /// The updates.
    pub updates: Vec<ImportUpdate>,
    /// The plan's status, approval and publication, when the file says
    /// (an export's About part): set on a plan the import creates, compared
    /// with a plan already there. None: a new plan is a draft, unpublished.
    #[serde(default)]
    pub state: Option<PlanState>,
    /// The programmes and strategies the plan is aligned with, when the
    /// file says: linked to a plan the import creates, compared with a plan
    /// already there.
    #[serde(default)]
    pub alignments: Option<Vec<ImportAlignment>>,
    /// The file's plan is example content: every record the import
    /// creates (ambitions, plan items, actions, updates) is marked
    /// illustrative.
    #[serde(default)]
    pub illustrative: bool,
}

/// The strategy to create with its ambitions when the body has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetupStrategy {
    /// Its title.
    pub title: Title,
    /// The years it runs.
    pub years: StrategyYears,
    /// Its ambitions: number and wording.
    pub ambitions: Vec<(u16, Title)>,
}

/// What an export says about where its plan belongs, so that an import
/// into a database without them creates the body, strategy, ambitions,
/// portfolio and committee first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSetup {
    /// The body's short name.
    pub body_slug: Slug,
    /// The body's full name.
    pub body_name: Title,
    /// Its reference scheme.
    pub reference_scheme: ReferenceScheme,
    /// Its level names.
    pub level_names: LevelNames,
    /// Its RAG mapping.
    pub rag: RagMapping,
    /// Its strategy, if it has one.
    pub strategy: Option<SetupStrategy>,
    /// The portfolio's code.
    pub portfolio_code: PortfolioCode,
    /// The portfolio's name.
    pub portfolio_name: Title,
    /// The committee that scrutinises it.
    pub committee: Option<Title>,
}
