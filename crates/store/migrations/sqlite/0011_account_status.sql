-- An account can be disabled (and enabled again): a disabled account's
-- sessions and API tokens are refused until it is enabled. Removing an
-- account sets deleted_at, as for every other record.
-- Keep in step with ../postgres/0011_account_status.sql.

ALTER TABLE users ADD COLUMN disabled_at TEXT;
