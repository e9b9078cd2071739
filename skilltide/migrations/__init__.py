"""Numbered SQL migrations; :func:`skilltide.store.migrations` reads them in order."""
