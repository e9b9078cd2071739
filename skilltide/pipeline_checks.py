"""What ``skilltide run`` checks of its inputs before the first stage runs.

A scheduled run must not spend minutes on ETL and forecasting and then fail on something
it could have known at the start. :func:`check_inputs` runs, for every configured input,
the check the stage itself runs first (one implementation, called early), and names the
config file, section and key before the stage's own message: ads sources and the O*NET,
WORKBank and taxonomy inputs must be there, and the report must be writable where
``[report] out`` says. It reads files and folders but writes nothing: a refused run leaves
the warehouse as it was, with no ``runs`` row (as any other config error).

:func:`check_warehouse` then checks, in the open warehouse, what no stage of this run will
change (the O*NET tables of a network from O*NET when no ``[onet] dirs`` are configured):
it reads, and its refusal writes no ``runs`` row either. It also refuses a title coder of
the ads (``[ingest] coder``, else the warehouse's) that this machine cannot build or load.
What stays for the stages: what this very run produces or changes (the ``ads`` panel and
ads, the skill vocabulary, the O*NET tables it loads) and the contents of the ad files (a
bad file is quarantined, the run partial, as before).

Example
-------
>>> import pathlib, tempfile
>>> from skilltide.config import load_settings
>>> from skilltide.pipeline_config import PipelineConfig
>>> path = pathlib.Path(tempfile.mkdtemp()) / "skilltide.toml"
>>> _ = path.write_text('[report]\\nout = "q4.pdf"\\n')
>>> config = PipelineConfig.from_settings(load_settings(config=path))
>>> check_inputs(config, path)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
skilltide.errors.UserError: ...skilltide.toml: [report] out: ...q4.pdf: the report is an HTML ...
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from skilltide.errors import UserError
from skilltide.pipeline_config import PipelineConfig
from skilltide.store import Warehouse

__all__ = ["check_inputs", "check_warehouse"]


def check_inputs(config: PipelineConfig, where: str | os.PathLike | None) -> None:
    """Raise the ``UserError`` a stage of this run would fail with on its own inputs, now."""
    from skilltide.onet.crosswalk import existing_file
    from skilltide.onet.esco import read_esco
    from skilltide.onet.load import scan_folders
    from skilltide.onet.taxonomy_custom import read_taxonomy_csv
    from skilltide.onet.workbank import check_folder
    from skilltide.pipeline_ingest import refuse_shared
    from skilltide.reports.render import check_report_out

    where = where or "config"
    checks: list[tuple[str, Callable[[], object]]] = []
    if config.onet_dirs:
        checks.append(("[onet] dirs", lambda: scan_folders(config.onet_dirs)))
    if config.workbank_dir is not None:
        checks.append(("[workbank] dir", lambda: check_folder(config.workbank_dir)))
    for path in config.crosswalk_files:
        checks.append(("[crosswalk] files", lambda p=path: existing_file(p)))
    if config.esco_file is not None:
        checks.append(("[crosswalk] esco", lambda: read_esco(config.esco_file)))
    for path in config.taxonomy_files:  # small files: read whole, as the stage reads them
        checks.append(("[taxonomy] files", lambda p=path: read_taxonomy_csv(p)))
    for source in config.sources:
        checks.append(("[[sources]] paths", source.check))
    if len(config.sources) > 1:  # a file in two sources
        for source in config.sources:
            checks.append(
                (
                    "[[sources]] paths",
                    lambda s=source: refuse_shared(s, s.files(), config.sources),
                )
            )
    if config.report_out is not None:
        checks.append(("[report] out", lambda: check_report_out(config.report_out)))
    for key, check in checks:
        with _naming(where, key):
            check()


def check_warehouse(wh: Warehouse, config: PipelineConfig, where: object) -> None:
    """Raise, before the first stage, what a stage would refuse in the warehouse as it is
    when no stage of this run changes that: a network from O*NET without O*NET loaded and
    no ``[onet] dirs`` to load it, or one from ads without ads and no ``[[sources]]``."""
    from skilltide.graph.store import require_input

    if config.sources or config.onet_dirs:
        # the model is the config's, else the one the warehouse's ads are coded with
        key = "[ingest] coder" if config.ads_coder else "[ingest] coder (left out: the warehouse's)"
        with _naming(where or "config", key):
            _check_ads_coder(wh, config.ads_coder)
    if config.graph is None:
        return
    source = config.graph.get("source", "ads")
    if config.onet_dirs if source == "onet" else config.sources:
        return  # loaded by this run, before its graph stage
    # in a config, what loads the input is a section: say which, beside the command
    also = "set [onet] dirs, or " if source == "onet" else "add [[sources]], or "
    with _naming(where or "config", "[graph] source"):
        require_input(wh.con, source, config.graph.get("element", "skills"), also)


def _check_ads_coder(wh: Warehouse, chosen: str | None) -> None:
    """Refuse a coder of the ads this machine can neither load nor build: a static coder
    that is not stored needs the ``embed`` extra to build, a stored one ``tokenizers``;
    an embedding coder always needs the extra."""
    from skilltide.ingest.ads_coder import ads_model
    from skilltide.onet.coder import coder_run
    from skilltide.onet.coder_embed import STATIC_BUILD, require_embed_extra
    from skilltide.onet.coder_static import require_static_runtime

    model = chosen or ads_model(wh.con)
    if model == "embed":
        require_embed_extra()
    elif model == "static" and coder_run(wh, model) is None:
        require_embed_extra(needs=STATIC_BUILD)
    elif model == "static":
        require_static_runtime()


@contextmanager
def _naming(where: object, key: str) -> Iterator[None]:
    try:
        yield
    except UserError as exc:
        raise UserError(f"{where}: {key}: {exc}") from None
