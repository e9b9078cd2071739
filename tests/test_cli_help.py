"""``-h`` is help for every command and group (it was ``--horizon`` in the forecast ones)."""

from __future__ import annotations

from skilltide.cli import app
from tests.test_cli import _commands


def test_minus_h_is_help_for_every_command_and_group(cli):
    """``forecast run -h`` asked for a horizon value: -h was --horizon in forecast commands."""
    commands = list(_commands(app))
    groups = {path[:i] for path, _ in commands for i in range(len(path))}
    for path in sorted(groups) + [path for path, _ in commands]:
        result = cli(*path, "-h")
        assert result.exit_code == 0, (path, result.output)
        assert result.stdout.startswith("Usage: "), path
    for _, cmd in commands:  # no option of any command takes -h for itself
        assert all("-h" not in p.opts + p.secondary_opts for p in cmd.params if p.name != "help")


def test_the_horizon_given_as_minus_h_is_refused_not_answered_with_help(cli):
    # -h3 was "No such option: -3", -h=3 "No such option: -="
    for horizon in (["-h", "3"], ["-h3"], ["-h=3"]):
        result = cli("forecast", "panel", "in.csv", *horizon)
        assert result.exit_code == 2
        assert "give the horizon as --horizon N" in result.output
        assert "forecast panel [OPTIONS]" in result.output  # its usage, not the root's
