-- The directory, second step: WebSub subscription state of a feed (R-D22) and the node's own
-- channels as sites (their feeds are written at publish time, never polled).
-- Depends on 0003.

-- A subscription request sent to the hub and not yet verified (intent verification GET).
ALTER TABLE feeds ADD COLUMN websub_pending_at timestamptz;
-- The lease the hub granted, and when to renew (80 % of it).
ALTER TABLE feeds ADD COLUMN websub_lease_seconds integer CHECK (websub_lease_seconds > 0);
ALTER TABLE feeds ADD COLUMN websub_renew_at timestamptz;
CREATE INDEX feeds_websub_renew_idx ON feeds (websub_renew_at) WHERE websub_renew_at IS NOT NULL;

-- A feed this node writes itself (an own channel's feed): the poller never fetches it.
ALTER TABLE feeds ADD COLUMN is_local boolean NOT NULL DEFAULT false;
DROP INDEX feeds_due_idx;
CREATE INDEX feeds_due_idx ON feeds (next_poll_at) WHERE status <> 'gone' AND NOT is_local;
