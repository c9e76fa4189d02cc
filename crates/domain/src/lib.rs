//! Ambit's plan domain: the words of the glossary as Rust types, and the
//! rules between them.
//!
//! Everything that enters Ambit — a CLI argument, a web form field, a row of
//! an import file, a value read back from the database — is parsed into one
//! of these types once, at the edge. A value of a domain type is valid by
//! construction: a [`FinancialYear`] is always one April-to-March year, an
//! [`ActionRef`] is always a statement number with an optional letter, a
//! [`Percent`] is never 140.
//!
//! This crate does no I/O: it knows nothing of SQL, HTTP or files.

mod access;
mod action_ref;
mod cover;
mod cycle;
mod error;
mod ids;
mod import;
mod measure;
mod period;
mod plan;
mod refresh;
mod rollup;
mod scrutiny;
mod search;
mod status;
mod target_date;
mod text;
mod tree;
mod update;
mod year;

pub use access::{Access, Email, Password, Role};
pub use action_ref::{ActionRef, ItemRef, MAX_REFERENCE_LEN, ReferenceScheme, reference_key};
pub use cover::{ReportCover, ReportReference};
pub use cycle::{CloseCheck, OutsideCycle, Outstanding, TransitionError, Trend, UpdateState};
pub use error::ParseError;
pub use ids::{
    ActionId, AgendaItemId, AlignmentId, AmbitionId, BodyId, CommitmentId, CommitteeId,
    CommitteeMemberId, MeasureId, MeetingId, PlanId, PlanItemId, PortfolioId, QuestionId,
    ResolutionId, StrategyId, UpdateId, Version,
};
pub use import::{
    ImportAction, ImportAlignment, ImportItem, ImportSetup, ImportUpdate, PlanImport, PlanState,
    SetupStrategy,
};
pub use measure::{Direction, Indicator, Measure, MeasureTarget};
pub use period::{Half, ReportingPeriod};
pub use plan::{
    Action, ActionDetails, Alignment, AlignmentKind, Ambition, ApprovalGap, Body, LevelNames, Plan,
    PlanItem, Portfolio, PortfolioCode, Slug, Strategy, StrategyYears,
};
pub use refresh::{Fate, Outcome, PlanStatus, RefreshGroup, RefreshLine, RefreshReport};
pub use rollup::{ProgressExtent, RollUp};
pub use scrutiny::{
    AcceptedMinutes, AgendaItem, Commitment, CommitmentStatus, Committee, CommitteeMember, Meeting,
    MeetingStatus, MemberRole, NewCommitment, NewQuestion, NewResolution, Question, Resolution,
    ResolutionOutcome, ReviewedProposal, Standing, year_end_after,
};
pub use search::SearchQuery;
pub use status::{Rag, RagMapping, Status};
pub use target_date::{TargetDate, parse_day};
pub use text::{Text, Title};
pub use tree::PlanTree;
pub use update::{MeasureActual, Percent, Update, UpdateInput};
pub use year::FinancialYear;
