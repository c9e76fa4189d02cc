-- Published committee report packs, frozen as the committee saw them: the
-- exact bytes of every format with their SHA-256, the data version they
-- were rendered from (the pack's contents as JSON, every format being a
-- function of it alone), who published them and when. Rows are only ever
-- inserted: Ambit has no way to change or delete a published pack, and the
-- triggers below refuse an UPDATE from anywhere else. A reference names one
-- pack within its body. Keep in step with ../postgres/0016_published_packs.sql.

CREATE TABLE published_packs (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    half INTEGER NOT NULL,
    reference TEXT NOT NULL,
    reference_key TEXT NOT NULL,
    committee TEXT NOT NULL,
    meeting_date TEXT,
    title TEXT NOT NULL,
    data TEXT NOT NULL,
    data_sha256 TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL,
    UNIQUE (body_id, reference_key)
);
CREATE INDEX published_packs_plan ON published_packs (plan_id, half);

CREATE TABLE published_pack_files (
    id INTEGER PRIMARY KEY,
    pack_id INTEGER NOT NULL REFERENCES published_packs (id),
    format TEXT NOT NULL,
    content BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    UNIQUE (pack_id, format)
);
CREATE INDEX published_pack_files_sha256 ON published_pack_files (sha256);

CREATE TRIGGER published_packs_frozen BEFORE UPDATE ON published_packs
BEGIN
    SELECT RAISE(ABORT, 'a published pack never changes');
END;
CREATE TRIGGER published_pack_files_frozen BEFORE UPDATE ON published_pack_files
BEGIN
    SELECT RAISE(ABORT, 'a published pack never changes');
END;
