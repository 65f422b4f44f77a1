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
