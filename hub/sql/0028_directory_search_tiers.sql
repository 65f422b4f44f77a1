-- Tiers of recommendations, each with its own full-text index (issue 20, directory search).
--
-- A relevance search's window is its 1,000 most recommended matches. A word on 2-15 % of a
-- 100,000-site directory (`kalomi`, `notes NOT daily`, `apple pear`) read every one of its
-- matches from sites_search_idx, fetched each row and sorted them to keep 1,000 (3,956-6,406
-- heap rows, 6-9 ms), or walked sites_recommended_idx until 1,000 matched (6,917 rows, 8 ms).
-- With these indexes such a search reads the matches of the most recommended tier first and
-- the next tier only while the window is not full (hub/directory/queries/tiers.py): `kalomi`
-- reads 373 + 1,083 rows, `notes NOT daily` 566 + 1,712, `apple pear` 1,284 (3.4-4.9 ms).
--
-- A tier is a range of total_recommendations, the bounds growing by about sqrt(2) (128 and
-- more, 91-127, 64-90, ..., 2, 1); the sites without recommendations are read through
-- sites_search_idx. Each site is in one index at most, so together they are the size of
-- sites_search_idx and a write updates one of them. The ranges are the indexes' predicates,
-- so no column, trigger or job keeps them: the write that changes a site's recommendations
-- moves its row between the indexes. Without pending lists (below).
CREATE INDEX sites_search_tier128_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 128;
CREATE INDEX sites_search_tier91_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 91 AND total_recommendations < 128;
CREATE INDEX sites_search_tier64_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 64 AND total_recommendations < 91;
CREATE INDEX sites_search_tier45_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 45 AND total_recommendations < 64;
CREATE INDEX sites_search_tier32_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 32 AND total_recommendations < 45;
CREATE INDEX sites_search_tier23_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 23 AND total_recommendations < 32;
CREATE INDEX sites_search_tier16_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 16 AND total_recommendations < 23;
CREATE INDEX sites_search_tier11_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 11 AND total_recommendations < 16;
CREATE INDEX sites_search_tier8_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 8 AND total_recommendations < 11;
CREATE INDEX sites_search_tier6_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 6 AND total_recommendations < 8;
CREATE INDEX sites_search_tier4_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 4 AND total_recommendations < 6;
CREATE INDEX sites_search_tier3_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 3 AND total_recommendations < 4;
CREATE INDEX sites_search_tier2_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 2 AND total_recommendations < 3;
CREATE INDEX sites_search_tier1_idx ON sites USING gin (search_vector)
    WITH (fastupdate = off)
    WHERE total_recommendations >= 1 AND total_recommendations < 2;

-- No pending list on any GIN index a search reads on sites (fastupdate off, as 0027 did for
-- the vocabulary). Every scan reads its index's pending list whole: right after a burst of
-- new sites (the benchmark's generator; a directory's first crawl) the lists held 140-430
-- pages, and at 100,000 sites `title:garden` took 5.1 ms with them and 3.4 ms without,
-- `description:coffee` 6.3 and 4.6; lists of 256 kB (gin_pending_list_limit) still cost the
-- 20 queries' p50 0.3-0.65 ms when full. The price is paid by writes: each poll that brings
-- new posts rewrites its site's row (last_post_at is indexed, so the update is not HOT) and
-- now writes the row's entries into these indexes at once: 2,000 such updates took 600-765
-- ms against 160-250 ms with pending lists (about 0.25 ms more per update, in the worker).
ALTER INDEX sites_search_idx SET (fastupdate = off);
ALTER INDEX sites_title_search_idx SET (fastupdate = off);
ALTER INDEX sites_description_search_idx SET (fastupdate = off);
ALTER INDEX sites_link_trgm SET (fastupdate = off);
SELECT gin_clean_pending_list(index) FROM unnest(ARRAY['sites_search_idx',
    'sites_title_search_idx', 'sites_description_search_idx', 'sites_link_trgm']::regclass[])
    AS index;
