-- The run log: one row per command that writes to the warehouse.
CREATE TABLE runs (
    run_id            VARCHAR PRIMARY KEY,   -- e.g. 20261123T101500-3fa9c1
    command           VARCHAR NOT NULL,      -- e.g. 'ingest ads'
    args              JSON,                  -- the command's arguments
    started           TIMESTAMP NOT NULL,    -- UTC
    finished          TIMESTAMP,             -- UTC; NULL while running
    status            VARCHAR NOT NULL,      -- running | success | partial | failed | interrupted
    rows              JSON,                  -- {"table": rows written}
    stages            JSON,                  -- [{"stage": name, "seconds": s, ...}]
    notes             JSON,                  -- anything else the command reports
    error             VARCHAR,               -- one-line reason when failed
    skilltide_version VARCHAR NOT NULL
);
