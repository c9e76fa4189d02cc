-- Ambit schema, SQLite edition. Keep in step with ../postgres/0001_plans.sql:
-- same tables, columns and meanings; only the types differ.
-- Times are UTC RFC 3339 text; booleans are 0/1 integers; deletes are soft
-- (deleted_at set); editable rows carry a version for optimistic concurrency.

CREATE TABLE bodies (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level_names TEXT NOT NULL,
    rag_mapping TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE strategies (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    title TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX strategies_body ON strategies (body_id);

CREATE TABLE ambitions (
    id INTEGER PRIMARY KEY,
    strategy_id INTEGER NOT NULL REFERENCES strategies (id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    illustrative INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX ambitions_number ON ambitions (strategy_id, number) WHERE deleted_at IS NULL;

CREATE TABLE alignments (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX alignments_name ON alignments (body_id, name) WHERE deleted_at IS NULL;

CREATE TABLE committees (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    name TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX committees_name ON committees (body_id, name) WHERE deleted_at IS NULL;

CREATE TABLE portfolios (
    id INTEGER PRIMARY KEY,
    body_id INTEGER NOT NULL REFERENCES bodies (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    committee_id INTEGER REFERENCES committees (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX portfolios_code ON portfolios (body_id, code) WHERE deleted_at IS NULL;

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    portfolio_id INTEGER NOT NULL REFERENCES portfolios (id),
    year INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX plans_year ON plans (portfolio_id, year) WHERE deleted_at IS NULL;

CREATE TABLE plan_alignments (
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    alignment_id INTEGER NOT NULL REFERENCES alignments (id),
    PRIMARY KEY (plan_id, alignment_id)
);

CREATE TABLE plan_items (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    parent_id INTEGER REFERENCES plan_items (id),
    depth INTEGER NOT NULL,
    ambition_id INTEGER REFERENCES ambitions (id),
    number INTEGER,
    title TEXT NOT NULL,
    position INTEGER NOT NULL,
    illustrative INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX plan_items_plan ON plan_items (plan_id);

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    item_id INTEGER NOT NULL REFERENCES plan_items (id),
    reference TEXT NOT NULL,
    title TEXT NOT NULL,
    lead TEXT NOT NULL,
    directorate TEXT,
    target TEXT,
    continues_id INTEGER REFERENCES actions (id),
    illustrative INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX actions_reference ON actions (plan_id, reference) WHERE deleted_at IS NULL;
CREATE INDEX actions_continues ON actions (continues_id);

CREATE TABLE measures (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    unit TEXT,
    direction TEXT,
    baseline REAL,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX measures_action ON measures (action_id);

CREATE TABLE measure_targets (
    measure_id INTEGER NOT NULL REFERENCES measures (id),
    year INTEGER NOT NULL,
    half INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (measure_id, year, half)
);

CREATE TABLE updates (
    id INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id),
    year INTEGER NOT NULL,
    half INTEGER NOT NULL,
    status TEXT NOT NULL,
    commentary TEXT NOT NULL,
    percent INTEGER,
    key_achievement INTEGER NOT NULL DEFAULT 0,
    author TEXT NOT NULL,
    illustrative INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX updates_period ON updates (action_id, year, half) WHERE deleted_at IS NULL;

CREATE TABLE measure_actuals (
    update_id INTEGER NOT NULL REFERENCES updates (id),
    measure_id INTEGER NOT NULL REFERENCES measures (id),
    value REAL NOT NULL,
    PRIMARY KEY (update_id, measure_id)
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    body_id INTEGER,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    operation TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_events_entity ON audit_events (entity, entity_id);
