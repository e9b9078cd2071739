"""Learn the static coder's token matrix from all-MiniLM-L6-v2 and fit the coder (build time).

Three steps, all at build time with the ``embed`` extra (torch runs here, never at coding
time):

1. *Distil*: every WordPiece token's vector is MiniLM's mean-pooled output for
   ``[CLS] token [SEP]`` (one forward pass per token, the recipe of model2vec's
   ``distill``), weighted by SIF ``a / (a + p)`` with ``p`` a Zipf probability of the
   token's rank in the vocabulary.
2. *Refit* (closed-form ridge regression): the vectors of the tokens the training titles use
   are refitted so that the mean of a title's token vectors approaches MiniLM's embedding of
   the whole title, shrunk (``ridge``) towards the distilled vectors, scaled so a title's
   mean has median norm 1. Other tokens keep their distilled vectors.
3. *Project* on the ``dims`` principal components of the training titles' vectors.

:func:`fit_static_coder` then follows :func:`~skilltide.onet.coder_embed.fit_embed_coder`:
the nearest/profile weights are chosen on the build's held-out alternate titles by the same
grid, the temperature refitted there, the re-ranker (``rerank``) fitted there.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import polars as pl

from skilltide.onet.coder_calibration import calibrate_temperature
from skilltide.onet.coder_embed import (
    EMBED_MODELS,
    STATIC_BUILD,
    EmbedParams,
    SentenceEmbedder,
    require_embed_extra,
)
from skilltide.onet.coder_normalise import normalise_titles
from skilltide.onet.coder_params import CoderParams
from skilltide.onet.coder_static import StaticParams, StaticTitleCoder, TokenVectors

# Tokens per forward pass of the distillation.
DISTIL_BATCH = 1024


def distilled_tokens(embedder: SentenceEmbedder, sif: float) -> TokenVectors:
    """MiniLM's vector of every vocabulary token alone, SIF-weighted, with the tokenizer."""
    import torch

    transformer = embedder._load()[0].auto_model
    package = importlib.import_module(EMBED_MODELS[embedder.model])
    tokenizer_json = (package.get_model_path() / "tokenizer.json").read_text(encoding="utf-8")
    tokens = TokenVectors(tokenizer_json, np.zeros((1, 1), np.float32))
    size = tokens.tokenizer.get_vocab_size()
    cls, sep = (tokens.tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]"))
    out = np.zeros((size, transformer.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, size, DISTIL_BATCH):
            ids = torch.arange(start, min(start + DISTIL_BATCH, size))
            batch = torch.stack([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], 1)
            hidden = transformer(input_ids=batch, attention_mask=torch.ones_like(batch))
            out[start : start + len(ids)] = hidden.last_hidden_state.mean(1).numpy()
    inv_rank = 1.0 / np.arange(2, size + 2)
    proba = inv_rank / inv_rank.sum()
    tokens.matrix = out * (sif / (sif + proba))[:, None].astype(np.float32)
    return tokens


def refit_tokens(
    base: TokenVectors, texts: list[str], teacher: np.ndarray, ridge: float, dims: int
) -> tuple[TokenVectors, float]:
    """Ridge refit of the token vectors ``texts`` use towards ``teacher``, then PCA ``dims``,
    and the mean cosine of the refitted title vectors to ``teacher`` (before the PCA).

    The matrix is rounded to float16 (as stored), so a built and a loaded coder agree.
    """
    x = base.bag(texts).astype(np.float64)
    prior = base.matrix.astype(np.float64)
    prior /= np.median(np.linalg.norm(x @ prior, axis=1))
    used = np.flatnonzero(np.asarray((x != 0).sum(0)).ravel())
    xu = x[:, used]
    gram = (xu.T @ xu).toarray() + ridge * np.eye(len(used))
    matrix = prior.copy()
    matrix[used] = np.linalg.solve(gram, xu.T @ teacher.astype(np.float64) + ridge * prior[used])
    fitted = np.asarray(x @ matrix)
    fitted /= np.maximum(np.linalg.norm(fitted, axis=1, keepdims=True), 1e-9)
    _, _, vt = np.linalg.svd(fitted - fitted.mean(0), full_matrices=False)
    vt *= np.where(vt[:, :1] < 0, -1.0, 1.0)  # a fixed sign per component: deterministic
    projected = (matrix @ vt[:dims].T).astype(np.float16).astype(np.float32)
    cosine = float(np.mean(np.sum(fitted * teacher, axis=1)))
    return TokenVectors(base.tokenizer_json, projected), cosine


@dataclass
class Teacher:
    """The distilled token vectors and MiniLM's vectors of distinct normalised titles."""

    base: TokenVectors
    texts: list[str]
    vectors: np.ndarray

    def tokens(self, titles, static: StaticParams) -> tuple[TokenVectors, dict]:
        """The token matrix refitted on ``titles`` only (those among the teacher's texts)."""
        keep = set(normalise_titles(list(titles)))
        rows = [i for i, t in enumerate(self.texts) if t in keep]
        texts, teacher = [self.texts[i] for i in rows], self.vectors[rows]
        tokens, refitted = refit_tokens(self.base, texts, teacher, static.ridge, static.dims)
        distilled = float(np.mean(np.sum(self.base.encode(texts) * teacher, axis=1)))
        facts = {  # how close the mean of token vectors comes to MiniLM's title vectors
            "teacher_titles": len(texts),
            "teacher_tokens": int(np.count_nonzero(self.base.bag(texts).getnnz(axis=0))),
            "teacher_cosine_distilled": round(distilled, 4),
            "teacher_cosine_refitted": round(refitted, 4),
        }
        return tokens, facts


def learn_teacher(
    examples: pl.DataFrame, embed: EmbedParams, static: StaticParams, embedder=None
) -> Teacher:
    """Distil the vocabulary and embed ``examples``' distinct normalised titles with MiniLM."""
    embedder = embedder or SentenceEmbedder(embed.model, embed.threads, embed.batch_size)
    texts = sorted({t for t in normalise_titles(examples["title"].to_list()) if t})
    return Teacher(distilled_tokens(embedder, static.sif), texts, embedder.encode(texts))


def fit_static_coder(
    examples: pl.DataFrame,
    params: CoderParams | None = None,
    context: pl.DataFrame | None = None,
    static: StaticParams | None = None,
    embed: EmbedParams | None = None,
    embedder=None,
    tokens: TokenVectors | None = None,
    teacher: Teacher | None = None,
) -> tuple[StaticTitleCoder, dict]:
    """Learn the token matrix on ``examples``, choose the weights and temperature on held-out
    alternate titles, fit the re-ranker there (``params.rerank``), then fit on all examples.

    The weights are chosen with a token matrix refitted without the held-out titles
    (``static.holdout_teacher``; else the final matrix, which has seen them), the final coder
    gets the matrix refitted on all titles. ``embedder`` is the teacher model (default:
    all-MiniLM-L6-v2 from the ``embed`` extra); ``teacher`` its output on ``examples`` (from
    :func:`learn_teacher`); ``tokens`` one token matrix for both stages (no teacher runs).
    Returns the coder and its calibration facts.
    """
    from threadpoolctl import threadpool_limits

    from skilltide.onet.coder import holdout_split, rerank_and_refit

    params = replace(params) if params is not None else CoderParams()
    embed = replace(embed) if embed is not None else EmbedParams()
    static = replace(static) if static is not None else StaticParams()
    facts: dict = {}
    train, held = holdout_split(examples)
    probe_tokens = tokens
    if tokens is None:
        if teacher is None:
            if embedder is None:
                require_embed_extra(embed.model, STATIC_BUILD)
            teacher = learn_teacher(examples, embed, static, embedder)
        tokens, facts = teacher.tokens(examples["title"].to_list(), static)
        probe_tokens = tokens
        if static.holdout_teacher:
            probe_tokens, probe_facts = teacher.tokens(train["title"].to_list(), static)
            facts["teacher_titles_probe"] = probe_facts["teacher_titles"]
    with threadpool_limits(limits=static.threads, user_api="blas"):
        probe = StaticTitleCoder(params, embed, probe_tokens, static).fit(train, context)
        titles, codes = held["title"].to_list(), held["onetsoc_code"].to_list()
        chosen = probe.choose_weights(titles, codes)
        calibration = calibrate_temperature(probe, titles, codes)
        params.temperature = calibration["temperature"]
        embed.nearest, embed.profile = probe.embed.nearest, probe.embed.profile
        refit = partial(StaticTitleCoder(params, embed, tokens, static).fit, examples, context)
        coder = rerank_and_refit(probe, refit, titles, codes, calibration)
    return coder, {**calibration, **chosen, **facts}
