-- Spreadsheets uploaded for a plan import on the web, kept between the
-- import's steps (upload, mapping, preview, confirm) so that whichever
-- server process over this database answers the next step can read it.
-- A row belongs to one session (the SHA-256 of its CSRF secret), one body
-- and one plan (portfolio code and year), and is found by the SHA-256 of
-- the random token the pages carry. It lives 30 minutes from its upload;
-- once imported, its content is emptied and `finished` keeps the plan
-- page's banner until it is shown. Scratch rows, not part of the record:
-- not audited and not backed up. Keep in step with
-- ../postgres/0014_import_uploads.sql.

CREATE TABLE import_uploads (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    owner_hash TEXT NOT NULL,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    portfolio_code TEXT NOT NULL,
    plan_year INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    content BLOB NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    finished TEXT
);
CREATE INDEX import_uploads_owner ON import_uploads (owner_hash, body_id, created_at);
CREATE INDEX import_uploads_body ON import_uploads (body_id, created_at);
CREATE INDEX import_uploads_created ON import_uploads (created_at);
