-- Tag pages and tag feeds with cost flat as a channel grows (issue 20).
--
-- A tag page (and its Atom, RSS and JSON Feed, and its older and newer pages) walked the
-- channel's public listing (entries_public_listing_idx, migration 0024) and checked each
-- entry's tag: a tag on 2 % of the entries read ~1,000 index rows for a page of 20, and a tag
-- whose entries are all old read the whole channel. Each tag row now carries its entry's
-- channel and listing time, so one index holds a tag's public entries in the listing's order
-- and a page reads its own rows.
--
-- `listed_at` is the entry's `published_at` while the entry is on the public lists (the
-- predicate of entries_public_listing_idx), else NULL. The code that writes tags and entries
-- does not change: two triggers keep the columns in step, one filling them on every new tag
-- row and one rewriting an entry's tag rows when its channel or listing time changes
-- (published, unpublished, deleted, hidden, re-dated, moved).

CREATE FUNCTION hub_listed_at(status text, deleted_at timestamptz, visibility text,
                              published_at timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status IN ('published', 'moderation_review') AND deleted_at IS NULL
                     AND visibility = 'public' THEN published_at END
$$;

ALTER TABLE entry_categories ADD COLUMN channel_id bigint, ADD COLUMN listed_at timestamptz;

UPDATE entry_categories g
SET channel_id = e.channel_id,
    listed_at = hub_listed_at(e.status, e.deleted_at, e.visibility, e.published_at)
FROM entries e
WHERE e.id = g.entry_id;

CREATE INDEX entry_categories_listing_idx
    ON entry_categories (channel_id, key, listed_at DESC, entry_id DESC)
    WHERE listed_at IS NOT NULL;

-- A new tag row (or one moved to another entry) takes its entry's channel and listing time.
-- An entry not found (a restore loading rows before their entries) keeps the given values.
CREATE FUNCTION hub_entry_categories_listing() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    found_channel bigint;
    found_listed timestamptz;
BEGIN
    SELECT e.channel_id, hub_listed_at(e.status, e.deleted_at, e.visibility, e.published_at)
    INTO found_channel, found_listed
    FROM entries e WHERE e.id = NEW.entry_id;
    IF FOUND THEN
        NEW.channel_id := found_channel;
        NEW.listed_at := found_listed;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER entry_categories_listing BEFORE INSERT OR UPDATE OF entry_id ON entry_categories
    FOR EACH ROW EXECUTE FUNCTION hub_entry_categories_listing();

-- An entry whose channel or listing time changes rewrites its tag rows (by the primary key's
-- prefix, entry_id).
CREATE FUNCTION hub_entries_tag_listing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE entry_categories
    SET channel_id = NEW.channel_id,
        listed_at = hub_listed_at(NEW.status, NEW.deleted_at, NEW.visibility, NEW.published_at)
    WHERE entry_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER entries_tag_listing AFTER UPDATE ON entries
    FOR EACH ROW
    WHEN ((OLD.channel_id, hub_listed_at(OLD.status, OLD.deleted_at, OLD.visibility,
                                         OLD.published_at))
          IS DISTINCT FROM (NEW.channel_id, hub_listed_at(NEW.status, NEW.deleted_at,
                                                          NEW.visibility, NEW.published_at)))
    EXECUTE FUNCTION hub_entries_tag_listing();

-- The page cache's trigger on tag rows (0023) need not run for that rewrite: the entry's own
-- change notified its channel already. It runs for what a page shows of a tag row.
DROP TRIGGER entry_categories_pages ON entry_categories;
CREATE TRIGGER entry_categories_pages
    AFTER INSERT OR DELETE OR UPDATE OF entry_id, name, position ON entry_categories
    FOR EACH ROW EXECUTE FUNCTION hub_pages_entry_rows();
