-- Failed sign-ins, kept in the database so that every server process
-- behind a load balancer holds a guesser back alike (store::sign_in).
-- Scratch: not part of the record, not audited, not backed up; rows
-- expire. Times are milliseconds since 1970 (UTC).
-- Keep in step with ../postgres/0021_sign_in_failures.sql.

-- Failures of one account (a digest of its email) from one address.
CREATE TABLE sign_in_failures (
    account  TEXT    NOT NULL,
    client   TEXT    NOT NULL,
    failures INTEGER NOT NULL,
    last_at  INTEGER NOT NULL,
    until_at INTEGER NOT NULL,
    PRIMARY KEY (account, client)
);
CREATE INDEX sign_in_failures_last_at ON sign_in_failures (last_at);

-- Failures from one address, across accounts, in its current window.
CREATE TABLE sign_in_windows (
    client     TEXT    PRIMARY KEY,
    failures   INTEGER NOT NULL,
    started_at INTEGER NOT NULL
);
CREATE INDEX sign_in_windows_started_at ON sign_in_windows (started_at);
