-- Directory search that stays flat as the directory grows (issue 20).
--
-- A search ranks and counts only a window of its matches (hub/directory/queries/sites.py,
-- WINDOW): for relevance, the most recommended first. This index holds the visible sites in
-- that order, so a query matching half the directory walks it and stops after the window
-- (1,000 sites) instead of scoring every match; a rare query still reads its few matches
-- from the full-text index.
CREATE INDEX sites_recommended_idx ON sites (total_recommendations DESC, id)
    WHERE hidden_at IS NULL;

-- Wildcard terms (`gard*`, `pho?o`) expand to the vocabulary words that hold them as a whole
-- word, a regular expression over site_words. GiST (site_words_trgm, kept for the fuzzy
-- terms' nearest-word order) reads much of its tree for a regular expression; GIN reads the
-- posting lists of the pattern's trigrams.
CREATE INDEX site_words_trgm_gin ON site_words USING gin (word gin_trgm_ops);

-- Field terms (`title:garden`, `description:coffee`) match within the field's weight. On the
-- whole vector's index they read every site with the word anywhere (17,846 sites for garden
-- at 100,000 sites, 1,591 with it in the title) and then filter; these hold each field's
-- words alone. The expression is exactly the one hub/directory/search/sql.py emits. Not
-- partial: ANALYZE keeps statistics of a full index's expression, and the planner needs them
-- to tell `description:apple` (half the sites: walk sites_recommended_idx) from
-- `title:garden` (read the index).
CREATE INDEX sites_title_search_idx ON sites
    USING gin (ts_filter(search_vector, '{a}'::"char"[]));
CREATE INDEX sites_description_search_idx ON sites
    USING gin (ts_filter(search_vector, '{b}'::"char"[]));
