"""``skilltide run``: the whole pipeline from a config file, incremental and crash-safe.

Stages run in order — O*NET, WORKBank, taxonomy, ingest (one stage per source), the demand
panel 'ads' (rebuilt once from every source's ads), breaks, forecast, graph, report — each in
its own logged transaction. Before a stage runs, the pipeline fingerprints its inputs (file
sizes and times, or a hash of the warehouse rows it reads, plus its settings); a stage whose
fingerprint is unchanged since its last success is skipped, so a run with no new input
changes nothing. The fingerprint is stored only after the stage commits, so a run killed at
any moment is finished by the next one, and every stage replaces its own outputs, so redoing
one is harmless.

Example
-------
>>> from skilltide.config import load_settings
>>> settings = load_settings(config="skilltide.toml")       # doctest: +SKIP
>>> summary = run_pipeline(settings)                         # doctest: +SKIP
>>> summary.status                                           # doctest: +SKIP
'success'
"""

from __future__ import annotations

import json
import time
import traceback
from functools import partial
from typing import Any

from skilltide.config import Settings
from skilltide.errors import UserError
from skilltide.ingest.ads_coder import ads_model, is_current
from skilltide.ingest.manifest import reading
from skilltide.ingest.progress import QUIET, IngestProgress, progress_for
from skilltide.interrupt import interrupt_of, terminate_as_interrupt
from skilltide.lock import RunLock
from skilltide.logs import EventLog
from skilltide.onet.crosswalk import load_crosswalk
from skilltide.onet.taxonomy import is_stale as taxonomy_is_stale
from skilltide.pipeline_checks import check_inputs, check_warehouse
from skilltide.pipeline_config import PipelineConfig
from skilltide.pipeline_fingerprints import (
    demand_fingerprint,
    digest,
    files_fingerprint,
    graph_fingerprint,
    report_fingerprint,
)
from skilltide.pipeline_ingest import (
    ingest_source,
    panel_built,
    panel_fingerprint,
    panel_stage,
    rechecks_due,
    still_rejected,
    vocabulary_fingerprint,
)
from skilltide.pipeline_onet import onet_stage
from skilltide.pipeline_sources import Source
from skilltide.pipeline_stage import (
    EXIT_BUSY,
    RunSummary,
    Stage,
    StageOutcome,
)
from skilltide.store import Warehouse, utc_now

__all__ = ["EXIT_BUSY", "Pipeline", "PipelineConfig", "RunSummary", "Source", "run_pipeline"]


def run_pipeline(settings: Settings, log: EventLog | None = None) -> RunSummary:
    """Run every configured stage whose inputs changed; one run at a time per warehouse."""
    log = log or EventLog(quiet=settings.quiet)
    config = PipelineConfig.from_settings(settings)
    check_inputs(config, settings.config_path)  # before the first stage, not after hours
    with RunLock(settings.db) as lock, terminate_as_interrupt():
        if lock.stale:
            log.warning("lock.stale_cleared", path=str(lock.path), previous=lock.stale)
        with Warehouse(settings.db) as wh:
            check_warehouse(wh, config, settings.config_path)  # what no stage will change
            return Pipeline(wh, config, log, ingest_progress(settings, log)).run()


def ingest_progress(settings: Settings, log: EventLog) -> IngestProgress:
    """The ingest's display on a terminal (as ``skilltide ingest ads``), none with
    ``--log-json``: its stderr stays JSON lines."""
    return QUIET if log.as_json else progress_for(settings)


class Pipeline:
    """The stages of one ``skilltide run`` over an open warehouse."""

    def __init__(
        self,
        wh: Warehouse,
        config: PipelineConfig,
        log: EventLog,
        progress: IngestProgress = QUIET,
    ) -> None:
        self.wh = wh
        self.config = config
        self.log = log
        self.progress = progress  # shown while ads are read and their panel rebuilt

    def stages(self) -> list[Stage]:
        """Every configured stage, in order."""
        c = self.config
        out: list[Stage] = []
        if c.onet_dirs:
            out.append(
                Stage("onet", lambda: files_fingerprint(c.onet_dirs, self._coders()), self._onet)
            )
        if c.crosswalk_files:  # after the coder it chooses with, before the ads it reads
            crosswalk = [*c.crosswalk_files, *([c.esco_file] if c.esco_file else [])]
            load = partial(load_crosswalk, self.wh, *c.crosswalk_files, esco_file=c.esco_file)
            out.append(Stage("crosswalk", lambda: files_fingerprint(crosswalk), load))
        if c.workbank_dir:
            out.append(
                Stage("workbank", lambda: files_fingerprint([c.workbank_dir]), self._workbank)
            )
        if c.taxonomy_files:
            out.append(
                Stage("taxonomy", lambda: files_fingerprint(c.taxonomy_files), self._taxonomy)
            )
        for source in c.sources:
            out.append(
                Stage(
                    f"ingest:{source.name}",
                    # a new vocabulary (taxonomy, O*NET) or date/occupation reading: read again
                    lambda s=source: files_fingerprint(
                        s.files(),
                        extra=[
                            s.mapping,
                            vocabulary_fingerprint(self.wh),
                            reading(s.date_order, s.encoding),
                        ],
                    ),
                    lambda s=source: self._ingest(s),
                    # an unchanged file whose future-dated rows have come due is read again;
                    # stored ads not coded by the ads' coder as stored now are coded again;
                    # a taxonomy of older rules is rebuilt (by ingest) and the files read again
                    built=lambda s=source: (
                        not rechecks_due(self.wh, s)
                        and is_current(self.wh, c.ads_coder)
                        and not taxonomy_is_stale(self.wh.con)
                    ),
                )
            )
        if c.sources:  # once per run, not once per ingested file or source
            out.append(
                Stage(
                    "demand:ads",
                    lambda: digest(panel_fingerprint(self.wh)),
                    lambda: panel_stage(self.wh, c.memory_limit, self.progress),
                    built=lambda: panel_built(self.wh),
                )
            )
        for g in c.breaks_granularities:
            out.append(
                Stage(
                    f"breaks:{g}",
                    lambda g=g: demand_fingerprint(self.wh, g, panel=c.breaks_panel),
                    lambda g=g: self._breaks(g),
                )
            )
        for g in c.forecast_granularities:
            out.append(
                Stage(
                    f"forecast:{g}",
                    lambda g=g: demand_fingerprint(
                        self.wh,
                        g,
                        c.horizon,
                        c.model,
                        c.workdays,
                        c.forecast_params,
                        *self._breaks_used(g),
                        panel=c.forecast_panel,
                    ),
                    lambda g=g: self._forecast(g),
                )
            )
        if c.graph is not None:
            out.append(Stage("graph", lambda: graph_fingerprint(self.wh, c.graph), self._graph))
        if c.report_out is not None:
            from skilltide.reports.render import report_path

            out.append(
                Stage(
                    "report",
                    lambda: report_fingerprint(
                        self.wh, c.report_title, c.report_granularity, c.report_panel
                    ),
                    self._report,
                    built=lambda: report_path(c.report_out).is_file(),
                )
            )
        return out

    def run(self) -> RunSummary:
        outcomes: list[StageOutcome] = []
        with self.wh.run("run", _config_args(self.config), transaction=False) as run:
            self.log.event("run.start", run_id=run.run_id)
            name = "run"  # until the first stage starts
            try:
                for stage in self.stages():
                    name = stage.name
                    outcome = self._stage(stage)
                    outcomes.append(outcome)
                    run.stages.append(vars(outcome))
                    self._record_stages(run)  # a run killed later still lists them
                    for table, n in outcome.summary.get("rows", {}).items():
                        run.count(table, n)
            except BaseException as exc:
                if (interrupted := interrupt_of(exc)) is not None:  # Ctrl-C or SIGTERM
                    self.log.error("stage.interrupted", stage=name)
                    self.log.event("run.finish", run_id=run.run_id, status="interrupted")
                    run.stages.append({"stage": name, "status": "interrupted"})
                    raise interrupted from None
                if not isinstance(exc, Exception):
                    raise
                # The failed stage rolled back; earlier stages stay committed and the next
                # run resumes here. UserErrors are bad input; anything else is a bug.
                error = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
                failed = StageOutcome(name, "failed", summary={"error": error})
                outcomes.append(failed)
                run.stages.append(vars(failed))
                self.log.error("stage.failed", stage=name, error=error)
                if not isinstance(exc, UserError):
                    self.log.error("stage.traceback", trace=traceback.format_exc())
                run.status, run.error = "failed", f"{name}: {error}"
                run.notes["stages"] = {o.stage: o.status for o in outcomes}
                self.log.event("run.finish", run_id=run.run_id, status="failed")
                return RunSummary(run.run_id, "failed", outcomes, error=f"{name}: {error}")
            run.status = "partial" if any(o.status == "partial" for o in outcomes) else "success"
            run.notes["stages"] = {o.stage: o.status for o in outcomes}
            self.log.event("run.finish", run_id=run.run_id, status=run.status)
        return RunSummary(run.run_id, run.status, outcomes)

    def _stage(self, stage: Stage) -> StageOutcome:
        name = stage.name
        start = time.perf_counter()
        current = stage.fingerprint()
        if current == self._last_fingerprint(name) and stage.built():
            self.log.event("stage.skipped", stage=name, reason="inputs unchanged")
            # Unchanged inputs that were rejected are still missing from the warehouse.
            rejected = self._still_rejected(name)
            for path in rejected:
                self.log.warning("file.still_rejected", file=path)
            status = "partial" if rejected else "skipped"
            summary = {"rejected": rejected} if rejected else {}
            return StageOutcome(name, status, round(time.perf_counter() - start, 3), summary)
        self.log.event("stage.start", stage=name)
        summary = stage.action() or {}
        status = "partial" if summary.pop("partial", False) else "done"
        self._remember(name, current)
        seconds = round(time.perf_counter() - start, 3)
        counts = {
            k: v
            for k, v in summary.items()
            if isinstance(v, int | float | str) and k not in ("stage", "status", "seconds")
        }
        self.log.event("stage.finish", stage=name, status=status, seconds=seconds, **counts)
        if partial := summary.get("partial_month"):  # forecast, breaks: left out of the data
            self.log.warning("stage.partial_month", stage=name, **partial)
        return StageOutcome(name, status, seconds, summary)

    # -- state ----------------------------------------------------------------------------
    def _record_stages(self, run: Any) -> None:
        """The stages so far in the run's ``runs`` row, committed (a run of its own stages)."""
        stages = json.dumps(run.stages)
        self.wh.con.execute("UPDATE runs SET stages = ? WHERE run_id = ?", [stages, run.run_id])

    def _last_fingerprint(self, stage: str) -> str | None:
        row = self.wh.con.execute(
            "SELECT fingerprint FROM pipeline_state WHERE stage = ?", [stage]
        ).fetchall()
        return row[0][0] if row else None

    def _remember(self, stage: str, fingerprint: str) -> None:
        self.wh.con.execute(
            "INSERT OR REPLACE INTO pipeline_state VALUES (?, ?, ?)",
            [stage, fingerprint, utc_now()],
        )

    def _breaks_used(self, granularity: str) -> tuple[object, ...]:
        """What the forecasts read of breaks: the setting, and the stored breaks' run."""
        from skilltide.forecast.breaks_store import latest_breaks_run

        source = self.config.forecast_breaks
        if source != "stored":
            return (source,)
        return (source, latest_breaks_run(self.wh, self.config.forecast_panel, granularity))

    # -- stage actions --------------------------------------------------------------------
    def _onet(self) -> dict:
        c = self.config
        return onet_stage(self.wh, c.onet_dirs, c.coder_rerank, self._ads_model())

    def _ads_model(self) -> str:
        """The model that codes the ads: ``[ingest] coder``, else the warehouse's."""
        return self.config.ads_coder or ads_model(self.wh.con)

    def _coders(self) -> object:
        """The onet stage's coder settings: the re-ranker's, and the ads' model unless lexical
        (as before it was a setting, so that an upgrade does not redo the stage)."""
        model = self._ads_model()
        return self.config.coder_rerank if model == "lexical" else [self.config.coder_rerank, model]

    def _workbank(self) -> dict:
        from skilltide.onet.workbank import load_workbank

        return load_workbank(self.wh, self.config.workbank_dir)

    def _taxonomy(self) -> dict:
        from skilltide.onet.taxonomy_custom import add_taxonomy_csv

        return {"files": [add_taxonomy_csv(self.wh, p) for p in self.config.taxonomy_files]}

    def _ingest(self, source: Source) -> dict:
        c = self.config
        return ingest_source(
            self.wh,
            source,
            c.memory_limit,
            self.log,
            others=c.sources,
            progress=self.progress,
            coder=c.ads_coder,
        )

    def _still_rejected(self, stage: str) -> list[str]:
        """Rejected files of a skipped ingest stage's source (skipped: none has changed)."""
        sources = {f"ingest:{s.name}": s for s in self.config.sources}
        return still_rejected(self.wh, sources[stage]) if stage in sources else []

    def _breaks(self, granularity: str) -> dict:
        from skilltide.forecast.breaks_store import detect_breaks_warehouse
        from skilltide.forecast.demand_panel import require_demand

        panel = self.config.breaks_panel
        if panel != "ads":  # a misspelt name would find no series and succeed
            require_demand(self.wh, panel, granularity)
        return detect_breaks_warehouse(self.wh, panel=panel, granularity=granularity)

    def _forecast(self, granularity: str) -> dict:
        from skilltide.forecast.warehouse import forecast_warehouse

        c = self.config
        return forecast_warehouse(
            self.wh,
            panel=c.forecast_panel,
            granularity=granularity,
            horizon=c.horizon,
            model=c.model,
            params=c.forecast_params,
            workdays=c.workdays,
            breaks=c.forecast_breaks,
        )

    def _graph(self) -> dict:
        from skilltide.graph.store import build_graph_warehouse

        return build_graph_warehouse(self.wh, **(self.config.graph or {}))

    def _report(self) -> dict:
        from skilltide.reports import render_report

        c = self.config
        path = render_report(
            self.wh,
            c.report_out,
            title=c.report_title,
            granularity=c.report_granularity,
            panel=c.report_panel,
        )
        return {"path": str(path)}


def _config_args(config: PipelineConfig) -> dict[str, Any]:
    return json.loads(json.dumps(vars(config), default=str))
