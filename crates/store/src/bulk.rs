//! Writing and reading many rows at once, in the form each engine takes
//! fastest.
//!
//! Every statement is a round trip to the database (for SQLite, to the
//! thread sqlx runs the connection on), and every row a query returns is
//! one message back. A bulk write therefore puts many rows in one
//! `INSERT … VALUES (…), (…)`, and a bulk read of the ids just written
//! comes back as one aggregated text value rather than a row each.
//!
//! The placeholders differ by engine: PostgreSQL numbers them (`$1`);
//! SQLite gets anonymous `?`, bound in order, because sqlx's SQLite driver
//! looks each numbered parameter up by name among all of the statement's
//! parameters, which makes binding a long statement cost the square of
//! its length.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

use domain::ParseError;

use crate::{Engine, StoreError};

/// The most parameters one bulk statement binds (SQLite allows 32,766,
/// PostgreSQL 65,535).
const PARAMS: usize = 6000;

/// How one engine takes bulk statements.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bulk {
    engine: Engine,
}

impl Bulk {
    /// Bulk statements for `engine`.
    pub(crate) fn new(engine: Engine) -> Self {
        Bulk { engine }
    }

    /// How many rows of `width` values go in one statement.
    pub(crate) fn rows_per(self, width: usize) -> usize {
        (PARAMS / width.max(1)).max(1)
    }

    /// A fresh run of placeholders for one statement.
    pub(crate) fn params(self) -> Params {
        Params {
            engine: self.engine,
            next: 1,
        }
    }

    /// The `(id, k)` rows of `select` (of `entity`), a query whose columns are `id` (an
    /// integer) and `k` (text without line breaks) and whose one parameter
    /// is `$1` bound to `param`, read back as a map from `k` to `id`.
    pub(crate) async fn ids_by_key(
        self,
        conn: &mut AnyConnection,
        entity: &'static str,
        select: &str,
        param: i64,
    ) -> Result<HashMap<String, i64>, StoreError> {
        let aggregate = match self.engine {
            Engine::Sqlite => "group_concat(CAST(id AS TEXT) || char(9) || k, char(10))",
            Engine::Postgres => "string_agg(CAST(id AS TEXT) || chr(9) || k, chr(10))",
        };
        let sql = format!("SELECT {aggregate} AS pairs FROM ({select}) AS q");
        let row = sqlx::query(&sql).bind(param).fetch_one(&mut *conn).await?;
        let pairs: Option<String> = row.try_get("pairs")?;
        let mut out = HashMap::new();
        for line in pairs.as_deref().unwrap_or("").lines() {
            let parsed = line
                .split_once('\t')
                .and_then(|(id, k)| Some((k.to_owned(), id.parse::<i64>().ok()?)));
            let Some((k, id)) = parsed else {
                return Err(StoreError::Corrupt {
                    entity,
                    id: 0,
                    source: ParseError::new("id", line, "an id, a tab and a key"),
                });
            };
            out.insert(k, id);
        }
        Ok(out)
    }
}

/// Placeholders of one statement, numbered on PostgreSQL and anonymous on
/// SQLite, handed out in the order their values are bound.
#[derive(Debug)]
pub(crate) struct Params {
    engine: Engine,
    next: usize,
}

impl Params {
    /// The next placeholder.
    pub(crate) fn next(&mut self) -> String {
        let n = self.next;
        self.next += 1;
        match self.engine {
            Engine::Sqlite => "?".to_owned(),
            Engine::Postgres => format!("${n}"),
        }
    }

    /// `count` placeholders separated by commas, without brackets.
    pub(crate) fn list(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| self.next())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_on_postgres_and_anonymous_on_sqlite() {
        let mut pg = Bulk::new(Engine::Postgres).params();
        assert_eq!(pg.list(3), "$1, $2, $3");
        assert_eq!(pg.next(), "$4");
        let mut lite = Bulk::new(Engine::Sqlite).params();
        assert_eq!(lite.list(3), "?, ?, ?");
    }

    #[test]
    fn a_statement_holds_at_least_one_row_and_stays_under_the_engines_limits() {
        let bulk = Bulk::new(Engine::Sqlite);
        assert_eq!(bulk.rows_per(100_000), 1);
        assert!(bulk.rows_per(12) * 12 <= 32_766);
    }
}
