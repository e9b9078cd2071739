"""The ``skilltide run`` part of the config file: ad sources and each stage's settings.

Read and checked once, before any stage runs, so a bad setting fails the run at the start
with the config file's name (see ``skilltide init`` for a commented example).

Example
-------
>>> import pathlib, tempfile
>>> from skilltide.config import load_settings
>>> path = pathlib.Path(tempfile.mkdtemp()) / "skilltide.toml"
>>> _ = path.write_text('[forecast]\\nhorizon = 3\\nbreaks = "none"\\n')
>>> config = PipelineConfig.from_settings(load_settings(config=path))
>>> config.horizon, config.forecast_breaks, config.forecast_granularities
(3, 'none', ('market',))
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skilltide.config import Settings
from skilltide.errors import UserError


@dataclass(frozen=True)
class Source:
    """A folder or glob of ad files and how their columns map to skilltide's fields."""

    name: str
    paths: tuple[str, ...]
    mapping: dict[str, str] = field(default_factory=dict)

    def files(self) -> list[Path]:
        """The files named or matched, and the ad files (by extension) under folders."""
        found: set[Path] = set()
        for pattern in self.paths:
            path = Path(pattern)
            if path.is_dir():
                # As `skilltide ingest ads FOLDER`: a README beside the ads is not an ad file.
                found.update(p for p in path.rglob("*") if p.is_file() and _is_ad_file(p))
            else:
                found.update(Path(p) for p in glob.glob(pattern, recursive=True))
        return sorted(p for p in found if p.is_file() and not p.name.startswith("."))


def _is_ad_file(path: Path) -> bool:
    from skilltide.ingest.readers import file_format

    try:
        file_format(path)
    except UserError:
        return False
    return True


@dataclass(frozen=True)
class PipelineConfig:
    """The ``skilltide run`` part of the config file, with paths resolved."""

    sources: tuple[Source, ...] = ()
    taxonomy_files: tuple[Path, ...] = ()
    onet_dirs: tuple[Path, ...] = ()
    workbank_dir: Path | None = None
    breaks_granularities: tuple[str, ...] = ()
    forecast_granularities: tuple[str, ...] = ()
    horizon: int = 6
    model: str = "auto"
    workdays: str | None = None
    forecast_breaks: str = "stored"
    coder_rerank: bool | None = None
    graph: dict[str, Any] | None = None
    report_out: Path | None = None
    report_title: str | None = None
    report_granularity: str = "market"

    @classmethod
    def from_settings(cls, settings: Settings) -> PipelineConfig:
        where = settings.config_path or "config"
        sources = []
        for i, raw in enumerate(settings.data.get("sources", [])):
            if not isinstance(raw, dict) or "paths" not in raw:
                raise UserError(f"{where}: [[sources]] entry {i + 1} needs paths = [...]")
            paths = raw["paths"] if isinstance(raw["paths"], list) else [raw["paths"]]
            sources.append(
                Source(
                    name=str(raw.get("name", f"source{i + 1}")),
                    paths=tuple(str(settings.path(p)) for p in paths),
                    mapping={str(k): str(v) for k, v in raw.get("map", {}).items()},
                )
            )
        onet = settings.section("onet")
        forecast = settings.section("forecast")
        breaks = settings.section("breaks")
        report = settings.section("report")
        graph = settings.section("graph")
        workbank = settings.section("workbank")
        workdays = forecast.get("workdays")
        if workdays is not None:
            from skilltide.forecast.calendar import working_days

            workdays = str(workdays)
            try:
                working_days([], workdays)
            except UserError as e:
                raise UserError(f"{where}: [forecast] {e}") from None
        from skilltide.forecast.warehouse import BREAK_SOURCES

        forecast_breaks = str(forecast.get("breaks", "stored"))
        if forecast_breaks not in BREAK_SOURCES:
            raise UserError(
                f"{where}: [forecast] breaks must be one of {', '.join(BREAK_SOURCES)},"
                f" not {forecast_breaks!r}"
            )
        horizon = int(forecast.get("horizon", 6))
        if horizon < 1:
            raise UserError(f"{where}: [forecast] horizon must be at least 1, got {horizon}")
        return cls(
            sources=tuple(sources),
            taxonomy_files=tuple(
                settings.path(p) for p in settings.section("taxonomy").get("files", [])
            ),
            onet_dirs=tuple(settings.path(p) for p in onet.get("dirs", [])),
            workbank_dir=settings.path(workbank["dir"]) if "dir" in workbank else None,
            # A missing [breaks] or [forecast] section means the stage does not run.
            breaks_granularities=tuple(breaks.get("granularities", ["market"]))
            if "breaks" in settings.data
            else (),
            forecast_granularities=tuple(forecast.get("granularities", ["market"]))
            if "forecast" in settings.data
            else (),
            horizon=horizon,
            model=str(forecast.get("model", "auto")),
            workdays=workdays,
            forecast_breaks=forecast_breaks,
            coder_rerank=None if "rerank" not in onet else bool(onet["rerank"]),
            graph=graph or None,
            report_out=settings.path(report["out"]) if "out" in report else None,
            report_title=report.get("title"),
            report_granularity=str(report.get("granularity", "market")),
        )


def write_example_config(out: Path, ads: Path | None = None, force: bool = False) -> Path:
    """Write the commented example config (``skilltide init``), pointing at ``ads``."""
    from importlib import resources

    out = Path(out)
    if out.exists() and not force:
        raise UserError(f"{out}: already exists (use --force to overwrite)")
    template = resources.files("skilltide.templates").joinpath("skilltide.toml").read_text()
    folder = str(Path(ads).resolve()) if ads else "ads"
    out.write_text(template.replace("{ads}", folder), encoding="utf-8")
    return out
