-- ActivityPub delivery (issue 19): what the fan-out needs beside 0020.
-- `ap_activities.entry_version`: the entry's `version` an activity carried, so that the
-- fan-out job tells an edit (Update) from nothing new. The inbox indexes on `ap_actors`: a
-- 410 from an inbox, or an inbox failing for days, drops every follower delivered there.
-- Depends on 0020.

ALTER TABLE ap_activities ADD COLUMN entry_version integer;
CREATE INDEX ap_actors_inbox_idx ON ap_actors (inbox);
CREATE INDEX ap_actors_shared_inbox_idx ON ap_actors (shared_inbox)
    WHERE shared_inbox IS NOT NULL;
