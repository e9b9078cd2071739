"""Sparse TF-IDF features of normalised titles: words, word pairs, the head word, char n-grams.

A title is turned into four blocks of features, each TF-IDF weighted (sublinear tf, smoothed
idf) and L2-normalised, then joined with block weights and normalised again, so the dot
product of two rows is a weighted mean of four cosine similarities:

- ``w:`` words, ``b:`` adjacent word pairs ("software engineer" is not "engineer software"),
- ``h:`` the head word (the last word: "nurse", "driver", "developer" carry the occupation),
- ``c:`` character n-grams inside word boundaries (typos, plurals, "mgr"/"manager" leftovers).

Example
-------
>>> vec = TitleVectorizer().fit(["software developer", "registered nurse"])
>>> x = vec.transform(["java developer"])
>>> x.shape[0], round(float((x @ vec.transform(["software developer"]).T).toarray()[0, 0]), 2)
(1, 0.74)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

BLOCKS = ("w", "b", "h", "c")


@dataclass
class TitleVectorizer:
    """TF-IDF over word, word-pair, head-word and character n-gram features.

    Parameters
    ----------
    block_weights
        Weight of each block (``w``, ``b``, ``h``, ``c``) in the joined vector.
    char_range
        Smallest and largest character n-gram, taken inside ``" word "`` padding.
    """

    block_weights: dict[str, float] = field(
        default_factory=lambda: {"w": 1.0, "b": 0.5, "h": 0.7, "c": 1.0}
    )
    char_range: tuple[int, int] = (3, 5)
    vocabulary: dict[str, int] = field(default_factory=dict, repr=False)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32), repr=False)
    block_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8), repr=False)
    _word_cache: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)

    def features(self, text: str) -> list[str]:
        """The feature strings of one normalised title."""
        words = text.split()
        if not words:
            return []
        out = [f"w:{w}" for w in words]
        out += [f"b:{a}_{b}" for a, b in itertools.pairwise(words)]
        out.append(f"h:{words[-1]}")
        lo, hi = self.char_range
        for w in words:
            padded = f" {w} "
            n_chars = len(padded)
            for n in range(lo, hi + 1):
                if n > n_chars:
                    break
                out += [f"c:{padded[i : i + n]}" for i in range(n_chars - n + 1)]
        return out

    def _word_features(self, word: str) -> list[int]:
        vocabulary = self.vocabulary
        out = [vocabulary[f"w:{word}"]] if f"w:{word}" in vocabulary else []
        lo, hi = self.char_range
        padded = f" {word} "
        for n in range(lo, min(hi, len(padded)) + 1):
            for i in range(len(padded) - n + 1):
                index = vocabulary.get(f"c:{padded[i : i + n]}")
                if index is not None:
                    out.append(index)
        return out

    def fit(self, texts: Sequence[str]) -> TitleVectorizer:
        """Learn the vocabulary and idf from normalised titles."""
        vocabulary: dict[str, int] = {}
        doc_freq: list[int] = []
        for text in texts:
            for feature in set(self.features(text)):
                index = vocabulary.setdefault(feature, len(vocabulary))
                if index == len(doc_freq):
                    doc_freq.append(0)
                doc_freq[index] += 1
        # Sorted vocabulary: the stored coder does not depend on the order titles came in.
        names = sorted(vocabulary)
        self.vocabulary = {name: i for i, name in enumerate(names)}
        df = np.array([doc_freq[vocabulary[name]] for name in names], dtype=np.float64)
        self.idf = (np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32)
        self.block_of = np.array([BLOCKS.index(name[0]) for name in names], dtype=np.int8)
        self._word_cache = {}
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Rows of L2-normalised, block-weighted TF-IDF vectors (float32 CSR)."""
        vocabulary = self.vocabulary
        # Words recur across titles: their word and character features are looked up once.
        cache = self._word_cache
        indptr = [0]
        indices: list[int] = []
        for text in texts:
            words = text.split()
            for w in words:
                found = cache.get(w)
                if found is None:
                    found = cache[w] = self._word_features(w)
                indices.extend(found)
            if words:
                pairs = [f"b:{a}_{b}" for a, b in itertools.pairwise(words)]
                pairs.append(f"h:{words[-1]}")
                indices.extend(vocabulary[f] for f in pairs if f in vocabulary)
            indptr.append(len(indices))
        n_features = len(vocabulary)
        data = np.ones(len(indices), dtype=np.float32)
        matrix = sp.csr_matrix(
            (data, np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
            shape=(len(texts), n_features),
        )
        matrix.sum_duplicates()
        matrix.data = (1 + np.log(matrix.data)) * self.idf[matrix.indices]
        return self._normalise_blocks(matrix)

    def _normalise_blocks(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        blocks = self.block_of[matrix.indices]
        n_rows = matrix.shape[0]
        squares = np.bincount(
            rows * len(BLOCKS) + blocks,
            weights=matrix.data.astype(np.float64) ** 2,
            minlength=n_rows * len(BLOCKS),
        ).reshape(n_rows, len(BLOCKS))
        norms = np.sqrt(squares)
        norms[norms == 0] = 1
        weights = np.array([self.block_weights[b] for b in BLOCKS], dtype=np.float64)
        scale = weights[blocks] / norms[rows, blocks]
        data = matrix.data * scale
        total = np.sqrt(np.bincount(rows, weights=data**2, minlength=n_rows))
        total[total == 0] = 1
        matrix.data = (data / total[rows]).astype(np.float32)
        return matrix
