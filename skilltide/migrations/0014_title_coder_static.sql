-- The optional static embedding title coder (`skilltide onet build-coder --model static`, built
-- with the `embed` extra, codes with `tokenizers` only): the embedding coder with static
-- WordPiece token vectors learned from the sentence model, one per O*NET release. Same columns
-- as embed_title_coders.
CREATE TABLE static_title_coders (
    release         VARCHAR PRIMARY KEY,  -- O*NET release the training titles came from
    embed_model     VARCHAR NOT NULL,     -- registry name of the teacher sentence model, e.g. 'all-minilm-l6-v2'
    build_hash      VARCHAR NOT NULL,     -- sha256 of the training titles, parameters, model and format
    format_version  INTEGER NOT NULL,     -- layout of the lexical part of `model`
    n_occupations   INTEGER NOT NULL,
    n_titles        INTEGER NOT NULL,     -- distinct normalised training titles (rows of the embedding matrix)
    n_features      INTEGER NOT NULL,     -- lexical TF-IDF vocabulary size
    params          VARCHAR NOT NULL,     -- JSON: lexical, embedding and static parameters, fitted temperature
    calibration     VARCHAR NOT NULL,     -- JSON: held-out top-1 with/without embeddings, chosen weights, ECE, teacher fit
    model           BLOB NOT NULL,        -- numpy .npz (no pickle): the embedding coder's .npz, the tokenizer JSON and the float16 token matrix
    built_at        TIMESTAMP NOT NULL DEFAULT current_timestamp,
    run_id          VARCHAR NOT NULL
);
