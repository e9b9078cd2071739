"""The ``skilltide run`` settings: a wrong type or value fails at the start, naming the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from skilltide.config import load_settings
from skilltide.errors import UserError
from skilltide.pipeline_config import PipelineConfig


def config_of(tmp_path: Path, text: str) -> PipelineConfig:
    path = tmp_path / "skilltide.toml"
    path.write_text(text)
    return PipelineConfig.from_settings(load_settings(config=path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[forecast]\nhorizon = "six"', r"\[forecast\] horizon must be a whole number"),
        ("[forecast]\nhorizon = 2.5", r"\[forecast\] horizon must be a whole number"),
        ("[forecast]\nhorizon = 100000", r"\[forecast\] horizon must be 1 to 1200 months"),
        ("[forecast]\nhorizon = 0", r"\[forecast\] horizon must be 1 to 1200 months"),
        ('[forecast]\nmodel = "arma"', r"\[forecast\] model must be one of .*'arma'"),
        ('[forecast]\ngranularities = ["markt"]', "unknown granularity 'markt'"),
        ('[breaks]\ngranularities = ["market", 3]', r"\[breaks\] granularities must be a list"),
        ('[report]\ngranularity = "regoin"', "unknown granularity 'regoin'"),
        ("[report]\nout = 5", r"\[report\] out must be a string"),
        ("[workbank]\ndir = []", r"\[workbank\] dir must be a string"),
        ('[onet]\nrerank = "yes"', r"\[onet\] rerank must be true or false"),
        ('[ingest]\ncoder = "statc"', r"\[ingest\] coder must be one of lexical, .*'statc'"),
        ("[ingest]\ncoder = true", r"\[ingest\] coder must be one of lexical, .*True"),
        ("[taxonomy]\nfiles = [1]", r"\[taxonomy\] files must be a list of strings"),
        ("[[sources]]\npaths = 5", r"\[\[sources\]\] source1: paths must be a list"),
        ('[[sources]]\npaths = "ads"\nmap = "text=body"', "map must be a table"),
        ('[[sources]]\npaths = "ads"\nmap = { txt = "body" }', "unknown field 'txt'"),
        ('sources = { paths = "ads" }', r"write each source as a \[\[sources\]\] table"),
        (
            '[[sources]]\nname = "jobs"\npaths = "a"\n[[sources]]\nname = "jobs"\npaths = "b"',
            r"\[\[sources\]\] entry 2: the name 'jobs' is taken",
        ),
        ('[graph]\nsource = "linkedin"', r"\[graph\] source must be one of onet, ads"),
        ('[graph]\nelement = "skils"', r"\[graph\] element must be one of .*'skils'"),
        ('[graph]\nweight = "counts"', r"\[graph\] weight must be one of .*'counts'"),
        ('[graph]\nthreshold = "high"', r"\[graph\] threshold must be a number"),
        ("[graph]\nthreshold = -1", r"\[graph\] threshold must be a number >= 0"),
        ('[graph]\nseed = "x"', r"\[graph\] seed must be a whole number"),
        ("[graph]\nseed = -1", r"\[graph\] seed must be a whole number >= 0"),
        ("[graph]\nn_null = -1", r"\[graph\] n_null must be a whole number >= 0"),
        ("[graph]\nneighbours = true", r"\[graph\] neighbours must be a whole number >= 1"),
    ],
)
def test_a_wrong_setting_is_a_user_error_naming_it(tmp_path, text, message):
    with pytest.raises(UserError, match=message) as err:
        config_of(tmp_path, text)
    assert "skilltide.toml" in str(err.value)


def test_one_string_where_a_list_is_expected_is_a_list_of_one(tmp_path):
    config = config_of(
        tmp_path,
        '[[sources]]\npaths = "ads"\n[taxonomy]\nfiles = "skills.csv"\n'
        '[breaks]\ngranularities = "major_group"\n[forecast]\ngranularities = "market"',
    )
    assert config.sources[0].paths == (str(tmp_path / "ads"),)
    assert config.taxonomy_files == (tmp_path / "skills.csv",)
    assert config.breaks_granularities == ("major_group",)
    assert config.forecast_granularities == ("market",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[source]]\npaths = ["ads"]', r"unknown section 'source' \(did you mean 'sources'\?\)"),
        ("[forecast]\nhorizion = 3", r"\[forecast\]: 'horizion' \(did you mean 'horizon'\?\)"),
        ('[[sources]]\npaths = ["ads"]\nmapping = { text = "body" }', "'mapping'"),
        ('[graph]\nsourc = "ads"', r"\[graph\]: 'sourc'"),
    ],
)
def test_an_unknown_section_or_setting_is_refused(tmp_path, text, message):
    with pytest.raises(UserError, match=message):
        config_of(tmp_path, text)


def test_the_example_config_has_known_settings_only(tmp_path):
    from skilltide.pipeline_config import write_example_config

    path = write_example_config(tmp_path / "skilltide.toml", ads=tmp_path / "ads")
    config = PipelineConfig.from_settings(load_settings(config=path))
    assert config.sources[0].paths == (str((tmp_path / "ads").resolve()),)


def test_init_into_a_folder_or_a_missing_folder_is_a_user_error(tmp_path):
    from skilltide.pipeline_config import write_example_config

    with pytest.raises(UserError, match="is a folder"):
        write_example_config(tmp_path, force=True)
    with pytest.raises(UserError, match=r"folder .*missing does not exist"):
        write_example_config(tmp_path / "missing" / "skilltide.toml")


def test_forecast_ensemble_members_and_weights_are_read_and_checked(tmp_path):
    config = config_of(
        tmp_path,
        '[forecast]\nmodel = "ensemble"\nmembers = ["naive", "window_average"]\n'
        "weights = [0.25, 0.75]\n",
    )
    assert config.forecast_params == {
        "members": ("naive", "window_average"),
        "weights": [0.25, 0.75],
    }
    backtest = config_of(tmp_path, '[forecast]\nmodel = "ensemble"\nweights = "backtest"\n')
    assert backtest.forecast_params == {"weights": "backtest"}
    assert config_of(tmp_path, "[forecast]\n").forecast_params == {}
    for text, message in [
        ('model = "naive"\nmembers = ["naive"]', r"\[forecast\] members applies to model ens"),
        ('model = "ensemble"\nmembers = ["naive", "nope"]', r"\[forecast\] members: unknown or"),
        ('model = "ensemble"\nweights = "best"', "weights must be"),
        ('model = "ensemble"\nmembers = ["naive", "drift"]\nweights = [1]', "2 non-negative"),
    ]:
        with pytest.raises(UserError, match=message):
            config_of(tmp_path, f"[forecast]\n{text}\n")


def test_an_empty_graph_section_builds_the_default_network(tmp_path):
    assert config_of(tmp_path, "[graph]\n").graph == {}
    assert config_of(tmp_path, "[report]\n").graph is None
    assert config_of(tmp_path, "[graph]\nthreshold = 2\nseed = 1").graph == {
        "threshold": 2,
        "seed": 1,
    }


def test_a_pattern_whose_folder_is_missing_is_an_error_not_no_new_ads(tmp_path):
    # An unmounted /srv/ads made "/srv/ads/*.csv" match nothing: the run succeeded, reading
    # nothing, as a named folder that is missing does not.
    from skilltide.pipeline_sources import Source

    (tmp_path / "ads").mkdir()
    assert Source("jobs", (str(tmp_path / "ads" / "*.csv"),)).files() == []  # nothing yet
    missing = Source("jobs", (str(tmp_path / "gone" / "**" / "*.csv"),))
    with pytest.raises(UserError, match=r"source 'jobs': .*gone/\*\*/\*\.csv: no such folder"):
        missing.files()


def test_init_on_a_full_disk_keeps_the_config_it_would_replace(tmp_path, monkeypatch):
    # Found on a 4 KB tmpfs: init left an empty skilltide.toml (which the next init refused as
    # 'already exists'), and init --force emptied the user's own config, with a traceback.
    import errno
    from pathlib import Path

    from skilltide.pipeline_config import write_example_config

    out = tmp_path / "skilltide.toml"
    out.write_text("[warehouse]\ndb = 'mine.duckdb'\n")
    write_text = Path.write_text

    def full(self, text, *args, **kwargs):
        write_text(self, text[:10], *args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(UserError, match=r"skilltide.toml: cannot write it \(No space left"):
        write_example_config(out, force=True)
    with pytest.raises(UserError, match="cannot write it"):
        write_example_config(tmp_path / "new.toml")
    monkeypatch.undo()
    assert out.read_text() == "[warehouse]\ndb = 'mine.duckdb'\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["skilltide.toml"]


def test_ingest_coder_is_read_and_the_example_config_shows_it(tmp_path):
    from skilltide.pipeline_config import write_example_config

    assert config_of(tmp_path, '[ingest]\ncoder = "static"\n').ads_coder == "static"
    assert config_of(tmp_path, "[ingest]\n").ads_coder is None  # the warehouse's
    path = write_example_config(tmp_path / "example.toml")
    lines = path.read_text().splitlines()
    wanted = ("# [ingest]", "# memory_limit =", "# coder =")
    path.write_text("\n".join(x[2:] if x.startswith(wanted) else x for x in lines) + "\n")
    config = PipelineConfig.from_settings(load_settings(config=path))
    assert (config.ads_coder, config.memory_limit) == ("static", "1GB")
