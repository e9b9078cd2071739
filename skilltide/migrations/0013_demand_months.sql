-- What demand panel 'ads' was built from, per month (skilltide.ingest.demand): the number of
-- ads first posted in the month and of their skills, and a sum of hashes of their rows. The
-- panel's rows of a month depend only on that month's ads, so a refresh recomputes only the
-- months whose fingerprint changed (a daily file no longer rebuilds years of panel).
CREATE TABLE demand_months (
    panel        VARCHAR NOT NULL,   -- 'ads'
    month        DATE NOT NULL,
    ads          BIGINT NOT NULL,    -- ads first posted in the month
    ads_hash     HUGEINT NOT NULL,   -- sum of hash(ad_id, region, occupation, company)
    skills       BIGINT NOT NULL,    -- their ad_skills rows
    skills_hash  HUGEINT NOT NULL,   -- sum of hash(ad_id, skill_id)
    definition   VARCHAR NOT NULL,   -- the panel's definition: another one rebuilds every month
    run_id       VARCHAR NOT NULL
);
-- Empty on an existing warehouse: its next refresh rebuilds the whole panel once.
