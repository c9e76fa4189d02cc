-- Messages waiting to be sent (reminders for missing updates), each queued
-- once per purpose (`key`), and what happened when sending them.
-- Keep in step with ../postgres/0005_outbox.sql.

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_at);
