//! People: accounts, their roles in bodies, sign-in sessions and API tokens.
//!
//! Secrets never reach the database in the clear: passwords arrive as
//! argon2 hashes, session and API tokens as SHA-256 hashes.

use domain::{Access, Email, Role, Title};
use serde::Serialize;

use crate::audit::{Change, record};
use crate::rows::{Cols, json, now, unique};
use crate::{Store, StoreError};

/// A person who can sign in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// Store id.
    pub id: i64,
    /// Sign-in address.
    pub email: Email,
    /// Name shown in the audit trail and on pages.
    pub name: Title,
}

/// A person's role in one body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Membership {
    /// The body.
    pub body_id: domain::BodyId,
    /// The body's slug.
    pub body_slug: String,
    /// The role.
    pub role: Role,
    /// For action leads: the lead role on the actions they lead.
    pub lead_role: Option<Title>,
}

impl Membership {
    /// What the membership allows.
    pub fn access(&self) -> Access {
        Access::Member {
            role: self.role,
            leads: self.lead_role.clone(),
        }
    }
}

pub(crate) fn user_from(row: &sqlx::any::AnyRow) -> Result<User, StoreError> {
    let c = Cols::new(row, "user")?;
    Ok(User {
        id: c.id(),
        email: c.parse("email", str::parse)?,
        name: c.parse("name", |s| Title::parse("name", s))?,
    })
}

impl Store {
    /// Create an account; `password_hash` is an argon2 PHC string (none for single sign-on only).
    pub async fn create_user(
        &self,
        actor: &str,
        email: Email,
        name: Title,
        password_hash: Option<String>,
    ) -> Result<User, StoreError> {
        let mut tx = self.begin_write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email.as_str())
        .bind(name.as_str())
        .bind(password_hash)
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique("user", &email, "email"))?;
        let user = User { id, email, name };
        record(
            &mut tx,
            Change::create(None, actor, "user", id, json(&user)),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Give `user_id` a role in `body_id` (replacing any role they had there).
    pub async fn set_membership(
        &self,
        actor: &str,
        user_id: i64,
        body_id: domain::BodyId,
        role: Role,
        lead_role: Option<Title>,
    ) -> Result<Membership, StoreError> {
        let mut tx = self.begin_write().await?;
        let t = now();
        let before: Option<String> = sqlx::query_scalar(
            "SELECT role FROM memberships WHERE user_id = $1 AND body_id = $2 AND deleted_at IS NULL",
        )
        .bind(user_id)
        .bind(body_id.get())
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("UPDATE memberships SET deleted_at = $1 WHERE user_id = $2 AND body_id = $3 AND deleted_at IS NULL")
            .bind(&t)
            .bind(user_id)
            .bind(body_id.get())
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO memberships (user_id, body_id, role, lead_role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(user_id)
        .bind(body_id.get())
        .bind(role.as_str())
        .bind(lead_role.as_ref().map(|l| l.to_string()))
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?;
        let slug: String =
            sqlx::query_scalar("SELECT slug FROM bodies WHERE id = $1 AND deleted_at IS NULL")
                .bind(body_id.get())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::not_found("body", body_id))?;
        let membership = Membership {
            body_id,
            body_slug: slug,
            role,
            lead_role,
        };
        record(
            &mut tx,
            Change {
                body_id: Some(body_id.get()),
                actor,
                entity: "membership",
                entity_id: id,
                operation: if before.is_some() { "edit" } else { "create" },
                before: before.map(|r| serde_json::json!({ "user_id": user_id, "role": r })),
                after: Some(json(&membership)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(membership)
    }

    /// The active account with `email` and its password hash, if there is
    /// one (a disabled or removed account cannot sign in).
    pub async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(User, Option<String>)>, StoreError> {
        let Some(row) = sqlx::query("SELECT id, email, name, password_hash FROM users WHERE email = $1 AND deleted_at IS NULL AND disabled_at IS NULL")
            .bind(email.as_str())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let hash = Cols::new(&row, "user")?.opt_string("password_hash")?;
        Ok(Some((user_from(&row)?, hash)))
    }

    /// The account with id `id`.
    pub async fn user(&self, id: i64) -> Result<User, StoreError> {
        let row =
            sqlx::query("SELECT id, email, name FROM users WHERE id = $1 AND deleted_at IS NULL")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::not_found("user", id))?;
        user_from(&row)
    }

    /// Every body `user_id` belongs to, with their role there.
    pub async fn memberships(&self, user_id: i64) -> Result<Vec<Membership>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.body_id, b.slug, m.role, m.lead_role FROM memberships m JOIN bodies b ON b.id = m.body_id \
             WHERE m.user_id = $1 AND m.deleted_at IS NULL AND b.deleted_at IS NULL ORDER BY b.slug",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "membership")?;
                Ok(Membership {
                    body_id: c.key("body_id")?,
                    body_slug: c.string("slug")?,
                    role: c.parse("role", str::parse)?,
                    lead_role: c.parse_opt("lead_role", |s| Title::parse("lead role", s))?,
                })
            })
            .collect()
    }

    /// Start a session for `user_id`; `token_hash` is the SHA-256 of the cookie's token.
    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: &str,
        csrf_token: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(now())
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await?;
        let actor = format!("user:{user_id}");
        record(
            &mut tx,
            Change::create(
                None,
                &actor,
                "session",
                id,
                serde_json::json!({ "user_id": user_id, "expires_at": expires_at }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The signed-in user and the session's CSRF token, if the session exists,
    /// has not expired and its account is active (neither disabled nor removed).
    pub async fn session(&self, token_hash: &str) -> Result<Option<(User, String)>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT u.id, u.email, u.name, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.deleted_at IS NULL AND u.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let csrf = Cols::new(&row, "session")?.string("csrf_token")?;
        Ok(Some((user_from(&row)?, csrf)))
    }

    /// End a session (sign out).
    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let found: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, user_id FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((id, user_id)) = found {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let actor = format!("user:{user_id}");
            record(
                &mut tx,
                Change {
                    body_id: None,
                    actor: &actor,
                    entity: "session",
                    entity_id: id,
                    operation: "delete",
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Record an API token for `user_id`; `token_hash` is the SHA-256 of the token.
    pub async fn create_api_token(
        &self,
        actor: &str,
        user_id: i64,
        name: &Title,
        token_hash: &str,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(name.as_str())
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        record(
            &mut tx,
            Change::create(
                None,
                actor,
                "api token",
                id,
                serde_json::json!({ "user_id": user_id, "name": name }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user an API token belongs to, if the token is known, not revoked
    /// and its account is active (neither disabled nor removed).
    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT u.id, u.email, u.name FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.deleted_at IS NULL AND u.disabled_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(user_from(&row)?))
    }
}
