-- Signed-off work stays put.
-- Keep in step with ../postgres/0010_settled_updates.sql.

-- The last signed-off content of an update (JSON of its status, commentary,
-- percent, key achievement, measure actuals and author), kept while a
-- revision of it goes through sign-off again: the public goes on seeing it
-- until the revision is signed off. NULL when the update itself is signed
-- off (its columns are what is published) or was never signed off.
ALTER TABLE updates ADD COLUMN published TEXT;

-- Whether updates may be recorded outside the reporting cycle (recorded as
-- reported, without sign-off): 1 allowed, 0 refused, NULL allowed only
-- until the body first opens a reporting period.
ALTER TABLE bodies ADD COLUMN updates_outside_cycle INTEGER;
