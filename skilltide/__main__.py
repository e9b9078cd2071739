"""``python -m skilltide`` is the ``skilltide`` command."""

from skilltide.cli import main

main()
