-- The committee system a body keeps its meetings in (Civica's ModernGov),
-- what `ambit moderngov sync` brought from it, keyed by ModernGov's own
-- ids, and the minutes waiting for a clerk's review. Keep in step with
-- ../postgres/0018_moderngov.sql.

-- A body's ModernGov site and how politely to ask it (milliseconds
-- between requests).
CREATE TABLE moderngov_sites (
    body_id INTEGER PRIMARY KEY REFERENCES bodies (id),
    site TEXT NOT NULL,
    delay_ms INTEGER NOT NULL DEFAULT 1000,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

-- Each run of a sync: who started it, when, how it ended and its summary.
CREATE TABLE moderngov_syncs (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    site TEXT NOT NULL,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    state TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX moderngov_syncs_body ON moderngov_syncs (body_id, id);

CREATE TABLE moderngov_committees (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    moderngov_id INTEGER NOT NULL,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    UNIQUE (body_id, moderngov_id)
);

-- A meeting's details that only the committee system gives (its time and
-- own status), the printed minutes' page when the minutes are published
-- only as a PDF, and a fingerprint of what was last brought over, so a
-- sync leaves an unchanged meeting alone.
CREATE TABLE moderngov_meetings (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    moderngov_id INTEGER NOT NULL,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    moderngov_committee_id INTEGER NOT NULL,
    starts_at TEXT,
    status_text TEXT NOT NULL DEFAULT '',
    minutes_pdf TEXT,
    fingerprint TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    UNIQUE (body_id, moderngov_id)
);
CREATE INDEX moderngov_meetings_meeting ON moderngov_meetings (meeting_id);

CREATE TABLE moderngov_items (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    moderngov_id INTEGER NOT NULL,
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    UNIQUE (body_id, moderngov_id)
);

-- Who was expected at a meeting and whether they came.
CREATE TABLE meeting_attendees (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    attendance TEXT NOT NULL DEFAULT ''
);
CREATE INDEX meeting_attendees_meeting ON meeting_attendees (meeting_id);

-- The documents an agenda item links to (reports, appendices), where the
-- committee system publishes them.
CREATE TABLE agenda_item_documents (
    id INTEGER PRIMARY KEY,
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    position INTEGER NOT NULL,
    external_id INTEGER,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    published_on TEXT
);
CREATE INDEX agenda_item_documents_item ON agenda_item_documents (agenda_item_id);

-- Minutes waiting for a clerk's review, one row per agenda item: the text,
-- the extractor's proposals (its JSON) and where the minutes came from.
-- Reviewed once the clerk accepts the item's minutes; queued again when
-- the committee system's text changes.
CREATE TABLE minutes_queue (
    id INTEGER PRIMARY KEY,
    agenda_item_id INTEGER NOT NULL UNIQUE REFERENCES agenda_items (id),
    minutes TEXT NOT NULL,
    proposals TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    reviewed_at TEXT
);
