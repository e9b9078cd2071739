-- Which title coder codes the warehouse's ads (skilltide.ingest.ads_coder): one model for all
-- of them, so that occupation panels never mix coders. At most one row; no row: the lexical
-- coder (every warehouse before this migration). An ingest with another model, or with a newer
-- build of the model, codes the stored ads again in its run before it records the new one.
CREATE TABLE ads_coder (
    model       VARCHAR NOT NULL,     -- 'lexical', 'static' or 'embed' (a key of CODER_TABLES)
    coder_run   VARCHAR,              -- run_id of the stored coder build that coded the stored ads (NULL: none stored)
    updated_at  TIMESTAMP NOT NULL,   -- UTC
    run_id      VARCHAR NOT NULL      -- the run that recorded it
);
