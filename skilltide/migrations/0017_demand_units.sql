-- What an imported panel's values measure when they are not counts of ads (`ingest demand
-- --unit`, e.g. 'index points' for a job postings index; 'value' for --per-month mean or last
-- without it): the report words the panel's values in it and adds up no series. No row:
-- counts of ads, as for panel 'ads' and every panel imported before.
CREATE TABLE demand_units (
    panel VARCHAR PRIMARY KEY,
    unit VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL
);
