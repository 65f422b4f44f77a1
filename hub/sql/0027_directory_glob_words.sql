-- Wildcard terms read the vocabulary through its GIN trigram index (issue 20).
--
-- `gard*` and `pho?o` expand to the words of site_words matching a regular expression
-- (hub/directory/search/sql.py). Migration 0025 added a GIN trigram index for them beside the
-- GiST one the fuzzy terms use, but the planner prices the GiST index lower and chose it:
-- at 100,000 sites (102,020 words, one per site's host name) the GiST index read 450-730
-- pages for a regular expression (3.0-3.4 ms), the GIN index 4-12 (0.04-0.3 ms). This GIN
-- index is on `lower(word)` (the words are lower case already: lexemes of the 'simple'
-- configuration), the expression the wildcard's statement matches, so only it can serve
-- that statement; the GiST index on `word` keeps the fuzzy terms, for which it reads less
-- than GIN when a term's trigrams are in most words (`site4~`: 28 against 224 ms).
CREATE INDEX site_words_glob_idx ON site_words USING gin (lower(word) gin_trgm_ops);
DROP INDEX site_words_trgm_gin;
