//! Small helpers shared by the query modules: times, flags, row decoding.

use chrono::{DateTime, SecondsFormat, Utc};
use domain::ParseError;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::StoreError;

/// The current time as stored: UTC RFC 3339 with microseconds, so text order is time order.
pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A stored time read back.
pub(crate) fn time(entity: &'static str, id: i64, raw: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt {
            entity,
            id,
            source: ParseError::new("time", raw, "an RFC 3339 time"),
        })
}

/// A domain value as JSON for the audit trail.
pub(crate) fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// A boolean as stored (0 or 1), the same on both engines.
pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// A number the database stores as a whole number and Ambit reads as one
/// of the domain's id types (or as the number itself).
pub(crate) trait Key: Copy {
    /// The value of the stored number.
    fn of(n: i64) -> Self;
    /// The number to store.
    fn raw(self) -> i64;
}

impl Key for i64 {
    fn of(n: i64) -> Self {
        n
    }
    fn raw(self) -> i64 {
        self
    }
}

macro_rules! keys {
    ($($t:ident),*) => {$(
        impl Key for domain::$t {
            fn of(n: i64) -> Self {
                domain::$t::new(n)
            }
            fn raw(self) -> i64 {
                self.get()
            }
        }
    )*};
}

keys!(
    ActionId,
    AgendaItemId,
    AlignmentId,
    AmbitionId,
    BodyId,
    CommitmentId,
    CommitteeId,
    CommitteeMemberId,
    MeasureId,
    MeetingId,
    PlanId,
    PlanItemId,
    PortfolioId,
    QuestionId,
    ResolutionId,
    StrategyId,
    UpdateId,
    Version
);

/// Read columns of one row, naming the table and id in any error.
pub(crate) struct Cols<'r> {
    row: &'r AnyRow,
    entity: &'static str,
    id: i64,
}

impl<'r> Cols<'r> {
    /// Start reading `row` of `entity`; its `id` column names it in errors.
    pub(crate) fn new(row: &'r AnyRow, entity: &'static str) -> Result<Self, StoreError> {
        let id = row.try_get::<i64, _>("id")?;
        Ok(Self { row, entity, id })
    }

    /// The row's id, as the id type of its record (or a plain number).
    pub(crate) fn id<K: Key>(&self) -> K {
        K::of(self.id)
    }

    /// A whole-number column.
    pub(crate) fn i64(&self, col: &str) -> Result<i64, StoreError> {
        Ok(self.row.try_get::<i64, _>(col)?)
    }

    /// A whole-number column that may be empty.
    pub(crate) fn opt_i64(&self, col: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.row.try_get::<Option<i64>, _>(col)?)
    }

    /// Another record's id (or a version), as its type.
    pub(crate) fn key<K: Key>(&self, col: &str) -> Result<K, StoreError> {
        Ok(K::of(self.i64(col)?))
    }

    /// Another record's id that may be empty, as its type.
    pub(crate) fn opt_key<K: Key>(&self, col: &str) -> Result<Option<K>, StoreError> {
        Ok(self.opt_i64(col)?.map(K::of))
    }

    pub(crate) fn opt_f64(&self, col: &str) -> Result<Option<f64>, StoreError> {
        Ok(self.row.try_get::<Option<f64>, _>(col)?)
    }

    pub(crate) fn flag(&self, col: &str) -> Result<bool, StoreError> {
        Ok(self.i64(col)? != 0)
    }

    pub(crate) fn string(&self, col: &str) -> Result<String, StoreError> {
        Ok(self.row.try_get::<String, _>(col)?)
    }

    pub(crate) fn opt_string(&self, col: &str) -> Result<Option<String>, StoreError> {
        Ok(self.row.try_get::<Option<String>, _>(col)?)
    }

    /// Parse a column with `parse`, reporting a bad stored value as corrupt.
    pub(crate) fn parse<T>(
        &self,
        col: &str,
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Result<T, StoreError> {
        let raw = self.string(col)?;
        parse(&raw).map_err(|source| self.corrupt(source))
    }

    /// Parse an optional column.
    pub(crate) fn parse_opt<T>(
        &self,
        col: &str,
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Result<Option<T>, StoreError> {
        self.opt_string(col)?
            .map(|raw| parse(&raw).map_err(|source| self.corrupt(source)))
            .transpose()
    }

    /// A domain value that failed to parse from this row.
    pub(crate) fn corrupt(&self, source: ParseError) -> StoreError {
        StoreError::Corrupt {
            entity: self.entity,
            id: self.id,
            source,
        }
    }

    /// A stored time.
    pub(crate) fn time(&self, col: &str) -> Result<DateTime<Utc>, StoreError> {
        time(self.entity, self.id, &self.string(col)?)
    }
}

/// Claim version `expected` of row `id` of `table` for the write under
/// way: bump the version with `WHERE id AND version` inside the write
/// transaction, and turn anything but one changed row into the stale-version
/// refusal ([`StoreError::Conflict`], or not found when the row is gone).
///
/// Every edit of a versioned record goes through here, before its own
/// `UPDATE`, which then leaves `version` alone. Two saves based on one
/// version cannot both pass: on PostgreSQL the second waits for the first's
/// row lock and then finds the version moved; on SQLite writers queue.
pub(crate) async fn claim(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    entity: &'static str,
    key: impl ToString,
    id: impl Key,
    expected: domain::Version,
) -> Result<(), StoreError> {
    let done = sqlx::query(&format!(
        "UPDATE {table} SET version = version + 1 WHERE id = $1 AND version = $2"
    ))
    .bind(id.raw())
    .bind(expected.get())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let current: Option<i64> =
        sqlx::query_scalar(&format!("SELECT version FROM {table} WHERE id = $1"))
            .bind(id.raw())
            .fetch_optional(&mut *conn)
            .await?;
    Err(match current {
        Some(current) => StoreError::Conflict {
            entity,
            key: key.to_string(),
            expected: expected.get(),
            current,
        },
        None => StoreError::not_found(entity, key.to_string()),
    })
}

/// Turn a unique-constraint violation into [`StoreError::Duplicate`].
pub(crate) fn unique(
    entity: &'static str,
    key: impl ToString,
    field: &'static str,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
            entity,
            key: key.to_string(),
            field,
        },
        _ => StoreError::Database(e),
    }
}
