use serde::Serialize;
use sqlx::AnyConnection;

use crate::rows::{Cols, now};
use crate::{Store, StoreError};

/// One change to one record: who, when, what, before and after.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    /// Event id, increasing.
    pub id: i64,
    /// The body the record belongs to, if any.
    pub body_id: Option<domain::BodyId>,
    /// Who made the change.
    pub actor: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// The kind of record: "action", "update", ….
    pub entity: String,
    /// The record's id.
    pub entity_id: Option<i64>,
    /// "create", "edit", "delete", "restore".
    pub operation: String,
    /// The record before the change.
    pub before: Option<serde_json::Value>,
    /// The record after the change.
    pub after: Option<serde_json::Value>,
}

/// What one write did, for the audit trail.
pub(crate) struct Change<'a> {
    pub body_id: Option<i64>,
    pub actor: &'a str,
    pub entity: &'static str,
    pub entity_id: i64,
    pub operation: &'static str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    /// The creation of `entity` `entity_id`, now as `after`.
    pub(crate) fn create(
        body_id: Option<i64>,
        actor: &'a str,
        entity: &'static str,
        entity_id: i64,
        after: serde_json::Value,
    ) -> Self {
        Self {
            body_id,
            actor,
            entity,
            entity_id,
            operation: "create",
            before: None,
            after: Some(after),
        }
    }
}

impl<'a> Change<'a> {
    /// A change of `entity` `entity_id` (`operation` such as "edit"), from `before` to `after`.
    pub(crate) fn between(
        body_id: Option<i64>,
        actor: &'a str,
        entity: &'static str,
        entity_id: i64,
        operation: &'static str,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> Self {
        Self {
            body_id,
            actor,
            entity,
            entity_id,
            operation,
            before: Some(before),
            after: Some(after),
        }
    }
}

/// Append an audit event inside the write's transaction.
pub(crate) async fn record(conn: &mut AnyConnection, change: Change<'_>) -> Result<(), StoreError> {
    let text = |v: Option<serde_json::Value>| v.map(|v| v.to_string());
    sqlx::query(
        "INSERT INTO audit_events (body_id, actor, at, entity, entity_id, operation, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(change.body_id)
    .bind(change.actor)
    .bind(now())
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.operation)
    .bind(text(change.before))
    .bind(text(change.after))
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The history of one record, oldest first.
    pub async fn audit_trail(
        &self,
        entity: &str,
        entity_id: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, body_id, actor, at, entity, entity_id, operation, before, after FROM audit_events \
             WHERE entity = $1 AND entity_id = $2 ORDER BY id",
        )
        .bind(entity)
        .bind(entity_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "audit event")?;
                let parse = |col: &str| -> Result<Option<serde_json::Value>, StoreError> {
                    Ok(c.opt_string(col)?
                        .and_then(|s| serde_json::from_str(&s).ok()))
                };
                Ok(AuditEvent {
                    id: c.id(),
                    body_id: c.opt_key("body_id")?,
                    actor: c.string("actor")?,
                    at: c.string("at")?,
                    entity: c.string("entity")?,
                    entity_id: c.opt_i64("entity_id")?,
                    operation: c.string("operation")?,
                    before: parse("before")?,
                    after: parse("after")?,
                })
            })
            .collect()
    }

    /// How many audit events there are in all.
    pub async fn audit_event_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_events")
            .fetch_one(&self.pool)
            .await?)
    }
}
