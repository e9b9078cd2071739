-- Tables of the ingest stage (see docs/architecture.md).

-- Manifest: one row per ingested file path (its current version).
CREATE TABLE ad_files (
    file_id         VARCHAR PRIMARY KEY,  -- sha256(path NUL sha256(content) NUL mapping and source)[:16]
    path            VARCHAR NOT NULL,     -- absolute path as read
    size            BIGINT NOT NULL,      -- bytes
    sha256          VARCHAR NOT NULL,     -- of the file's bytes (compressed, as stored)
    format          VARCHAR NOT NULL,     -- csv | tsv | jsonl | parquet (+ '.gz')
    source          VARCHAR,              -- --source NAME
    rows_read       BIGINT NOT NULL,
    ads_stored      BIGINT NOT NULL,      -- new unique ads from this file
    duplicates      BIGINT NOT NULL,      -- rows that repeated an ad already stored
    quarantined     BIGINT NOT NULL,
    run_id          VARCHAR NOT NULL
);

-- One row per unique ad (same company, title and normalised text = same ad).
-- posted_at/month/file_id/row_number are those of the ad's FIRST posting (earliest date).
CREATE TABLE ads (
    ad_id             VARCHAR NOT NULL,   -- 'ad:' + md5(company | title | normalised text)[:20]
    source            VARCHAR,
    external_id       VARCHAR,            -- the file's own id column
    file_id           VARCHAR NOT NULL,
    row_number        BIGINT NOT NULL,    -- 1-based record number in the file (JSONL: line number)
    posted_at         TIMESTAMP NOT NULL, -- UTC
    month             DATE NOT NULL,      -- first day of the posting month (UTC)
    title             VARCHAR,
    company           VARCHAR,
    region            VARCHAR,
    occupation        VARCHAR,            -- O*NET-SOC code (or the mapped value as given)
    occupation_score  DOUBLE,             -- coder score; NULL when mapped
    occupation_source VARCHAR,            -- mapped | coder | NULL
    text_chars        INTEGER,            -- length of the ad text (the text itself is not stored)
    run_id            VARCHAR NOT NULL
);

-- Every posting of every ad: the first one and each repost (dates of reposts are kept here).
CREATE TABLE ad_postings (
    ad_id           VARCHAR NOT NULL,
    file_id         VARCHAR NOT NULL,
    row_number      BIGINT NOT NULL,
    external_id     VARCHAR,
    posted_at       TIMESTAMP NOT NULL,
    month           DATE NOT NULL,
    run_id          VARCHAR NOT NULL
);

-- Reposts: postings of an ad other than the one it is counted by.
CREATE VIEW ad_reposts AS
SELECT p.*
FROM ad_postings p JOIN ads a USING (ad_id)
WHERE NOT (p.file_id = a.file_id AND p.row_number = a.row_number);

-- Skills found in each ad.
CREATE TABLE ad_skills (
    ad_id           VARCHAR NOT NULL,
    skill_id        VARCHAR NOT NULL,
    found_in        VARCHAR NOT NULL,     -- title | text | both
    run_id          VARCHAR NOT NULL
);

-- Rows that could not be stored, with the reason; nothing is dropped silently.
CREATE TABLE quarantine (
    run_id          VARCHAR NOT NULL,
    file            VARCHAR NOT NULL,     -- path as read
    file_id         VARCHAR NOT NULL,
    row_number      BIGINT NOT NULL,
    reason          VARCHAR NOT NULL,     -- broken_encoding | malformed_row | no_text | missing_date | bad_date | future_date | date_before_1990
    field           VARCHAR,              -- the field at fault (posted_at, text, ...)
    detail          VARCHAR,              -- e.g. the value that did not parse
    raw             VARCHAR               -- the raw record (JSONL: the line; CSV/Parquet: JSON of its columns)
);
