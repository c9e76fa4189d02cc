-- Full-text search over a body's record: actions (reference and title),
-- updates' commentary, questions, promises and the minutes of agenda
-- items (with their number and title). One table with a tsvector of
-- English (stemmed) words, title words weighted above text words, under a
-- GIN index. Each row's id is its record's id times 8 plus its kind:
--   1 action, 2 an update as written (seen by those who see the work on
--   its action), 3 an update's signed-off content (seen by everyone
--   else), 4 question, 5 promise, 6 agenda item's minutes.
-- audience: 0 everyone who may see the record, 1 only those who see the
-- work on the action, 2 only those who do not. Whether a plan or meeting
-- is published, and soft deletes of parents, are checked when searching.
-- Triggers keep the index in step with every write, in its transaction.
-- The index is derived: backups leave it out and restores rebuild it.
-- Keep in step with ../sqlite/0019_search.sql.

CREATE TABLE search_index (
    id BIGINT PRIMARY KEY,
    body_id BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    record_id BIGINT NOT NULL,
    audience BIGINT NOT NULL,
    action_id BIGINT,
    item_id BIGINT,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, text), 'B')
    ) STORED
);
CREATE INDEX search_index_document ON search_index USING GIN (document);
CREATE INDEX search_index_body ON search_index (body_id);

CREATE FUNCTION search_actions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_index WHERE id = OLD.id * 8 + 1;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
        INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
        SELECT NEW.id * 8 + 1, NEW.reference || ' ' || NEW.title, '', po.body_id, 1, NEW.id, 0, NEW.id, NULL
        FROM plans p JOIN portfolios po ON po.id = p.portfolio_id WHERE p.id = NEW.plan_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER search_actions AFTER INSERT OR DELETE OR UPDATE OF reference, title, plan_id, deleted_at
    ON actions FOR EACH ROW EXECUTE FUNCTION search_actions();

CREATE FUNCTION search_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_index WHERE id IN (OLD.id * 8 + 2, OLD.id * 8 + 3);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
        INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
        SELECT NEW.id * 8 + 2, '', NEW.commentary, po.body_id, 2, NEW.id, 1, NEW.action_id, NULL
        FROM actions a JOIN plans p ON p.id = a.plan_id JOIN portfolios po ON po.id = p.portfolio_id
        WHERE a.id = NEW.action_id;
        INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
        SELECT NEW.id * 8 + 3, '',
            CASE WHEN NEW.state = 'signed_off' THEN NEW.commentary ELSE NEW.published::jsonb ->> 'commentary' END,
            po.body_id, 3, NEW.id, 2, NEW.action_id, NULL
        FROM actions a JOIN plans p ON p.id = a.plan_id JOIN portfolios po ON po.id = p.portfolio_id
        WHERE a.id = NEW.action_id AND (NEW.state = 'signed_off' OR NEW.published IS NOT NULL);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER search_updates AFTER INSERT OR DELETE OR UPDATE OF commentary, state, published, action_id, deleted_at
    ON updates FOR EACH ROW EXECUTE FUNCTION search_updates();

CREATE FUNCTION search_questions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_index WHERE id = OLD.id * 8 + 4;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
        INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
        SELECT NEW.id * 8 + 4, '', NEW.source, c.body_id, 4, NEW.id, 0, NULL, NEW.agenda_item_id
        FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id JOIN committees c ON c.id = m.committee_id
        WHERE ai.id = NEW.agenda_item_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER search_questions AFTER INSERT OR DELETE OR UPDATE OF source, agenda_item_id, deleted_at
    ON questions FOR EACH ROW EXECUTE FUNCTION search_questions();

CREATE FUNCTION search_commitments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_index WHERE id = OLD.id * 8 + 5;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
        INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
        SELECT NEW.id * 8 + 5, '', NEW.text, c.body_id, 5, NEW.id, 0, NULL, NEW.agenda_item_id
        FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id JOIN committees c ON c.id = m.committee_id
        WHERE ai.id = NEW.agenda_item_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER search_commitments AFTER INSERT OR DELETE OR UPDATE OF text, agenda_item_id, deleted_at
    ON commitments FOR EACH ROW EXECUTE FUNCTION search_commitments();

CREATE FUNCTION search_agenda_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_index WHERE id = OLD.id * 8 + 6;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
        INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
        SELECT NEW.id * 8 + 6, NEW.number || ' ' || NEW.title, NEW.minutes, c.body_id, 6, NEW.id, 0, NULL, NEW.id
        FROM meetings m JOIN committees c ON c.id = m.committee_id WHERE m.id = NEW.meeting_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER search_agenda_items AFTER INSERT OR DELETE OR UPDATE OF number, title, minutes, meeting_id, deleted_at
    ON agenda_items FOR EACH ROW EXECUTE FUNCTION search_agenda_items();

-- What is already there.
INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT a.id * 8 + 1, a.reference || ' ' || a.title, '', po.body_id, 1, a.id, 0, a.id, NULL
FROM actions a JOIN plans p ON p.id = a.plan_id JOIN portfolios po ON po.id = p.portfolio_id
WHERE a.deleted_at IS NULL;
INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT u.id * 8 + 2, '', u.commentary, po.body_id, 2, u.id, 1, u.action_id, NULL
FROM updates u JOIN actions a ON a.id = u.action_id JOIN plans p ON p.id = a.plan_id
JOIN portfolios po ON po.id = p.portfolio_id
WHERE u.deleted_at IS NULL;
INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT u.id * 8 + 3, '',
    CASE WHEN u.state = 'signed_off' THEN u.commentary ELSE u.published::jsonb ->> 'commentary' END,
    po.body_id, 3, u.id, 2, u.action_id, NULL
FROM updates u JOIN actions a ON a.id = u.action_id JOIN plans p ON p.id = a.plan_id
JOIN portfolios po ON po.id = p.portfolio_id
WHERE u.deleted_at IS NULL AND (u.state = 'signed_off' OR u.published IS NOT NULL);
INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT q.id * 8 + 4, '', q.source, c.body_id, 4, q.id, 0, NULL, q.agenda_item_id
FROM questions q JOIN agenda_items ai ON ai.id = q.agenda_item_id JOIN meetings m ON m.id = ai.meeting_id
JOIN committees c ON c.id = m.committee_id
WHERE q.deleted_at IS NULL;
INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT k.id * 8 + 5, '', k.text, c.body_id, 5, k.id, 0, NULL, k.agenda_item_id
FROM commitments k JOIN agenda_items ai ON ai.id = k.agenda_item_id JOIN meetings m ON m.id = ai.meeting_id
JOIN committees c ON c.id = m.committee_id
WHERE k.deleted_at IS NULL;
INSERT INTO search_index (id, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT ai.id * 8 + 6, ai.number || ' ' || ai.title, ai.minutes, c.body_id, 6, ai.id, 0, NULL, ai.id
FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id JOIN committees c ON c.id = m.committee_id
WHERE ai.deleted_at IS NULL;
