//! Who is asking: passwords, sessions, CSRF tokens, API tokens and the
//! sign-in rate limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::http::HeaderMap;
use base64::Engine as _;
use domain::{Access, Password};
use sha2::{Digest, Sha256};
use store::{Membership, User};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "ambit_session";
/// The cookie holding the CSRF token of forms shown before sign-in.
pub const FORM_COOKIE: &str = "ambit_form";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// An argon2 hash of `password`, for storing.
pub fn hash_password(password: &Password) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

/// Whether `password` matches the stored `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A new random token (32 bytes, URL-safe base64).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 of a token, as stored (tokens themselves never are).
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compare two secrets without leaking where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The value of cookie `name` in the request's headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when served over https.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Whether a state-changing request comes from our own pages: browsers send
/// `Sec-Fetch-Site` and `Origin`; a cross-site value is refused.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| s != "same-origin" && s != "none") {
        return false;
    }
    match (
        headers
            .get(axum::http::header::ORIGIN)
            .and_then(|v| v.to_str().ok()),
        headers
            .get(axum::http::header::HOST)
            .and_then(|v| v.to_str().ok()),
    ) {
        (Some("null"), _) => false,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        _ => true,
    }
}

/// The person making a request, if signed in, with their roles.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// The account.
    pub user: User,
    /// The bodies they belong to.
    pub memberships: Vec<Membership>,
    /// The session's CSRF token (none for API tokens, which are not cookies).
    pub csrf: Option<String>,
}

impl Viewer {
    /// How the audit trail names this person: "Name <email>".
    pub fn actor(&self) -> String {
        format!("{} <{}>", self.user.name, self.user.email)
    }

    /// What `viewer` may do in body `body_id`.
    pub fn access(viewer: Option<&Viewer>, body_id: i64) -> Access {
        viewer
            .and_then(|v| v.memberships.iter().find(|m| m.body_id == body_id))
            .map(Membership::access)
            .unwrap_or(Access::Public)
    }
}

/// Counts failed sign-ins per key and refuses more than a limit in
/// [`SignInLimiter::WINDOW`]: [`SignInLimiter::MAX_PER_ACCOUNT`] for one
/// email address, [`SignInLimiter::MAX_PER_ADDRESS`] from one client address
/// (higher, since an office shares one address).
#[derive(Debug, Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl SignInLimiter {
    /// Failed attempts allowed per account per window.
    pub const MAX_PER_ACCOUNT: usize = 5;
    /// Failed attempts allowed per client address per window.
    pub const MAX_PER_ADDRESS: usize = 50;
    /// The window.
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// How long `key` must wait before trying again, if it has had `max` failures.
    pub fn wait(&self, key: &str, max: usize) -> Option<Duration> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let list = map.entry(key.to_owned()).or_default();
        list.retain(|t| now.duration_since(*t) < Self::WINDOW);
        (list.len() >= max).then(|| Self::WINDOW - now.duration_since(list[0]))
    }

    /// Note a failed attempt for `key`.
    pub fn fail(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.clear();
        }
        map.entry(key.to_owned()).or_default().push(Instant::now());
    }

    /// Forget failures for `key` after a successful sign-in.
    pub fn succeed(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let p = Password::new("correct horse battery").unwrap();
        let h = hash_password(&p);
        assert!(h.starts_with("$argon2"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(same_secret(&a, &a.clone()) && !same_secret(&a, &b));
    }

    #[test]
    fn the_limiter_locks_out_after_too_many_failures() {
        let l = SignInLimiter::default();
        let max = SignInLimiter::MAX_PER_ACCOUNT;
        for _ in 0..max {
            assert!(l.wait("x", max).is_none());
            l.fail("x");
        }
        assert!(l.wait("x", max).is_some());
        assert!(l.wait("x", SignInLimiter::MAX_PER_ADDRESS).is_none());
        assert!(l.wait("y", max).is_none());
        l.succeed("x");
        assert!(l.wait("x", max).is_none());
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let mut h = HeaderMap::new();
        h.insert("host", "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert("origin", "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert("origin", "https://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
        h.remove("origin");
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&h));
    }
}
