//! `ambit user list|disable|enable|remove` and `ambit token list|revoke`:
//! accounts and API tokens have an end.

use domain::{Body, Email, ParseError, Slug};
use store::{AccountStatus, DatabaseLocation, Store, TokensOf, User};

use crate::{UserError, actor, show};

/// What to do to an account.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AccountMove {
    Disable,
    Enable,
    Remove,
}

/// The body named by `--body`, or the only body when there is one.
pub(crate) async fn the_body(store: &Store, body: Option<&Slug>) -> anyhow::Result<Body> {
    if let Some(slug) = body {
        return Ok(store.body(slug).await?);
    }
    match store.bodies().await?.as_slice() {
        [only] => Ok(only.clone()),
        [] => Err(UserError("body: there are no bodies yet; load a plan file first".into()).into()),
        _ => Err(
            UserError("body: name the body with --body SLUG, e.g. --body bromley".into()).into(),
        ),
    }
}

/// The account with `raw` as its address (active or disabled).
async fn account(store: &Store, raw: &str) -> anyhow::Result<(User, AccountStatus)> {
    let email: Email = raw.parse().map_err(UserError::from)?;
    Ok(store.account_by_email(&email).await?.ok_or_else(|| {
        UserError(format!(
            "email: no account has the address {email}; see `ambit user list`"
        ))
    })?)
}

/// `ambit user list`.
pub(crate) async fn list_people(
    location: &DatabaseLocation,
    body: Option<&Slug>,
) -> anyhow::Result<()> {
    let store = Store::open(location).await?;
    let body = the_body(&store, body).await?;
    print!("{}", show::people(&body, &store.people(body.id).await?));
    Ok(())
}

/// `ambit user disable|enable|remove --email E`.
pub(crate) async fn change(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    email: &str,
    what: AccountMove,
) -> anyhow::Result<()> {
    let store = Store::open(location).await?;
    let body = the_body(&store, body).await?;
    let (user, _) = account(&store, email).await?;
    if !store
        .people(body.id)
        .await?
        .iter()
        .any(|p| p.user.id == user.id)
    {
        return Err(UserError(format!(
            "email: {} has no role in {}; see `ambit --body {} user list`",
            user.email, body.name, body.slug
        ))
        .into());
    }
    let done = match what {
        AccountMove::Disable => {
            store.disable_account(&actor(), body.id, user.id).await?;
            "Disabled"
        }
        AccountMove::Enable => {
            store.enable_account(&actor(), body.id, user.id).await?;
            "Enabled"
        }
        AccountMove::Remove => {
            store.remove_account(&actor(), body.id, user.id).await?;
            "Removed"
        }
    };
    println!("{done} the account of {} <{}>.", user.name, user.email);
    Ok(())
}

/// `ambit token list [--email E]`: one account's tokens, or those of the
/// people of the body given with `--body`, or every token.
pub(crate) async fn list_tokens(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    email: Option<&str>,
) -> anyhow::Result<()> {
    let store = Store::open(location).await?;
    let of = match (email, body) {
        (Some(email), _) => TokensOf::Account(account(&store, email).await?.0.id),
        (None, Some(slug)) => TokensOf::Body(store.body(slug).await?.id),
        (None, None) => TokensOf::All,
    };
    print!("{}", show::tokens(&store.api_tokens(of).await?));
    Ok(())
}

/// `ambit token revoke ID` (a token of the people of `--body`, when given).
pub(crate) async fn revoke_token(
    location: &DatabaseLocation,
    body: Option<&Slug>,
    raw: &str,
) -> anyhow::Result<()> {
    let id: i64 = raw.trim().parse().map_err(|_| {
        UserError::from(ParseError::new(
            "id",
            raw,
            "a token's number, as `ambit token list` shows it",
        ))
    })?;
    let store = Store::open(location).await?;
    let body_id = match body {
        Some(slug) => Some(store.body(slug).await?.id),
        None => None,
    };
    let token = store.revoke_api_token(&actor(), body_id, id).await?;
    println!(
        "Revoked API token {} ({}) of {} <{}>.",
        token.id, token.name, token.owner.name, token.owner.email
    );
    Ok(())
}
