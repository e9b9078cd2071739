-- The optional embedding title coder (`skilltide onet build-coder --model embed`, needs the
-- `embed` extra): the lexical coder plus float16 sentence embeddings of its training titles,
-- one per O*NET release. Same columns as title_coders, plus the embedding model's name.
CREATE TABLE embed_title_coders (
    release         VARCHAR PRIMARY KEY,  -- O*NET release the training titles came from
    embed_model     VARCHAR NOT NULL,     -- registry name of the sentence-embedding model, e.g. 'all-minilm-l6-v2'
    build_hash      VARCHAR NOT NULL,     -- sha256 of the training titles, parameters, model and format
    format_version  INTEGER NOT NULL,     -- layout of `model`
    n_occupations   INTEGER NOT NULL,
    n_titles        INTEGER NOT NULL,     -- distinct normalised training titles (rows of the embedding matrix)
    n_features      INTEGER NOT NULL,     -- lexical TF-IDF vocabulary size
    params          VARCHAR NOT NULL,     -- JSON: lexical and embedding weights, fitted temperature
    calibration     VARCHAR NOT NULL,     -- JSON: held-out top-1 with/without embeddings, chosen weights, ECE
    model           BLOB NOT NULL,        -- numpy .npz (no pickle): the lexical coder's .npz and the title embeddings
    built_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    run_id          VARCHAR NOT NULL
);
