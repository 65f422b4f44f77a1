-- Outbox rows now stay until their job is done (docs/decisions/0007): the worker deletes a
-- job's row, and the rows staged before it for the same job id, when the job has run.
-- That delete looks rows up by job id; only rows with an id of their own are indexed.
CREATE INDEX job_outbox_job_id_idx ON job_outbox (job_id, id) WHERE job_id IS NOT NULL;
