-- The version of the data that caches in every server process compare
-- with (Store::data_version). Each transaction that writes an audit event
-- (every write does) adds one, so a change is seen as soon as it commits,
-- in whatever order concurrent writers commit. The row's lock orders
-- writers only at their audit event, which is their last statement.
-- Keep in step with ../sqlite/0020_data_version.sql.

CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER audit_events_bump_data_version
    AFTER INSERT ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
