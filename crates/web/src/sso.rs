//! Single sign-on with a body's OpenID Connect provider: the authorisation
//! code flow with PKCE and a nonce. The provider vouches for an email
//! address; the person must already have an account with a role in the body.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect};
use openidconnect::core::{
    CoreClient, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreResponseType,
};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::Deserialize;
use store::{SsoLogin, SsoProvider};

use crate::AppState;
use crate::auth;
use crate::error::{Path, WebError};
use crate::request::PageResult;
use crate::request::body_for;
use crate::request::safe_next;

/// Why single sign-on failed, in words for the person signing in.
fn failed(reason: impl std::fmt::Display) -> WebError {
    tracing::warn!("single sign-on failed: {reason}");
    WebError::SignInFailed(reason.to_string())
}

fn http_client() -> Result<openidconnect::reqwest::Client, WebError> {
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(failed)
}

/// Where the provider sends people back to: this site's `/sso/callback`.
fn redirect_url(state: &AppState, headers: &HeaderMap) -> Result<RedirectUrl, WebError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or(WebError::NotFound)?;
    let scheme = if state.secure_cookies() {
        "https"
    } else {
        "http"
    };
    RedirectUrl::new(format!("{scheme}://{host}/sso/callback")).map_err(failed)
}

async fn metadata(
    provider: &SsoProvider,
    http: &openidconnect::reqwest::Client,
) -> Result<CoreProviderMetadata, WebError> {
    let issuer = IssuerUrl::new(provider.issuer.clone()).map_err(failed)?;
    CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| {
            failed(format!(
                "the sign-in service at {} could not be reached ({e})",
                provider.issuer
            ))
        })
}

/// The query of `/b/{body}/sign-in/sso`.
#[derive(Debug, Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// `GET /b/{body}/sign-in/sso`: send the person to the body's provider.
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<StartQuery>,
) -> PageResult {
    let body = body_for(&state, &slug).await?;
    let provider = state
        .store()
        .sso(body.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let http = http_client()?;
    let meta = metadata(&provider, &http).await?;
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(provider.client_secret.clone())),
    )
    .set_redirect_uri(redirect_url(&state, &headers)?);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let login = SsoLogin {
        body_id: body.id,
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next: safe_next(
            q.next
                .as_deref()
                .or(Some(&format!("/b/{}/home", body.slug))),
        ),
    };
    state
        .store()
        .start_sso_login(&auth::token_hash(csrf.secret()), &login)
        .await?;
    Ok(Redirect::to(url.as_str()).into_response())
}

/// The provider's answer.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /sso/callback`: check the provider's answer and start a session.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> PageResult {
    let login = match &q.state {
        Some(s) => state.store().take_sso_login(&auth::token_hash(s)).await?,
        None => None,
    };
    let login = login.ok_or(WebError::Forged)?;
    if let Some(error) = q.error {
        return Err(failed(format!(
            "the sign-in service said: {}",
            q.error_description.unwrap_or(error)
        )));
    }
    let code = q
        .code
        .ok_or_else(|| failed("the sign-in service did not send a code"))?;
    let provider = state
        .store()
        .sso(login.body_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let http = http_client()?;
    let meta = metadata(&provider, &http).await?;
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(provider.client_secret.clone())),
    )
    .set_redirect_uri(redirect_url(&state, &headers)?);
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(failed)?
        .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|e| failed(format!("the sign-in service refused the code ({e})")))?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| failed("the sign-in service sent no ID token"))?;
    let verifier = client.id_token_verifier().set_allowed_algs([
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        CoreJwsSigningAlgorithm::HmacSha256,
    ]);
    let claims = id_token
        .claims(&verifier, &Nonce::new(login.nonce.clone()))
        .map_err(|e| failed(format!("the ID token could not be trusted ({e})")))?;
    if claims.email_verified() == Some(false) {
        return Err(failed(
            "the sign-in service has not verified your email address",
        ));
    }
    let email: domain::Email = claims
        .email()
        .ok_or_else(|| failed("the sign-in service did not share your email address"))?
        .as_str()
        .parse()
        .map_err(failed)?;
    let user = match state.store().user_by_email(&email).await? {
        Some((user, _))
            if state
                .store()
                .memberships(user.id)
                .await?
                .iter()
                .any(|m| m.body_id == login.body_id) =>
        {
            user
        }
        _ => {
            return Err(failed(format!(
                "there is no account for {email} here; ask an administrator to add you"
            )));
        }
    };
    let cookie = auth::start_session(&state, user.id).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&login.next)).into_response())
}
