-- What an imported panel's values measure when they are not counts of ads (`ingest demand
-- --unit`, e.g. 'index points' for a job postings index; 'value' for --per-month mean or last
-- without it), per granularity as its rows are imported: the report words the values in it and
-- adds up no series. No row: counts of ads, as for panel 'ads' and every panel imported before.
CREATE TABLE demand_units (
    panel VARCHAR NOT NULL,
    granularity VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    PRIMARY KEY (panel, granularity)
);
