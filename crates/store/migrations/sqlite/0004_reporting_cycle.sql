-- The reporting cycle: periods opened for updates with a deadline and
-- closed when reported, and each update's place in its sign-off.
-- Updates recorded before this step count as signed off.
-- Keep in step with ../postgres/0004_reporting_cycle.sql.

CREATE TABLE reporting_periods (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    half INTEGER NOT NULL,
    state TEXT NOT NULL,
    deadline TEXT NOT NULL,
    reminder_days INTEGER NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, half)
);

ALTER TABLE updates ADD COLUMN state TEXT NOT NULL DEFAULT 'signed_off';
ALTER TABLE updates ADD COLUMN returned_comment TEXT;
