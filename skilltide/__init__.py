"""skilltide: skill-demand analytics and forecasting for labour markets.

The public Python API is small; each stage lives in its own subpackage
(``skilltide.ingest``, ``skilltide.onet``, ``skilltide.graph``, ``skilltide.forecast``,
``skilltide.reports``) and they meet in the DuckDB warehouse (:mod:`skilltide.store`).

>>> import skilltide
>>> skilltide.__version__
'0.1.0'
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
