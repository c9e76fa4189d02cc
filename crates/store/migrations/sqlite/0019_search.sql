-- Full-text search over a body's record: actions (reference and title),
-- updates' commentary, questions, promises and the minutes of agenda
-- items (with their number and title). One FTS5 table with English
-- (Porter) stemming; each row's rowid is its record's id times 8 plus its
-- kind, so a record's row is found without a scan:
--   1 action, 2 an update as written (seen by those who see the work on
--   its action), 3 an update's signed-off content (seen by everyone
--   else), 4 question, 5 promise, 6 agenda item's minutes.
-- audience: 0 everyone who may see the record, 1 only those who see the
-- work on the action, 2 only those who do not. Whether a plan or meeting
-- is published, and soft deletes of parents, are checked when searching.
-- Triggers keep the index in step with every write, in its transaction.
-- Keep in step with ../postgres/0019_search.sql.

CREATE VIRTUAL TABLE search_index USING fts5(
    title,
    text,
    body_id UNINDEXED,
    kind UNINDEXED,
    record_id UNINDEXED,
    audience UNINDEXED,
    action_id UNINDEXED,
    item_id UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Actions.
CREATE TRIGGER search_actions_insert AFTER INSERT ON actions
WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 1, NEW.reference || ' ' || NEW.title, '', po.body_id, 1, NEW.id, 0, NEW.id, NULL
    FROM plans p JOIN portfolios po ON po.id = p.portfolio_id WHERE p.id = NEW.plan_id;
END;
CREATE TRIGGER search_actions_update AFTER UPDATE OF reference, title, plan_id, deleted_at ON actions BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 8 + 1;
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 1, NEW.reference || ' ' || NEW.title, '', po.body_id, 1, NEW.id, 0, NEW.id, NULL
    FROM plans p JOIN portfolios po ON po.id = p.portfolio_id
    WHERE p.id = NEW.plan_id AND NEW.deleted_at IS NULL;
END;
CREATE TRIGGER search_actions_delete AFTER DELETE ON actions BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 8 + 1;
END;

-- Updates: as written, and as signed off (the update itself when signed
-- off, else the signed-off content kept while a revision is pending).
CREATE TRIGGER search_updates_insert AFTER INSERT ON updates
WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 2, '', NEW.commentary, po.body_id, 2, NEW.id, 1, NEW.action_id, NULL
    FROM actions a JOIN plans p ON p.id = a.plan_id JOIN portfolios po ON po.id = p.portfolio_id
    WHERE a.id = NEW.action_id;
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 3, '',
        CASE WHEN NEW.state = 'signed_off' THEN NEW.commentary ELSE json_extract(NEW.published, '$.commentary') END,
        po.body_id, 3, NEW.id, 2, NEW.action_id, NULL
    FROM actions a JOIN plans p ON p.id = a.plan_id JOIN portfolios po ON po.id = p.portfolio_id
    WHERE a.id = NEW.action_id AND (NEW.state = 'signed_off' OR NEW.published IS NOT NULL);
END;
CREATE TRIGGER search_updates_update AFTER UPDATE OF commentary, state, published, action_id, deleted_at ON updates BEGIN
    DELETE FROM search_index WHERE rowid IN (OLD.id * 8 + 2, OLD.id * 8 + 3);
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 2, '', NEW.commentary, po.body_id, 2, NEW.id, 1, NEW.action_id, NULL
    FROM actions a JOIN plans p ON p.id = a.plan_id JOIN portfolios po ON po.id = p.portfolio_id
    WHERE a.id = NEW.action_id AND NEW.deleted_at IS NULL;
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 3, '',
        CASE WHEN NEW.state = 'signed_off' THEN NEW.commentary ELSE json_extract(NEW.published, '$.commentary') END,
        po.body_id, 3, NEW.id, 2, NEW.action_id, NULL
    FROM actions a JOIN plans p ON p.id = a.plan_id JOIN portfolios po ON po.id = p.portfolio_id
    WHERE a.id = NEW.action_id AND NEW.deleted_at IS NULL
      AND (NEW.state = 'signed_off' OR NEW.published IS NOT NULL);
END;
CREATE TRIGGER search_updates_delete AFTER DELETE ON updates BEGIN
    DELETE FROM search_index WHERE rowid IN (OLD.id * 8 + 2, OLD.id * 8 + 3);
END;

-- Questions asked at a meeting.
CREATE TRIGGER search_questions_insert AFTER INSERT ON questions
WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 4, '', NEW.source, c.body_id, 4, NEW.id, 0, NULL, NEW.agenda_item_id
    FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id JOIN committees c ON c.id = m.committee_id
    WHERE ai.id = NEW.agenda_item_id;
END;
CREATE TRIGGER search_questions_update AFTER UPDATE OF source, agenda_item_id, deleted_at ON questions BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 8 + 4;
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 4, '', NEW.source, c.body_id, 4, NEW.id, 0, NULL, NEW.agenda_item_id
    FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id JOIN committees c ON c.id = m.committee_id
    WHERE ai.id = NEW.agenda_item_id AND NEW.deleted_at IS NULL;
END;
CREATE TRIGGER search_questions_delete AFTER DELETE ON questions BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 8 + 4;
END;

-- Promises (commitments) made at a meeting.
CREATE TRIGGER search_commitments_insert AFTER INSERT ON commitments
WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 5, '', NEW.text, c.body_id, 5, NEW.id, 0, NULL, NEW.agenda_item_id
    FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id JOIN committees c ON c.id = m.committee_id
    WHERE ai.id = NEW.agenda_item_id;
END;
CREATE TRIGGER search_commitments_update AFTER UPDATE OF text, agenda_item_id, deleted_at ON commitments BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 8 + 5;
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 5, '', NEW.text, c.body_id, 5, NEW.id, 0, NULL, NEW.agenda_item_id
    FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id JOIN committees c ON c.id = m.committee_id
    WHERE ai.id = NEW.agenda_item_id AND NEW.deleted_at IS NULL;
END;
CREATE TRIGGER search_commitments_delete AFTER DELETE ON commitments BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 8 + 5;
END;

-- Agenda items: their number and title, and their minutes.
CREATE TRIGGER search_agenda_items_insert AFTER INSERT ON agenda_items
WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 6, NEW.number || ' ' || NEW.title, NEW.minutes, c.body_id, 6, NEW.id, 0, NULL, NEW.id
    FROM meetings m JOIN committees c ON c.id = m.committee_id WHERE m.id = NEW.meeting_id;
END;
CREATE TRIGGER search_agenda_items_update AFTER UPDATE OF number, title, minutes, meeting_id, deleted_at ON agenda_items BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 8 + 6;
    INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
    SELECT NEW.id * 8 + 6, NEW.number || ' ' || NEW.title, NEW.minutes, c.body_id, 6, NEW.id, 0, NULL, NEW.id
    FROM meetings m JOIN committees c ON c.id = m.committee_id
    WHERE m.id = NEW.meeting_id AND NEW.deleted_at IS NULL;
END;
CREATE TRIGGER search_agenda_items_delete AFTER DELETE ON agenda_items BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 8 + 6;
END;

-- What is already there.
INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT a.id * 8 + 1, a.reference || ' ' || a.title, '', po.body_id, 1, a.id, 0, a.id, NULL
FROM actions a JOIN plans p ON p.id = a.plan_id JOIN portfolios po ON po.id = p.portfolio_id
WHERE a.deleted_at IS NULL;
INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT u.id * 8 + 2, '', u.commentary, po.body_id, 2, u.id, 1, u.action_id, NULL
FROM updates u JOIN actions a ON a.id = u.action_id JOIN plans p ON p.id = a.plan_id
JOIN portfolios po ON po.id = p.portfolio_id
WHERE u.deleted_at IS NULL;
INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT u.id * 8 + 3, '',
    CASE WHEN u.state = 'signed_off' THEN u.commentary ELSE json_extract(u.published, '$.commentary') END,
    po.body_id, 3, u.id, 2, u.action_id, NULL
FROM updates u JOIN actions a ON a.id = u.action_id JOIN plans p ON p.id = a.plan_id
JOIN portfolios po ON po.id = p.portfolio_id
WHERE u.deleted_at IS NULL AND (u.state = 'signed_off' OR u.published IS NOT NULL);
INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT q.id * 8 + 4, '', q.source, c.body_id, 4, q.id, 0, NULL, q.agenda_item_id
FROM questions q JOIN agenda_items ai ON ai.id = q.agenda_item_id JOIN meetings m ON m.id = ai.meeting_id
JOIN committees c ON c.id = m.committee_id
WHERE q.deleted_at IS NULL;
INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT k.id * 8 + 5, '', k.text, c.body_id, 5, k.id, 0, NULL, k.agenda_item_id
FROM commitments k JOIN agenda_items ai ON ai.id = k.agenda_item_id JOIN meetings m ON m.id = ai.meeting_id
JOIN committees c ON c.id = m.committee_id
WHERE k.deleted_at IS NULL;
INSERT INTO search_index (rowid, title, text, body_id, kind, record_id, audience, action_id, item_id)
SELECT ai.id * 8 + 6, ai.number || ' ' || ai.title, ai.minutes, c.body_id, 6, ai.id, 0, NULL, ai.id
FROM agenda_items ai JOIN meetings m ON m.id = ai.meeting_id JOIN committees c ON c.id = m.committee_id
WHERE ai.deleted_at IS NULL;
