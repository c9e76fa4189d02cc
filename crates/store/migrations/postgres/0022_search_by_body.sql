-- The search index's body becomes a word of its document, so a search
-- reads only the body's entries: the body's word and the searched words
-- are matched together inside the GIN index (store::search), instead of
-- every body's matches being read and then filtered. Before this a search
-- took time in proportion to the number of bodies sharing the words.
-- The body's word is "body <id>", with a space, which no word of text
-- becomes, so no search typed by a person can match it.
-- Keep in step with ../sqlite/0022_search_by_body.sql.

DROP INDEX search_index_document;
ALTER TABLE search_index DROP COLUMN document;
ALTER TABLE search_index ADD COLUMN document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, title), 'A')
    || setweight(to_tsvector('english'::regconfig, text), 'B')
    || array_to_tsvector(ARRAY['body ' || body_id::text])
) STORED;
CREATE INDEX search_index_document ON search_index USING GIN (document);
