//! Single sign-on settings per body, and sign-ins in progress.

use serde::Serialize;

use crate::audit::{Change, record};
use crate::rows::{Cols, now};
use crate::{Store, StoreError};

/// A body's OpenID Connect provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SsoProvider {
    /// The body.
    pub body_id: domain::BodyId,
    /// The provider's issuer URL (its discovery document is under it).
    pub issuer: String,
    /// Ambit's client id at the provider.
    pub client_id: String,
    /// Ambit's client secret at the provider.
    #[serde(skip)]
    pub client_secret: String,
}

/// A sign-in between the redirect to the provider and its return.
#[derive(Debug, Clone, PartialEq)]
pub struct SsoLogin {
    /// The body signing in to.
    pub body_id: domain::BodyId,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier for the code exchange.
    pub pkce_verifier: String,
    /// Where to go after signing in.
    pub next: String,
}

impl Store {
    /// Set (or replace) the body's single sign-on provider.
    pub async fn set_sso(
        &self,
        actor: &str,
        body_id: domain::BodyId,
        issuer: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<(), StoreError> {
        let issuer = domain::Alignment::parse_url(issuer).map_err(|mut e| {
            e.field = "issuer";
            e
        })?;
        let mut tx = self.begin_write().await?;
        let t = now();
        sqlx::query(
            "UPDATE sso_providers SET deleted_at = $1 WHERE body_id = $2 AND deleted_at IS NULL",
        )
        .bind(&t)
        .bind(body_id.get())
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sso_providers (body_id, issuer, client_id, client_secret, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(body_id.get())
        .bind(&issuer)
        .bind(client_id)
        .bind(client_secret)
        .bind(&t)
        .bind(&t)
        .fetch_one(&mut *tx)
        .await?;
        let after = serde_json::json!({ "issuer": issuer, "client_id": client_id });
        record(
            &mut tx,
            Change::create(Some(body_id.get()), actor, "single sign-on", id, after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The body's single sign-on provider, if it has one.
    pub async fn sso(&self, body_id: domain::BodyId) -> Result<Option<SsoProvider>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT id, body_id, issuer, client_id, client_secret FROM sso_providers WHERE body_id = $1 AND deleted_at IS NULL",
        )
        .bind(body_id.get())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let c = Cols::new(&row, "single sign-on")?;
        Ok(Some(SsoProvider {
            body_id: c.key("body_id")?,
            issuer: c.string("issuer")?,
            client_id: c.string("client_id")?,
            client_secret: c.string("client_secret")?,
        }))
    }

    /// Remember a sign-in in progress under the hash of its `state`.
    pub async fn start_sso_login(
        &self,
        state_hash: &str,
        login: &SsoLogin,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let cutoff = (chrono::Utc::now() - chrono::Duration::minutes(10))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        sqlx::query("DELETE FROM sso_logins WHERE created_at < $1")
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sso_logins (state_hash, body_id, nonce, pkce_verifier, next, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(state_hash)
        .bind(login.body_id.get())
        .bind(&login.nonce)
        .bind(&login.pkce_verifier)
        .bind(&login.next)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Take (and forget) the sign-in in progress with `state_hash`, if it is
    /// less than ten minutes old. Each state can be used once.
    pub async fn take_sso_login(&self, state_hash: &str) -> Result<Option<SsoLogin>, StoreError> {
        let mut tx = self.begin_write().await?;
        let cutoff = (chrono::Utc::now() - chrono::Duration::minutes(10))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let row = sqlx::query("SELECT id, body_id, nonce, pkce_verifier, next, created_at FROM sso_logins WHERE state_hash = $1")
            .bind(state_hash)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let c = Cols::new(&row, "sign-in")?;
        sqlx::query("DELETE FROM sso_logins WHERE id = $1")
            .bind(c.id::<i64>())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if c.string("created_at")? < cutoff {
            return Ok(None);
        }
        Ok(Some(SsoLogin {
            body_id: c.key("body_id")?,
            nonce: c.string("nonce")?,
            pkce_verifier: c.string("pkce_verifier")?,
            next: c.string("next")?,
        }))
    }
}
