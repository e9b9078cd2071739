"""What the CLI commands share: the JSON they print."""

from __future__ import annotations

import json

from skilltide.console import emit_json


def _strict(text: str):
    """Parse as a strict JSON parser (jq, JavaScript) would: no NaN or Infinity."""

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_emit_json_writes_nan_and_infinity_as_null(capsys):
    emit_json([{"metric": "rrmse", "value": float("nan")}, {"inf": float("-inf"), "x": 1.5}])
    got = _strict(capsys.readouterr().out)
    assert got == [{"metric": "rrmse", "value": None}, {"inf": None, "x": 1.5}]


def test_backtest_json_on_all_zero_series_is_valid_json(cli, tmp_path):
    # rrmse_jobsdf is undefined (NaN) when every prediction is 0
    src = tmp_path / "zeros.csv"
    src.write_text("unique_id,ds,y\n" + "".join(f"a,2020-{m:02d},0\n" for m in range(1, 13)))
    result = cli("forecast", "backtest", src, "--models", "naive", "--horizon", 1, "--json")
    assert result.exit_code == 0, result.output
    rows = _strict(result.output)
    rrmse = [r["value"] for r in rows if r["metric"] == "rrmse_jobsdf"]
    assert rrmse and all(v is None for v in rrmse)


def test_ctrl_c_after_a_command_committed_does_not_claim_a_rollback(tmp_path, capsys):
    # Found by SIGINT at many delays: 'workbank load' stopped after its run committed (while it
    # read the summary) said 'its warehouse changes were rolled back'; they were kept.
    import typer

    from skilltide.console import command
    from skilltide.store import Warehouse

    app = typer.Typer()

    @command(app)
    def write(settings) -> None:
        """Commit a run, then be stopped."""
        with Warehouse(settings.db) as wh:
            with wh.run("write") as run:
                run.con.execute("CREATE TABLE kept AS SELECT 1 AS x")
            raise KeyboardInterrupt

    db = tmp_path / "w.duckdb"
    assert app(["--db", str(db)], standalone_mode=False) == 130  # the exit status
    message = capsys.readouterr().err
    assert "rolled back" not in message and message.startswith("error: interrupted (Ctrl-C)")
    with Warehouse(db) as wh:
        assert wh.query("SELECT status FROM runs")["status"].to_list() == ["success"]
