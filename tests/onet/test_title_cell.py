"""``skilltide onet code-titles``' table: a title longer than its column is cut with "…"."""

from __future__ import annotations

from rich.cells import cell_len

from skilltide.onet.cli import title_cell


def test_a_long_title_is_cut_with_an_ellipsis_and_keeps_its_width():
    long = "Senior Software Engineer, Distributed Systems (Remote, US)"
    assert title_cell(long) == long[:39] + "…"  # was cut at 40 characters with no mark
    assert title_cell("x" * 40) == "x" * 40  # one that fits is not cut
    assert title_cell("Nurse") == "Nurse" + " " * 35
    wide = title_cell("Java 开发工程师（北京）高级后端开发工程师招聘")  # CJK: two cells each
    assert wide.endswith("…") and cell_len(wide) == 40
