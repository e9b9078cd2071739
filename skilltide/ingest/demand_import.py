"""Import demand panels aggregated elsewhere (``skilltide ingest demand``).

:func:`import_demand` reads an aggregated panel in long form (skill, month, count, optional
group and total) or one of the wide real formats: Job-SDF (``<gran>_id, skill_id,
2021-01 … 2023-12``) and the Hacker News term counts (long form with ``term``/``num_posts``).
Skill names are mapped to the taxonomy; two names of one skill in the same group and month
(``JS`` and ``JavaScript``) are merged keeping the larger count, since ads naming both would
be counted twice by a sum.

Example
-------
>>> import tempfile, pathlib
>>> from skilltide.store import Warehouse
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "p.csv").write_text("skill,month,count,total\\nPython,2024-01,3,10\\n")
>>> with Warehouse(d / "w.duckdb") as wh:
...     import_demand(wh, d / "p.csv", panel="test")["rows"]
1
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

from skilltide.errors import UserError
from skilltide.ingest.readers import sha256_file
from skilltide.store import Warehouse, append, frame
from skilltide.textfile import ragged_record, refuse_binary

DEMAND_FIELDS = ("skill", "month", "count", "group", "total", "granularity")
_DEFAULT_COLUMNS = {
    "skill": ["skill", "skill_id", "term"],
    "month": ["month", "ds", "date"],
    "count": ["count", "demand", "n"],
    "group": ["group", "group_id"],
    "total": ["total", "num_posts", "ads"],
    "granularity": ["granularity"],
}


_ROW = "__skilltide_row"  # the record's number in the file, kept through blank-line removal


def read_panel(path: Path, mapping: dict[str, str] | None = None) -> tuple[pl.DataFrame, str]:
    """Read an aggregated panel into long form ``(row, granularity, group_id, skill, month,
    count, total, count_text)`` (``row``: the 1-based record of the file; blank lines are
    skipped; ``count_text``: the count as written, for messages); returns the frame and the
    detected layout (``long``, ``wide-months``)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: file not found")
    if path.is_dir():
        files = sorted(p.name for p in path.iterdir() if p.name.lower().endswith(_PANEL_SUFFIXES))
        inside = f" ({', '.join(files[:6])}{', …' if len(files) > 6 else ''})" if files else ""
        raise UserError(f"{path}: is a folder; give one panel file in it{inside}")
    # A blank line (one at the end of a hand-edited CSV, say) is not a record with no skill.
    raw = _read_any(path).with_row_index(_ROW, offset=1)
    raw = raw.filter(~pl.all_horizontal(pl.exclude(_ROW).is_null()))
    month_columns = [c for c in raw.columns if re.fullmatch(r"\d{4}-\d{2}", c)]
    if len(month_columns) >= 2 and not (mapping or {}).get("month"):
        return _wide_months(path, raw, month_columns), "wide-months"
    _refuse_skill_columns(path, raw, mapping or {})
    cols = _resolve(path, [c for c in raw.columns if c != _ROW], mapping or {})
    out = (
        raw.rename({_ROW: "row"})
        .select(
            "row",
            pl.lit(None, dtype=pl.String).alias("granularity")
            if cols["granularity"] is None
            else pl.col(cols["granularity"]).cast(pl.String).alias("granularity"),
            (
                pl.lit("all") if cols["group"] is None else pl.col(cols["group"]).cast(pl.String)
            ).alias("group_id"),
            pl.col(cols["skill"]).cast(pl.String).alias("skill"),
            pl.col(cols["month"]).cast(pl.String).alias("month"),
            pl.col(cols["count"]).cast(pl.Float64, strict=False).alias("count"),
            (
                pl.lit(None, dtype=pl.Float64)
                if cols["total"] is None
                else pl.col(cols["total"]).cast(pl.Float64, strict=False)
            ).alias("total"),
            pl.col(cols["count"]).cast(pl.String).alias("count_text"),
        )
        .with_columns(
            pl.col("granularity").fill_null("market" if cols["group"] is None else "group")
        )
    )
    return out, "long"


_PANEL_SUFFIXES = (".parquet", ".jsonl", ".ndjson", ".jsonl.gz", ".csv", ".csv.gz", ".tsv")
_PANEL_SUFFIXES += (".tsv.gz", ".txt")


def _read_any(path: Path) -> pl.DataFrame:
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            return pl.read_parquet(path)
        if name.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
            return pl.read_ndjson(path)
        if name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt")):
            sep = "\t" if ".tsv" in name or name.endswith(".txt") else ","
            refuse_binary(path, gz=name.endswith(".gz"))  # polars reads UTF-16 as garbage
            # Types from every row: a count that is not a number after the first 10,000 rows
            # failed the read without its row; now the value checks name it.
            return pl.read_csv(path, separator=sep, infer_schema_length=None)
    except (pl.exceptions.PolarsError, OSError) as exc:
        text = name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt"))
        ragged = ragged_record(path, sep) if text else None
        if ragged:
            raise UserError(f"{path}, row {ragged.row}: {ragged.describe()}") from None
        raise UserError(f"{path}: cannot read it as a panel: {str(exc).splitlines()[0]}") from None
    raise UserError(f"{path}: unknown panel file type (use .csv, .tsv, .parquet or .jsonl)")


def _refuse_skill_columns(path: Path, raw: pl.DataFrame, mapping: dict[str, str]) -> None:
    """A month column and only numeric others is one column per skill, which is not read."""
    month = mapping.get("month") or next((c for c in _DEFAULT_COLUMNS["month"] if c in raw), None)
    others = [c for c in raw.columns if c not in (_ROW, month)]
    # a skill column of numbers (Job-SDF's ids) is a long panel, not one column per skill
    named = "skill" in mapping or any(c in raw.columns for c in _DEFAULT_COLUMNS["skill"])
    if month is None or named or len(others) < 2:
        return
    if all(raw.schema[c].is_numeric() for c in others):
        raise UserError(
            f"{path}: one column per skill ({', '.join(others[:3])}, …) is not read; give "
            "the panel in long form: columns skill, month, count, one row per skill and month"
        )


def _resolve(path: Path, columns: list[str], mapping: dict[str, str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for field in DEMAND_FIELDS:
        if field in mapping:
            if mapping[field] not in columns:
                raise UserError(
                    f"{path}: field {field}: no column {mapping[field]!r} "
                    f"(columns: {', '.join(columns[:20])})"
                )
            found[field] = mapping[field]
        else:
            found[field] = next((c for c in _DEFAULT_COLUMNS[field] if c in columns), None)
    for field in ("skill", "month", "count"):
        if found[field] is None:
            raise UserError(
                f"{path}: field {field}: no column for it (columns: "
                f"{', '.join(columns[:20])}); use --map {field}=COLUMN"
            )
    return found


def _wide_months(path: Path, raw: pl.DataFrame, months: list[str]) -> pl.DataFrame:
    ids = [c for c in raw.columns if c not in months and c != _ROW]
    skill = "skill_id" if "skill_id" in ids else None
    groups = [c for c in ids if c != skill and c.endswith("_id")]
    if skill is None or len(groups) > 1:
        raise UserError(
            f"{path}: wide panel needs a skill_id column and at most one <group>_id "
            f"column, found {', '.join(ids)}"
        )
    granularity = groups[0][: -len("_id")] if groups else "market"
    if granularity == "r0":
        granularity = "market"
    long = raw.rename({_ROW: "row"}).unpivot(
        index=["row", *ids], on=months, variable_name="month", value_name="count"
    )
    return long.select(
        "row",
        pl.lit(granularity).alias("granularity"),
        (
            pl.lit("all")
            if granularity == "market" or not groups
            else pl.col(groups[0]).cast(pl.String)
        ).alias("group_id"),
        pl.col(skill).cast(pl.String).alias("skill"),
        pl.col("month"),
        pl.col("count").cast(pl.Float64, strict=False),
        pl.lit(None, dtype=pl.Float64).alias("total"),
        pl.col("count").cast(pl.String).alias("count_text"),
    )


def _check_values(path: Path, long: pl.DataFrame) -> None:
    """Stop at the first field without a usable value, or at a repeated skill × group × month."""
    number = pl.col("count").is_null() | pl.col("count").is_nan() | pl.col("count").is_infinite()
    total = pl.col("total")
    bad_total = total.is_nan() | total.is_infinite() | (total < 0)
    checks = [
        ("skill", pl.col("skill").str.strip_chars().fill_null("") == "", "no skill"),
        ("group", pl.col("group_id").is_null(), "no group"),
        ("count", number | (pl.col("count") < 0), "no count >= 0"),
        ("total", bad_total, "a total < 0 or not a number"),
        # the total is the ads of the group and month: fewer than those naming one skill
        # would give a share above 1
        ("total", total < pl.col("count"), "a total below the count"),
    ]
    for field, bad, what in checks:
        rows = long.filter(bad.fill_null(False))
        if rows.height:
            first = rows.row(0, named=True)
            # the value as written: 'n/a' says more than the number it is not
            value = {"count": first["count_text"], "total": first["total"]}.get(field, "")
            shown = (
                "" if value == "" else f", {field} " + ("empty" if value is None else repr(value))
            )
            plural = "row" if rows.height == 1 else "rows"
            raise UserError(
                f"{path}, row {first['row']}, field {field}: {rows.height:,} {plural} with "
                f"{what} (first: skill {first['skill']!r}, month {first['month']!r}{shown})"
            )
    key = ["granularity", "group_id", "skill", "m"]
    repeated = long.filter(pl.struct(key).is_duplicated())
    if repeated.height:
        first = repeated.filter(pl.struct(key) == repeated.select(pl.struct(key))[0, 0])
        raise UserError(
            f"{path}, rows {', '.join(map(str, first['row'].head(3)))}: skill "
            f"{first['skill'][0]!r}, group {first['group_id'][0]!r} appears more than once in "
            f"month {first['m'][0]:%Y-%m} ({', '.join(map(repr, first['month'].head(3)))}); "
            "give one row per skill, group and month (aggregate daily or weekly data first)"
        )


def merge_names(long: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, Any]]:
    """One row per granularity, group, skill id and month, where several names of one skill
    (``JS`` and ``JavaScript``) had a row each: the larger count and total are kept.

    The ads mentioning either name number at least the larger count and at most the sum; a
    sum counts every ad naming both twice, so the larger count (the lower bound) is kept.
    Returns the merged panel and ``{"rows": rows merged away, "names": {skill_id: names}}``.

    >>> rows = pl.DataFrame({"granularity": "market", "group_id": "all",
    ...     "skill_id": ["js", "js", "py"], "skill": ["JS", "JavaScript", "Python"],
    ...     "month": "2024-01", "count": [3.0, 5.0, 2.0], "total": 10.0})
    >>> panel, merged = merge_names(rows)
    >>> panel.sort("skill_id")["count"].to_list(), merged
    ([5.0, 2.0], {'rows': 1, 'names': {'js': ['JS', 'JavaScript']}})
    """
    key = ["granularity", "group_id", "skill_id", "month"]
    grouped = long.group_by(key).agg(
        pl.col("count").max(), pl.col("total").max(), pl.col("skill").alias("names")
    )
    several = grouped.filter(pl.col("names").list.len() > 1)
    names = (
        several.select("skill_id", "names")
        .explode("names")
        .group_by("skill_id")
        .agg(pl.col("names").unique().sort())
        .sort("skill_id")
    )
    merged = {
        "rows": long.height - grouped.height,
        "names": dict(zip(names["skill_id"].to_list(), names["names"].to_list(), strict=True)),
    }
    return grouped.drop("names"), merged


def _read_checked(path: Path, mapping: dict[str, str] | None) -> tuple[pl.DataFrame, str]:
    """The panel in long form with months as dates; a :class:`UserError` naming the row and
    field of the first bad value."""
    long, layout = read_panel(path, mapping)
    if long.height == 0:  # a header alone: refuse, as an empty file is
        raise UserError(f"{path}: the panel has no rows (only a header)")
    long = long.with_columns(
        pl.col("month").str.slice(0, 7).str.to_date("%Y-%m", strict=False).alias("m")
    )
    unparsed = long.filter(pl.col("m").is_null())
    if unparsed.height:
        row = unparsed.row(0, named=True)
        raise UserError(
            f"{path}, row {row['row']}, field month: {row['month']!r} is not a month (YYYY-MM)"
        )
    _check_values(path, long)
    return long.drop("month", "count_text").rename({"m": "month"}), layout


def import_demand(
    wh: Warehouse,
    path: str | Path,
    mapping: dict[str, str] | None = None,
    panel: str | None = None,
) -> dict[str, Any]:
    """Import an aggregated panel into ``demand`` (and ``demand_totals`` when totals are given).

    The file must have one row per skill, group and month (a month is ``YYYY-MM`` or any date
    in it), a skill and group in every row and counts (and totals) that are numbers >= 0, a
    total no smaller than the count; otherwise nothing is imported and the error names the
    row and field.
    Rows of the same panel and granularity are replaced. Skill names that match a taxonomy
    alias (case-insensitive) get that skill's id; others are kept as ``<panel>:<name>``.
    Names of one skill in the same group and month are merged (:func:`merge_names`); the
    summary's ``merged_rows`` and ``merged_names`` say which.
    """
    path = Path(path)
    panel = panel or path.stem.split(".")[0]
    if panel == "ads":
        raise UserError("--panel ads is reserved for the panel built from ingested ads")
    args = {"file": str(Path(path).resolve()), "panel": panel, "map": mapping}
    # checked inside the run, so that a refused file is a failed run in `runs`, as for ads
    with wh.run("ingest demand", args) as run:
        long, layout = _read_checked(path, mapping)
        aliases = frame(
            run.con,
            "SELECT lower(alias) AS key, min(skill_id) AS skill_id FROM ("
            " SELECT alias, skill_id FROM skill_aliases UNION SELECT name, skill_id FROM skills)"
            " GROUP BY 1",
        )
        long = (
            long.with_columns(pl.col("skill").str.to_lowercase().alias("key"))
            .join(aliases, on="key", how="left")
            .with_columns(
                pl.coalesce("skill_id", pl.lit(f"{panel}:") + pl.col("skill")).alias("skill_id")
            )
        )
        long, merged = merge_names(long)
        for gran in long["granularity"].unique().to_list():
            run.con.execute("DELETE FROM demand WHERE panel = ? AND granularity = ?", [panel, gran])
            run.con.execute(
                "DELETE FROM demand_totals WHERE panel = ? AND granularity = ?", [panel, gran]
            )
        rows = append(
            run.con,
            "demand",
            long.select(
                pl.lit(panel).alias("panel"),
                "granularity",
                "group_id",
                "skill_id",
                "month",
                "count",
                "total",
                pl.when(pl.col("total") > 0).then(pl.col("count") / pl.col("total")).alias("share"),
                pl.lit(run.run_id).alias("run_id"),
            ),
        )
        totals = (
            long.filter(pl.col("total").is_not_null())
            .group_by("granularity", "group_id", "month")
            .agg(pl.col("total").max().alias("ads"))
        )
        n_totals = append(
            run.con,
            "demand_totals",
            totals.select(
                pl.lit(panel).alias("panel"),
                "granularity",
                "group_id",
                "month",
                "ads",
                pl.lit(run.run_id).alias("run_id"),
            ),
        )
        run.count("demand", rows)
        run.count("demand_totals", n_totals)
        summary = {
            "file": str(path),
            "sha256": sha256_file(path),  # provenance: the panel's rows came from these bytes
            "panel": panel,
            "layout": layout,
            "rows": rows,
            "totals": n_totals,
            "granularities": sorted(long["granularity"].unique().to_list()),
            "skills": long["skill_id"].n_unique(),
            "months": long["month"].n_unique(),
            "matched_taxonomy": int(
                long.filter(~pl.col("skill_id").str.starts_with(f"{panel}:"))["skill_id"].n_unique()
            ),
            "merged_rows": merged["rows"],
            "merged_names": merged["names"],
            "run_id": run.run_id,
        }
        run.notes.update(summary)
    return summary
