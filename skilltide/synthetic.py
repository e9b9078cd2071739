"""A seeded synthetic labour market of job ads, with its exact ground truth.

:func:`generate` draws a market from a :class:`MarketSpec`; :func:`write_market` writes its ads
(CSV, JSONL or Parquet), its skill taxonomy and occupations, and the truth beside them. Both
are built on :meth:`MarketPlan.batches`, which yields one month at a time, so a market of a
million ads is written with bounded memory.

The demand model, per month ``m``, occupation ``o`` and skill ``s``: the expected number of
(original) ads is ``T[m]`` (trend, yearly seasonality, noise and one market-wide break, as when
a new job board is added); an ad's occupation is drawn with probabilities ``W[m, o]``; it asks
for skill ``s`` with probability ``P[m, o, s] = min(0.95, A[o, s] * G[m, s])`` where ``A`` is
the occupation-skill affinity and ``G`` the skill's path (trend, seasonality, AR(1) noise,
level shifts, trend changes, emerging ramps). ``truth/demand.csv`` holds
``T[m] * sum_o W[m, o] * P[m, o, s]`` exactly, per market, occupation and region.

Example
-------
>>> from skilltide.synthetic import SIZES, generate
>>> market = generate(SIZES["small"])
>>> market.ads.columns
['id', 'posted_at', 'title', 'company', 'region', 'occupation', 'text']
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from skilltide.provenance import sha256_file
from skilltide.synthetic_model import AD_COLUMNS, MarketPlan, MarketSpec

__all__ = [
    "AD_COLUMNS",
    "SIZES",
    "Market",
    "MarketPlan",
    "MarketSpec",
    "generate",
    "plan",
    "write_market",
]

SIZES: dict[str, MarketSpec] = {
    "small": MarketSpec(
        months=24,
        ads_per_month=165,
        n_skills=70,
        n_occupations=12,
        n_regions=10,
        n_companies=60,
        n_level_shifts=2,
        n_trend_changes=2,
    ),
    "default": MarketSpec(),
    "large": MarketSpec(ads_per_month=17000, n_companies=3000),
}


@dataclass(repr=False)
class Market:
    """A generated market: ads, taxonomy and truth frames (see :func:`generate`)."""

    spec: MarketSpec
    ads: pl.DataFrame
    skills: pl.DataFrame
    occupations: pl.DataFrame
    truth_ad_skills: pl.DataFrame
    truth_breaks: pl.DataFrame
    truth_demand: pl.DataFrame
    truth_duplicates: pl.DataFrame
    truth_skills: pl.DataFrame

    def __repr__(self) -> str:
        return (
            f"Market({self.ads.height} ads, {self.skills.height} skills, "
            f"{self.occupations.height} occupations, {self.truth_ad_skills.height} true mentions, "
            f"{self.truth_duplicates.height} duplicates, seed={self.spec.seed})"
        )


def plan(spec: MarketSpec) -> MarketPlan:
    """Build the model and truth of a market without generating its ads."""
    return MarketPlan(spec)


def generate(spec: MarketSpec) -> Market:
    """Generate a whole market in memory (use :func:`write_market` with a spec for 'large').

    Examples
    --------
    >>> m = generate(MarketSpec(months=12, ads_per_month=50, n_skills=40, n_occupations=8))
    >>> m.truth_demand.filter(granularity="market").height == 12 * 40
    True
    """
    p = plan(spec)
    parts = list(zip(*p.batches(), strict=True))
    return Market(
        spec,
        pl.concat(parts[0]),
        p.skills_frame(),
        p.occupations_frame(),
        pl.concat(parts[1]),
        p.truth_breaks(),
        p.truth_demand(),
        pl.concat(parts[2]),
        p.truth_skills(),
    )


FORMATS = ("csv", "jsonl", "parquet")


class _Sink:
    """One output file written batch by batch (CSV/JSONL, gzip-able; or Parquet row groups)."""

    def __init__(self, path: Path, fmt: str, compress: bool):
        self.fmt, self.first = fmt, True
        if fmt == "parquet":
            self.path, self.writer = path.with_name(path.name + ".parquet"), None
            return
        self.path = path.with_name(f"{path.name}.{fmt}" + (".gz" if compress else ""))
        self.raw = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self.fh = (
            gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, mtime=0, compresslevel=6)
            if compress
            else self.raw
        )

    def write(self, df: pl.DataFrame) -> None:
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            table = df.to_arrow()
            if self.writer is None:
                self.writer = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            if df.height or self.first:
                self.writer.write_table(table)
        elif self.fmt == "csv":
            self.fh.write(df.write_csv(include_header=self.first).encode())
        elif df.height:
            self.fh.write(df.write_ndjson().encode())
        self.first = False

    def close(self) -> None:
        if self.fmt == "parquet":
            if self.writer is not None:
                self.writer.close()
            return
        if self.fh is not self.raw:
            self.fh.close()
        self.raw.close()


def write_market(
    market_or_spec: Market | MarketSpec,
    out_dir: str | Path,
    formats: tuple[str, ...] = ("csv",),
    compress: bool = False,
) -> Path:
    """Write a market's ads, taxonomy, occupations, truth and manifest into ``out_dir``.

    Given a :class:`MarketSpec`, the ads are generated and written month by month, so memory
    stays bounded (use this for 'large'); given a :class:`Market`, its frames are written.
    Both give byte-identical CSV files for the same spec. Files: ``ads.csv`` (``.jsonl``,
    ``.parquet``; ``.gz`` added to CSV/JSONL when ``compress``), ``skills.csv``,
    ``occupations.csv``, ``truth/{ad_skills,breaks,demand,duplicates,skills}.csv`` (also
    gzipped when ``compress``) and ``manifest.json`` with the spec and each file's sha256.

    Examples
    --------
    >>> import tempfile
    >>> spec = MarketSpec(months=6, ads_per_month=20, n_skills=30, n_occupations=6)
    >>> out = write_market(spec, tempfile.mkdtemp())
    >>> sorted(p.name for p in out.iterdir())
    ['ads.csv', 'manifest.json', 'occupations.csv', 'skills.csv', 'truth']
    """
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ValueError(f"formats must be among {FORMATS}, got {formats!r}")
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    if isinstance(market_or_spec, MarketSpec):
        spec, p = market_or_spec, plan(market_or_spec)
        batches = p.batches()
        static = {
            "skills": p.skills_frame,
            "occupations": p.occupations_frame,
            "truth/breaks": p.truth_breaks,
            "truth/demand": p.truth_demand,
            "truth/skills": p.truth_skills,
        }
    else:
        m = market_or_spec
        spec, batches = m.spec, iter([(m.ads, m.truth_ad_skills, m.truth_duplicates)])
        static = {
            "skills": lambda: m.skills,
            "occupations": lambda: m.occupations,
            "truth/breaks": lambda: m.truth_breaks,
            "truth/demand": lambda: m.truth_demand,
            "truth/skills": lambda: m.truth_skills,
        }
    ads_sinks = [_Sink(out / "ads", f, compress) for f in formats]
    truth_sinks = [
        _Sink(out / "truth" / name, "csv", compress) for name in ("ad_skills", "duplicates")
    ]
    rows = dict.fromkeys(["ads", "truth/ad_skills", "truth/duplicates"], 0)
    try:
        for ads, truth, dups in batches:
            for sink in ads_sinks:
                sink.write(ads)
            truth_sinks[0].write(truth)
            truth_sinks[1].write(dups)
            for key, df in zip(rows, (ads, truth, dups), strict=True):
                rows[key] += df.height
    finally:
        for sink in ads_sinks + truth_sinks:
            sink.close()
    paths = [s.path for s in ads_sinks + truth_sinks]
    for name, make in static.items():
        sink = _Sink(out / name, "csv", compress and name.startswith("truth/"))
        df = make()
        sink.write(df)
        sink.close()
        rows[name] = df.height
        paths.append(sink.path)
    from skilltide import __version__

    manifest = {
        "generator": "skilltide.synthetic",
        "skilltide_version": __version__,
        "seed": spec.seed,
        "spec": dataclasses.asdict(spec),
        "rows": rows,
        "files": {
            p.relative_to(out).as_posix(): {"sha256": sha256_file(p), "bytes": p.stat().st_size}
            for p in sorted(paths)
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return out
