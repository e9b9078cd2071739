"""A fitted :class:`~skilltide.onet.coder_model.TitleCoder` as bytes, and back.

The coder is stored in the warehouse (``title_coders``) as one numpy ``.npz`` blob: the
vocabulary, idf and sparse matrices, the naive Bayes and context tables and, when fitted, the
linear SVM's sparse weights and the re-ranker's weights. No pickle. A blob of a format outside
:data:`READABLE_FORMATS` is refused (rebuild the coder with ``skilltide onet
build-coder``).

Example
-------
>>> import polars as pl
>>> from skilltide.onet.coder_model import TitleCoder
>>> train = pl.DataFrame({"onetsoc_code": ["15-1252.00", "29-1141.00"],
...     "title": ["Software Developers", "Registered Nurses"], "kind": "occupation"})
>>> coder = TitleCoder().fit(train)
>>> again = TitleCoder.from_bytes(coder.to_bytes())
>>> again.fingerprint() == coder.fingerprint()
True
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict

import numpy as np

from skilltide.onet.coder_arrays import csr_arrays, csr_from
from skilltide.onet.coder_context import ContextEvidence
from skilltide.onet.coder_features import TitleVectorizer
from skilltide.onet.coder_linear import LinearScores
from skilltide.onet.coder_params import CoderParams
from skilltide.onet.coder_rerank import CandidateReranker

FORMAT_VERSION = 4
# Format 3 is format 4 without the optional SVM (its parameters take their defaults).
READABLE_FORMATS = (3, 4)


def coder_to_bytes(coder) -> bytes:
    """Serialise a fitted coder (numpy ``.npz``; no pickle)."""
    vec = coder.vectorizer
    names = np.array(sorted(vec.vocabulary, key=vec.vocabulary.__getitem__), dtype=str)
    meta = {
        "format": FORMAT_VERSION,
        "params": asdict(coder.params),
        "reranker": coder.reranker is not None,
        "linear": coder.linear is not None,
    }
    extra = coder.reranker.arrays() if coder.reranker is not None else {}
    if coder.linear is not None:
        extra.update(coder.linear.arrays())
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        meta=np.array(json.dumps(meta, sort_keys=True)),
        codes=coder.codes.astype(str),
        code_titles=coder.code_titles.astype(str),
        vocabulary=names,
        idf=vec.idf,
        block_of=vec.block_of,
        title_owner=coder.title_owner,
        **csr_arrays("title", coder.title_matrix),
        **csr_arrays("profile", coder.profile_matrix),
        log_prior=coder.log_prior,
        context_words=coder.context.words,
        **csr_arrays("context", coder.context.counts),
        **extra,
    )
    return buffer.getvalue()


def coder_from_bytes(cls, blob: bytes):
    """Rebuild a coder of class ``cls`` from :func:`coder_to_bytes`'s blob."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("format") not in READABLE_FORMATS:
            raise ValueError(
                f"stored coder has format {meta.get('format')}, this version reads "
                f"{', '.join(map(str, READABLE_FORMATS))}"
            )
        params = meta["params"]
        params["char_range"] = tuple(params["char_range"])
        coder = cls(CoderParams(**params))
        coder.codes = z["codes"].astype(object)
        coder.code_titles = z["code_titles"].astype(object)
        names = z["vocabulary"].tolist()
        coder.vectorizer = TitleVectorizer(
            block_weights=dict(params["block_weights"]),
            char_range=params["char_range"],
            vocabulary={name: i for i, name in enumerate(names)},
            idf=z["idf"],
            block_of=z["block_of"],
        )
        coder.title_owner = z["title_owner"]
        coder.title_matrix = csr_from(z, "title")
        coder.profile_matrix = csr_from(z, "profile")
        coder.log_prior = z["log_prior"]
        coder.context = ContextEvidence(params["context_alpha"]).set_counts(
            z["context_words"], csr_from(z, "context")
        )
        if meta.get("reranker"):
            coder.reranker = CandidateReranker.from_arrays(z)
        if meta.get("linear"):
            coder.linear = LinearScores.from_arrays(
                z, params["linear_c"], params["linear_min_weight"]
            )
    coder._prepare()
    return coder


def coder_fingerprint(coder) -> str:
    """SHA-256 of the fitted arrays and parameters: equal for equal training data."""
    digest = hashlib.sha256(json.dumps(coder.params_dict(), sort_keys=True).encode())
    for array in (
        coder.codes.astype(str),
        coder.title_owner,
        coder.title_matrix.indices,
        coder.title_matrix.data,
        coder.profile_matrix.indices,
        coder.profile_matrix.data,
        coder.log_prior,
        coder.context.words,
        coder.context.counts.indices,
        coder.context.counts.data,
        *(coder.reranker.fingerprint_arrays() if coder.reranker is not None else []),
        *(
            (coder.linear.weights_t.indices, coder.linear.weights_t.data, coder.linear.intercept)
            if coder.linear is not None
            else ()
        ),
    ):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()
