-- The search index's body becomes a word of its own, so a search reads
-- only the body's entries: the body's word and the searched words are
-- matched together inside the index (store::search), instead of every
-- body's matches being read and then filtered. Before this a search took
-- time in proportion to the number of bodies sharing the words.
-- The entries are kept as they are (rowid, columns, values); only the
-- table is made again with body_id indexed. The triggers of 0019 write
-- to it by name and need no change.
-- Keep in step with ../postgres/0022_search_by_body.sql.

-- The new table is filled from the old one and takes its name. Renaming
-- the old way (legacy_alter_table) leaves the triggers' text alone: they
-- name search_index, which is the new table once renamed.

CREATE VIRTUAL TABLE search_index_by_body USING fts5(
    title,
    text,
    body_id,
    kind UNINDEXED,
    record_id UNINDEXED,
    audience UNINDEXED,
    action_id UNINDEXED,
    item_id UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO search_index_by_body (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT rowid, title, text, body_id, kind, record_id, audience, action_id, item_id
    FROM search_index ORDER BY rowid;

DROP TABLE search_index;

PRAGMA legacy_alter_table = ON;
ALTER TABLE search_index_by_body RENAME TO search_index;
PRAGMA legacy_alter_table = OFF;
