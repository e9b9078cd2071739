-- Tables of the title_coder stage (see docs/architecture.md).

-- The fitted title → O*NET-SOC coder, one per O*NET release, built by `skilltide onet
-- build-coder` (or on first use by `skilltide onet code-titles`) and read by the ingest stage.
CREATE TABLE title_coders (
    release         VARCHAR PRIMARY KEY,  -- O*NET release the training titles came from, e.g. '30.1'
    build_hash      VARCHAR NOT NULL,     -- sha256 of the training titles, parameters and format: same hash, same coder
    format_version  INTEGER NOT NULL,     -- layout of `model`; a newer skilltide refuses an unknown one
    n_occupations   INTEGER NOT NULL,
    n_titles        INTEGER NOT NULL,     -- distinct normalised training titles
    n_features      INTEGER NOT NULL,     -- TF-IDF vocabulary size
    params          VARCHAR NOT NULL,     -- JSON: scoring weights, feature settings, fitted temperature
    calibration     VARCHAR NOT NULL,     -- JSON: held-out alternate-title accuracy, ECE, temperature
    model           BLOB NOT NULL,        -- numpy .npz (no pickle): vocabulary, idf, title and profile matrices
    built_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    run_id          VARCHAR NOT NULL
);
