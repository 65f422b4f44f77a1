-- The job outbox's safety-net mode (docs/decisions/0003): a request that queues its job itself
-- right after the commit stages the row with `sweep_after` in the future, so the flushes leave
-- it alone while the request enqueues it and deletes the row; the cron sweep queues it only if
-- the request died first. Rows staged the ordinary way are due at once (the default).
-- No index on `sweep_after`: the flush reads the table in primary-key order and the table holds
-- only rows in flight (a handful), so an index would cost every staged job a write for nothing.
ALTER TABLE job_outbox ADD COLUMN sweep_after timestamptz NOT NULL DEFAULT now();
