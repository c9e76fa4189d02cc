-- Writes counted per body as well as in all (Store::plan_tree and
-- Store::plan_view): a plan kept in memory stays good while only other
-- bodies' data changes. `shared` counts the writes that belong to no body
-- (accounts, for one), which everything kept must give way to.
-- Keep in step with ../postgres/0023_body_data_versions.sql.

ALTER TABLE data_version ADD COLUMN shared INTEGER NOT NULL DEFAULT 0;

CREATE TABLE body_data_versions (
    body_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);

DROP TRIGGER audit_events_bump_data_version;

CREATE TRIGGER audit_events_bump_data_version
    AFTER INSERT ON audit_events
BEGIN
    UPDATE data_version
       SET version = version + 1, shared = shared + (NEW.body_id IS NULL)
     WHERE id = 1;
    INSERT INTO body_data_versions (body_id, version)
        SELECT NEW.body_id, 1 WHERE NEW.body_id IS NOT NULL
        ON CONFLICT (body_id) DO UPDATE SET version = version + 1;
END;
