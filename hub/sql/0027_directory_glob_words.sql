-- Wildcard and fuzzy terms read the vocabulary through its GIN trigram index (issue 20).
--
-- `gard*` and `pho?o` expand to the words of site_words matching a regular expression, and
-- `gardn~` to the words within its word similarity (hub/directory/search/sql.py). Migration
-- 0025 added a GIN trigram index beside the GiST one, but the planner prices the GiST index
-- lower and chose it: at 100,000 sites (102,020 words, one per site's host name) the GiST
-- index read 450-730 pages for a regular expression (3.0-3.4 ms) and 1,200 for `gardn~`
-- (7 ms), the GIN index 4-17 (0.04-0.3 ms). This GIN index is on `lower(word)` (the words are
-- lower case already: lexemes of the 'simple' configuration), the expression those
-- statements match, so only it can serve them. The GiST index on `word` stays for a fuzzy
-- term whose trigrams are in most words (`site4~`: GIN rechecks every one of them, 224 ms;
-- the GiST index 28 ms): the statement turns to it past 2,000 candidate words.
--
-- Without GIN's pending list (fastupdate off): a new word goes into the index at once. With
-- it, the words of the sites added since the last vacuum wait in an unordered list that
-- every search reads and rechecks whole (in the benchmark, right after generating 100,000
-- sites, `gardn~` took 117 ms). New words are few (mostly one per new site: its host name).
CREATE INDEX site_words_lower_trgm ON site_words USING gin (lower(word) gin_trgm_ops)
    WITH (fastupdate = off);
DROP INDEX site_words_trgm_gin;
