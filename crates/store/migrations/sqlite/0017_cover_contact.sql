-- A report cover's contact officer, apart from its author: whom readers
-- contact (empty: the author). Keep in step with ../postgres/0017_cover_contact.sql.

ALTER TABLE report_covers ADD COLUMN contact TEXT NOT NULL DEFAULT '';
