"""Realistic synthetic job ads for the ingest benchmark: 1–4 KB of English text each, ~30% of
sentences naming skills from a vocabulary, 1% exact reposts (so dedup has work to do).

Sentences come from a pool sampled once, so millions of ads are written in seconds.

Example
-------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "ads.csv"
>>> generate(path, 100, ["SQL", "Python"])
>>> import polars as pl; pl.read_csv(path).height
100
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import polars as pl


def generate(path: Path, n: int, names: list[str], seed: int = 0) -> None:
    """Write ``n`` realistic ads to a CSV (sentence pool sampled with numpy; fast)."""
    from tests.ingest.helpers import FILLER

    rng = random.Random(seed)
    pool = []
    popular = names[:400]
    for _ in range(20_000):
        s = " ".join(rng.choices(FILLER, k=rng.randint(8, 20))).capitalize()
        if rng.random() < 0.3:
            s += f", using {rng.choice(popular)} and {rng.choice(names)}"
        pool.append(s + ".")
    pool_arr = np.array(pool, dtype=object)
    lengths = np.array([len(s) + 1 for s in pool])
    gen = np.random.default_rng(seed)
    regions = np.array(["North", "South", "East", "West", "Centre"], dtype=object)
    occupations = np.array(
        ["15-1252.00", "15-2051.00", "13-2011.00", "43-9061.00", "11-1021.00", "29-1141.00"],
        dtype=object,
    )
    chunk = 50_000
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,posted_at,title,company,region,occupation,text\n")
    written = 0
    while written < n:
        m = min(chunk, n - written)
        idx = gen.integers(0, len(pool), size=(m, 40))
        target = gen.integers(1000, 4000, size=m)
        texts = []
        for row, limit in zip(idx, target, strict=True):
            cum = np.cumsum(lengths[row])
            k = int(np.searchsorted(cum, limit)) + 1
            texts.append(" ".join(pool_arr[row[:k]]))
        months = gen.integers(0, 36, size=m)
        frame = pl.DataFrame(
            {
                "id": [f"ad{written + i}" for i in range(m)],
                "posted_at": [
                    f"{2021 + mo // 12}-{mo % 12 + 1:02d}-{d:02d}"
                    for mo, d in zip(months, gen.integers(1, 29, size=m), strict=True)
                ],
                "title": gen.choice(
                    np.array(
                        [
                            "Data Analyst",
                            "Software Engineer",
                            "Accountant",
                            "Nurse",
                            "Clerk",
                            "Manager",
                        ],
                        dtype=object,
                    ),
                    m,
                ),
                "company": [f"Company {c}" for c in gen.integers(0, 5000, size=m)],
                "region": gen.choice(regions, m),
                "occupation": gen.choice(occupations, m),
                "text": texts,
            }
        )
        # ~1% exact reposts of earlier ads in the chunk (dedup has work to do)
        reposts = frame.sample(max(1, m // 100), seed=written).with_columns(pl.col("id") + "r")
        frame = pl.concat([frame.head(m - reposts.height), reposts])
        with path.open("a", encoding="utf-8") as fh:
            frame.write_csv(fh, include_header=False)
        written += m
