-- Whether a body requires commentary on an update whose status is at risk
-- or off track before it is submitted for sign-off or recorded as
-- reported. On by default: a concern without a reason is no use to a
-- committee. Keep in step with ../sqlite/0015_commentary_on_concerns.sql.

ALTER TABLE bodies ADD COLUMN require_commentary BIGINT NOT NULL DEFAULT 1;
