-- Reference schemes per body. A body numbers its actions and plan items in
-- one scheme: 'statement' ("10A" under "10", what existing data has),
-- 'dotted' ("1.2.3" under "1.2") or 'free' ("CP2.3.1", "ASC 3.2").
-- Plan items' numbers become text references (number 10 becomes "10"), and
-- an action's reference is unique within its plan by its key: upper case
-- with spaces removed, so "asc 3.2" and "ASC 3.2" are the same reference.
-- Keep in step with ../postgres/0012_reference_schemes.sql.

ALTER TABLE bodies ADD COLUMN reference_scheme TEXT NOT NULL DEFAULT 'statement';

ALTER TABLE plan_items ADD COLUMN reference TEXT;
UPDATE plan_items SET reference = CAST(number AS TEXT) WHERE number IS NOT NULL;
ALTER TABLE plan_items DROP COLUMN number;

ALTER TABLE actions ADD COLUMN reference_key TEXT NOT NULL DEFAULT '';
UPDATE actions SET reference_key = UPPER(REPLACE(reference, ' ', ''));
DROP INDEX actions_reference;
CREATE UNIQUE INDEX actions_reference ON actions (plan_id, reference_key) WHERE deleted_at IS NULL;
