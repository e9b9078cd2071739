"""Every module's docstring example runs and prints what it shows (the examples are the
first documentation a reader tries, so a stale one is a bug)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import skilltide

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(skilltide.__path__, prefix="skilltide.")
    if not info.name.endswith("__main__")
)


def test_the_package_has_modules_with_examples():
    assert len(MODULES) > 80
    assert sum(doctest.DocTestFinder().find(importlib.import_module(m)) != [] for m in MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_docstring_examples_run(module, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module}"
