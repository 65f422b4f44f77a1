-- The page cache's invalidation (issue 20): every write that changes what a public page, feed
-- or ActivityPub document shows sends `pg_notify('hub_pages', channel_id)` at commit, whoever
-- wrote it (v1, Micropub, the dashboard, the CLI, imports, the scheduler, the workers). Each
-- `hub serve` process LISTENs and drops that channel's cached answers, and the node-wide ones
-- (node home, sitemap, robots). PostgreSQL sends equal notifications of one transaction once,
-- so a statement touching many rows of one channel costs one message.
--
-- Entries that are, and were, drafts or scheduled show on no public page: their saves (the
-- editor's autosave) notify nothing.

CREATE FUNCTION hub_pages_notify(channel_id bigint) RETURNS void LANGUAGE sql AS $$
    SELECT pg_notify('hub_pages', channel_id::text)
$$;

CREATE FUNCTION hub_pages_entry_shown(status text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT status IS NOT NULL AND status NOT IN ('draft', 'scheduled')
$$;

-- entries: a row of a channel
CREATE FUNCTION hub_pages_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND hub_pages_entry_shown(OLD.status) THEN
        PERFORM hub_pages_notify(OLD.channel_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND hub_pages_entry_shown(NEW.status) THEN
        PERFORM hub_pages_notify(NEW.channel_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER entries_pages AFTER INSERT OR UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION hub_pages_entries();

-- entry_translations, entry_categories, entry_media: rows of an entry (by primary key); a
-- cascade from a deleted entry finds no entry here, and the entry's own trigger notified.
CREATE FUNCTION hub_pages_entry_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint;
BEGIN
    FOR changed IN
        SELECT DISTINCT e.channel_id FROM entries e
        WHERE e.id IN (CASE WHEN TG_OP = 'INSERT' THEN NEW.entry_id ELSE OLD.entry_id END,
                       CASE WHEN TG_OP = 'DELETE' THEN OLD.entry_id ELSE NEW.entry_id END)
          AND hub_pages_entry_shown(e.status)
    LOOP
        PERFORM hub_pages_notify(changed);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER entry_translations_pages AFTER INSERT OR UPDATE OR DELETE ON entry_translations
    FOR EACH ROW EXECUTE FUNCTION hub_pages_entry_rows();
CREATE TRIGGER entry_categories_pages AFTER INSERT OR UPDATE OR DELETE ON entry_categories
    FOR EACH ROW EXECUTE FUNCTION hub_pages_entry_rows();
CREATE TRIGGER entry_media_pages AFTER INSERT OR UPDATE OR DELETE ON entry_media
    FOR EACH ROW EXECUTE FUNCTION hub_pages_entry_rows();

-- channels (the node home and sitemap list them); channel_translations and ap_channel_keys
-- (the actor document's key): rows of one channel.
CREATE FUNCTION hub_pages_channels() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hub_pages_notify(CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END $$;
CREATE TRIGGER channels_pages AFTER INSERT OR UPDATE OR DELETE ON channels
    FOR EACH ROW EXECUTE FUNCTION hub_pages_channels();

CREATE FUNCTION hub_pages_channel_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM hub_pages_notify(OLD.channel_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM hub_pages_notify(NEW.channel_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER channel_translations_pages AFTER INSERT OR UPDATE OR DELETE ON channel_translations
    FOR EACH ROW EXECUTE FUNCTION hub_pages_channel_rows();
CREATE TRIGGER ap_channel_keys_pages AFTER INSERT OR UPDATE OR DELETE ON ap_channel_keys
    FOR EACH ROW EXECUTE FUNCTION hub_pages_channel_rows();

-- authors: the profile every channel of the author shows (h-card, feeds, actor); a change of
-- password, plan or e-mail shows nowhere.
CREATE FUNCTION hub_pages_authors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint;
BEGIN
    FOR changed IN SELECT c.id FROM channels c WHERE c.author_id = NEW.id LOOP
        PERFORM hub_pages_notify(changed);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER authors_pages AFTER UPDATE ON authors
    FOR EACH ROW
    WHEN ((OLD.name, OLD.url, OLD.note, OLD.rel_me, OLD.photo_media_id)
          IS DISTINCT FROM (NEW.name, NEW.url, NEW.note, NEW.rel_me, NEW.photo_media_id))
    EXECUTE FUNCTION hub_pages_authors();

-- media: a processed image (its path, size, alt) shows wherever it is used: entries that use
-- it, channels whose avatar or cover it is, channels of the author whose photo it is. A new
-- upload is used nowhere yet; a deleted one cascades to entry_media and channels (notified
-- there). Every lookup below has its index (entry_media_media_idx, channels_*_media_idx,
-- authors_photo_media_idx, channels_author_idx).
CREATE FUNCTION hub_pages_media() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint;
BEGIN
    FOR changed IN
        SELECT e.channel_id FROM entry_media em JOIN entries e ON e.id = em.entry_id
        WHERE em.media_id = NEW.id AND hub_pages_entry_shown(e.status)
        UNION
        SELECT c.id FROM channels c WHERE c.avatar_media_id = NEW.id
        UNION
        SELECT c.id FROM channels c WHERE c.cover_media_id = NEW.id
        UNION
        SELECT c.id FROM authors a JOIN channels c ON c.author_id = a.id
        WHERE a.photo_media_id = NEW.id
    LOOP
        PERFORM hub_pages_notify(changed);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER media_pages AFTER UPDATE ON media
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION hub_pages_media();
