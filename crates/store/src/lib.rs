//! Ambit's persistence: one [`Store`] over SQLite (embedded, the default) or
//! PostgreSQL (for many bodies), chosen at run time by the database address.
//!
//! - Queries are written once, in SQL both engines accept, and run through
//!   sqlx's `Any` driver; the few places the engines differ (opening a
//!   write transaction, backup) branch on [`Engine`].
//! - Each engine has its own migration folder (`migrations/sqlite`,
//!   `migrations/postgres`) with the same numbered steps; they are applied
//!   when the store opens.
//! - Every write is one transaction that also appends an audit event
//!   (actor, time, entity, before and after as JSON). Deletes are soft.
//!   Editable records carry a version: a save based on a stale version is
//!   refused with [`StoreError::Conflict`].
//! - Values read back are parsed into domain types again, so a bad stored
//!   value is reported, never passed on.

mod accounts;
mod audit;
mod backup;
mod bulk;
mod bulk_load;
mod covers;
mod cycle;
mod error;
mod home;
mod import;
mod location;
mod moderngov;
mod open_record;
mod org;
mod outbox;
mod packs;
mod people;
mod plans;
mod refresh;
mod rows;
mod scrutiny;
mod search;
mod sign_in;
mod sso;
mod updates;
mod uploads;

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use accounts::{AccountStatus, ApiToken, Person, TokensOf};
pub use audit::AuditEvent;
pub use backup::BackupSummary;
pub use bulk_load::{
    AccountRecord, ActionAt, ActionRecord, AgendaItemRecord, BodyRecord, BulkLoader,
    CommitmentRecord, CommitteeRecord, HalfRecord, ItemRecord, MeetingRecord, PlanAt, PlanRecord,
    PortfolioRecord, QuestionRecord, StrategyRecord, UpdateRecord, Written,
};
pub use covers::SavedCover;
pub use cycle::PeriodRecord;
pub use error::{Outage, StoreError};
pub use home::{Attention, Chased, CommitteeMeeting, OpenWork, PlanAttention};
pub use import::{ImportChange, ImportCounts, ImportDiff, ImportTarget, PlanDifference};
pub use location::DatabaseLocation;
pub use moderngov::{
    Attendee, ItemDocument, MeetingExtras, MeetingWrite, MinutesForReview, ModernGovSite, Outcome,
    PdfMinutes, QueuedMinutes, SyncCommittee, SyncItem, SyncMeeting, SyncRun,
};
pub use open_record::{FeedUpdate, PublicRecord, Stamps};
pub use org::{NewBody, PlanSummary};
pub use outbox::OutboxMessage;
pub use packs::{
    NewPack, PACK_FILE_BYTES, PACK_FILES, PackFile, PackMatch, PublishedPack, sha256_hex,
};
pub use people::{Membership, User};
pub use plans::{Continued, NewAction, NewItem};
pub use scrutiny::{
    Closing, Closure, CommitmentsOf, CommitteeDetails, LoggedCommitment, LoggedQuestion,
    MeetingDetails, MemberDetails, NewAgendaItem, ReviewedMinutes,
};
pub use search::{
    HitAction, HitMeeting, MARK_END, MARK_START, Marked, SearchHit, SearchKind, SearchResults,
    SearchScope,
};
pub use sign_in::SignInRules;
pub use sso::{SsoLogin, SsoProvider};
pub use updates::Recording;
pub use uploads::{ImportUpload, UPLOAD_TTL, UploadBounds, UploadKey};

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The database: every read and write Ambit makes goes through here.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    trees: std::sync::Arc<std::sync::Mutex<TreeCache>>,
    versions: std::sync::Arc<VersionReads>,
    amendment: Option<std::sync::Arc<domain::Text>>,
}

/// Reads of the data version shared between requests (see
/// `Store::data_version`): one read at a time, and a request takes the
/// answer of a read that started after it arrived, never an older one.
/// Under load many requests share one read instead of each making its own.
#[derive(Debug, Default)]
struct VersionReads {
    /// How many reads have started.
    started: std::sync::atomic::AtomicU64,
    /// The last read to finish: its number (counting from 0) and answer.
    latest: tokio::sync::Mutex<Option<(u64, DataVersion)>>,
}

/// Plan trees already read, valid while no write has happened since: every
/// write appends an audit event in its transaction, so the newest audit
/// event's id stamps the state of the whole database, whichever process or
/// engine wrote it.
#[derive(Debug, Default)]
struct TreeCache {
    trees: std::collections::HashMap<i64, Kept<domain::PlanTree>>,
    views: std::collections::HashMap<(String, String, i32), Kept<PlanView>>,
}

/// A plan (or plan page) kept in memory, with where the data stood when it
/// was read: it is right while the data version is the same, or while
/// neither its body's writes nor writes belonging to no body have moved
/// (`Store::plan_tree`).
#[derive(Debug)]
struct Kept<T> {
    value: std::sync::Arc<T>,
    version: DataVersion,
    body_id: i64,
    body: BodyStamp,
}

impl TreeCache {
    /// Drop the plans and plan pages least lately used (the oldest data
    /// version they were last found right at) until at most `rows` rows
    /// are kept.
    fn keep_within(&mut self, rows: usize) {
        let size = |t: &domain::PlanTree| t.items.len() + t.actions.len() + t.updates.len();
        let mut kept: usize = self.trees.values().map(|k| size(&k.value)).sum::<usize>()
            + self
                .views
                .values()
                .map(|k| size(&k.value.tree))
                .sum::<usize>();
        while kept > rows {
            let tree = self
                .trees
                .iter()
                .min_by_key(|(_, k)| k.version)
                .map(|(id, k)| (k.version, *id));
            let view = self
                .views
                .iter()
                .min_by_key(|(_, k)| k.version)
                .map(|(key, k)| (k.version, key.clone()));
            let dropped = match (tree, view) {
                (Some((t, id)), Some((v, _))) if t <= v => {
                    self.trees.remove(&id).map(|k| size(&k.value))
                }
                (_, Some((_, key))) => self.views.remove(&key).map(|k| size(&k.value.tree)),
                (Some((_, id)), None) => self.trees.remove(&id).map(|k| size(&k.value)),
                (None, None) => break,
            };
            kept -= dropped.unwrap_or(0);
        }
    }
}

impl<T> Kept<T> {
    /// `value`, read when the data stood at `version` and its body
    /// `body_id` at `body`.
    fn new(value: std::sync::Arc<T>, version: DataVersion, body_id: i64, body: BodyStamp) -> Self {
        Self {
            value,
            version,
            body_id,
            body,
        }
    }

    /// The value, if it was found right at data version `now`.
    fn at(&self, now: DataVersion) -> Option<std::sync::Arc<T>> {
        (self.version == now).then(|| self.value.clone())
    }

    /// The value, if it is still right now that body `body_id` stands at
    /// `stamp`, marked as right at data version `now` (read before the
    /// stamp).
    fn confirm(
        &mut self,
        body_id: i64,
        stamp: BodyStamp,
        now: DataVersion,
    ) -> Option<std::sync::Arc<T>> {
        self.fresh(body_id, stamp).then(|| {
            self.version = now;
            self.value.clone()
        })
    }

    /// Whether it may still be right now that body `body_id` stands at
    /// `stamp`: always for another body's.
    fn fresh(&self, body_id: i64, stamp: BodyStamp) -> bool {
        self.body_id != body_id || self.body == stamp
    }
}

/// Where one body's data stands: how many writes have belonged to no body
/// and how many to this body (migration 0023). Equal stamps mean nothing
/// this body's pages show has been written in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BodyStamp {
    shared: i64,
    body: i64,
}

/// The version of all the data in the database ([`Store::data_version`]):
/// equal versions mean nothing has been written in between, by any process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DataVersion(i64);

/// A plan with the body and portfolio it belongs to, as the plan page shows it.
#[derive(Debug)]
pub struct PlanView {
    /// The body.
    pub body: domain::Body,
    /// The portfolio.
    pub portfolio: domain::Portfolio,
    /// The plan's whole tree.
    pub tree: std::sync::Arc<domain::PlanTree>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Open the database at `location`, creating a SQLite file if needed,
    /// and bring its schema up to date.
    pub async fn open(location: &DatabaseLocation) -> Result<Self, StoreError> {
        let store = Self::connect(location).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Open the database without migrating it.
    pub async fn connect(location: &DatabaseLocation) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let engine = location.engine();
        let url = location.url()?;
        let options: AnyConnectOptions = url.parse().map_err(|e| StoreError::Connect {
            location: location.to_string(),
            source: e,
        })?;
        // A connection still inside a transaction when it comes back (its
        // COMMIT refused, as when the disk is full) is closed, not pooled:
        // pooled, it would refuse every later write with "non-zero
        // transaction depth" until the server restarts (bench/faults).
        // How long a request waits for a connection. A PostgreSQL server
        // that is down is retried for this long before the request is
        // answered "unavailable", so it is short there; SQLite's writers
        // wait their turn for the file's lock (`busy_timeout`) instead.
        let acquire_timeout = match engine {
            Engine::Sqlite => Duration::from_secs(30),
            Engine::Postgres => Duration::from_secs(5),
        };
        let pool_options = AnyPoolOptions::new()
            .acquire_timeout(acquire_timeout)
            .after_release(|conn, _meta| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
            });
        let pool = match engine {
            // An embedded database's connection cannot have gone away:
            // pinging it on every checkout (sqlx's default) cost a round
            // trip to its thread on every request. A PostgreSQL connection
            // can (a restart), so it is still tested.
            Engine::Sqlite => {
                pool_options
                    .max_connections(8)
                    .test_before_acquire(false)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = FULL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 30000").await?;
                            conn.execute("PRAGMA temp_store = MEMORY").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
            }
            Engine::Postgres => pool_options.max_connections(16).connect_with(options).await,
        }
        .map_err(|e| StoreError::Connect {
            location: location.to_string(),
            source: e,
        })?;
        Ok(Self {
            pool,
            engine,
            trees: Default::default(),
            versions: Default::default(),
            amendment: None,
        })
    }

    /// Apply any migrations the database has not had yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Bring the schema up to migration `version` only (for tests of the
    /// migrations themselves: data written in an older schema).
    #[doc(hidden)]
    pub async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        let all = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        let migrator = sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(
                all.iter()
                    .filter(|m| m.version <= version)
                    .cloned()
                    .collect(),
            ),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Run SQL statements as they are (for tests of the migrations: writing
    /// rows in an older schema).
    #[doc(hidden)]
    pub async fn execute_unchecked(&self, sql: &str) -> Result<(), StoreError> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }

    /// The same store, for changes to approved plans: they are amendments,
    /// each audited as "amend" with `reason`. Without it the tree of an
    /// approved plan (its items, actions and alignments) does not change.
    pub fn amending(&self, reason: &domain::Text) -> Result<Store, StoreError> {
        if reason.is_empty() {
            return Err(StoreError::Invalid(domain::ParseError::new(
                "amendment",
                "",
                "the reason for amending the approved plan",
            )));
        }
        Ok(Store {
            amendment: Some(std::sync::Arc::new(reason.clone())),
            ..self.clone()
        })
    }

    /// The audit operation for a change (`op`) to the tree of a plan in `status`
    /// for `year`: `op` on a draft, "amend" on an approved plan when amending;
    /// refused otherwise.
    pub(crate) fn tree_change(
        &self,
        status: domain::PlanStatus,
        year: domain::FinancialYear,
        op: &'static str,
    ) -> Result<&'static str, StoreError> {
        match (status, &self.amendment) {
            (domain::PlanStatus::Draft, _) => Ok(op),
            (domain::PlanStatus::Approved, Some(_)) => Ok("amend"),
            (domain::PlanStatus::Approved, None) => Err(StoreError::PlanState {
                year: year.to_string(),
                state: "approved",
                hint: "a change to an approved plan is an amendment: give the reason for it",
            }),
            (domain::PlanStatus::Superseded, _) => Err(StoreError::PlanState {
                year: year.to_string(),
                state: "superseded",
                hint: "a superseded plan is the record of its year and does not change",
            }),
        }
    }

    /// `after` with the amendment's reason added, when amending.
    pub(crate) fn with_reason(&self, mut after: serde_json::Value) -> serde_json::Value {
        if let (Some(reason), Some(map)) = (&self.amendment, after.as_object_mut()) {
            map.insert(
                "amendment_reason".into(),
                serde_json::Value::String(reason.to_string()),
            );
        }
        after
    }

    /// The engine this store runs on.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The newest schema version this build knows.
    pub fn schema_version() -> i64 {
        SQLITE_MIGRATIONS
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0)
    }

    /// Close every connection, waiting for work in progress.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Begin a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`) so two writers queue rather than fail mid-way.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.pool.begin().await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_have_the_same_migration_steps() {
        let steps = |m: &sqlx::migrate::Migrator| {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(steps(&SQLITE_MIGRATIONS), steps(&POSTGRES_MIGRATIONS));
    }

    /// A kept plan of `rows` plan items, last found right at `version`.
    fn kept(id: i64, rows: usize, version: i64) -> Kept<domain::PlanTree> {
        let plan = domain::Plan {
            id: domain::PlanId::new(id),
            portfolio_id: domain::PortfolioId::new(1),
            year: "2024/25".parse().unwrap(),
            alignments: Vec::new(),
            published_at: None,
            status: domain::PlanStatus::Draft,
            approved_on: None,
            version: domain::Version::FIRST,
        };
        let items = (0..rows)
            .map(|i| domain::PlanItem {
                id: domain::PlanItemId::new(i as i64 + 1),
                parent_id: None,
                depth: 0,
                ambition_id: None,
                reference: None,
                title: domain::Title::try_from("An item".to_owned()).unwrap(),
                illustrative: false,
                version: domain::Version::FIRST,
            })
            .collect();
        Kept::new(
            std::sync::Arc::new(domain::PlanTree::new(plan, items, Vec::new(), Vec::new())),
            DataVersion(version),
            1,
            BodyStamp { shared: 0, body: 0 },
        )
    }

    #[test]
    fn the_plans_least_lately_used_go_first_past_the_bound() {
        let mut cache = TreeCache::default();
        cache.trees.insert(1, kept(1, 40, 5));
        cache.trees.insert(2, kept(2, 40, 3));
        cache.trees.insert(3, kept(3, 40, 9));
        cache.keep_within(120);
        assert_eq!(cache.trees.len(), 3, "within the bound, all stay");
        cache.keep_within(100);
        let mut left: Vec<i64> = cache.trees.keys().copied().collect();
        left.sort();
        assert_eq!(left, vec![1, 3], "the one used longest ago goes");
        cache.keep_within(0);
        assert!(cache.trees.is_empty());
    }

    #[test]
    fn a_body_s_stamp_keeps_its_plans_and_every_other_body_s() {
        let k = kept(1, 1, 1);
        let same = BodyStamp { shared: 0, body: 0 };
        let moved = BodyStamp { shared: 0, body: 1 };
        assert!(k.fresh(1, same));
        assert!(!k.fresh(1, moved), "its body has been written to");
        assert!(k.fresh(2, moved), "another body's writes leave it be");
        assert!(
            !k.fresh(1, BodyStamp { shared: 1, body: 0 }),
            "a write of no body's"
        );
    }
}
