-- The committee's record: members and their terms, meetings, agenda items
-- (with their minutes and the report they consider), resolutions, the
-- questions members asked and the log of promises (commitments).
-- Keep in step with ../postgres/0007_scrutiny.sql.

CREATE TABLE committee_members (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    term_from TEXT,
    term_to TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX committee_members_committee ON committee_members (committee_id);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    held_on TEXT NOT NULL,
    venue TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX meetings_committee ON meetings (committee_id, held_on);

CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    report_ref TEXT NOT NULL DEFAULT '',
    plan_id INTEGER REFERENCES plans (id),
    half TEXT,
    minutes TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id);

CREATE TABLE resolutions (
    id INTEGER PRIMARY KEY,
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    text TEXT NOT NULL,
    outcome TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX resolutions_item ON resolutions (agenda_item_id);

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    asker TEXT,
    responder TEXT,
    action_id INTEGER REFERENCES actions (id),
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX questions_item ON questions (agenda_item_id);
CREATE INDEX questions_action ON questions (action_id);

CREATE TABLE commitments (
    id INTEGER PRIMARY KEY,
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    text TEXT NOT NULL,
    owner TEXT,
    due_by TEXT,
    due_text TEXT NOT NULL DEFAULT '',
    action_id INTEGER REFERENCES actions (id),
    status TEXT NOT NULL,
    delivery_note TEXT NOT NULL DEFAULT '',
    closed_on TEXT,
    delivered_by_item_id INTEGER REFERENCES agenda_items (id),
    source TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX commitments_item ON commitments (agenda_item_id);
CREATE INDEX commitments_action ON commitments (action_id);
