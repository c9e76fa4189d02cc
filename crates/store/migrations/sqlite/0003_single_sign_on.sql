-- Single sign-on: one OpenID Connect provider per body, and the sign-ins
-- in progress (state, nonce and PKCE verifier between the redirect to the
-- provider and its return). Keep in step with ../postgres/0003_single_sign_on.sql.

CREATE TABLE sso_providers (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX sso_providers_body ON sso_providers (body_id) WHERE deleted_at IS NULL;

CREATE TABLE sso_logins (
    id INTEGER PRIMARY KEY,
    state_hash TEXT NOT NULL UNIQUE,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at TEXT NOT NULL
);
