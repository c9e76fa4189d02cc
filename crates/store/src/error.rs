use domain::ParseError;

/// What can go wrong reading or writing the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A value given to the store is not valid.
    #[error("{0}")]
    Invalid(#[from] ParseError),
    /// A record asked for does not exist (or was deleted).
    #[error("{entity} {key} was not found{hint}")]
    NotFound {
        /// "portfolio", "action", ….
        entity: &'static str,
        /// How it was asked for.
        key: String,
        /// What to do next, starting with "; ", or empty.
        hint: String,
    },
    /// A record with the same unique key already exists.
    #[error("{entity} {key} already exists; choose another {field} or change the existing one")]
    Duplicate {
        /// "action", "plan", ….
        entity: &'static str,
        /// The key that clashed.
        key: String,
        /// The field to change.
        field: &'static str,
    },
    /// The record changed since it was read: someone else saved first.
    #[error(
        "someone else changed {entity} {key} since you read it (you had version {expected}, it is now version {current}); reload it and make your change again"
    )]
    Conflict {
        /// "action", "update", ….
        entity: &'static str,
        /// Which one.
        key: String,
        /// The version the save was based on.
        expected: i64,
        /// The version now stored.
        current: i64,
    },
    /// An update was given for a period its action's plan does not cover.
    #[error(
        "period: action {reference} belongs to the {plan_year} plan, so it cannot have an update for {period}; use a period of {plan_year} (H1 or H2)"
    )]
    NotInPeriod {
        /// The action's reference.
        reference: String,
        /// Its plan's year.
        plan_year: String,
        /// The period asked for.
        period: String,
    },
    /// A reporting period's updates are frozen.
    #[error(
        "period: {period} is closed, so its updates cannot change; a performance officer can record a correction, which keeps the earlier version in the history"
    )]
    Closed {
        /// The period.
        period: String,
    },
    /// A reporting period cannot be opened or closed in its present state.
    #[error("period: {period} is {state}; {hint}")]
    PeriodState {
        /// The period.
        period: String,
        /// "already open", "closed", "not open".
        state: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// A reporting period with outstanding updates was to be closed
    /// without the officer confirming it ([`domain::CloseCheck::allows_close`]).
    #[error(
        "period: {period} is not closed: {summary}, and its report would say “No update” for each; sign them off first, or confirm that the period closes without them"
    )]
    Unsettled {
        /// The period.
        period: String,
        /// What is outstanding ([`domain::CloseCheck::summary`]).
        summary: String,
    },
    /// A plan is not in the state the change needs.
    #[error("plan {year} is {state}; {hint}")]
    PlanState {
        /// The plan's year.
        year: String,
        /// "draft", "approved", "superseded", "already made".
        state: &'static str,
        /// What to do instead.
        hint: &'static str,
    },
    /// A commitment that is no longer open cannot be closed again.
    #[error(
        "commitment {id} is already {state}; only an open commitment can be marked delivered or withdrawn"
    )]
    CommitmentClosed {
        /// The commitment.
        id: i64,
        /// "delivered" or "withdrawn".
        state: &'static str,
    },
    /// An account or API token is not in the state the change needs.
    #[error("{entity} {key} {state}; {hint}")]
    AccountState {
        /// "account" or "API token".
        entity: &'static str,
        /// Which one (an email address or a token's id).
        key: String,
        /// "is already disabled", "is the last administrator of bromley", ….
        state: String,
        /// What to do instead.
        hint: &'static str,
    },
    /// The spreadsheets waiting to be imported for a body leave no room for
    /// another upload.
    #[error(
        "there is no room for this file: spreadsheets waiting to be imported for this body already take {}, and {} is the most kept at once; try again once they are imported or have expired ({} minutes after upload)",
        megabytes(*.held),
        megabytes(*.limit),
        crate::uploads::UPLOAD_TTL.as_secs() / 60
    )]
    UploadsFull {
        /// Bytes held now.
        held: u64,
        /// The most held at once.
        limit: u64,
    },
    /// A pack with this reference is already published in the body: a
    /// published pack never changes, so a revised one takes a new reference.
    #[error(
        "report reference: the pack {reference} was published at {published_at} and a published pack never changes; give the revised pack a new reference on the cover, like {reference}A"
    )]
    AlreadyPublished {
        /// The reference.
        reference: String,
        /// When the pack with it was published.
        published_at: String,
    },
    /// An update cannot move to the state asked for.
    #[error("{0}")]
    Transition(#[from] domain::TransitionError),
    /// Restoring would replace data that is already there.
    #[error(
        "the database at {location} already holds data; restoring would replace it. Add --force to replace it"
    )]
    WouldOverwrite {
        /// Where the database is.
        location: String,
    },
    /// A backup file cannot be used.
    #[error("backup file {path}: {reason}")]
    Backup {
        /// The file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A value read back from the database is not valid: the database was
    /// changed outside Ambit.
    #[error(
        "stored {entity} {id} holds an invalid value ({source}); the database was changed outside Ambit — restore a backup"
    )]
    Corrupt {
        /// Table.
        entity: &'static str,
        /// Row id.
        id: i64,
        /// What is wrong.
        source: ParseError,
    },
    /// The database location cannot be used.
    #[error("database {location}: {reason}")]
    Location {
        /// The location as given (without password).
        location: String,
        /// Why.
        reason: String,
    },
    /// The database could not be reached.
    #[error(
        "could not open the database at {location}: {source}; check the path or URL and that the server is running"
    )]
    Connect {
        /// The location (without password).
        location: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("could not update the database schema: {0}; restore a backup or use a newer Ambit")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database refused a statement or the connection failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

impl StoreError {
    /// Whether the error is the user's to correct (bad input, a missing or
    /// clashing record, a stale version) rather than a fault of the system.
    pub fn is_user_error(&self) -> bool {
        // Exhaustive, so that a new kind of error must be placed.
        match self {
            StoreError::Invalid(_)
            | StoreError::NotFound { .. }
            | StoreError::Duplicate { .. }
            | StoreError::Conflict { .. }
            | StoreError::NotInPeriod { .. }
            | StoreError::Closed { .. }
            | StoreError::PeriodState { .. }
            | StoreError::Unsettled { .. }
            | StoreError::Transition(_)
            | StoreError::PlanState { .. }
            | StoreError::CommitmentClosed { .. }
            | StoreError::AccountState { .. }
            | StoreError::UploadsFull { .. }
            | StoreError::AlreadyPublished { .. }
            | StoreError::WouldOverwrite { .. }
            | StoreError::Backup { .. }
            | StoreError::Location { .. } => true,
            StoreError::Corrupt { .. }
            | StoreError::Connect { .. }
            | StoreError::Migrate(_)
            | StoreError::Database(_)
            | StoreError::Io { .. } => false,
        }
    }

    /// Whether the error is the database being out of service for now (not
    /// reachable, refusing writes, or out of disk space) rather than a fault
    /// in Ambit or in the request: the request may succeed later as it is.
    pub fn outage(&self) -> Option<Outage> {
        match self {
            StoreError::Database(e) | StoreError::Connect { source: e, .. } => Outage::of(e),
            _ => None,
        }
    }

    /// Refuse a change based on version `expected` of a record now at `current`.
    pub(crate) fn unless_current(
        entity: &'static str,
        key: impl ToString,
        expected: domain::Version,
        current: domain::Version,
    ) -> Result<(), Self> {
        if expected == current {
            Ok(())
        } else {
            Err(StoreError::Conflict {
                entity,
                key: key.to_string(),
                expected: expected.get(),
                current: current.get(),
            })
        }
    }

    pub(crate) fn not_found(entity: &'static str, key: impl ToString) -> Self {
        StoreError::NotFound {
            entity,
            key: key.to_string(),
            hint: String::new(),
        }
    }
}

/// Why the database cannot serve a request for now, through no fault of
/// the request ([`StoreError::outage`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// The database cannot be reached: the PostgreSQL server is stopped,
    /// restarting or refusing connections, or no connection came free in
    /// time.
    Unreachable,
    /// The database refuses writes: its file or the disk under it is
    /// read-only, or the PostgreSQL server is a read-only standby.
    ReadOnly,
    /// The disk holding the database is full.
    DiskFull,
}

impl Outage {
    /// The outage a driver's error reports, if it is one.
    pub fn of(e: &sqlx::Error) -> Option<Self> {
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => Some(Outage::Unreachable),
            sqlx::Error::Database(db) => {
                if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                    Self::of_sqlstate(pg.code())
                } else if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    let code = db.code()?.parse::<i32>().ok()?;
                    Self::of_sqlite(code)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// PostgreSQL's SQLSTATE: connection exceptions (class 08), the server
    /// shutting down or starting up (57P01–57P03), too many connections,
    /// a read-only transaction (a standby, or `default_transaction_read_only`),
    /// a full disk.
    fn of_sqlstate(code: &str) -> Option<Self> {
        match code {
            c if c.starts_with("08") => Some(Outage::Unreachable),
            "57P01" | "57P02" | "57P03" | "53300" => Some(Outage::Unreachable),
            "25006" => Some(Outage::ReadOnly),
            "53100" => Some(Outage::DiskFull),
            _ => None,
        }
    }

    /// SQLite's (extended) result code: SQLITE_READONLY (8), SQLITE_FULL
    /// (13), SQLITE_CANTOPEN (14).
    fn of_sqlite(code: i32) -> Option<Self> {
        match code & 0xff {
            8 => Some(Outage::ReadOnly),
            13 => Some(Outage::DiskFull),
            14 => Some(Outage::Unreachable),
            _ => None,
        }
    }

    /// What people are told: what happened and what still works.
    pub fn explain(self) -> &'static str {
        match self {
            Outage::Unreachable => {
                "the database is not available at the moment; nothing was changed; try again in a few minutes"
            }
            Outage::ReadOnly => {
                "the database is read-only at the moment, so changes cannot be saved; nothing was changed; reading still works; try again later"
            }
            Outage::DiskFull => {
                "the database's disk is full, so changes cannot be saved; nothing was changed; reading still works; try again later"
            }
        }
    }
}

/// A size for people: "50 MB", "12.3 MB", "20 kB".
pub(crate) fn megabytes(bytes: u64) -> String {
    if bytes < 1_000_000 {
        return format!("{} kB", (bytes + 500) / 1000);
    }
    let tenths = (bytes + 50_000) / 100_000;
    if tenths.is_multiple_of(10) {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::{Outage, StoreError, megabytes};

    #[test]
    fn a_database_out_of_service_is_an_outage_not_a_fault() {
        let refused = sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(Outage::of(&refused), Some(Outage::Unreachable));
        assert_eq!(
            Outage::of(&sqlx::Error::PoolTimedOut),
            Some(Outage::Unreachable)
        );
        assert_eq!(Outage::of(&sqlx::Error::RowNotFound), None);
        for (code, outage) in [
            ("08006", Some(Outage::Unreachable)),
            ("57P01", Some(Outage::Unreachable)),
            ("57P03", Some(Outage::Unreachable)),
            ("25006", Some(Outage::ReadOnly)),
            ("53100", Some(Outage::DiskFull)),
            ("23505", None),
        ] {
            assert_eq!(Outage::of_sqlstate(code), outage, "{code}");
        }
        // SQLITE_READONLY, SQLITE_READONLY_DBMOVED, SQLITE_FULL, SQLITE_CONSTRAINT_UNIQUE.
        for (code, outage) in [
            (8, Some(Outage::ReadOnly)),
            (1032, Some(Outage::ReadOnly)),
            (13, Some(Outage::DiskFull)),
            (2067, None),
        ] {
            assert_eq!(Outage::of_sqlite(code), outage, "{code}");
        }
        let e = StoreError::Database(sqlx::Error::PoolTimedOut);
        assert!(!e.is_user_error());
        assert_eq!(e.outage(), Some(Outage::Unreachable));
        assert!(Outage::ReadOnly.explain().contains("reading still works"));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(megabytes(20_000), "20 kB");
        assert_eq!(megabytes(20_001), "20 kB");
        assert_eq!(megabytes(50_000_000), "50 MB");
        assert_eq!(megabytes(12_340_000), "12.3 MB");
    }
}
