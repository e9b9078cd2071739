"""Build the bipartite skill–occupation network from a long weighted frame.

The input is one row per (occupation, skill) pair with a non-negative ``weight`` (an O*NET
importance or level rating, a count of ads, or 1 for presence). :func:`select_edges` keeps
the pairs that form edges, :func:`bipartite_matrix` turns them into a sparse occupation ×
skill matrix (the form every vectorised measure works on) and :func:`bipartite_graph` into a
networkx graph with ``bipartite`` node attributes (0 skills, 1 occupations), as in
:mod:`networkx.algorithms.bipartite`.

Example
-------
>>> import polars as pl
>>> frame = pl.DataFrame({"occupation": ["a", "a", "b", "b"], "skill": ["x", "y", "x", "y"],
...                       "weight": [3.0, 1.0, 1.0, 3.0]})
>>> edges = select_edges(frame, weight="rca")           # effective use: RCA > 1
>>> edges.select("occupation", "skill", "weight").rows()
[('a', 'x', 1.5), ('b', 'y', 1.5)]
>>> g = bipartite_graph(bipartite_matrix(edges))
>>> sorted(g.nodes(data="bipartite"))
[('a', 1), ('b', 1), ('x', 0), ('y', 0)]
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import polars as pl
from scipy import sparse

from skilltide.errors import UserError
from skilltide.graph.rca import rca

__all__ = [
    "EDGE_WEIGHTS",
    "BipartiteMatrix",
    "bipartite_graph",
    "bipartite_matrix",
    "select_edges",
    "validate_frame",
]

#: How an edge is weighted: the raw value of the input frame, or its RCA.
EDGE_WEIGHTS = ("raw", "rca")


@dataclass(frozen=True)
class BipartiteMatrix:
    """A bipartite network as a sparse occupation × skill weight matrix.

    ``weights[i, j] > 0`` is the weight of the edge between ``occupations[i]`` and
    ``skills[j]``; both label lists are sorted, so the same edges give the same matrix.
    """

    occupations: list[str]
    skills: list[str]
    weights: sparse.csr_array

    @property
    def binary(self) -> sparse.csr_array:
        """The 0/1 incidence matrix (occupations × skills)."""
        out = self.weights.copy()
        out.data = np.ones_like(out.data)
        return out

    @property
    def n_edges(self) -> int:
        return int(self.weights.nnz)

    def edges(self) -> pl.DataFrame:
        """The edges as a long (occupation, skill, weight) frame."""
        coo = self.weights.tocoo()
        return pl.DataFrame(
            {
                "occupation": np.asarray(self.occupations, dtype=object)[coo.row],
                "skill": np.asarray(self.skills, dtype=object)[coo.col],
                "weight": coo.data.astype(float),
            },
            schema={"occupation": pl.String, "skill": pl.String, "weight": pl.Float64},
        ).sort("occupation", "skill")


def validate_frame(frame: pl.DataFrame, *, what: str = "input") -> pl.DataFrame:
    """Check a long (occupation, skill, weight) frame; raise :class:`UserError` naming the row.

    Refuses missing columns, null ids or weights, negative or non-finite weights and
    duplicated (occupation, skill) pairs rather than guessing how to combine them.
    """
    missing = [c for c in ("occupation", "skill", "weight") if c not in frame.columns]
    if missing:
        raise UserError(f"{what}: missing column(s) {', '.join(missing)}")
    frame = frame.select(
        pl.col("occupation").cast(pl.String),
        pl.col("skill").cast(pl.String),
        pl.col("weight").cast(pl.Float64),
    ).with_row_index("row", offset=1)  # 1-based data row, as a user counts them
    for column in ("occupation", "skill", "weight"):
        bad = frame.filter(pl.col(column).is_null())
        if bad.height:
            raise UserError(f"{what}, row {bad['row'][0]}, field {column}: missing value")
    bad = frame.filter((pl.col("weight") < 0) | ~pl.col("weight").is_finite())
    if bad.height:
        row = bad.row(0, named=True)
        raise UserError(
            f"{what}, row {row['row']}, field weight: {row['weight']} is not a finite "
            "non-negative number"
        )
    dup = frame.filter(~pl.struct("occupation", "skill").is_first_distinct())
    if dup.height:
        row = dup.row(0, named=True)
        raise UserError(
            f"{what}, row {row['row']}, fields occupation/skill: pair "
            f"({row['occupation']}, {row['skill']}) appears more than once"
        )
    overlap = set(frame["occupation"].unique()) & set(frame["skill"].unique())
    if overlap:
        raise UserError(
            f"{what}, fields occupation/skill: ids used on both sides: {sorted(overlap)[:3]}"
        )
    return frame.drop("row")


def select_edges(
    frame: pl.DataFrame, *, weight: str = "raw", threshold: float | None = None
) -> pl.DataFrame:
    """Keep the occupation–skill pairs that form edges and weight them.

    Parameters
    ----------
    frame : polars.DataFrame
        Columns ``occupation``, ``skill``, ``weight`` (validated by :func:`validate_frame`).
    weight : {"raw", "rca"}
        Edge weight: the input value, or its revealed comparative advantage.
    threshold : float or None
        ``None`` keeps the pairs an occupation uses effectively, RCA > 1 (Alabdulkareem et
        al. 2018); a number keeps the pairs whose chosen weight is above it (``0`` keeps
        every positive pair).

    Returns
    -------
    polars.DataFrame
        ``occupation, skill, value, rca, weight`` for the kept pairs, sorted.
    """
    if weight not in EDGE_WEIGHTS:
        raise UserError(f"weight must be one of {', '.join(EDGE_WEIGHTS)}, not {weight!r}")
    frame = rca(validate_frame(frame)).rename({"weight": "value"})
    frame = frame.with_columns(
        (pl.col("rca") if weight == "rca" else pl.col("value")).alias("weight")
    )
    keep = pl.col("rca") > 1 if threshold is None else pl.col("weight") > threshold
    return frame.filter(keep & (pl.col("weight") > 0)).sort("occupation", "skill")


def bipartite_matrix(
    edges: pl.DataFrame,
    *,
    occupations: list[str] | None = None,
    skills: list[str] | None = None,
) -> BipartiteMatrix:
    """The sparse occupation × skill matrix of an edge frame (occupation, skill, weight).

    ``occupations``/``skills`` fix the label order (and keep isolated nodes); by default the
    sorted ids present in ``edges``.
    """
    occupations = (
        sorted(edges["occupation"].unique().to_list()) if occupations is None else list(occupations)
    )
    skills = sorted(edges["skill"].unique().to_list()) if skills is None else list(skills)
    occ_index = pl.DataFrame(
        {"occupation": occupations, "i": np.arange(len(occupations), dtype=np.int64)},
        schema={"occupation": pl.String, "i": pl.Int64},
    )
    skill_index = pl.DataFrame(
        {"skill": skills, "j": np.arange(len(skills), dtype=np.int64)},
        schema={"skill": pl.String, "j": pl.Int64},
    )
    coded = edges.join(occ_index, on="occupation", how="left").join(
        skill_index, on="skill", how="left"
    )
    if coded["i"].null_count() or coded["j"].null_count():
        raise UserError("edges name occupations or skills missing from the given label lists")
    matrix = sparse.csr_array(
        (coded["weight"].to_numpy(), (coded["i"].to_numpy(), coded["j"].to_numpy())),
        shape=(len(occupations), len(skills)),
    )
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return BipartiteMatrix(occupations, skills, matrix)


def bipartite_graph(
    matrix: BipartiteMatrix,
    *,
    names: dict[str, str] | None = None,
    soc_major: dict[str, str] | None = None,
) -> nx.Graph:
    """A networkx graph with node attributes ``bipartite`` (0 skill, 1 occupation), ``name``
    and, for occupations, ``soc_major``; edge attribute ``weight``."""
    names = names or {}
    soc_major = soc_major or {}
    graph = nx.Graph()
    graph.add_nodes_from((s, {"bipartite": 0, "name": names.get(s, s)}) for s in matrix.skills)
    graph.add_nodes_from(
        (o, {"bipartite": 1, "name": names.get(o, o), "soc_major": soc_major.get(o)})
        for o in matrix.occupations
    )
    coo = matrix.weights.tocoo()
    graph.add_weighted_edges_from(
        zip(
            (matrix.occupations[i] for i in coo.row.tolist()),
            (matrix.skills[j] for j in coo.col.tolist()),
            coo.data.tolist(),
            strict=True,
        )
    )
    return graph
