"""``skilltide demo``: a synthetic labour market run through every stage, end to end.

The demo is ``skilltide run`` on generated data: it writes the synthetic market and a
config file into the output folder, then runs the pipeline, so the showcase and the
scheduled ETL are the same code.

Example
-------
>>> from skilltide.demo import run_demo
>>> lines = run_demo("demo", size="small")     # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from pathlib import Path

from skilltide.config import Settings, load_settings
from skilltide.errors import UserError
from skilltide.logs import EventLog
from skilltide.outfile import cannot_write, make_folder, replacing

DEMO_CONFIG = """\
# Written by `skilltide demo`: the pipeline over the synthetic market in data/.
[warehouse]
db = "skilltide.duckdb"

[[sources]]
name = "synthetic"
paths = ["data/ads.csv"]

[taxonomy]
files = ["data/skills.csv"]

[breaks]
granularities = ["market", "major_group"]

[forecast]
granularities = ["market", "major_group"]
horizon = 6
model = "auto"

[graph]
source = "ads"

[report]
out = "report"
title = "Skill demand in the synthetic labour market"
granularity = "market"
"""


#: sha256 of every ``DEMO_CONFIG`` a released version wrote (add the new one when it changes,
#: keep the old): a folder holding one of them is an earlier demo's, whose config is replaced
#: by this version's, not refused as edited.
WRITTEN_CONFIGS = frozenset({"e80a30b15a21e27883b5b4ad5e9952829d5e14fb215e2652288321fb80db16a3"})


def _demo_written(text: str) -> bool:
    """Whether ``text`` is a config some version of the demo wrote, unedited."""
    return text == DEMO_CONFIG or hashlib.sha256(text.encode()).hexdigest() in WRITTEN_CONFIGS


def generate(out: str | Path, size: str = "default", seed: int = 7) -> Path:
    """Write the synthetic market of the given size and seed to ``out``."""
    from skilltide import synthetic

    _check(out, size, seed)
    if _foreign_market(Path(out)):
        raise UserError(  # its ads.csv, skills.csv... would be overwritten
            f"{out}: holds files but no synthetic market (manifest.json); "
            "give a new or empty folder"
        )
    spec = dataclasses.replace(synthetic.SIZES[size], seed=seed)
    try:  # a read-only folder or a full disk: one line, not a traceback
        return synthetic.write_market(spec, make_folder(out))
    except OSError as exc:
        raise cannot_write(Path(out), exc) from None


def _check(out: str | Path, size: str, seed: int) -> None:
    """Refuse a bad size, a negative seed or a file as the folder before writing anything."""
    from skilltide.synthetic import SIZES

    if size not in SIZES:
        raise UserError(f"--size must be one of {', '.join(SIZES)}, got {size!r}")
    if seed < 0:
        raise UserError(f"--seed must be a whole number >= 0, got {seed}")
    if Path(out).exists() and not Path(out).is_dir():
        raise UserError(f"{out}: is a file; give a folder for the synthetic market")


def _foreign_market(folder: Path) -> bool:
    """Whether ``folder`` holds something other than a synthetic market (no manifest.json);
    an empty folder is harmless."""
    held = folder.exists() and (not folder.is_dir() or any(folder.iterdir()))
    return held and not (folder / "manifest.json").is_file()


def _refuse_foreign(out: Path) -> None:
    """Refuse a folder with a config, warehouse or data/ folder an earlier demo did not
    write: the demo would overwrite the config and run into the warehouse. A demo's config
    that differs from the one the demo writes (edited since) is refused too, not replaced."""
    config = out / "skilltide.toml"
    text = config.read_text(errors="replace") if config.is_file() else ""
    if _demo_written(text):
        return  # an earlier demo's folder (of this version or another): run it again
    if text.startswith(DEMO_CONFIG[:30]):
        raise UserError(
            f"{config}: is not the config `skilltide demo` writes (edited since?), which it "
            f"would overwrite; run your edits with `skilltide run --config {config}`, or "
            "remove the file (or give a new folder) to run the demo again"
        )
    foreign = [p.name for p in (config, out / "skilltide.duckdb") if p.exists()]
    if _foreign_market(out / "data"):
        foreign.append("data/")
    if foreign:
        raise UserError(
            f"{out}: holds {', '.join(foreign)} that `skilltide demo` did not write (or did not "
            "finish writing), which it would overwrite or run into; give a new or empty folder"
        )


def run_demo(
    out: str | Path, size: str = "default", seed: int = 7, settings: Settings | None = None
) -> list[str]:
    """Generate the market into ``out/data`` and run the pipeline into ``out``."""
    from skilltide.pipeline import run_pipeline
    from skilltide.store import Warehouse
    from skilltide.warehouse_status import status

    out = Path(out)
    _check(out, size, seed)
    _refuse_foreign(out)
    make_folder(out)
    quiet = settings.quiet if settings else False
    log = EventLog(quiet=quiet)
    start = time.perf_counter()
    log.event("demo.generate", size=size, seed=seed, folder=str(out / "data"))
    generate(out / "data", size=size, seed=seed)
    config = out / "skilltide.toml"
    # else the demo's own, checked above: left as it is (an earlier version's is replaced)
    if not config.is_file() or config.read_text(errors="replace") != DEMO_CONFIG:
        with replacing(config) as tmp:
            tmp.write_text(DEMO_CONFIG, encoding="utf-8")
    db = out / "skilltide.duckdb"
    summary = run_pipeline(load_settings(config=config, db=db, quiet=quiet), log)
    with Warehouse(db) as wh:
        tables = status(wh)["tables"]
    seconds = time.perf_counter() - start
    lines = [
        f"demo finished in {seconds:.1f}s: run {summary.run_id} {summary.status}",
        f"  synthetic market   {out / 'data'}",
        f"  config             {config}",
        f"  warehouse          {db}",
    ]
    for stage in summary.stages:
        if stage.stage == "report" and "path" in stage.summary:
            lines.append(f"  report             {stage.summary['path']}")
    shown = ("ads", "ad_skills", "quarantine", "demand", "breaks", "forecasts", "graph_edges")
    lines.append(
        "  rows               " + ", ".join(f"{t} {tables[t]:,}" for t in shown if t in tables)
    )
    lines.append(f"  next: skilltide status --db {db}")
    return lines
