-- The yearly refresh: a plan's life (draft, approved, superseded) and what
-- the refresh did with each action of the year ending. Plans made before
-- this step count as approved. Keep in step with ../sqlite/0006_refresh.sql.

ALTER TABLE plans ADD COLUMN status TEXT NOT NULL DEFAULT 'approved';
ALTER TABLE plans ADD COLUMN approved_on TEXT;
ALTER TABLE actions ADD COLUMN fate TEXT;
ALTER TABLE actions ADD COLUMN fate_reason TEXT;
