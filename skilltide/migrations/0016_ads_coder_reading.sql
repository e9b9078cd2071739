-- How the coder read the titles when it coded the stored ads (skilltide.onet.coder_normalise.
-- READING): a newer reading codes them again at the next ingest, as a newer coder build does.
-- NULL: coded before this column (reading 1, before titles mostly in another script were
-- left uncoded).
ALTER TABLE ads_coder ADD COLUMN reading INTEGER;
