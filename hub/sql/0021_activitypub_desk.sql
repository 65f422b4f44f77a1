-- ActivityPub, the owner's side (issue 19): a follower the owner rejected, removed or blocked
-- stays as a `rejected` row until the `send_follow_decision` job has queued its `Reject`
-- (the job needs the row: the actor's inbox and the Follow's id), then the job deletes it.
-- A rejected row is no follower: no delivery, no count, not listed.
-- The dashboard's delivery health reads a channel's newest activities and the failing
-- deliveries among them.
-- Depends on 0020.

ALTER TABLE ap_followers DROP CONSTRAINT ap_followers_status_check;
ALTER TABLE ap_followers ADD CONSTRAINT ap_followers_status_check
    CHECK (status IN ('pending', 'accepted', 'rejected'));

CREATE INDEX ap_activities_channel_idx ON ap_activities (channel_id, created_at, id);
CREATE INDEX ap_deliveries_failing_idx ON ap_deliveries (activity_id)
    WHERE status IN ('failed', 'gone') OR (status = 'pending' AND attempts > 0);
