-- Writes counted per body as well as in all (Store::plan_tree and
-- Store::plan_view): a plan kept in memory stays good while only other
-- bodies' data changes. `shared` counts the writes that belong to no body
-- (accounts, for one), which everything kept must give way to.
-- Keep in step with ../sqlite/0023_body_data_versions.sql.

ALTER TABLE data_version ADD COLUMN shared BIGINT NOT NULL DEFAULT 0;

CREATE TABLE body_data_versions (
    body_id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);

DROP TRIGGER audit_events_bump_data_version ON audit_events;

-- The data_version row first: every writer takes its lock before any
-- body's row, so two writers never wait for each other in a circle.
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version
       SET version = version + 1,
           shared = shared + CASE
               WHEN EXISTS (SELECT 1 FROM new_events WHERE body_id IS NULL) THEN 1
               ELSE 0
           END
     WHERE id = 1;
    INSERT INTO body_data_versions (body_id, version)
        SELECT DISTINCT body_id, 1 FROM new_events WHERE body_id IS NOT NULL
        ORDER BY body_id
        ON CONFLICT (body_id) DO UPDATE SET version = body_data_versions.version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_events_bump_data_version
    AFTER INSERT ON audit_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
