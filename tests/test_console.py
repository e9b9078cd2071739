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
    result = cli("forecast", "backtest", src, "--models", "naive", "-h", 1, "--json")
    assert result.exit_code == 0, result.output
    rows = _strict(result.output)
    rrmse = [r["value"] for r in rows if r["metric"] == "rrmse_jobsdf"]
    assert rrmse and all(v is None for v in rrmse)
