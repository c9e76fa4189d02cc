//! Failed sign-ins, counted in the database (migration 0021) so that every
//! server process behind a load balancer holds a guesser back alike, and a
//! restart forgets nothing.
//!
//! The rule ([`SignInRules`]):
//! - An account tried from one address gets [`SignInRules::FREE_ATTEMPTS`]
//!   failures, then must wait before each further try:
//!   [`SignInRules::FIRST_DELAY_MS`], doubling with every failure up to
//!   [`SignInRules::MAX_DELAY_MS`]. Other addresses are not held back, so
//!   nobody can lock a person out of their account by guessing from
//!   elsewhere.
//! - One address gets [`SignInRules::MAX_PER_ADDRESS`] failures across all
//!   accounts per [`SignInRules::WINDOW_MS`] (an office shares one address).
//!
//! Accounts are kept as a digest of the normalised email, never the text.
//! These tables are scratch, not the record: their rows are not audited
//! (a failed guess is not a change to the council's data, and auditing it
//! would let a guesser flood the audit log and every cache) and expire
//! with their window. Asking how long to wait writes nothing. Times are
//! milliseconds since 1970 (UTC), given by the caller, so every process
//! and every test reads the same clock.

use sha2::{Digest, Sha256};

use crate::{Store, StoreError};

/// How failed sign-ins hold back further tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInRules;

impl SignInRules {
    /// Failures allowed per account and address before delays begin.
    pub const FREE_ATTEMPTS: u32 = 5;
    /// The wait after the last free failure; it doubles with each further one.
    pub const FIRST_DELAY_MS: i64 = 60_000;
    /// The longest wait between attempts at one account from one address.
    pub const MAX_DELAY_MS: i64 = 15 * 60_000;
    /// Failed attempts allowed per client address (across accounts) per window.
    pub const MAX_PER_ADDRESS: i64 = 50;
    /// The window of the per-address count; also how long an account's
    /// failures from an address are remembered after the last one.
    pub const WINDOW_MS: i64 = 15 * 60_000;

    /// The wait after `failures` failures of one account from one address.
    pub fn delay_ms(failures: u32) -> i64 {
        match failures.checked_sub(Self::FREE_ATTEMPTS) {
            None => 0,
            Some(extra) => Self::FIRST_DELAY_MS
                .saturating_mul(1i64.checked_shl(extra.min(62)).unwrap_or(i64::MAX))
                .min(Self::MAX_DELAY_MS),
        }
    }

    /// The key of an account: a digest of its trimmed, lower-cased email,
    /// in hex (a fixed size whatever was typed).
    fn account(email: &str) -> String {
        let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl Store {
    /// How many milliseconds a sign-in to `email` from `client` must wait
    /// at `now_ms`, if it must. Asking writes nothing.
    pub async fn sign_in_wait(
        &self,
        email: &str,
        client: &str,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let until: Option<i64> = sqlx::query_scalar(
            "SELECT until_at FROM sign_in_failures WHERE account = $1 AND client = $2",
        )
        .bind(SignInRules::account(email))
        .bind(client)
        .fetch_optional(&self.pool)
        .await?;
        let window: Option<(i64, i64)> =
            sqlx::query_as("SELECT failures, started_at FROM sign_in_windows WHERE client = $1")
                .bind(client)
                .fetch_optional(&self.pool)
                .await?;
        let address = window
            .filter(|(failures, _)| *failures >= SignInRules::MAX_PER_ADDRESS)
            .map(|(_, started)| started + SignInRules::WINDOW_MS - now_ms);
        let pair = until.map(|u| u - now_ms);
        Ok(address.max(pair).filter(|wait| *wait > 0))
    }

    /// Note a failed password check for `email` from `client` at `now_ms`,
    /// and forget failures whose window has passed. One transaction.
    pub async fn sign_in_failed(
        &self,
        email: &str,
        client: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let account = SignInRules::account(email);
        let window = SignInRules::WINDOW_MS;
        let mut tx = self.begin_write().await?;
        // A pair quiet for a window, and no longer held back, starts again.
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO sign_in_failures (account, client, failures, last_at, until_at) \
             VALUES ($1, $2, 1, $3, $3) \
             ON CONFLICT (account, client) DO UPDATE SET \
               failures = CASE WHEN $3 - sign_in_failures.last_at >= $4 \
                                AND $3 >= sign_in_failures.until_at \
                          THEN 1 ELSE sign_in_failures.failures + 1 END, \
               last_at = $3 \
             RETURNING failures",
        )
        .bind(&account)
        .bind(client)
        .bind(now_ms)
        .bind(window)
        .fetch_one(&mut *tx)
        .await?;
        let failures = u32::try_from(failures).unwrap_or(u32::MAX);
        sqlx::query("UPDATE sign_in_failures SET until_at = $1 WHERE account = $2 AND client = $3")
            .bind(now_ms.saturating_add(SignInRules::delay_ms(failures)))
            .bind(&account)
            .bind(client)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_windows (client, failures, started_at) VALUES ($1, 1, $2) \
             ON CONFLICT (client) DO UPDATE SET \
               failures = CASE WHEN $2 - sign_in_windows.started_at >= $3 \
                          THEN 1 ELSE sign_in_windows.failures + 1 END, \
               started_at = CASE WHEN $2 - sign_in_windows.started_at >= $3 \
                            THEN $2 ELSE sign_in_windows.started_at END",
        )
        .bind(client)
        .bind(now_ms)
        .bind(window)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE last_at < $1 AND until_at < $2")
            .bind(now_ms - window)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sign_in_windows WHERE started_at < $1")
            .bind(now_ms - window)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forget `email`'s failures from `client` after it signed in there.
    pub async fn sign_in_succeeded(&self, email: &str, client: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sign_in_failures WHERE account = $1 AND client = $2")
            .bind(SignInRules::account(email))
            .bind(client)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many rows the sign-in tables hold (failures by account and
    /// address, addresses): what a flood of guesses costs the database.
    pub async fn sign_in_rows(&self) -> Result<(i64, i64), StoreError> {
        let pairs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures")
            .fetch_one(&self.pool)
            .await?;
        let addresses: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_windows")
            .fetch_one(&self.pool)
            .await?;
        Ok((pairs, addresses))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_to_a_ceiling() {
        let free = SignInRules::FREE_ATTEMPTS;
        assert_eq!(SignInRules::delay_ms(free - 1), 0);
        assert_eq!(SignInRules::delay_ms(free), SignInRules::FIRST_DELAY_MS);
        assert_eq!(
            SignInRules::delay_ms(free + 1),
            2 * SignInRules::FIRST_DELAY_MS
        );
        assert_eq!(SignInRules::delay_ms(free + 40), SignInRules::MAX_DELAY_MS);
        assert_eq!(SignInRules::delay_ms(u32::MAX), SignInRules::MAX_DELAY_MS);
    }

    #[test]
    fn an_account_is_its_normalised_emails_digest() {
        assert_eq!(
            SignInRules::account(" Officer@X.example "),
            SignInRules::account("officer@x.example")
        );
        assert_eq!(SignInRules::account(&"x".repeat(1 << 20)).len(), 32);
    }
}
