"""Ground-truth frames of a synthetic market (a mixin of :class:`MarketPlan`).

Everything here is computed from the plan's arrays (``T``, ``W``, ``P``, ``R``), never from
the drawn ads, so it is the exact expectation the ads were drawn from.

Example
-------
>>> from skilltide.synthetic import MarketSpec, plan
>>> p = plan(MarketSpec(months=6, ads_per_month=20, n_skills=30, n_occupations=6))
>>> sorted(p.truth_demand()["granularity"].unique())
['major_group', 'market', 'occupation', 'region']
"""

from __future__ import annotations

import numpy as np
import polars as pl


class MarketTruth:
    """Truth frames built from a plan's arrays.

    Uses ``T, W, P, R, months, skill_names, skill_rows, flags, breaks, market_break, start,
    season, occupations, regions, spec``, which :class:`MarketPlan` sets.
    """

    def skills_frame(self) -> pl.DataFrame:
        """The taxonomy in the user-taxonomy CSV format (name, aliases, kind, category, ...)."""
        rows = self.skill_rows
        return pl.DataFrame(
            {
                "name": [r[0] for r in rows],
                "aliases": [r[1] for r in rows],
                "kind": [r[2] for r in rows],
                "category": [r[3] for r in rows],
                "ambiguous": ["a" in r[5] for r in rows],
            }
        )

    def occupations_frame(self) -> pl.DataFrame:
        """The occupations in use: O*NET-SOC code and title."""
        return pl.DataFrame(
            {
                "onetsoc_code": [o[1] for o in self.occupations],
                "title": [o[2] for o in self.occupations],
            }
        )

    def truth_demand(self) -> pl.DataFrame:
        """Expected counts of original ads per skill and month.

        Granularities as in the ``demand`` table: market ('all'), major_group ('15-0000'),
        occupation (O*NET-SOC code) and region (state code).
        """
        by_occ = self.T[:, None, None] * self.W[:, :, None] * self.P  # [m, o, s]
        occ_total = self.T[:, None] * self.W
        by_reg = np.einsum("mos,or->mrs", by_occ, self.R)
        reg_total = occ_total @ self.R
        majors = sorted({o[1][:2] + "-0000" for o in self.occupations})
        M = np.array([[o[1][:2] + "-0000" == g for g in majors] for o in self.occupations], float)
        parts = [
            ("market", ["all"], by_occ.sum(1)[:, None, :], self.T[:, None]),
            ("major_group", majors, np.einsum("mos,og->mgs", by_occ, M), occ_total @ M),
            ("occupation", [o[1] for o in self.occupations], by_occ, occ_total),
            ("region", [r[0] for r in self.regions], by_reg, reg_total),
        ]
        frames = []
        ns, nm = len(self.skill_names), len(self.months)
        for gran, groups, count, total in parts:
            ng = len(groups)
            tot = np.broadcast_to(total[:, :, None], (nm, ng, ns))
            frames.append(
                pl.DataFrame(
                    {
                        "granularity": [gran] * (nm * ng * ns),
                        "group_id": np.tile(np.repeat(groups, ns), nm),
                        "skill": np.tile(self.skill_names, nm * ng),
                        "month": np.repeat(self.months, ng * ns),
                        "expected_count": count.ravel(),
                        "expected_total": tot.ravel(),
                    }
                )
            )
        return pl.concat(frames).with_columns(
            expected_share=pl.col("expected_count") / pl.col("expected_total")
        )

    def truth_breaks(self) -> pl.DataFrame:
        """Injected breaks: series level shifts and trend changes, and the market-wide jump."""
        rows = [
            (self.skill_names[j], self.months[m], kind, "series", size)
            for kind, j, m, size in self.breaks
        ]
        b = self.market_break
        if b is not None:
            live = (self.P[b] * self.W[b][:, None]).sum(0) > 0
            rows += [
                (s, self.months[b], "level", "market", self.spec.market_break_size)
                for s, ok in zip(self.skill_names, live, strict=True)
                if ok
            ]
        return pl.DataFrame(
            rows, schema=["skill", "month", "kind", "scope", "size"], orient="row"
        ).sort("month", "scope", "skill")

    def truth_skills(self) -> pl.DataFrame:
        """Each skill's role (steady, intermittent, emerging), start month and path parameters."""
        trend, amp, peak = self.season
        role = [
            "emerging" if "e" in f else "intermittent" if "i" in f else "steady" for f in self.flags
        ]
        expected = self.truth_demand_market()
        return pl.DataFrame(
            {
                "skill": self.skill_names,
                "role": role,
                "ambiguous": ["a" in f for f in self.flags],
                "start_month": [
                    self.months[s] if r == "emerging" else self.months[0]
                    for s, r in zip(self.start, role, strict=True)
                ],
                "mean_expected_count": expected.mean(0),
                "trend_per_month": trend,
                "season_amplitude": amp,
                "season_peak_month": peak,
            }
        )

    def truth_demand_market(self) -> np.ndarray:
        """Expected market counts as an array [month, skill]."""
        return self.T[:, None] * np.einsum("mo,mos->ms", self.W, self.P)
