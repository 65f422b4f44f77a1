-- The v1 API (hub/channels) and the shared entry lifecycle: idempotent writes.

-- One stored outcome per (credential, Idempotency-Key), written in the same transaction as the
-- effect; replayed for 24 hours (publicasta-v1-resolved §4.1).
CREATE TABLE idempotency_keys (
    credential_id bigint NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method        text NOT NULL,
    path          text NOT NULL,
    fingerprint   bytea NOT NULL CHECK (octet_length(fingerprint) = 32),
    status        smallint NOT NULL,
    headers       jsonb NOT NULL DEFAULT '{}',
    body          bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (credential_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Entries due for publication, judged by the primary translation's status.
CREATE INDEX entries_scheduled_at_idx ON entries (scheduled_at)
    WHERE scheduled_at IS NOT NULL AND NOT scheduled_paused;
