-- ESCO occupations (skilltide onet crosswalk --esco): a mapped occupation value that is an
-- ESCO occupation URI reads as its ISCO-08 unit group's SOC 2018 occupations (isco_soc); the
-- title coder chooses among several from the occupation's ESCO labels
-- (skilltide.ingest.occupation_esco).
CREATE TABLE esco_occupations (
    esco_id VARCHAR PRIMARY KEY,  -- the URI's UUID, lower case
    uri VARCHAR NOT NULL,         -- http://data.europa.eu/esco/occupation/<esco_id>
    isco VARCHAR NOT NULL,        -- its ISCO-08 unit group, 2512
    label VARCHAR NOT NULL,       -- its preferred label
    alt_labels VARCHAR[] NOT NULL,
    run_id VARCHAR
);
