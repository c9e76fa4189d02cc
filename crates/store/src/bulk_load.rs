//! Whole bodies written at once: a body with its strategy, committees and
//! their record, portfolios with a plan per year (items, actions with
//! measures and lineage, an update per half-year) and accounts, in one
//! transaction per body, for data sets far too large for one write per
//! record (a national set holds millions of updates).
//!
//! The rows are the ones the ordinary writes leave: the same columns and
//! stored forms, the same checks (references in the body's scheme, targets
//! within the plan year, coherent updates), one "create" audit event per
//! record holding the record as created (as an import's do, with the
//! load's reason), and the search index and data version kept by the
//! database's own triggers. Each record is stamped with the time it would
//! have been written, worked out from its dates (a plan when it was made,
//! an update when it was reported, a meeting's minutes a week after it),
//! so the same records give the same rows.
//!
//! Only the way in differs: rows go many to a prepared statement on
//! SQLite and through `COPY` on PostgreSQL, over a connection of the
//! engine's own driver (sqlx's `Any` driver has no `COPY`), with ids given
//! by the loader. The ids are read inside each body's transaction, which
//! holds SQLite's write lock or, on PostgreSQL, locks the tables it gives
//! ids in against other writers (readers go on), and PostgreSQL's identity
//! sequences are moved past them before it commits.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, SecondsFormat, Utc};
use domain::{
    Action, ActionDetails, AgendaItem, Ambition, Body, Commitment, CommitmentStatus, Committee,
    CommitteeMember, Email, Fate, FinancialYear, Half, ItemRef, LevelNames, Measure, Meeting,
    NewResolution, ParseError, Plan, PlanItem, PlanStatus, Portfolio, PortfolioCode, Question,
    ReportingPeriod, Resolution, Role, Strategy, StrategyYears, TargetDate, Text, Title, Update,
    UpdateInput, UpdateState,
};
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};

use crate::import::created_text;
use crate::{
    CommitteeDetails, DatabaseLocation, Engine, MeetingDetails, MemberDetails, Membership, NewBody,
    PeriodRecord, Store, StoreError, User,
};

/// A whole body to write: everything it holds, each part in the order it
/// is numbered and referred to by position (a portfolio's committee is an
/// index into `committees`, an action's lineage an index into the
/// previous year's plan).
#[derive(Debug, Clone)]
pub struct BodyRecord {
    /// The body.
    pub body: NewBody,
    /// When it was set up: its own, its strategy's, committees', portfolios'
    /// and accounts' records are stamped with this time.
    pub set_up: DateTime<Utc>,
    /// Its strategy and ambitions.
    pub strategy: StrategyRecord,
    /// Its committees with their members, meetings and what was said there.
    pub committees: Vec<CommitteeRecord>,
    /// Its portfolios with their plans.
    pub portfolios: Vec<PortfolioRecord>,
    /// Accounts with a role in the body, all with the loader's password.
    pub accounts: Vec<AccountRecord>,
}

/// A strategy and its ambitions, numbered from 1 in order.
#[derive(Debug, Clone)]
pub struct StrategyRecord {
    /// Its title.
    pub title: Title,
    /// The years it runs.
    pub years: StrategyYears,
    /// The ambitions' wording; ambition `n` is `ambitions[n - 1]`.
    pub ambitions: Vec<Title>,
    /// Whether the ambitions are illustrative (invented, not from a record).
    pub illustrative: bool,
}

/// A committee and its record.
#[derive(Debug, Clone)]
pub struct CommitteeRecord {
    /// Its name and clerk.
    pub details: CommitteeDetails,
    /// Its members and co-opted members.
    pub members: Vec<MemberDetails>,
    /// Its meetings.
    pub meetings: Vec<MeetingRecord>,
}

/// A meeting and its agenda.
#[derive(Debug, Clone)]
pub struct MeetingRecord {
    /// When, where, whether held and published.
    pub details: MeetingDetails,
    /// Its agenda items, in order.
    pub items: Vec<AgendaItemRecord>,
}

/// An agenda item, its minutes and what they record.
#[derive(Debug, Clone)]
pub struct AgendaItemRecord {
    /// "7".
    pub number: Title,
    /// The item's title.
    pub title: Title,
    /// The report it considers (may be empty).
    pub report_ref: String,
    /// The plan the report covers.
    pub plan: Option<PlanAt>,
    /// The half the report covers.
    pub half: Option<Half>,
    /// The minutes (empty until written).
    pub minutes: String,
    /// Questions members asked.
    pub questions: Vec<QuestionRecord>,
    /// What officers promised.
    pub commitments: Vec<CommitmentRecord>,
    /// What the committee resolved.
    pub resolutions: Vec<NewResolution>,
}

/// A plan of the body: its portfolio's position and its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanAt {
    /// The portfolio, an index into [`BodyRecord::portfolios`].
    pub portfolio: usize,
    /// The plan's year.
    pub year: FinancialYear,
}

/// An action of the body: its plan and its position in the plan's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionAt {
    /// The plan.
    pub plan: PlanAt,
    /// An index into the plan's [`PlanRecord::actions`].
    pub action: usize,
}

/// A question asked at a meeting.
#[derive(Debug, Clone)]
pub struct QuestionRecord {
    /// Who asked.
    pub asker: Option<Title>,
    /// Who answered.
    pub responder: Option<Title>,
    /// The action it was about.
    pub action: Option<ActionAt>,
    /// The sentences it came from.
    pub source: Text,
}

/// A promise made at a meeting, as it stands.
#[derive(Debug, Clone)]
pub struct CommitmentRecord {
    /// The promise as written.
    pub text: Text,
    /// Who promised it.
    pub owner: Option<Title>,
    /// The latest date it is due by.
    pub due_by: Option<TargetDate>,
    /// The words the due date came from.
    pub due_text: String,
    /// The action it concerns.
    pub action: Option<ActionAt>,
    /// Open, delivered or withdrawn.
    pub status: CommitmentStatus,
    /// How it was delivered, or why withdrawn (empty while open).
    pub delivery_note: String,
    /// When it was closed (none while open).
    pub closed_on: Option<NaiveDate>,
    /// The sentence it came from.
    pub source: Text,
}

/// A portfolio and its plans.
#[derive(Debug, Clone)]
pub struct PortfolioRecord {
    /// Its code.
    pub code: PortfolioCode,
    /// Its name.
    pub name: Title,
    /// Its committee, an index into [`BodyRecord::committees`].
    pub committee: Option<usize>,
    /// Its plans, one a year, earliest first.
    pub plans: Vec<PlanRecord>,
}

/// A portfolio's plan for one year, as it stands.
#[derive(Debug, Clone)]
pub struct PlanRecord {
    /// The year.
    pub year: FinancialYear,
    /// Draft, approved or superseded.
    pub status: PlanStatus,
    /// When the committee approved it.
    pub approved_on: Option<NaiveDate>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was made: its items, actions and measures are stamped with it.
    pub made: DateTime<Utc>,
    /// Its items, parents before their children.
    pub items: Vec<ItemRecord>,
    /// Its actions.
    pub actions: Vec<ActionRecord>,
    /// Its reporting periods, as opened (and closed).
    pub periods: Vec<HalfRecord>,
}

/// An item of a plan's tree.
#[derive(Debug, Clone)]
pub struct ItemRecord {
    /// The item above, an index into the plan's items; none at the top.
    pub parent: Option<usize>,
    /// For a top-level item, the number of the ambition it stands for.
    pub ambition: Option<u16>,
    /// Its reference in the body's scheme.
    pub reference: Option<ItemRef>,
    /// Its wording.
    pub title: Title,
    /// Whether it is illustrative.
    pub illustrative: bool,
}

/// An action with its measures, lineage, fate and updates.
#[derive(Debug, Clone)]
pub struct ActionRecord {
    /// The item it sits under, an index into the plan's items (of the lowest level).
    pub item: usize,
    /// What describes it.
    pub details: ActionDetails,
    /// Its measures of success.
    pub measures: Vec<Measure>,
    /// The action it continues, an index into the actions of the same
    /// portfolio's plan for the year before.
    pub continues: Option<usize>,
    /// What the refresh into the next year did with it.
    pub fate: Option<Fate>,
    /// Its updates, one per half at most.
    pub updates: Vec<UpdateRecord>,
}

/// One update. In `input.actuals`, `measure_id` is the position of the
/// indicator in its action's [`ActionRecord::measures`].
#[derive(Debug, Clone)]
pub struct UpdateRecord {
    /// The half of the plan's year it reports on.
    pub half: Half,
    /// What was reported.
    pub input: UpdateInput,
    /// Where it is in sign-off.
    pub state: UpdateState,
    /// When it was written.
    pub at: DateTime<Utc>,
}

/// A reporting period of a plan, as opened and perhaps closed.
#[derive(Debug, Clone)]
pub struct HalfRecord {
    /// Which half.
    pub half: Half,
    /// When updates were due.
    pub deadline: NaiveDate,
    /// How many days before the deadline reminders went out.
    pub reminder_days: u16,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it was closed, if it was.
    pub closed_at: Option<DateTime<Utc>>,
}

/// An account with a role in the body.
#[derive(Debug, Clone)]
pub struct AccountRecord {
    /// Sign-in address.
    pub email: Email,
    /// The person's name.
    pub name: Title,
    /// Their role in the body.
    pub role: Role,
    /// For action leads: the lead role on the actions they lead.
    pub lead_role: Option<Title>,
}

/// How many rows a write put in each table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    /// Rows by table, in the order written.
    pub tables: Vec<(&'static str, u64)>,
}

impl Written {
    /// Rows written in all.
    pub fn total(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }

    /// Rows written in `table`.
    pub fn of(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, n)| n)
            .sum()
    }

    /// Add `other`'s counts to these.
    pub fn add(&mut self, other: &Written) {
        for (table, n) in &other.tables {
            match self.tables.iter_mut().find(|(t, _)| t == table) {
                Some((_, m)) => *m += n,
                None => self.tables.push((table, *n)),
            }
        }
    }
}

/// A connection of the engine's own driver.
enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Writes whole bodies, one transaction each.
pub struct BulkLoader {
    conn: Conn,
    actor: String,
    reason: String,
    password_hash: Option<String>,
}

impl std::fmt::Debug for BulkLoader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkLoader")
            .field("actor", &self.actor)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// The tables given ids by the loader (every table written, but the audit
/// trail and the tables keyed by their parents).
const ID_TABLES: [&str; 19] = [
    "bodies",
    "strategies",
    "ambitions",
    "committees",
    "committee_members",
    "portfolios",
    "plans",
    "reporting_periods",
    "plan_items",
    "actions",
    "measures",
    "updates",
    "meetings",
    "agenda_items",
    "resolutions",
    "questions",
    "commitments",
    "users",
    "memberships",
];

/// The rows per statement on SQLite: many, but well under its 32,766
/// parameters.
const SQLITE_PARAMS: usize = 24_000;
const SQLITE_ROWS: usize = 500;

/// How much `COPY` data is sent to PostgreSQL at a time.
const COPY_CHUNK: usize = 1 << 20;

impl BulkLoader {
    /// Open the database at `location` (creating and migrating it as
    /// `ambit init` does) for bulk writes by `actor`, audited with
    /// `reason`; accounts get `password_hash` (an argon2 PHC string, made
    /// once for them all).
    pub async fn open(
        location: &DatabaseLocation,
        actor: &str,
        reason: &str,
        password_hash: Option<String>,
    ) -> Result<Self, StoreError> {
        let store = Store::open(location).await?;
        store.close().await;
        let url = location.url()?;
        let connect_error = |source| StoreError::Connect {
            location: location.to_string(),
            source,
        };
        let conn = match location.engine() {
            Engine::Sqlite => {
                let options: SqliteConnectOptions = url.parse().map_err(connect_error)?;
                let options = options
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sqlx::sqlite::SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(std::time::Duration::from_secs(30))
                    .pragma("temp_store", "MEMORY")
                    // The pages a body's rows and indexes touch stay cached.
                    .pragma("cache_size", "-65536");
                Conn::Sqlite(
                    SqliteConnection::connect_with(&options)
                        .await
                        .map_err(connect_error)?,
                )
            }
            Engine::Postgres => {
                Conn::Postgres(PgConnection::connect(&url).await.map_err(connect_error)?)
            }
        };
        Ok(Self {
            conn,
            actor: actor.to_owned(),
            reason: reason.to_owned(),
            password_hash,
        })
    }

    /// Write `record` in one transaction: all of it, or (refused, or on
    /// any failure) none of it. A record that breaks a rule the ordinary
    /// writes keep is refused before anything is written.
    pub async fn write(&mut self, record: &BodyRecord) -> Result<Written, StoreError> {
        check(record)?;
        self.insert(record, None).await
    }

    /// Write each of `records` as [`BulkLoader::write`] does, telling
    /// `progress` of each. The rows of the next record are made on another
    /// thread while this one is written, with the ids it will have if
    /// nothing else writes meanwhile; should something else have written,
    /// they are made again with the ids there are.
    pub async fn write_all(
        &mut self,
        records: impl IntoIterator<Item = BodyRecord>,
        mut progress: impl FnMut(&Written),
    ) -> Result<Written, StoreError> {
        let mut records = records.into_iter();
        let mut total = Written::default();
        let Some(first) = records.next() else {
            return Ok(total);
        };
        let guess = self.max_ids().await?;
        let mut pending = Some(self.prepare(first, guess));
        while let Some(made) = pending.take() {
            let prepared = match made.join() {
                Ok(prepared) => prepared?,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            if let Some(next) = records.next() {
                pending = Some(self.prepare(next, prepared.after.clone()));
            }
            let written = self
                .insert(&prepared.record, Some((prepared.base, prepared.tables)))
                .await?;
            total.add(&written);
            progress(&written);
        }
        Ok(total)
    }

    /// Check `record` and make its rows with ids from `base`, on a thread of its own.
    fn prepare(
        &self,
        record: BodyRecord,
        base: Ids,
    ) -> std::thread::JoinHandle<Result<Prepared, StoreError>> {
        let (actor, reason, hash) = (
            self.actor.clone(),
            self.reason.clone(),
            self.password_hash.clone(),
        );
        std::thread::spawn(move || {
            check(&record)?;
            let (tables, after) = build(&record, base.clone(), &actor, &reason, hash.as_deref())?;
            Ok(Prepared {
                record,
                base,
                tables,
                after,
            })
        })
    }

    /// The next free ids, read outside any transaction: a guess for
    /// [`BulkLoader::write_all`] to make rows with ahead of time.
    async fn max_ids(&mut self) -> Result<Ids, StoreError> {
        let sql = max_ids_sql();
        match &mut self.conn {
            Conn::Sqlite(conn) => next_ids(&sqlx::query(&sql).fetch_one(conn).await?),
            Conn::Postgres(conn) => next_ids(&sqlx::query(&sql).fetch_one(conn).await?),
        }
    }

    /// Write `record` in one transaction, with `made`'s rows when they were
    /// made with the ids the transaction finds free.
    async fn insert(
        &mut self,
        record: &BodyRecord,
        made: Option<(Ids, Tables)>,
    ) -> Result<Written, StoreError> {
        let (actor, reason, hash) = (
            self.actor.as_str(),
            self.reason.as_str(),
            self.password_hash.as_deref(),
        );
        let rows = |ids: Ids| match made {
            Some((base, tables)) if base == ids => Ok(tables),
            _ => build(record, ids, actor, reason, hash).map(|(tables, _)| tables),
        };
        match &mut self.conn {
            Conn::Sqlite(conn) => {
                let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
                for (sql, key) in taken_sql(record, "?") {
                    if sqlx::query(&sql)
                        .bind(&key.1)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some()
                    {
                        return Err(key.0);
                    }
                }
                let row = sqlx::query(&max_ids_sql()).fetch_one(&mut *tx).await?;
                let tables = rows(next_ids(&row)?)?;
                let written = tables.written();
                for table in tables.into_order() {
                    insert_sqlite(&mut tx, table).await?;
                }
                tx.commit().await?;
                Ok(written)
            }
            Conn::Postgres(conn) => {
                let mut tx = conn.begin().await?;
                sqlx::query(&format!(
                    "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
                    ID_TABLES.join(", ")
                ))
                .execute(&mut *tx)
                .await?;
                for (sql, key) in taken_sql(record, "$1") {
                    if sqlx::query(&sql)
                        .bind(&key.1)
                        .fetch_optional(&mut *tx)
                        .await?
                        .is_some()
                    {
                        return Err(key.0);
                    }
                }
                let row = sqlx::query(&max_ids_sql()).fetch_one(&mut *tx).await?;
                let tables = rows(next_ids(&row)?)?;
                let written = tables.written();
                for table in tables.into_order() {
                    copy_postgres(&mut tx, &table).await?;
                }
                for table in ID_TABLES {
                    sqlx::query(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))"
                    ))
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(written)
            }
        }
    }

    /// Finish: refresh the planner's statistics for the tables written,
    /// so pages read the new data with good plans at once, and close.
    pub async fn finish(self) -> Result<(), StoreError> {
        match self.conn {
            Conn::Sqlite(mut conn) => {
                sqlx::query("ANALYZE").execute(&mut conn).await?;
                conn.close().await?;
            }
            Conn::Postgres(mut conn) => {
                sqlx::query("ANALYZE").execute(&mut conn).await?;
                conn.close().await?;
            }
        }
        Ok(())
    }
}

/// Queries that find the record's body slug or an account's email already
/// taken (with `param` as the placeholder), each with the refusal to give.
fn taken_sql(record: &BodyRecord, param: &str) -> Vec<(String, (StoreError, String))> {
    let mut out = vec![(
        format!("SELECT id FROM bodies WHERE slug = {param} AND deleted_at IS NULL"),
        (
            StoreError::Duplicate {
                entity: "body",
                key: record.body.slug.to_string(),
                field: "slug",
            },
            record.body.slug.to_string(),
        ),
    )];
    for a in &record.accounts {
        out.push((
            format!("SELECT id FROM users WHERE email = {param} AND deleted_at IS NULL"),
            (
                StoreError::Duplicate {
                    entity: "user",
                    key: a.email.to_string(),
                    field: "email",
                },
                a.email.to_string(),
            ),
        ));
    }
    out
}

/// The query for the largest id of each table in [`ID_TABLES`], in order.
fn max_ids_sql() -> String {
    let columns = ID_TABLES
        .iter()
        .map(|t| format!("(SELECT COALESCE(MAX(id), 0) FROM {t})"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("SELECT {columns}")
}

/// The next free id of each table, from the row of [`max_ids_sql`].
fn next_ids<R: Row>(row: &R) -> Result<Ids, StoreError>
where
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Type<R::Database> + for<'r> sqlx::Decode<'r, R::Database>,
{
    let mut next = HashMap::new();
    for (i, table) in ID_TABLES.iter().enumerate() {
        let max: i64 = row.try_get(i)?;
        next.insert(*table, max + 1);
    }
    Ok(Ids { next })
}

/// A record's rows made ahead of its transaction, with the ids they
/// assumed and the ids the next record would then have.
struct Prepared {
    record: BodyRecord,
    base: Ids,
    tables: Tables,
    after: Ids,
}

/// The next id to give in each table.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ids {
    next: HashMap<&'static str, i64>,
}

impl Ids {
    fn take(&mut self, table: &'static str) -> i64 {
        let next = self.next.get_mut(table).expect("an id table");
        let id = *next;
        *next += 1;
        id
    }
}

/// One value of a row.
#[derive(Debug, Clone)]
enum Cell {
    Int(i64),
    Real(f64),
    Text(String),
    Null,
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Real(v)
    }
}

impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Int(i64::from(v))
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_owned())
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Null, Into::into)
    }
}

/// The rows of one table, in its columns' order.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    cells: Vec<Cell>,
}

impl Table {
    fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            name,
            columns,
            cells: Vec::new(),
        }
    }

    fn push<const N: usize>(&mut self, row: [Cell; N]) {
        debug_assert_eq!(N, self.columns.len(), "a row of {}", self.name);
        self.cells.extend(row);
    }

    fn rows(&self) -> usize {
        self.cells.len() / self.columns.len()
    }
}

/// Every table a body's write fills, in the order they are written
/// (each after the tables it refers to).
struct Tables {
    bodies: Table,
    strategies: Table,
    ambitions: Table,
    committees: Table,
    committee_members: Table,
    portfolios: Table,
    plans: Table,
    reporting_periods: Table,
    plan_items: Table,
    actions: Table,
    measures: Table,
    measure_targets: Table,
    updates: Table,
    measure_actuals: Table,
    meetings: Table,
    agenda_items: Table,
    resolutions: Table,
    questions: Table,
    commitments: Table,
    users: Table,
    memberships: Table,
    audit_events: Table,
}

impl Tables {
    fn new() -> Self {
        Self {
            bodies: Table::new(
                "bodies",
                &[
                    "id",
                    "slug",
                    "name",
                    "level_names",
                    "rag_mapping",
                    "reference_scheme",
                    "created_at",
                    "updated_at",
                ],
            ),
            strategies: Table::new(
                "strategies",
                &[
                    "id",
                    "body_id",
                    "title",
                    "first_year",
                    "last_year",
                    "created_at",
                    "updated_at",
                ],
            ),
            ambitions: Table::new(
                "ambitions",
                &[
                    "id",
                    "strategy_id",
                    "number",
                    "title",
                    "illustrative",
                    "created_at",
                    "updated_at",
                ],
            ),
            committees: Table::new(
                "committees",
                &["id", "body_id", "name", "clerk", "created_at", "updated_at"],
            ),
            committee_members: Table::new(
                "committee_members",
                &[
                    "id",
                    "committee_id",
                    "name",
                    "role",
                    "term_from",
                    "term_to",
                    "created_at",
                    "updated_at",
                ],
            ),
            portfolios: Table::new(
                "portfolios",
                &[
                    "id",
                    "body_id",
                    "code",
                    "name",
                    "committee_id",
                    "created_at",
                    "updated_at",
                ],
            ),
            plans: Table::new(
                "plans",
                &[
                    "id",
                    "portfolio_id",
                    "year",
                    "status",
                    "approved_on",
                    "published_at",
                    "created_at",
                    "updated_at",
                ],
            ),
            reporting_periods: Table::new(
                "reporting_periods",
                &[
                    "id",
                    "plan_id",
                    "half",
                    "state",
                    "deadline",
                    "reminder_days",
                    "opened_at",
                    "closed_at",
                ],
            ),
            plan_items: Table::new(
                "plan_items",
                &[
                    "id",
                    "plan_id",
                    "parent_id",
                    "depth",
                    "ambition_id",
                    "reference",
                    "title",
                    "position",
                    "illustrative",
                    "created_at",
                    "updated_at",
                ],
            ),
            actions: Table::new(
                "actions",
                &[
                    "id",
                    "plan_id",
                    "item_id",
                    "reference",
                    "reference_key",
                    "title",
                    "lead",
                    "directorate",
                    "target",
                    "continues_id",
                    "illustrative",
                    "position",
                    "fate",
                    "fate_reason",
                    "created_at",
                    "updated_at",
                ],
            ),
            measures: Table::new(
                "measures",
                &[
                    "id",
                    "action_id",
                    "position",
                    "kind",
                    "text",
                    "unit",
                    "direction",
                    "baseline",
                    "created_at",
                ],
            ),
            measure_targets: Table::new(
                "measure_targets",
                &["measure_id", "year", "half", "value"],
            ),
            updates: Table::new(
                "updates",
                &[
                    "id",
                    "action_id",
                    "year",
                    "half",
                    "status",
                    "commentary",
                    "percent",
                    "key_achievement",
                    "author",
                    "illustrative",
                    "state",
                    "created_at",
                    "updated_at",
                ],
            ),
            measure_actuals: Table::new("measure_actuals", &["update_id", "measure_id", "value"]),
            meetings: Table::new(
                "meetings",
                &[
                    "id",
                    "committee_id",
                    "held_on",
                    "venue",
                    "status",
                    "published",
                    "created_at",
                    "updated_at",
                ],
            ),
            agenda_items: Table::new(
                "agenda_items",
                &[
                    "id",
                    "meeting_id",
                    "number",
                    "title",
                    "report_ref",
                    "plan_id",
                    "half",
                    "minutes",
                    "created_at",
                    "updated_at",
                ],
            ),
            resolutions: Table::new(
                "resolutions",
                &["id", "agenda_item_id", "text", "outcome", "created_at"],
            ),
            questions: Table::new(
                "questions",
                &[
                    "id",
                    "agenda_item_id",
                    "asker",
                    "responder",
                    "action_id",
                    "source",
                    "created_at",
                ],
            ),
            commitments: Table::new(
                "commitments",
                &[
                    "id",
                    "agenda_item_id",
                    "text",
                    "owner",
                    "due_by",
                    "due_text",
                    "action_id",
                    "status",
                    "delivery_note",
                    "closed_on",
                    "source",
                    "created_at",
                    "updated_at",
                ],
            ),
            users: Table::new(
                "users",
                &[
                    "id",
                    "email",
                    "name",
                    "password_hash",
                    "created_at",
                    "updated_at",
                ],
            ),
            memberships: Table::new(
                "memberships",
                &[
                    "id",
                    "user_id",
                    "body_id",
                    "role",
                    "lead_role",
                    "created_at",
                ],
            ),
            audit_events: Table::new(
                "audit_events",
                &[
                    "body_id",
                    "actor",
                    "at",
                    "entity",
                    "entity_id",
                    "operation",
                    "after",
                ],
            ),
        }
    }

    fn in_order(&self) -> [&Table; 22] {
        [
            &self.bodies,
            &self.strategies,
            &self.ambitions,
            &self.committees,
            &self.committee_members,
            &self.portfolios,
            &self.plans,
            &self.reporting_periods,
            &self.plan_items,
            &self.actions,
            &self.measures,
            &self.measure_targets,
            &self.updates,
            &self.measure_actuals,
            &self.meetings,
            &self.agenda_items,
            &self.resolutions,
            &self.questions,
            &self.commitments,
            &self.users,
            &self.memberships,
            &self.audit_events,
        ]
    }

    fn into_order(self) -> [Table; 22] {
        [
            self.bodies,
            self.strategies,
            self.ambitions,
            self.committees,
            self.committee_members,
            self.portfolios,
            self.plans,
            self.reporting_periods,
            self.plan_items,
            self.actions,
            self.measures,
            self.measure_targets,
            self.updates,
            self.measure_actuals,
            self.meetings,
            self.agenda_items,
            self.resolutions,
            self.questions,
            self.commitments,
            self.users,
            self.memberships,
            self.audit_events,
        ]
    }

    fn written(&self) -> Written {
        Written {
            tables: self
                .in_order()
                .iter()
                .map(|t| (t.name, t.rows() as u64))
                .collect(),
        }
    }
}

/// A time as stored: UTC RFC 3339 with microseconds.
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `day` at `hour` o'clock, UTC.
fn at_hour(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("a valid hour"))
        .and_utc()
}

fn invalid(
    field: &'static str,
    value: impl Into<String>,
    expected: impl Into<String>,
) -> StoreError {
    StoreError::Invalid(ParseError::new(field, value, expected))
}

/// Refuse a record that breaks a rule the ordinary writes keep, before
/// anything is written.
fn check(record: &BodyRecord) -> Result<(), StoreError> {
    let levels: &LevelNames = &record.body.level_names;
    let scheme = record.body.reference_scheme;
    let ambitions = record.strategy.ambitions.len();
    let mut names = HashSet::new();
    for c in &record.committees {
        if !names.insert(c.details.name.as_str().to_lowercase()) {
            return Err(StoreError::Duplicate {
                entity: "committee",
                key: c.details.name.to_string(),
                field: "name",
            });
        }
    }
    let mut codes = HashSet::new();
    for p in &record.portfolios {
        if !codes.insert(p.code.as_str().to_owned()) {
            return Err(StoreError::Duplicate {
                entity: "portfolio",
                key: p.code.to_string(),
                field: "code",
            });
        }
        if p.committee.is_some_and(|c| c >= record.committees.len()) {
            return Err(invalid(
                "committee",
                p.code.to_string(),
                "a committee of the body",
            ));
        }
        let mut previous: Option<&PlanRecord> = None;
        for plan in &p.plans {
            if previous.is_some_and(|b| b.year >= plan.year) {
                return Err(invalid(
                    "plan",
                    format!("{} {}", p.code, plan.year),
                    "plans in order of their years, one a year",
                ));
            }
            check_plan(plan, previous, levels, scheme, ambitions)?;
            previous = Some(plan);
        }
    }
    let plan_of = |at: &PlanAt| {
        record
            .portfolios
            .get(at.portfolio)
            .and_then(|p| p.plans.iter().find(|plan| plan.year == at.year))
    };
    let action_ok = |at: &Option<ActionAt>| {
        at.is_none_or(|a| plan_of(&a.plan).is_some_and(|p| a.action < p.actions.len()))
    };
    for c in &record.committees {
        for m in &c.meetings {
            for item in &m.items {
                if item.plan.as_ref().is_some_and(|p| plan_of(p).is_none()) {
                    return Err(invalid(
                        "plan",
                        item.title.to_string(),
                        "a plan of the body",
                    ));
                }
                if !item.questions.iter().all(|q| action_ok(&q.action))
                    || !item.commitments.iter().all(|k| action_ok(&k.action))
                {
                    return Err(invalid(
                        "action",
                        item.title.to_string(),
                        "an action of the body",
                    ));
                }
                for k in &item.commitments {
                    if (k.status == CommitmentStatus::Open) != k.closed_on.is_none() {
                        return Err(invalid(
                            "closed on",
                            k.text.to_string(),
                            "a day for a closed promise, none for an open one",
                        ));
                    }
                }
            }
        }
    }
    let mut emails = HashSet::new();
    for a in &record.accounts {
        if !emails.insert(a.email.as_str()) {
            return Err(StoreError::Duplicate {
                entity: "user",
                key: a.email.to_string(),
                field: "email",
            });
        }
    }
    Ok(())
}

/// The depth of each item of a plan, checking each parent comes first.
fn depths(items: &[ItemRecord]) -> Result<Vec<usize>, StoreError> {
    let mut out: Vec<usize> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let depth = match item.parent {
            None => 0,
            Some(p) if p < i => out[p] + 1,
            Some(p) => {
                return Err(invalid(
                    "parent",
                    p.to_string(),
                    "an item listed before its children",
                ));
            }
        };
        out.push(depth);
    }
    Ok(out)
}

fn check_plan(
    plan: &PlanRecord,
    previous: Option<&PlanRecord>,
    levels: &LevelNames,
    scheme: domain::ReferenceScheme,
    ambitions: usize,
) -> Result<(), StoreError> {
    let depths = depths(&plan.items)?;
    for (item, depth) in plan.items.iter().zip(&depths) {
        if *depth >= levels.item_depths() {
            return Err(invalid(
                "parent",
                item.title.to_string(),
                format!("an item above the {} level", levels.action()),
            ));
        }
        match (item.parent, item.ambition) {
            (None, Some(n)) if (1..=ambitions).contains(&usize::from(n)) => {}
            (None, _) => {
                return Err(invalid(
                    "ambition",
                    item.title.to_string(),
                    format!(
                        "an ambition of the strategy for each top-level {}",
                        levels.name(0)
                    ),
                ));
            }
            (Some(_), _) => {}
        }
        if let Some(reference) = &item.reference {
            let parent = item.parent.and_then(|p| plan.items[p].reference.as_ref());
            scheme.check_item(reference, parent)?;
        }
    }
    let lowest = levels.item_depths() - 1;
    let mut keys = HashSet::new();
    for action in &plan.actions {
        let d = &action.details;
        let Some(depth) = depths.get(action.item) else {
            return Err(invalid(
                "item",
                d.reference.to_string(),
                "an item of the plan",
            ));
        };
        if *depth != lowest {
            return Err(invalid(
                "item",
                d.reference.to_string(),
                format!(
                    "an item at the {} level (actions sit under the lowest level)",
                    levels.name(lowest)
                ),
            ));
        }
        d.check_under(scheme, plan.items[action.item].reference.as_ref())?;
        Action::check_target_in(d, plan.year)?;
        if !keys.insert(d.reference.key().to_owned()) {
            return Err(StoreError::Duplicate {
                entity: "action",
                key: d.reference.to_string(),
                field: "reference",
            });
        }
        if let Some(c) = action.continues {
            let ok =
                previous.is_some_and(|p| p.year == plan.year.previous() && c < p.actions.len());
            if !ok {
                return Err(invalid(
                    "continues",
                    d.reference.to_string(),
                    "an action of the same portfolio's plan for the year before",
                ));
            }
        }
        let mut halves = HashSet::new();
        for u in &action.updates {
            if !halves.insert(u.half) {
                return Err(StoreError::Duplicate {
                    entity: "update",
                    key: format!(
                        "{} {}",
                        d.reference,
                        ReportingPeriod::new(plan.year, u.half)
                    ),
                    field: "period",
                });
            }
            let input = u.input.clone().validate()?;
            for a in &input.actuals {
                let indicator = usize::try_from(a.measure_id.get())
                    .ok()
                    .and_then(|m| action.measures.get(m))
                    .is_some_and(|m| matches!(m, Measure::Indicator(_)));
                if !indicator {
                    return Err(invalid(
                        "actual",
                        a.measure_id.to_string(),
                        "the position of one of the action's indicators",
                    ));
                }
            }
        }
    }
    let mut halves = HashSet::new();
    for period in &plan.periods {
        if !halves.insert(period.half) {
            return Err(invalid(
                "reporting period",
                ReportingPeriod::new(plan.year, period.half).to_string(),
                "each half opened once",
            ));
        }
    }
    Ok(())
}

/// What the rows need beyond the record: the loader's actor, reason and
/// password hash, and the audit trail being gathered.
struct Build<'a> {
    body_id: i64,
    actor: &'a str,
    reason: &'a str,
    audit: Vec<(DateTime<Utc>, &'static str, i64, String)>,
}

impl Build<'_> {
    /// The creation of `entity` `id` at `at`, as `record`.
    fn created<T: serde::Serialize>(
        &mut self,
        at: DateTime<Utc>,
        entity: &'static str,
        id: i64,
        record: &T,
    ) {
        self.audit
            .push((at, entity, id, created_text(record, self.reason)));
    }
}

/// Every row of `record`, with ids from `ids`; and the ids left for the next.
fn build(
    record: &BodyRecord,
    mut ids: Ids,
    actor: &str,
    reason: &str,
    password_hash: Option<&str>,
) -> Result<(Tables, Ids), StoreError> {
    let mut t = Tables::new();
    let body_id = ids.take("bodies");
    let mut b = Build {
        body_id,
        actor,
        reason,
        audit: Vec::new(),
    };
    let set_up = record.set_up;
    let set_up_text = stamp(set_up);
    let new = &record.body;
    let levels: Vec<String> = new.level_names.clone().into();
    t.bodies.push([
        body_id.into(),
        new.slug.as_str().into(),
        new.name.as_str().into(),
        serde_json::to_string(&levels)
            .expect("strings serialise")
            .into(),
        serde_json::to_string(&new.rag)
            .expect("mapping serialises")
            .into(),
        new.reference_scheme.as_str().into(),
        set_up_text.clone().into(),
        set_up_text.clone().into(),
    ]);
    b.created(
        set_up,
        "body",
        body_id,
        &Body {
            id: domain::BodyId::new(body_id),
            slug: new.slug.clone(),
            name: new.name.clone(),
            level_names: new.level_names.clone(),
            rag: new.rag.clone(),
            reference_scheme: new.reference_scheme,
            version: domain::Version::FIRST,
        },
    );

    // The strategy and its ambitions.
    let s = &record.strategy;
    let strategy_id = ids.take("strategies");
    t.strategies.push([
        strategy_id.into(),
        body_id.into(),
        s.title.as_str().into(),
        i64::from(s.years.first).into(),
        i64::from(s.years.last).into(),
        set_up_text.clone().into(),
        set_up_text.clone().into(),
    ]);
    b.created(
        set_up,
        "strategy",
        strategy_id,
        &Strategy {
            id: domain::StrategyId::new(strategy_id),
            title: s.title.clone(),
            years: s.years,
            ambitions: vec![],
            version: domain::Version::FIRST,
        },
    );
    let mut ambition_ids = Vec::with_capacity(s.ambitions.len());
    for (i, title) in s.ambitions.iter().enumerate() {
        let id = ids.take("ambitions");
        let number = u16::try_from(i + 1)
            .map_err(|_| invalid("ambition", i.to_string(), "at most 65,535 ambitions"))?;
        t.ambitions.push([
            id.into(),
            strategy_id.into(),
            i64::from(number).into(),
            title.as_str().into(),
            s.illustrative.into(),
            set_up_text.clone().into(),
            set_up_text.clone().into(),
        ]);
        b.created(
            set_up,
            "ambition",
            id,
            &Ambition {
                id: domain::AmbitionId::new(id),
                number,
                title: title.clone(),
                illustrative: s.illustrative,
            },
        );
        ambition_ids.push(id);
    }

    // Committees and their members (their meetings come once the plans
    // they consider have ids).
    let mut committee_ids = Vec::with_capacity(record.committees.len());
    for c in &record.committees {
        let id = ids.take("committees");
        let clerk = c.details.clerk.as_ref().map_or("", |c| c.as_str());
        t.committees.push([
            id.into(),
            body_id.into(),
            c.details.name.as_str().into(),
            clerk.into(),
            set_up_text.clone().into(),
            set_up_text.clone().into(),
        ]);
        b.created(
            set_up,
            "committee",
            id,
            &Committee {
                id: domain::CommitteeId::new(id),
                body_id: domain::BodyId::new(body_id),
                name: c.details.name.to_string(),
                clerk: clerk.to_owned(),
                version: domain::Version::FIRST,
            },
        );
        for m in &c.members {
            let member_id = ids.take("committee_members");
            t.committee_members.push([
                member_id.into(),
                id.into(),
                m.name.as_str().into(),
                m.role.as_str().into(),
                m.term_from.map(|d| d.to_string()).into(),
                m.term_to.map(|d| d.to_string()).into(),
                set_up_text.clone().into(),
                set_up_text.clone().into(),
            ]);
            b.created(
                set_up,
                "committee member",
                member_id,
                &CommitteeMember {
                    id: domain::CommitteeMemberId::new(member_id),
                    committee_id: domain::CommitteeId::new(id),
                    name: m.name.to_string(),
                    role: m.role,
                    term_from: m.term_from,
                    term_to: m.term_to,
                    version: domain::Version::FIRST,
                },
            );
        }
        committee_ids.push(id);
    }

    // Portfolios and their plans.
    let mut plan_ids: HashMap<(usize, FinancialYear), i64> = HashMap::new();
    let mut action_ids: HashMap<(usize, FinancialYear), Vec<i64>> = HashMap::new();
    for (pi, p) in record.portfolios.iter().enumerate() {
        let portfolio_id = ids.take("portfolios");
        let committee_id = p.committee.map(|c| committee_ids[c]);
        t.portfolios.push([
            portfolio_id.into(),
            body_id.into(),
            p.code.as_str().into(),
            p.name.as_str().into(),
            committee_id.into(),
            set_up_text.clone().into(),
            set_up_text.clone().into(),
        ]);
        b.created(
            set_up,
            "portfolio",
            portfolio_id,
            &Portfolio {
                id: domain::PortfolioId::new(portfolio_id),
                body_id: domain::BodyId::new(body_id),
                code: p.code.clone(),
                name: p.name.clone(),
                committee: p
                    .committee
                    .map(|c| record.committees[c].details.name.clone()),
                version: domain::Version::FIRST,
            },
        );
        let mut previous: Vec<i64> = Vec::new();
        for plan in &p.plans {
            let ids_of_plan = plan_rows(
                &mut t,
                &mut b,
                &mut ids,
                portfolio_id,
                plan,
                &ambition_ids,
                &previous,
            )?;
            plan_ids.insert((pi, plan.year), ids_of_plan.0);
            previous = ids_of_plan.1.clone();
            action_ids.insert((pi, plan.year), ids_of_plan.1);
        }
    }

    // Meetings, their agendas and what their minutes record.
    let action_id =
        |at: &Option<ActionAt>| at.map(|a| action_ids[&(a.plan.portfolio, a.plan.year)][a.action]);
    for (c, committee_id) in record.committees.iter().zip(&committee_ids) {
        for m in &c.meetings {
            let meeting_id = ids.take("meetings");
            let d = &m.details;
            let made = at_hour(d.held_on - Duration::days(42), 9);
            let minuted = at_hour(d.held_on + Duration::days(7), 10);
            t.meetings.push([
                meeting_id.into(),
                (*committee_id).into(),
                d.held_on.to_string().into(),
                d.venue.trim().into(),
                d.status.as_str().into(),
                d.published.into(),
                stamp(made).into(),
                stamp(made).into(),
            ]);
            b.created(
                made,
                "meeting",
                meeting_id,
                &Meeting {
                    id: domain::MeetingId::new(meeting_id),
                    committee_id: domain::CommitteeId::new(*committee_id),
                    held_on: d.held_on,
                    venue: d.venue.trim().to_owned(),
                    status: d.status,
                    published: d.published,
                    version: domain::Version::FIRST,
                },
            );
            for item in &m.items {
                let item_id = ids.take("agenda_items");
                let plan_id = item.plan.map(|p| plan_ids[&(p.portfolio, p.year)]);
                let changed = if item.minutes.is_empty() {
                    made
                } else {
                    minuted
                };
                t.agenda_items.push([
                    item_id.into(),
                    meeting_id.into(),
                    item.number.as_str().into(),
                    item.title.as_str().into(),
                    item.report_ref.trim().into(),
                    plan_id.into(),
                    item.half.map(|h| h.to_string()).into(),
                    item.minutes.as_str().into(),
                    stamp(made).into(),
                    stamp(changed).into(),
                ]);
                b.created(
                    made,
                    "agenda item",
                    item_id,
                    &AgendaItem {
                        id: domain::AgendaItemId::new(item_id),
                        meeting_id: domain::MeetingId::new(meeting_id),
                        number: item.number.to_string(),
                        title: item.title.to_string(),
                        report_ref: item.report_ref.trim().to_owned(),
                        plan_id: plan_id.map(domain::PlanId::new),
                        half: item.half,
                        minutes: item.minutes.clone(),
                        version: domain::Version::FIRST,
                    },
                );
                for r in &item.resolutions {
                    let id = ids.take("resolutions");
                    t.resolutions.push([
                        id.into(),
                        item_id.into(),
                        r.text.as_str().into(),
                        r.outcome.as_str().into(),
                        stamp(minuted).into(),
                    ]);
                    b.created(
                        minuted,
                        "resolution",
                        id,
                        &Resolution {
                            id: domain::ResolutionId::new(id),
                            agenda_item_id: domain::AgendaItemId::new(item_id),
                            text: r.text.to_string(),
                            outcome: r.outcome,
                        },
                    );
                }
                for q in &item.questions {
                    let id = ids.take("questions");
                    let action = action_id(&q.action);
                    t.questions.push([
                        id.into(),
                        item_id.into(),
                        q.asker.as_ref().map(Title::as_str).into(),
                        q.responder.as_ref().map(Title::as_str).into(),
                        action.into(),
                        q.source.as_str().into(),
                        stamp(minuted).into(),
                    ]);
                    b.created(
                        minuted,
                        "question",
                        id,
                        &Question {
                            id: domain::QuestionId::new(id),
                            agenda_item_id: domain::AgendaItemId::new(item_id),
                            asker: q.asker.as_ref().map(ToString::to_string),
                            responder: q.responder.as_ref().map(ToString::to_string),
                            action_id: action.map(domain::ActionId::new),
                            source: q.source.to_string(),
                        },
                    );
                }
                for k in &item.commitments {
                    let id = ids.take("commitments");
                    let action = action_id(&k.action);
                    let changed = k.closed_on.map_or(minuted, |d| at_hour(d, 10));
                    t.commitments.push([
                        id.into(),
                        item_id.into(),
                        k.text.as_str().into(),
                        k.owner.as_ref().map(Title::as_str).into(),
                        k.due_by.map(TargetDate::to_iso).into(),
                        k.due_text.trim().into(),
                        action.into(),
                        k.status.as_str().into(),
                        k.delivery_note.as_str().into(),
                        k.closed_on.map(|d| d.to_string()).into(),
                        k.source.as_str().into(),
                        stamp(minuted).into(),
                        stamp(changed).into(),
                    ]);
                    b.created(
                        minuted,
                        "commitment",
                        id,
                        &Commitment {
                            id: domain::CommitmentId::new(id),
                            agenda_item_id: domain::AgendaItemId::new(item_id),
                            text: k.text.to_string(),
                            owner: k.owner.as_ref().map(ToString::to_string),
                            due_by: k.due_by,
                            due_text: k.due_text.trim().to_owned(),
                            action_id: action.map(domain::ActionId::new),
                            status: k.status,
                            delivery_note: k.delivery_note.clone(),
                            closed_on: k.closed_on,
                            delivered_by_item_id: None,
                            source: k.source.to_string(),
                            version: domain::Version::FIRST,
                        },
                    );
                }
            }
        }
    }

    // Accounts.
    for a in &record.accounts {
        let user_id = ids.take("users");
        t.users.push([
            user_id.into(),
            a.email.as_str().into(),
            a.name.as_str().into(),
            password_hash.into(),
            set_up_text.clone().into(),
            set_up_text.clone().into(),
        ]);
        b.audit.push((
            set_up,
            "user",
            user_id,
            created_text(
                &User {
                    id: user_id,
                    email: a.email.clone(),
                    name: a.name.clone(),
                },
                reason,
            ),
        ));
        let membership_id = ids.take("memberships");
        t.memberships.push([
            membership_id.into(),
            user_id.into(),
            body_id.into(),
            a.role.as_str().into(),
            a.lead_role.as_ref().map(Title::as_str).into(),
            set_up_text.clone().into(),
        ]);
        b.created(
            set_up,
            "membership",
            membership_id,
            &Membership {
                body_id: domain::BodyId::new(body_id),
                body_slug: new.slug.to_string(),
                role: a.role,
                lead_role: a.lead_role.clone(),
            },
        );
    }

    // The audit trail, oldest first; accounts belong to no body.
    let Build {
        body_id,
        actor,
        mut audit,
        ..
    } = b;
    audit.sort_by_key(|(at, ..)| *at);
    for (at, entity, id, after) in audit {
        t.audit_events.push([
            if entity == "user" {
                Cell::Null
            } else {
                body_id.into()
            },
            actor.into(),
            stamp(at).into(),
            entity.into(),
            id.into(),
            "create".into(),
            after.into(),
        ]);
    }
    Ok((t, ids))
}

/// The rows of one plan; returns its id and its actions' ids in order.
fn plan_rows(
    t: &mut Tables,
    b: &mut Build<'_>,
    ids: &mut Ids,
    portfolio_id: i64,
    plan: &PlanRecord,
    ambition_ids: &[i64],
    previous: &[i64],
) -> Result<(i64, Vec<i64>), StoreError> {
    let plan_id = ids.take("plans");
    let made = plan.made;
    let made_text = stamp(made);
    let changed = [
        Some(made),
        plan.published_at,
        plan.approved_on.map(|d| at_hour(d, 17)),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(made);
    t.plans.push([
        plan_id.into(),
        portfolio_id.into(),
        i64::from(plan.year.start_year()).into(),
        plan.status.as_str().into(),
        plan.approved_on.map(|d| d.to_string()).into(),
        plan.published_at.map(stamp).into(),
        made_text.clone().into(),
        stamp(changed).into(),
    ]);
    b.created(
        made,
        "plan",
        plan_id,
        &Plan {
            id: domain::PlanId::new(plan_id),
            portfolio_id: domain::PortfolioId::new(portfolio_id),
            year: plan.year,
            alignments: vec![],
            published_at: plan.published_at,
            status: plan.status,
            approved_on: plan.approved_on,
            version: domain::Version::FIRST,
        },
    );
    for period in &plan.periods {
        let id = ids.take("reporting_periods");
        let opened = stamp(period.opened_at);
        let closed = period.closed_at.map(stamp);
        t.reporting_periods.push([
            id.into(),
            plan_id.into(),
            period.half.number().into(),
            if closed.is_some() { "closed" } else { "open" }.into(),
            period.deadline.to_string().into(),
            i64::from(period.reminder_days).into(),
            opened.clone().into(),
            closed.clone().into(),
        ]);
        b.created(
            period.opened_at,
            "reporting period",
            id,
            &PeriodRecord {
                id,
                plan_id: domain::PlanId::new(plan_id),
                half: period.half,
                open: closed.is_none(),
                deadline: period.deadline,
                reminder_days: period.reminder_days,
                opened_at: opened,
                closed_at: closed,
                version: domain::Version::FIRST,
            },
        );
    }

    // Items: positions count the plan's items of the same depth, as
    // adding them one by one does.
    let depths = depths(&plan.items)?;
    let mut item_ids = Vec::with_capacity(plan.items.len());
    let mut at_depth: HashMap<usize, i64> = HashMap::new();
    for (item, depth) in plan.items.iter().zip(&depths) {
        let id = ids.take("plan_items");
        let parent_id = item.parent.map(|p| item_ids[p]);
        let ambition_id = item
            .ambition
            .filter(|_| item.parent.is_none())
            .map(|n| ambition_ids[usize::from(n) - 1]);
        let position = at_depth.entry(*depth).or_default();
        *position += 1;
        t.plan_items.push([
            id.into(),
            plan_id.into(),
            parent_id.map(domain::PlanItemId::get).into(),
            (*depth as i64).into(),
            ambition_id.into(),
            item.reference.as_ref().map(ToString::to_string).into(),
            item.title.as_str().into(),
            (*position).into(),
            item.illustrative.into(),
            made_text.clone().into(),
            made_text.clone().into(),
        ]);
        b.created(
            made,
            "plan item",
            id,
            &PlanItem {
                id: domain::PlanItemId::new(id),
                parent_id,
                depth: *depth,
                ambition_id: ambition_id.map(domain::AmbitionId::new),
                reference: item.reference.clone(),
                title: item.title.clone(),
                illustrative: item.illustrative,
                version: domain::Version::FIRST,
            },
        );
        item_ids.push(domain::PlanItemId::new(id));
    }

    // Actions, their measures and targets; positions count the actions
    // under the same item, from 1.
    let mut action_ids = Vec::with_capacity(plan.actions.len());
    let mut under: HashMap<usize, i64> = HashMap::new();
    for action in &plan.actions {
        let id = ids.take("actions");
        let d = &action.details;
        let position = under.entry(action.item).or_default();
        *position += 1;
        let continues = action.continues.map(|c| previous[c]);
        let reason = match &action.fate {
            Some(Fate::Dropped { reason }) => Some(reason.to_string()),
            _ => None,
        };
        t.actions.push([
            id.into(),
            plan_id.into(),
            item_ids[action.item].get().into(),
            d.reference.to_string().into(),
            d.reference.key().into(),
            d.title.as_str().into(),
            d.lead.as_str().into(),
            d.directorate.as_ref().map(Title::as_str).into(),
            d.target.map(TargetDate::to_iso).into(),
            continues.into(),
            d.illustrative.into(),
            (*position).into(),
            action.fate.as_ref().map(Fate::kind).into(),
            reason.clone().into(),
            made_text.clone().into(),
            made_text.clone().into(),
        ]);
        let mut measure_ids = Vec::with_capacity(action.measures.len());
        for (position, m) in action.measures.iter().enumerate() {
            let measure_id = ids.take("measures");
            let (kind, text, unit, direction, baseline) = crate::plans::measure_columns(m);
            t.measures.push([
                measure_id.into(),
                id.into(),
                (position as i64).into(),
                kind.into(),
                text.into(),
                unit.into(),
                direction.into(),
                baseline.into(),
                made_text.clone().into(),
            ]);
            if let Measure::Indicator(i) = m {
                for target in &i.targets {
                    t.measure_targets.push([
                        measure_id.into(),
                        i64::from(target.year.start_year()).into(),
                        target.half.map(Half::number).unwrap_or(0).into(),
                        target.value.into(),
                    ]);
                }
            }
            measure_ids.push(measure_id);
        }
        b.created(
            made,
            "action",
            id,
            &Action {
                id: domain::ActionId::new(id),
                plan_id: domain::PlanId::new(plan_id),
                item_id: item_ids[action.item],
                details: d.clone(),
                measures: measure_ids
                    .iter()
                    .copied()
                    .map(domain::MeasureId::new)
                    .zip(action.measures.iter().cloned())
                    .collect(),
                continues: continues.map(domain::ActionId::new),
                outcome: action
                    .fate
                    .as_ref()
                    .map(|f| (f.kind().to_owned(), reason.clone())),
                version: domain::Version::FIRST,
            },
        );
        for u in &action.updates {
            let update_id = ids.take("updates");
            let input = &u.input;
            let at = stamp(u.at);
            t.updates.push([
                update_id.into(),
                id.into(),
                i64::from(plan.year.start_year()).into(),
                u.half.number().into(),
                input.status.as_str().into(),
                input.commentary.as_str().into(),
                input.percent.map(i64::from).into(),
                input.key_achievement.into(),
                input.author.as_str().into(),
                input.illustrative.into(),
                u.state.as_str().into(),
                at.clone().into(),
                at.into(),
            ]);
            let mut stored = input.clone();
            for actual in &mut stored.actuals {
                let measure_id = measure_ids[actual.measure_id.get() as usize];
                t.measure_actuals
                    .push([update_id.into(), measure_id.into(), actual.value.into()]);
                actual.measure_id = domain::MeasureId::new(measure_id);
            }
            b.created(
                u.at,
                "update",
                update_id,
                &Update {
                    id: domain::UpdateId::new(update_id),
                    action_id: domain::ActionId::new(id),
                    period: ReportingPeriod::new(plan.year, u.half),
                    input: stored,
                    state: u.state,
                    returned_comment: None,
                    created_at: u.at,
                    updated_at: u.at,
                    version: domain::Version::FIRST,
                    published: None,
                },
            );
        }
        action_ids.push(id);
    }
    Ok((plan_id, action_ids))
}

/// Insert `table`'s rows on SQLite, many to a prepared statement (its
/// text moved into the statement's arguments, not copied).
async fn insert_sqlite(conn: &mut SqliteConnection, table: Table) -> Result<(), StoreError> {
    let Table {
        name,
        columns,
        cells,
    } = table;
    let width = columns.len();
    let per = (SQLITE_PARAMS / width).clamp(1, SQLITE_ROWS);
    let row = format!("({})", vec!["?"; width].join(", "));
    let mut cells = cells.into_iter().peekable();
    while cells.peek().is_some() {
        let chunk: Vec<Cell> = cells.by_ref().take(per * width).collect();
        let sql = format!(
            "INSERT INTO {name} ({}) VALUES {}",
            columns.join(", "),
            vec![row.as_str(); chunk.len() / width].join(", ")
        );
        let mut q = sqlx::query(&sql);
        for cell in chunk {
            q = match cell {
                Cell::Int(v) => q.bind(v),
                Cell::Real(v) => q.bind(v),
                Cell::Text(v) => q.bind(v),
                Cell::Null => q.bind(None::<i64>),
            };
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `COPY` `table`'s rows into PostgreSQL (text format).
async fn copy_postgres(conn: &mut PgConnection, table: &Table) -> Result<(), StoreError> {
    if table.cells.is_empty() {
        return Ok(());
    }
    let width = table.columns.len();
    let mut copy = conn
        .copy_in_raw(&format!(
            "COPY {} ({}) FROM STDIN",
            table.name,
            table.columns.join(", ")
        ))
        .await?;
    let mut buf = String::with_capacity(COPY_CHUNK + 4096);
    for row in table.cells.chunks(width) {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                buf.push('\t');
            }
            copy_text(&mut buf, cell);
        }
        buf.push('\n');
        if buf.len() >= COPY_CHUNK {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// One value in `COPY`'s text format.
fn copy_text(buf: &mut String, cell: &Cell) {
    use std::fmt::Write as _;
    match cell {
        Cell::Int(v) => {
            let _ = write!(buf, "{v}");
        }
        Cell::Real(v) => {
            let _ = write!(buf, "{v}");
        }
        Cell::Null => buf.push_str("\\N"),
        Cell::Text(s) => {
            for c in s.chars() {
                match c {
                    '\\' => buf.push_str("\\\\"),
                    '\t' => buf.push_str("\\t"),
                    '\n' => buf.push_str("\\n"),
                    '\r' => buf.push_str("\\r"),
                    c => buf.push(c),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_the_format_treats_specially() {
        let mut buf = String::new();
        copy_text(&mut buf, &Cell::Text("a\tb\nc\\d\re".into()));
        assert_eq!(buf, "a\\tb\\nc\\\\d\\re");
        buf.clear();
        copy_text(&mut buf, &Cell::Null);
        copy_text(&mut buf, &Cell::Real(0.5));
        copy_text(&mut buf, &Cell::Int(-3));
        assert_eq!(buf, "\\N0.5-3");
    }

    #[test]
    fn written_counts_add_up_by_table() {
        let mut a = Written {
            tables: vec![("updates", 4), ("actions", 2)],
        };
        a.add(&Written {
            tables: vec![("updates", 1), ("plans", 1)],
        });
        assert_eq!(a.of("updates"), 5);
        assert_eq!(a.total(), 8);
    }
}
