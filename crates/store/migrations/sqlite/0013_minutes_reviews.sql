-- What a clerk decided about each promise the minutes extractor proposed
-- for an agenda item: kept (with the text recorded) or left out. Written
-- with the item's minutes, so the corpus that measures the extractor can
-- grow from real use (`ambit minutes corpus export`).
-- Keep in step with ../postgres/0013_minutes_reviews.sql.

CREATE TABLE minutes_reviews (
    id INTEGER PRIMARY KEY,
    agenda_item_id INTEGER NOT NULL REFERENCES agenda_items (id),
    proposed TEXT NOT NULL,
    cue TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    kept INTEGER NOT NULL,
    recorded TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX minutes_reviews_item ON minutes_reviews (agenda_item_id);
