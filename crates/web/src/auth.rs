//! Who is asking: passwords, sessions, CSRF tokens, API tokens and the
//! sign-in rate limit.

use std::sync::{Mutex, OnceLock};

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
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
#[cfg(test)]
fn verify_password(password: &str, hash: &str) -> bool {
    verify_with_memory(password, hash, &mut Vec::new())
}

/// Whether `password` matches `hash`, with `memory` as argon2's working
/// memory: grown to what the hash's parameters need and kept by the caller
/// for the next check, so repeated checks reuse one allocation rather than
/// making (and fragmenting) 19 MiB each time.
fn verify_with_memory(password: &str, hash: &str, memory: &mut Vec<argon2::Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        argon2::Algorithm::try_from(parsed.algorithm),
        argon2::Params::try_from(&parsed),
    ) else {
        return false;
    };
    let Ok(version) = parsed
        .version
        .map(argon2::Version::try_from)
        .transpose()
        .map(Option::unwrap_or_default)
    else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), argon2::Block::new());
    }
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
        .is_ok()
        && out.len() == expected.as_bytes().len()
        && out
            .iter()
            .zip(expected.as_bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
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

/// Whether a state-changing request comes from our own pages. Browsers
/// send `Sec-Fetch-Site`, and `Origin` (or at least `Referer`): a cross-site
/// value is refused, and the origin's scheme, host and port must all be this
/// site's (`https` when `https` is set, else `http`; the host and port from
/// the `Host` header). A request with neither header (not from a browser)
/// passes this check; its CSRF token still has to match.
pub fn same_origin(headers: &HeaderMap, https: bool) -> bool {
    let text = |name: axum::http::header::HeaderName| {
        headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}"))
    };
    if text(axum::http::HeaderName::from_static("sec-fetch-site"))
        .is_some_and(|s| s != "same-origin" && s != "none")
    {
        return false;
    }
    let scheme = if https { "https" } else { "http" };
    let Some(site) = text(axum::http::header::HOST).and_then(|h| origin_of(scheme, h)) else {
        return false;
    };
    match (
        text(axum::http::header::ORIGIN),
        text(axum::http::header::REFERER),
    ) {
        (Some(origin), _) => parse_origin(origin).is_some_and(|o| o == site),
        (None, Some(referer)) => parse_origin(referer).is_some_and(|o| o == site),
        (None, None) => true,
    }
}

/// (scheme, host, port) of an absolute URL, the port filled in from the
/// scheme when left out; `None` for anything else (including `null`).
fn parse_origin(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return None;
    }
    origin_of(&scheme, authority)
}

/// (scheme, host, port) of a `host[:port]` reached over `scheme`.
fn origin_of(scheme: &str, authority: &str) -> Option<(String, String, u16)> {
    let default = if scheme == "https" { 443 } else { 80 };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !port.contains(']') => (host, port.parse().ok()?),
        _ => (authority, default),
    };
    if host.is_empty() {
        return None;
    }
    Some((scheme.to_owned(), host.to_ascii_lowercase(), port))
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
    pub fn access(viewer: Option<&Viewer>, body_id: domain::BodyId) -> Access {
        viewer
            .and_then(|v| v.memberships.iter().find(|m| m.body_id == body_id))
            .map(Membership::access)
            .unwrap_or(Access::Public)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The time now as the sign-in tables keep it: milliseconds since 1970
/// (UTC), the same in every server process.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// An argon2 hash of no one's password, made once: checking a password
/// against it costs what checking a real account's does, so the time a
/// sign-in takes does not tell whether the account exists.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(new_token().as_bytes(), &salt)
            .expect("argon2 hashes any password")
            .to_string()
    })
}

/// How many password checks run at once, each on its own long-lived thread
/// (one: about 40 sign-ins a second). A check takes argon2's 19 MiB of
/// memory and a core for a few tens of milliseconds; more wait their turn,
/// so a flood of sign-ins costs time, not memory (each thread keeps its
/// 19 MiB from one check to the next rather than fragmenting the heap).
pub const PASSWORD_CHECKS_AT_ONCE: usize = 1;

/// A password to check, and where to send the answer.
type PasswordJob = (String, Option<String>, tokio::sync::oneshot::Sender<bool>);

/// The queue of the password-checking threads, started on first use (the
/// first of them makes the dummy hash).
pub(crate) fn password_checkers() -> &'static tokio::sync::mpsc::Sender<PasswordJob> {
    static QUEUE: OnceLock<tokio::sync::mpsc::Sender<PasswordJob>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (sender, receiver) = tokio::sync::mpsc::channel::<PasswordJob>(64);
        let receiver = std::sync::Arc::new(Mutex::new(receiver));
        for i in 0..PASSWORD_CHECKS_AT_ONCE {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("password-check-{i}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    dummy_hash();
                    loop {
                        let job = lock(&receiver).blocking_recv();
                        let Some((password, hash, answer)) = job else {
                            return;
                        };
                        let matches = match hash {
                            Some(hash) => verify_with_memory(&password, &hash, &mut memory),
                            None => {
                                verify_with_memory(&password, dummy_hash(), &mut memory);
                                false
                            }
                        };
                        let _ = answer.send(matches);
                    }
                })
                .expect("a password-checking thread starts");
        }
        sender
    })
}

/// Start a session for `user_id` (signed in by password or by the body's
/// provider): store it, and return the `Set-Cookie` value that carries it.
pub(crate) async fn start_session(
    state: &crate::AppState,
    user_id: i64,
) -> Result<String, store::StoreError> {
    let token = new_token();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    state
        .store()
        .create_session(user_id, &token_hash(&token), &new_token(), &expires)
        .await?;
    Ok(set_cookie(
        SESSION_COOKIE,
        &token,
        SESSION_HOURS * 3600,
        state.secure_cookies(),
    ))
}

/// Whether `password` matches `hash`, checked on one of
/// [`PASSWORD_CHECKS_AT_ONCE`] threads of its own so the server keeps
/// answering meanwhile. With no hash (no such account, or an account that
/// signs in only through its body's provider) the password is checked
/// against a dummy hash and refused, taking the same time.
pub async fn check_password(password: String, hash: Option<String>) -> bool {
    let (answer, answered) = tokio::sync::oneshot::channel();
    if password_checkers()
        .send((password, hash, answer))
        .await
        .is_err()
    {
        return false;
    }
    answered.await.unwrap_or(false)
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

    #[tokio::test]
    async fn unknown_accounts_are_checked_against_the_dummy_hash() {
        assert!(dummy_hash().starts_with("$argon2"));
        assert!(!check_password("anything".into(), None).await);
        let h = hash_password(&Password::new("correct horse battery").unwrap());
        assert!(check_password("correct horse battery".into(), Some(h.clone())).await);
        assert!(!check_password("wrong".into(), Some(h)).await);
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(same_secret(&a, &a.clone()) && !same_secret(&a, &b));
    }

    #[test]
    fn cross_site_posts_are_refused() {
        let mut h = HeaderMap::new();
        h.insert("host", "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h, false), "no browser headers");
        h.insert("origin", "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h, false));
        assert!(!same_origin(&h, true), "http origin on an https site");
        h.insert("origin", "https://evil.example".parse().unwrap());
        assert!(!same_origin(&h, false));
        h.insert("origin", "http://127.0.0.1:8081".parse().unwrap());
        assert!(!same_origin(&h, false), "another port");
        h.insert("origin", "null".parse().unwrap());
        assert!(!same_origin(&h, false));
        h.remove("origin");
        h.insert(
            "referer",
            "http://127.0.0.1:8080/sign-in?x".parse().unwrap(),
        );
        assert!(same_origin(&h, false));
        h.insert("referer", "https://127.0.0.1:8080/sign-in".parse().unwrap());
        assert!(!same_origin(&h, false), "referer of another scheme");
        h.remove("referer");
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_origin(&h, false));

        let mut h = HeaderMap::new();
        h.insert("host", "plans.council.example".parse().unwrap());
        h.insert("origin", "https://plans.council.example".parse().unwrap());
        assert!(same_origin(&h, true), "default port");
        h.insert(
            "origin",
            "https://plans.council.example:443".parse().unwrap(),
        );
        assert!(same_origin(&h, true));
        h.insert(
            "origin",
            "https://plans.council.example.evil.example"
                .parse()
                .unwrap(),
        );
        assert!(!same_origin(&h, true));
    }
}
