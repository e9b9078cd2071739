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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skilltide.config import Settings
from skilltide.errors import UserError
from skilltide.pipeline_sources import Source


@dataclass(frozen=True)
class PipelineConfig:
    """The ``skilltide run`` part of the config file, with paths resolved."""

    sources: tuple[Source, ...] = ()
    taxonomy_files: tuple[Path, ...] = ()
    onet_dirs: tuple[Path, ...] = ()
    crosswalk_files: tuple[Path, ...] = ()  # ISCO-08 → SOC, and 2010 → 2018 SOC if needed
    esco_file: Path | None = None
    workbank_dir: Path | None = None
    breaks_granularities: tuple[str, ...] = ()
    forecast_granularities: tuple[str, ...] = ()
    # the demand panel each reads: 'ads', or one imported by `skilltide ingest demand`
    breaks_panel: str = "ads"
    forecast_panel: str = "ads"
    report_panel: str = "ads"
    horizon: int = 6
    model: str = "auto"
    workdays: str | None = None
    forecast_breaks: str = "stored"
    forecast_params: dict[str, Any] = field(default_factory=dict)  # members, weights
    coder_rerank: bool | None = None
    graph: dict[str, Any] | None = None
    report_out: Path | None = None
    report_title: str | None = None
    report_granularity: str = "market"
    memory_limit: str | None = None  # [ingest] memory_limit, as for `skilltide ingest ads`
    ads_coder: str | None = None  # [ingest] coder (None: the warehouse's, else lexical)

    @classmethod
    def from_settings(cls, settings: Settings) -> PipelineConfig:
        where = settings.config_path or "config"
        check_names(where, settings.data)
        sources = []
        ingest = settings.section("ingest")
        date_order = _date_order(where, "[ingest] date_order", ingest.get("date_order", "auto"))
        encoding = _encoding(where, "[ingest] encoding", ingest.get("encoding", "utf-8"))
        raw_sources = settings.data.get("sources", [])
        if not isinstance(raw_sources, list):
            raise UserError(f"{where}: write each source as a [[sources]] table")
        for i, raw in enumerate(raw_sources):
            if not isinstance(raw, dict) or "paths" not in raw:
                raise UserError(f"{where}: [[sources]] entry {i + 1} needs paths = [...]")
            name = _string(where, "[[sources]] name", raw.get("name", f"source{i + 1}"))
            if any(s.name == name for s in sources):  # one stage, one fingerprint per name
                raise UserError(
                    f"{where}: [[sources]] entry {i + 1}: the name {name!r} is taken by an "
                    "earlier source; give each source its own name, or list the folders of "
                    "one source in its paths = [...]"
                )
            paths = _strings(where, f"[[sources]] {name}: paths", raw["paths"])
            sources.append(
                Source(
                    name=name,
                    paths=tuple(str(settings.path(p)) for p in paths),
                    mapping=_source_map(where, name, raw.get("map", {})),
                    date_order=_date_order(
                        where, f"[[sources]] {name}: date_order", raw.get("date_order", date_order)
                    ),
                    encoding=_encoding(
                        where, f"[[sources]] {name}: encoding", raw.get("encoding", encoding)
                    ),
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
        from skilltide.forecast.models.registry import MODELS
        from skilltide.forecast.warehouse import BREAK_SOURCES

        forecast_breaks = str(forecast.get("breaks", "stored"))
        if forecast_breaks not in BREAK_SOURCES:
            raise UserError(
                f"{where}: [forecast] breaks must be one of {', '.join(BREAK_SOURCES)},"
                f" not {forecast_breaks!r}"
            )
        horizon = forecast.get("horizon", 6)
        if isinstance(horizon, bool) or not isinstance(horizon, int):
            raise UserError(f"{where}: [forecast] horizon must be a whole number of months")
        from skilltide.forecast.cli_options import MAX_HORIZON

        if not 1 <= horizon <= MAX_HORIZON:
            raise UserError(
                f"{where}: [forecast] horizon must be 1 to {MAX_HORIZON} months, got {horizon}"
            )
        model = _string(where, "[forecast] model", forecast.get("model", "auto"))
        if model not in MODELS:
            raise UserError(
                f"{where}: [forecast] model must be one of {', '.join(sorted(MODELS))},"
                f" not {model!r}"
            )
        forecast_params = _forecast_params(where, model, forecast)
        rerank = onet.get("rerank")
        if rerank is not None and not isinstance(rerank, bool):
            raise UserError(f"{where}: [onet] rerank must be true or false, not {rerank!r}")
        ads_coder = ingest.get("coder")
        if ads_coder is not None:
            from skilltide.onet.coder import CODER_TABLES

            if not isinstance(ads_coder, str) or ads_coder not in CODER_TABLES:
                raise UserError(
                    f"{where}: [ingest] coder must be one of {', '.join(CODER_TABLES)},"
                    f" not {ads_coder!r}"
                )
        taxonomy = settings.section("taxonomy").get("files", [])
        crosswalk = settings.section("crosswalk")
        crosswalk_files = _strings(where, "[crosswalk] files", crosswalk.get("files", []))
        if len(crosswalk_files) > 2 or ("esco" in crosswalk and not crosswalk_files):
            raise UserError(
                f"{where}: [crosswalk] files must name the ISCO-08 → SOC file and, if its SOC is"
                " 2010 SOC, the 2010 → 2018 SOC file (esco needs them)"
            )
        return cls(
            sources=tuple(sources),
            taxonomy_files=tuple(
                settings.path(p) for p in _strings(where, "[taxonomy] files", taxonomy)
            ),
            onet_dirs=tuple(
                settings.path(p) for p in _strings(where, "[onet] dirs", onet.get("dirs", []))
            ),
            crosswalk_files=tuple(settings.path(p) for p in crosswalk_files),
            esco_file=settings.path(_string(where, "[crosswalk] esco", crosswalk["esco"]))
            if "esco" in crosswalk
            else None,
            workbank_dir=settings.path(_string(where, "[workbank] dir", workbank["dir"]))
            if "dir" in workbank
            else None,
            # A missing [breaks] or [forecast] section means the stage does not run.
            breaks_granularities=_granularities(where, "[breaks]", breaks)
            if "breaks" in settings.data
            else (),
            forecast_granularities=_granularities(where, "[forecast]", forecast)
            if "forecast" in settings.data
            else (),
            breaks_panel=_panel(where, "[breaks]", breaks),
            forecast_panel=_panel(where, "[forecast]", forecast),
            report_panel=_panel(where, "[report]", report),
            horizon=horizon,
            model=model,
            workdays=workdays,
            forecast_breaks=forecast_breaks,
            forecast_params=forecast_params,
            coder_rerank=rerank,
            # an empty [graph] section builds the default network (from the ads)
            graph=_graph_settings(where, graph) if "graph" in settings.data else None,
            report_out=settings.path(_string(where, "[report] out", report["out"]))
            if "out" in report
            else None,
            report_title=_string(where, "[report] title", report["title"])
            if "title" in report
            else None,
            report_granularity=_granularities(
                where,
                "[report]",
                {"granularity": report.get("granularity", "market"), **_named(report)},
            )[0],
            memory_limit=_memory_limit(where, ingest["memory_limit"])
            if "memory_limit" in ingest
            else None,
            ads_coder=ads_coder,
        )


# The sections of the config file and their settings ([ingest] map and source are read by
# `skilltide ingest ads` only: each [[sources]] has its own).
SETTINGS = {
    "warehouse": ("db",),
    "sources": ("name", "paths", "map", "date_order", "encoding"),
    "ingest": ("map", "source", "memory_limit", "date_order", "encoding", "coder"),
    "taxonomy": ("files",),
    "onet": ("dirs", "rerank"),
    "crosswalk": ("files", "esco"),
    "workbank": ("dir",),
    "breaks": ("granularities", "panel"),
    "forecast": (
        "granularities",
        "panel",
        "horizon",
        "model",
        "workdays",
        "breaks",
        "members",
        "weights",
    ),
    "graph": ("source", "element", "weight", "threshold", "seed", "n_null", "neighbours"),
    "report": ("out", "title", "granularity", "panel"),
}


def _forecast_params(where: object, model: str, forecast: dict) -> dict[str, Any]:
    """``[forecast] members`` (a list of model names) and ``weights`` ("backtest" or one
    number per member) as ``forecast run --members/--weights`` reads them."""
    from skilltide.forecast.cli_options import model_params
    from skilltide.forecast.models.registry import make_model

    members = forecast.get("members")
    weights = forecast.get("weights")
    if members is not None:
        members = ",".join(_strings(where, "[forecast] members", members))
        if not members:
            raise UserError(f"{where}: [forecast] members must name at least one model")
    if weights is not None and weights != "backtest":
        if (
            not isinstance(weights, list)
            or not weights
            or not all(isinstance(w, int | float) and not isinstance(w, bool) for w in weights)
        ):
            raise UserError(f'{where}: [forecast] weights must be "backtest" or a list of numbers')
        weights = ",".join(str(w) for w in weights)
    try:
        params = model_params(model, members, weights, prefix="")
        make_model(model, **params)  # e.g. as many weights as members, checked now
        return params
    except UserError as exc:
        raise UserError(f"{where}: [forecast] {exc}") from None


def _graph_settings(where: object, graph: dict) -> dict[str, Any]:
    """``[graph]`` checked now, as ``graph build`` checks its options (a wrong value or type
    would otherwise fail the graph stage late, with a traceback)."""
    from skilltide.graph.options import CONFIG_NAMES, check_options

    try:  # one another too: element knowledge is for an O*NET network, not one from ads
        check_options(**{k: graph[k] for k in CONFIG_NAMES if k in graph}, names=CONFIG_NAMES)
    except UserError as exc:
        raise UserError(f"{where}: {exc}") from None
    numbers = {"threshold": (float, 0), "seed": (int, 0), "n_null": (int, 0)}
    for key, (kind, least) in {**numbers, "neighbours": (int, 1)}.items():
        value = graph.get(key)
        if value is None:
            continue
        ok = isinstance(value, int | float if kind is float else int)
        if isinstance(value, bool) or not ok or (least is not None and value < least):
            what = "a number" if kind is float else "a whole number"
            bound = f" >= {least}" if least is not None else ""
            raise UserError(f"{where}: [graph] {key} must be {what}{bound}, not {value!r}")
    return dict(graph)


def check_names(where: object, data: dict) -> None:
    """Refuse a section or setting skilltide does not know (a typo would be ignored)."""
    import difflib

    def unknown(what: str, name: str, known) -> UserError:
        close = difflib.get_close_matches(name, list(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f"; known: {', '.join(known)}"
        return UserError(f"{where}: unknown {what} {name!r}{hint}")

    for section, table in data.items():
        if section not in SETTINGS:
            raise unknown("section", section, SETTINGS)
        for entry in table if isinstance(table, list) else [table]:
            for key in entry if isinstance(entry, dict) else ():
                if key not in SETTINGS[section]:
                    raise unknown(f"setting in [{section}]:", key, SETTINGS[section])


def _string(where: object, name: str, value: object) -> str:
    if not isinstance(value, str):
        raise UserError(f"{where}: {name} must be a string, not {value!r}")
    return value


def _strings(where: object, name: str, value: object) -> tuple[str, ...]:
    """A list of strings; one string is a list of one (not of its characters)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise UserError(f"{where}: {name} must be a list of strings, not {value!r}")
    return tuple(items)


def _memory_limit(where: object, value: object) -> str:
    """``[ingest] memory_limit`` as DuckDB reads it (checked now, not at each file)."""
    import duckdb

    value = _string(where, "[ingest] memory_limit", value)
    try:
        with duckdb.connect() as con:
            con.execute(f"SET memory_limit = '{value.replace(chr(39), chr(39) * 2)}'")
    except duckdb.Error as exc:
        raise UserError(f"{where}: [ingest] memory_limit {value!r}: {exc}") from None
    return value


def _date_order(where: object, name: str, value: object) -> str:
    """A date order of slash dates (``auto``, ``mdy`` or ``dmy``), as ``--date-order``."""
    from skilltide.ingest.date_order import check_order

    return check_order(value, f"{where}: {name}")


def _encoding(where: object, name: str, value: object) -> str:
    """A text encoding of ad files (``utf-8``, ``cp1252``, …), as ``--encoding``."""
    from skilltide.ingest.encoding import check_encoding

    return check_encoding(value, f"{where}: {name}")


def _panel(where: object, section: str, table: dict) -> str:
    """A section's ``panel``: ``ads`` by default, else an imported panel's name."""
    panel = _string(where, f"{section} panel", table.get("panel", "ads")).strip()
    if not panel:
        raise UserError(f'{where}: {section} panel must name a demand panel ("ads" by default)')
    return panel


def _named(table: dict) -> dict:
    """A section's ``panel`` setting alone, if it has one."""
    return {"panel": table["panel"]} if "panel" in table else {}


def _granularities(where: object, section: str, table: dict) -> tuple[str, ...]:
    """``granularities`` (or ``granularity``) of a section, each a granularity of panel
    ``ads``; an imported panel's (``panel = …``) are its own, checked by its stage."""
    from skilltide.ingest.demand import GRANULARITIES

    key = "granularity" if "granularity" in table else "granularities"
    found = _strings(where, f"{section} {key}", table.get(key, ["market"]))
    for g in found if table.get("panel", "ads") == "ads" else ():
        if g not in GRANULARITIES:
            raise UserError(
                f"{where}: {section} {key}: unknown granularity {g!r};"
                f" use {', '.join(GRANULARITIES)}"
            )
    return found


def _source_map(where: object, name: str, value: object) -> dict[str, str]:
    """A source's ``map``, checked as ``--map`` is (known fields, column names as strings)."""
    from skilltide.ingest.mapping import parse_mapping

    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UserError(
            f'{where}: [[sources]] {name}: map must be a table of FIELD = "column", not {value!r}'
        )
    try:
        parse_mapping(value)
    except UserError as exc:
        raise UserError(f"{where}: [[sources]] {name}: map: {exc}") from None
    return {str(k): v for k, v in value.items()}


def write_example_config(out: Path, ads: Path | None = None, force: bool = False) -> Path:
    """Write the commented example config (``skilltide init``), pointing at ``ads``."""
    from importlib import resources

    out = Path(out)
    if out.is_dir():
        raise UserError(f"{out}: is a folder; give the config file, e.g. {out / 'skilltide.toml'}")
    if not out.parent.is_dir():
        raise UserError(f"{out}: folder {out.parent} does not exist")
    if out.exists() and not force:
        raise UserError(f"{out}: already exists (use --force to overwrite)")
    template = resources.files("skilltide.templates").joinpath("skilltide.toml").read_text()
    folder = str(Path(ads).resolve()) if ads else "ads"
    from skilltide.outfile import replacing

    with replacing(out) as tmp:  # a full disk leaves no empty config (nor truncates --force's)
        tmp.write_text(template.replace("{ads}", folder), encoding="utf-8")
    return out
