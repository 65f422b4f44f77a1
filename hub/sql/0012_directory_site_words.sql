-- The directory's vocabulary: every distinct lexeme of the sites' search vectors, with a trigram
-- index, so a fuzzy term (`gardn~`) is matched against a few thousand short words and then
-- searched as the exact words it expands to with full-text search (issue 6: the trigram operator
-- over every title and description was a full scan). Words are only ever added: a stale word
-- widens a fuzzy expansion by one lexeme that no site has, which matches nothing.
-- Depends on 0003.

CREATE TABLE site_words (
    word text PRIMARY KEY
);
CREATE INDEX site_words_trgm ON site_words USING gist (word gist_trgm_ops);

INSERT INTO site_words (word)
SELECT word FROM ts_stat('SELECT search_vector FROM sites') ORDER BY word
ON CONFLICT DO NOTHING;

CREATE FUNCTION hub_site_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- sorted, so concurrent writers take the same key locks in the same order
    INSERT INTO site_words (word)
    SELECT w FROM unnest(tsvector_to_array(NEW.search_vector)) w ORDER BY w
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sites_words_insert AFTER INSERT ON sites
    FOR EACH ROW EXECUTE FUNCTION hub_site_words_add();
CREATE TRIGGER sites_words_update AFTER UPDATE OF title, description, link ON sites
    FOR EACH ROW WHEN (OLD.search_vector IS DISTINCT FROM NEW.search_vector)
    EXECUTE FUNCTION hub_site_words_add();
