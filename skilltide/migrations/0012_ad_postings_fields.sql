-- Every posting keeps the fields an ad takes from its first posting, so that an ad whose first
-- posting is removed (its file changed or moved) falls back to its earliest remaining posting
-- in every field, as ingesting the remaining files afresh would store it
-- (skilltide.ingest.fallback). The source is the posting's file's (ad_files.source).
ALTER TABLE ad_postings ADD COLUMN title VARCHAR;       -- as read (case and spacing kept)
ALTER TABLE ad_postings ADD COLUMN company VARCHAR;     -- as read
ALTER TABLE ad_postings ADD COLUMN region VARCHAR;
ALTER TABLE ad_postings ADD COLUMN occupation VARCHAR;  -- the mapped column's value as read
ALTER TABLE ad_postings ADD COLUMN text_chars INTEGER;  -- length of the ad text

-- Postings stored before this migration have these columns NULL (text_chars is never NULL for
-- a posting stored after it: a row without text is quarantined). An ad falling back to such a
-- posting takes its date, month, file, row, external id and its file's source, and keeps the
-- removed posting's title, company, region, occupation, text length and skills.
