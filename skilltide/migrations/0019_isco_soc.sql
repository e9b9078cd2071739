-- ISCO-08 → SOC 2018 crosswalk (skilltide onet crosswalk): a mapped occupation value that is an
-- ISCO-08 code (2512) reads as the SOC 2018 detailed occupations it maps to; the title coder
-- chooses among several (skilltide.ingest.occupation_isco).
CREATE TABLE isco_soc (
    isco VARCHAR NOT NULL,       -- an ISCO-08 unit group (2512) or a minor group BLS maps (211)
    soc_code VARCHAR NOT NULL,   -- a SOC 2018 detailed occupation, 15-1252
    isco_title VARCHAR,
    run_id VARCHAR,
    PRIMARY KEY (isco, soc_code)
);
