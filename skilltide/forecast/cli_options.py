"""Options and argument parsing shared by the ``forecast`` and ``breaks`` commands.

Example
-------
>>> parse_cutoffs("2023-06, 2023-09")
[datetime.date(2023, 6, 1), datetime.date(2023, 9, 1)]
>>> model_params("ensemble", "naive,window_average", "0.5,0.5")
{'members': ('naive', 'window_average'), 'weights': [0.5, 0.5]}
"""

from __future__ import annotations

import math
import types
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from skilltide.errors import UserError

#: The longest horizon a command accepts: 100 years of months (a typo such as 60000 would
#: otherwise run until the calendar ends, in the year 9999).
MAX_HORIZON = 1200

Horizon = Annotated[int, typer.Option("--horizon", min=1, max=MAX_HORIZON, help="Months ahead.")]

Workdays = Annotated[
    str | None,
    typer.Option(
        "--workdays",
        help="Forecast demand per working day: a country's calendar (ISO code such as CN, "
        "US, DE) or 'weekdays' for Monday–Friday. Off by default.",
    ),
]

IdCol = Annotated[str, typer.Option("--id-col", help="Series id column of INPUT.")]
DsCol = Annotated[str, typer.Option("--ds-col", help="Month column of INPUT.")]
YCol = Annotated[str, typer.Option("--y-col", help="Value column of INPUT.")]


def finite_fill(value: float | None) -> float | None:
    """Refuse a ``--fill`` that is not a demand value (NaN, infinite or negative): it
    would go into the series as data."""
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise typer.BadParameter(f"{value} is not a demand value; use a number >= 0 (0 for counts)")
    return value


Fill = Annotated[
    float | None,
    typer.Option(
        "--fill",
        callback=finite_fill,
        help="Fill missing months with this value (0 for counts), inside a series and after "
        "its last row up to the panel's last month; without it such a series is refused.",
    ),
]

BreaksFill = Annotated[
    float | None,
    typer.Option(
        help="Fill missing months with this value first (0 for counts).", callback=finite_fill
    ),
]


def read_input(input: Path, fill: float | None, workdays: str | None = None, **names: str):
    from skilltide.forecast.panel import fill_gaps, read_panel, refuse_gaps, refuse_negative

    frame = refuse_negative(read_panel(input, **names), source=str(input))
    y = frame["y"]
    if workdays and y.max() <= 1 and (y != y.round()).any():
        raise UserError(
            f"{input}: --workdays divides counts by the working days of their month; these "
            "values are shares (all within 0-1), which working days do not scale"
        )
    if fill is None:
        return refuse_gaps(frame, source=str(input), to_panel_end=True)
    return fill_gaps(frame, value=fill, to_panel_end=True)


Members = Annotated[
    str | None,
    typer.Option(
        "--members",
        help="Comma-separated models that --model ensemble combines (default: naive, "
        "window_average, top_down, lgbm) or that auto chooses among.",
    ),
]
Weights = Annotated[
    str | None,
    typer.Option(
        "--weights",
        help="--model ensemble: 'backtest' (the default: the weights, in steps of 0.2, with "
        "the lowest MAE over 4 rolling origins before the cutoff) or one number per member.",
    ),
]


def model_params(model: str, members: str | None, weights: str | None, prefix: str = "--") -> dict:
    """The registry parameters that --members and --weights set for ``model`` (errors name
    the settings as ``prefix + name``: ``"--"`` for the CLI, ``""`` for the config file)."""
    from skilltide.forecast.models.registry import MODELS

    m_, w_, model_ = (f"{prefix}{name}" for name in ("members", "weights", "model"))
    params: dict = {}
    if members:
        if model not in ("ensemble", "auto"):
            raise UserError(f"{m_} applies to {model_} ensemble or auto, not {model!r}")
        names = [m.strip() for m in members.split(",") if m.strip()]
        unknown = [m for m in names if m not in MODELS or m in ("ensemble", "auto")]
        if len(set(names)) < len(names):
            raise UserError(f"{m_}: each model once, not {members!r}")
        if unknown or not names:
            raise UserError(
                f"{m_}: unknown or nested model(s) {', '.join(unknown) or members!r}; "
                f"choose from {', '.join(sorted(set(MODELS) - {'ensemble', 'auto'}))}"
            )
        params["members" if model == "ensemble" else "candidates"] = tuple(names)
    if weights:
        if model != "ensemble":
            raise UserError(f"{w_} applies to {model_} ensemble, not {model!r}")
        if weights.strip() == "backtest":
            params["weights"] = "backtest"
        else:
            try:
                params["weights"] = [float(w) for w in weights.split(",")]
            except ValueError:
                raise UserError(
                    f"{w_}: write 'backtest' or numbers such as 0.4,0.4,0.2, not {weights!r}"
                ) from None
    return params


def parse_cutoffs(text: str | None) -> list[date] | None:
    if not text:
        return None
    out = []
    for part in text.split(","):
        try:
            year, month = part.strip().split("-")
            out.append(date(int(year), int(month), 1))
        except ValueError:
            raise UserError(f"--cutoffs: {part.strip()!r} is not a month YYYY-MM") from None
    return out


def breaks_option(value: str | None, panel=None, input: Path | None = None):
    """``--breaks``: None for none, ``"detect"``, or the breaks read from a file; a file
    none of whose series is one of ``panel``'s (read from ``input``) is refused, as it
    would change nothing."""
    if value in (None, "none"):
        return None
    if value == "detect":
        return value
    from skilltide.forecast.breaks_store import read_breaks

    known = read_breaks(value)
    if panel is not None and known.height:
        ids = panel["unique_id"].unique()
        if not known["unique_id"].is_in(ids.implode()).any():
            raise UserError(
                f"{value}: none of its {known['unique_id'].n_unique()} series (such as "
                f"{known['unique_id'][0]!r}) is a series of {input} (such as {ids.sort()[0]!r});"
                f" give breaks found on this panel (skilltide breaks detect {input} --out FILE)"
            )
    return known


def command_options(values: dict) -> dict:
    """A command's option values from its ``locals()``, for the output's provenance."""
    skip = ("input", "out", "settings", "force")
    return {
        k: v
        for k, v in values.items()
        if k not in skip and not callable(v) and not isinstance(v, types.ModuleType)
    }


#: ``breaks detect`` options that apply to a warehouse panel only, and to a file only, with
#: their defaults.
_WAREHOUSE_ONLY = {"panel": "ads", "granularity": "market", "value": "count"}
_FILE_ONLY = {"fill": None, "id_col": "unique_id", "ds_col": "ds", "y_col": "y"}


def breaks_options(input: Path | None, options: dict) -> dict:
    """The ``breaks detect`` options that apply to its input (for the provenance); refuses
    one that does not (``--value share`` with a file was ignored: counts were tested)."""
    unused = _WAREHOUSE_ONLY if input else _FILE_ONLY
    given = [k for k, default in unused.items() if options.get(k) != default]
    if given:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        where = "a warehouse panel (no INPUT file)" if input else "an INPUT file"
        raise UserError(f"{flags}: only for {where}")
    return {k: v for k, v in options.items() if k not in unused}


def check_out(out: Path) -> None:
    """Refuse an output path that cannot be written, before any work."""
    if out.suffix not in (".csv", ".parquet"):
        raise UserError(f"{out}: output must end in .csv or .parquet")
    if not out.parent.is_dir():
        raise UserError(f"{out}: folder {out.parent} does not exist")
    if out.is_dir():
        raise UserError(f"{out}: is a folder; give a file name")


def write_frame(frame, out: Path) -> None:
    """Write ``frame`` to ``out`` whole or not at all (a full disk leaves no half file)."""
    from skilltide.outfile import write_frame as write_whole

    check_out(out)
    write_whole(frame, out)


class RunOutput:
    """The ``--out`` file (and its provenance sidecar) of a warehouse run, written inside the
    run's transaction to temporary files and renamed into place when the block ends, after
    the commit: a file that cannot be written rolls the run back (the command failed, so the
    warehouse stays as it was), and a run that fails leaves no file.

    ``with RunOutput(out, "forecast run", options, db) as output:`` then
    ``forecast_warehouse(..., written=lambda run: output.write(run, frame))``.
    """

    def __init__(self, out: Path, command: str, options: dict, db: Path) -> None:
        from contextlib import ExitStack

        check_out(out)
        self.out, self.command, self.options, self.db = out, command, options, db
        self._files = ExitStack()

    def __enter__(self) -> RunOutput:
        from skilltide.outfile import replacing
        from skilltide.provenance import provenance_path

        self.tmp = self._files.enter_context(replacing(self.out))
        self.side = self._files.enter_context(replacing(provenance_path(self.out)))
        return self

    def __exit__(self, *exc: object) -> bool | None:
        return self._files.__exit__(*exc)

    def write(self, run, frame) -> None:
        """Write ``frame``, the rows of ``run`` (still open), and its sidecar."""
        from skilltide.outfile import cannot_write, frame_to
        from skilltide.provenance import (
            provenance_path,
            provenance_record,
            record_text,
            warehouse_source,
        )

        try:
            frame_to(frame, self.tmp)
        except OSError as exc:
            raise cannot_write(self.out, exc, self.tmp) from None
        self.options |= warehouse_source(self.db, run.run_id)
        record = provenance_record(
            self.out, command=self.command, inputs=[], options=self.options, written=self.tmp
        )
        try:
            self.side.write_text(record_text(record), encoding="utf-8")
        except OSError as exc:
            raise cannot_write(provenance_path(self.out), exc, self.side) from None


def run_output(out: Path | None, command: str, options: dict, db: Path):
    """A :class:`RunOutput` for ``--out``, or a block yielding None without one."""
    from contextlib import nullcontext

    return nullcontext() if out is None else RunOutput(out, command, options, db)


def note_partial(summary: dict, what: str) -> None:
    """On stderr: the panel's incomplete last month was left out of ``what``."""
    if partial := summary.get("partial_month"):
        typer.echo(
            f"note: {partial['month']} is incomplete (the ads stop on {partial['last_day']}, "
            f"{partial['missing_days']} days before its end), so it was left out of {what}",
            err=True,
        )
