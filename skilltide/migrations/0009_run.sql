-- skilltide run: what each stage last saw, and input files that could not be read.

-- The fingerprint of a stage's inputs at its last successful run; unchanged means skip.
CREATE TABLE pipeline_state (
    stage        VARCHAR PRIMARY KEY,   -- e.g. 'ingest:jobs', 'forecast:market', 'report'
    fingerprint  VARCHAR NOT NULL,      -- sha256 of input file stats / warehouse rows + settings
    updated      TIMESTAMP NOT NULL
);

-- Ad files rejected whole (not a valid CSV/JSONL/Parquet, truncated gzip): skipped until they change.
CREATE TABLE rejected_files (
    path         VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    size         BIGINT NOT NULL,
    reason       VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    rejected_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (path, sha256)
);
