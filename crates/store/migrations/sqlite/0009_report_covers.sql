-- The cover details of each period's committee report, as the officer set
-- them: reference, committee, meeting date, author and summary.
-- Keep in step with ../postgres/0009_report_covers.sql.

CREATE TABLE report_covers (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    half INTEGER NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    committee TEXT NOT NULL DEFAULT '',
    meeting_date TEXT,
    author TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (plan_id, half)
);
