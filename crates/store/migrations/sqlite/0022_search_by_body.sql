-- The search index's body becomes a word of its own, so a search reads
-- only the body's entries: the body's word and the searched words are
-- matched together inside the index (store::search), instead of every
-- body's matches being read and then filtered. Before this a search took
-- time in proportion to the number of bodies sharing the words.
-- The entries are kept as they are (rowid, columns, values); only the
-- table is made again with body_id indexed. The triggers of 0019 write
-- to it by name and need no change.
-- Keep in step with ../postgres/0022_search_by_body.sql.

CREATE TEMP TABLE search_index_copy AS
    SELECT rowid AS entry, title, text, body_id, kind, record_id, audience, action_id, item_id
    FROM search_index;

DROP TABLE search_index;

CREATE VIRTUAL TABLE search_index USING fts5(
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

INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT entry, title, text, body_id, kind, record_id, audience, action_id, item_id
    FROM search_index_copy ORDER BY entry;

DROP TABLE search_index_copy;
