//! Accounts and API tokens have an end: the people of a body with their
//! roles, disabling, enabling and removing an account, and listing and
//! revoking API tokens.
//!
//! A disabled or removed account's sessions and tokens are refused by the
//! lookups in `people.rs` themselves (one condition in the same query), so
//! the change takes effect on the next request.

use domain::{Email, Role, Title};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::audit::{Change, record};
use crate::people::user_from;
use crate::rows::{Cols, json, now};
use crate::{Store, StoreError, User};

/// Whether an account may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Signs in and uses its API tokens.
    Active,
    /// Refused (sign-in, sessions and API tokens) until it is enabled again.
    Disabled,
}

impl AccountStatus {
    /// For people: "Active" or "Disabled".
    pub fn label(self) -> &'static str {
        match self {
            AccountStatus::Active => "Active",
            AccountStatus::Disabled => "Disabled",
        }
    }
}

/// A person with a role in a body, as the body's accounts are listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// The account.
    pub user: User,
    /// Their role in the body.
    pub role: Role,
    /// For action leads: the lead role on the actions they lead.
    pub lead_role: Option<Title>,
    /// Whether the account may be used.
    pub status: AccountStatus,
}

/// An API token as listed: never the token itself, which is not stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    /// Store id, as `ambit token revoke` takes it.
    pub id: i64,
    /// What the token is for.
    pub name: Title,
    /// The account it acts as.
    pub owner: User,
    /// When it was created (UTC, RFC 3339).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// Which API tokens to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokensOf {
    /// Every token of every account.
    All,
    /// The tokens of the people of a body (by id).
    Body(domain::BodyId),
    /// One account's tokens (by id).
    Account(i64),
}

/// A change of an account's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AccountChange {
    Disable,
    Enable,
    Remove,
}

const TOKEN_COLUMNS: &str = "SELECT t.id, t.name, t.created_at, t.revoked_at, u.id AS user_id, u.email, u.name AS user_name \
     FROM api_tokens t JOIN users u ON u.id = t.user_id";

/// The condition that a token's owner is a person of body `$n`.
fn in_body(n: u8) -> String {
    format!(
        "u.deleted_at IS NULL AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = t.user_id \
         AND m.body_id = ${n} AND m.deleted_at IS NULL)"
    )
}

fn token_from(row: &sqlx::any::AnyRow) -> Result<ApiToken, StoreError> {
    let c = Cols::new(row, "api token")?;
    Ok(ApiToken {
        id: c.id(),
        name: c.parse("name", |s| Title::parse("name", s))?,
        owner: User {
            id: c.i64("user_id")?,
            email: c.parse("email", str::parse)?,
            name: c.parse("user_name", |s| Title::parse("name", s))?,
        },
        created_at: c.string("created_at")?,
        revoked_at: c.opt_string("revoked_at")?,
    })
}

/// The slug of a body whose only active administrator is `user_id`, if any:
/// disabling or removing them would leave it without one.
async fn orphaned_body(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Option<String>, StoreError> {
    // On PostgreSQL this locks the administrators' memberships of those
    // bodies, so two administrators disabling each other at once queue and
    // the second sees the first's change (SQLite's write lock already does).
    sqlx::query(
        "UPDATE memberships SET role = role WHERE role = 'administrator' AND deleted_at IS NULL AND body_id IN \
         (SELECT body_id FROM memberships WHERE user_id = $1 AND role = 'administrator' AND deleted_at IS NULL)",
    )
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query_scalar(
        "SELECT b.slug FROM memberships m JOIN bodies b ON b.id = m.body_id \
         WHERE m.user_id = $1 AND m.role = 'administrator' AND m.deleted_at IS NULL AND b.deleted_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id \
           WHERE o.body_id = m.body_id AND o.role = 'administrator' AND o.deleted_at IS NULL \
           AND o.user_id <> $2 AND u.deleted_at IS NULL AND u.disabled_at IS NULL) \
         ORDER BY b.slug",
    )
    .bind(user_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?)
}

impl Store {
    /// The people of body `body_id` (removed accounts are not listed), by
    /// name, with their roles and whether their accounts are active.
    pub async fn people(&self, body_id: domain::BodyId) -> Result<Vec<Person>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.name, u.disabled_at, m.role, m.lead_role FROM memberships m \
             JOIN users u ON u.id = m.user_id \
             WHERE m.body_id = $1 AND m.deleted_at IS NULL AND u.deleted_at IS NULL ORDER BY u.name, u.id",
        )
        .bind(body_id.get())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::new(row, "user")?;
                Ok(Person {
                    user: user_from(row)?,
                    role: c.parse("role", str::parse)?,
                    lead_role: c.parse_opt("lead_role", |s| Title::parse("lead role", s))?,
                    status: if c.opt_string("disabled_at")?.is_some() {
                        AccountStatus::Disabled
                    } else {
                        AccountStatus::Active
                    },
                })
            })
            .collect()
    }

    /// The account with `email`, active or disabled (a removed account is
    /// gone), with its status.
    pub async fn account_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(User, AccountStatus)>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT id, email, name, disabled_at FROM users WHERE email = $1 AND deleted_at IS NULL",
        )
        .bind(email.as_str())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let disabled = Cols::new(&row, "user")?
            .opt_string("disabled_at")?
            .is_some();
        Ok(Some((
            user_from(&row)?,
            if disabled {
                AccountStatus::Disabled
            } else {
                AccountStatus::Active
            },
        )))
    }

    /// API tokens, oldest first, revoked ones included.
    pub async fn api_tokens(&self, of: TokensOf) -> Result<Vec<ApiToken>, StoreError> {
        let rows = match of {
            TokensOf::All => {
                sqlx::query(&format!("{TOKEN_COLUMNS} ORDER BY t.id"))
                    .fetch_all(&self.pool)
                    .await?
            }
            TokensOf::Body(body_id) => {
                sqlx::query(&format!(
                    "{TOKEN_COLUMNS} WHERE {} ORDER BY t.id",
                    in_body(1)
                ))
                .bind(body_id.get())
                .fetch_all(&self.pool)
                .await?
            }
            TokensOf::Account(user_id) => {
                sqlx::query(&format!(
                    "{TOKEN_COLUMNS} WHERE t.user_id = $1 ORDER BY t.id"
                ))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(token_from).collect()
    }

    /// Revoke API token `id` (when `body_id` is given, only a token of a
    /// person of that body): it is refused from the next request on.
    pub async fn revoke_api_token(
        &self,
        actor: &str,
        body_id: Option<domain::BodyId>,
        id: i64,
    ) -> Result<ApiToken, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = match body_id {
            Some(b) => {
                sqlx::query(&format!(
                    "{TOKEN_COLUMNS} WHERE t.id = $1 AND {}",
                    in_body(2)
                ))
                .bind(id)
                .bind(b.get())
                .fetch_optional(&mut *tx)
                .await?
            }
            None => {
                sqlx::query(&format!("{TOKEN_COLUMNS} WHERE t.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
            }
        }
        .ok_or_else(|| StoreError::NotFound {
            entity: "API token",
            key: id.to_string(),
            hint: "; list the tokens with `ambit token list`".into(),
        })?;
        let before = token_from(&row)?;
        if let Some(at) = &before.revoked_at {
            return Err(StoreError::AccountState {
                entity: "API token",
                key: id.to_string(),
                state: format!("was already revoked at {at}"),
                hint: "a revoked token stays revoked; create a new one if one is needed",
            });
        }
        let t = now();
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(&t)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = ApiToken {
            revoked_at: Some(t),
            ..before.clone()
        };
        record(
            &mut tx,
            Change::between(
                body_id.map(domain::BodyId::get),
                actor,
                "api token",
                id,
                "revoke",
                json(&before),
                json(&after),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Disable the account `user_id`, a person of body `body_id`: it cannot
    /// sign in, its sessions end and its API tokens are refused until it is
    /// enabled. Refused if it is already disabled or is the last active
    /// administrator of a body.
    pub async fn disable_account(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        user_id: i64,
    ) -> Result<User, StoreError> {
        self.change_account(actor, body_id.get(), user_id, AccountChange::Disable)
            .await
    }

    /// Enable the disabled account `user_id`, a person of body `body_id`.
    pub async fn enable_account(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        user_id: i64,
    ) -> Result<User, StoreError> {
        self.change_account(actor, body_id.get(), user_id, AccountChange::Enable)
            .await
    }

    /// Remove the account `user_id`, a person of body `body_id` (a soft
    /// delete): its roles in every body end, its sessions end and its API
    /// tokens are refused. Refused if it is the last active administrator of
    /// a body.
    pub async fn remove_account(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        user_id: i64,
    ) -> Result<User, StoreError> {
        self.change_account(actor, body_id.get(), user_id, AccountChange::Remove)
            .await
    }

    async fn change_account(
        &self,
        actor: &str,
        body_id: i64,
        user_id: i64,
        change: AccountChange,
    ) -> Result<User, StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name, u.disabled_at FROM users u JOIN memberships m ON m.user_id = u.id \
             WHERE u.id = $1 AND m.body_id = $2 AND m.deleted_at IS NULL AND u.deleted_at IS NULL",
        )
        .bind(user_id)
        .bind(body_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "account",
            key: user_id.to_string(),
            hint: "; it may have been removed, or belong to another body".into(),
        })?;
        let user = user_from(&row)?;
        let disabled = Cols::new(&row, "user")?
            .opt_string("disabled_at")?
            .is_some();
        let refuse = |state: &str, hint: &'static str| StoreError::AccountState {
            entity: "account",
            key: user.email.to_string(),
            state: state.to_owned(),
            hint,
        };
        match (change, disabled) {
            (AccountChange::Disable, true) => {
                return Err(refuse(
                    "is already disabled",
                    "enable it to let them sign in again",
                ));
            }
            (AccountChange::Enable, false) => {
                return Err(refuse(
                    "is not disabled",
                    "nothing needs to change: it can already sign in",
                ));
            }
            _ => {}
        }
        if change != AccountChange::Enable
            && !disabled
            && let Some(slug) = orphaned_body(&mut tx, user_id).await?
        {
            return Err(refuse(
                &format!("is the only active administrator of {slug}"),
                "make someone else an administrator there first",
            ));
        }
        let t = now();
        let status = |disabled: bool| if disabled { "disabled" } else { "active" };
        let before = serde_json::json!({ "user": json(&user), "status": status(disabled) });
        let (operation, after_status) = match change {
            AccountChange::Disable => {
                sqlx::query("UPDATE users SET disabled_at = $1, updated_at = $2, version = version + 1 WHERE id = $3")
                    .bind(&t)
                    .bind(&t)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                ("disable", "disabled")
            }
            AccountChange::Enable => {
                sqlx::query("UPDATE users SET disabled_at = NULL, updated_at = $1, version = version + 1 WHERE id = $2")
                    .bind(&t)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                ("enable", "active")
            }
            AccountChange::Remove => {
                sqlx::query("UPDATE users SET deleted_at = $1, updated_at = $2, version = version + 1 WHERE id = $3")
                    .bind(&t)
                    .bind(&t)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                let ended: Vec<(i64, i64, String)> = sqlx::query_as(
                    "SELECT id, body_id, role FROM memberships WHERE user_id = $1 AND deleted_at IS NULL ORDER BY id",
                )
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
                sqlx::query("UPDATE memberships SET deleted_at = $1 WHERE user_id = $2 AND deleted_at IS NULL")
                    .bind(&t)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                for (id, membership_body, role) in ended {
                    record(
                        &mut tx,
                        Change {
                            body_id: Some(membership_body),
                            actor,
                            entity: "membership",
                            entity_id: id,
                            operation: "delete",
                            before: Some(serde_json::json!({ "user_id": user_id, "role": role })),
                            after: None,
                        },
                    )
                    .await?;
                }
                ("delete", "removed")
            }
        };
        if change != AccountChange::Enable {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            Change::between(
                Some(body_id),
                actor,
                "user",
                user_id,
                operation,
                before,
                serde_json::json!({ "user": json(&user), "status": after_status }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }
}
