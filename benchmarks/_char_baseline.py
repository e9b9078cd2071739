"""The title-coding baseline: character 2–4-gram TF-IDF 1-nearest-neighbour (scikit-learn).

Shared by ``title_coding.py`` and ``title_coding_external.py`` so both scripts measure the
same baseline: raw titles lower-cased and whitespace-squeezed, sublinear tf, cosine
similarity to every training title; the top-k ranks occupations by their nearest title.
"""

from __future__ import annotations

import sys
import time

import numpy as np


class CharTfidf1NN:
    """Fit on ``(titles, codes)``; :meth:`rank` gives each query's best ``top`` codes."""

    def __init__(self, train_titles: list[str], train_codes: list[str]) -> None:
        try:
            from sklearn.feature_extraction.text import TfidfVectorizer
        except ImportError:
            sys.exit("the baseline needs scikit-learn: pip install scikit-learn")

        start = time.perf_counter()
        self.codes = np.asarray(train_codes)
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True)
        self.matrix_t = self.vectorizer.fit_transform(_texts(train_titles)).T.tocsr()
        self.fit_seconds = time.perf_counter() - start

    def rank(self, titles: list[str], top: int = 5) -> tuple[list[list[str]], dict]:
        """The ``top`` occupation codes per title, best first, and the coding speed
        (``titles_per_second``, ``titles_per_cpu_second``)."""
        start, cpu = time.perf_counter(), time.process_time()
        ranked: list[list[str]] = []
        queries = self.vectorizer.transform(_texts(titles))
        for s in range(0, len(titles), 256):
            sims = (queries[s : s + 256] @ self.matrix_t).toarray()
            order = np.argsort(-sims, axis=1, kind="stable")[:, :200]
            for row in order:
                seen: list[str] = []
                for j in row:
                    if self.codes[j] not in seen:
                        seen.append(self.codes[j])
                        if len(seen) == top:
                            break
                ranked.append(seen)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        return ranked, {
            "titles_per_second": round(len(titles) / seconds),
            "titles_per_cpu_second": round(len(titles) / max(cpu, 1e-9)),
        }


def _texts(titles: list[str]) -> list[str]:
    return [" ".join(t.lower().split()) for t in titles]
