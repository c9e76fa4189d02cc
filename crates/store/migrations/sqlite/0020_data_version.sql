-- The version of the data that caches in every server process compare
-- with (Store::data_version): each audit event (every write makes one)
-- adds one. Keep in step with ../postgres/0020_data_version.sql.

CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

CREATE TRIGGER audit_events_bump_data_version
    AFTER INSERT ON audit_events
BEGIN
    UPDATE data_version SET version = version + 1 WHERE id = 1;
END;
