-- Who clerks each committee. Keep in step with ../postgres/0008_committee_clerk.sql.

ALTER TABLE committees ADD COLUMN clerk TEXT NOT NULL DEFAULT '';
