"""The model behind :mod:`skilltide.synthetic`: the spec, demand paths, truth and ads by month.

:class:`MarketPlan` holds everything about a market except its ads (occupation mix ``W``,
totals ``T``, affinities ``A``, probabilities ``P``, breaks, companies, regions) and yields the
ads one month at a time from :meth:`MarketPlan.batches`.

Example
-------
>>> plan = MarketPlan(MarketSpec(months=6, ads_per_month=20, n_skills=30, n_occupations=6))
>>> plan.P.shape
(6, 6, 30)
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import polars as pl

from skilltide import synthetic_vocab as vocab
from skilltide.synthetic_text import AdWriter, SkillInfo

AD_COLUMNS = ["id", "posted_at", "title", "company", "region", "occupation", "text"]
P_MAX = 0.95


@dataclass(frozen=True)
class MarketSpec:
    """What to generate. Defaults give about 100,000 ads over 48 months.

    ``market_break_month`` ('YYYY-MM') is when total ad volume jumps by ``market_break_size``
    (relative; 0 disables); None puts it 60% of the way through the window.
    ``n_level_shifts`` / ``n_trend_changes`` skills get a series break each.
    """

    months: int = 48
    start: str = "2021-01"
    ads_per_month: float = 1700.0
    n_skills: int = 150
    n_occupations: int = 28
    n_regions: int = 51
    n_companies: int = 400
    duplicate_rate: float = 0.03
    seed: int = 42
    market_break_month: str | None = None
    market_break_size: float = 0.4
    n_level_shifts: int = 4
    n_trend_changes: int = 4
    market_growth: float = 0.04
    noise_sd: float = 0.05

    def __post_init__(self):
        try:
            _, month = (int(x) for x in self.start.split("-"))
            if not (1 <= month <= 12 and len(self.start) == 7):
                raise ValueError
        except ValueError:
            raise ValueError(f"start must be 'YYYY-MM', got {self.start!r}") from None
        if self.months < 1 or self.ads_per_month <= 0 or self.n_companies < 1:
            raise ValueError("months, ads_per_month and n_companies must be positive")
        if not 1 <= self.n_occupations <= len(vocab.OCCUPATIONS):
            raise ValueError(f"n_occupations must be in 1..{len(vocab.OCCUPATIONS)}")
        if not 1 <= self.n_regions <= len(vocab.REGIONS):
            raise ValueError(f"n_regions must be in 1..{len(vocab.REGIONS)}")
        if not 0 <= self.duplicate_rate < 1:
            raise ValueError("duplicate_rate must be in [0, 1)")

    def month_labels(self) -> list[str]:
        """The window's months as 'YYYY-MM'."""
        first = np.datetime64(self.start, "M")
        return [str(first + i) for i in range(self.months)]


def _strings(columns: list[str]) -> dict:
    return dict.fromkeys(columns, pl.String)


def _select_skills(spec: MarketSpec, occ_keys: list[str]) -> list[tuple]:
    """Skills with demand in the chosen occupations, special ones (ambiguous, ...) first."""

    def affinity(row):
        pairs = (p.split(":") for p in row[6].split())
        return {k: float(v) for k, v in pairs if k in occ_keys}

    candidates = [(i, row) for i, row in enumerate(vocab.SKILLS) if affinity(row)]
    if spec.n_skills > len(candidates):
        raise ValueError(
            f"n_skills={spec.n_skills} but the vocabulary has {len(candidates)} skills for "
            f"{spec.n_occupations} occupations"
        )
    share = {o[0]: o[3] for o in vocab.OCCUPATIONS}

    def volume(c):  # special skills first, then by expected volume
        return (not c[1][5], -sum(share[k] * v for k, v in affinity(c[1]).items()), c[0])

    ranked = sorted(candidates, key=volume)[: spec.n_skills]
    return [(row, affinity(row)) for _, row in sorted(ranked, key=lambda c: c[0])]


def _companies(spec: MarketSpec, sectors: list[str], rng) -> list[tuple[str, str]]:
    names, out = set(), []
    parts = vocab.NAME_PARTS
    for i in range(spec.n_companies):
        sector = sectors[i % len(sectors)]
        while True:
            name = f"{parts[rng.integers(len(parts))]} {rng.choice(vocab.SECTOR_SUFFIXES[sector])}"
            if len(names) > len(parts) * 5:  # many companies: add a second word
                name = f"{parts[rng.integers(len(parts))]} {name}"
            if name not in names:
                break
        names.add(name)
        out.append((name, sector))
    return out


class MarketPlan:
    """Everything about a market except its ads: the model, the truth and the word lists.

    ``plan(spec).batches()`` yields the ads month by month.
    """

    def __init__(self, spec: MarketSpec):
        self.spec = spec
        rng = np.random.default_rng([spec.seed, 0])
        self.months = spec.month_labels()
        nm = spec.months
        occs = vocab.OCCUPATIONS[: spec.n_occupations]
        keys = [o[0] for o in occs]
        chosen = _select_skills(spec, keys)
        self.occupations, self.skill_rows = occs, [row for row, _ in chosen]
        ns, no = len(chosen), len(occs)
        self.flags = [row[5] for row in self.skill_rows]
        self.skill_names = [row[0] for row in self.skill_rows]
        t = np.arange(nm, dtype=float)
        moy = (np.datetime64(spec.start, "M") + np.arange(nm)).astype(int) % 12 + 1

        # occupation mix W[m, o]
        share = np.array([o[3] for o in occs], float)
        peak = np.array([o[6] for o in occs])
        occ_trend = rng.normal(0, 0.04, no) / 12
        season = np.where(peak > 0, 0.18, 0.0) * np.cos(2 * np.pi * (moy[:, None] - peak) / 12)
        w = share * np.exp(occ_trend * t[:, None] + season)
        self.W = w / w.sum(1, keepdims=True)

        # totals T[m]
        b = self._market_break_index()
        total_noise = rng.normal(0, spec.noise_sd / 2, nm)
        self.T = (
            spec.ads_per_month
            * np.exp(spec.market_growth * t / 12 + total_noise)
            * (1 + 0.07 * np.cos(2 * np.pi * (moy - 3) / 12))
        )
        if b is not None:
            self.T[b:] *= 1 + spec.market_break_size

        # affinity A[o, s]; intermittent skills give expected ads per month instead
        A = np.zeros((no, ns))
        for j, (row, aff) in enumerate(chosen):
            for k, v in aff.items():
                o = keys.index(k)
                A[o, j] = v / (spec.ads_per_month * share[o] / share.sum()) if "i" in row[5] else v
        self.A = np.minimum(A, 0.9)

        # skill paths G[m, s]
        trend = rng.normal(0.0, 0.006, ns)
        amp = rng.uniform(0.0, 0.2, ns)
        speak = rng.integers(1, 13, ns)
        eps = rng.normal(0, spec.noise_sd, (nm, ns))
        noise = np.zeros((nm, ns))
        for m in range(nm):  # AR(1) latent noise
            noise[m] = (0.5 * noise[m - 1] if m else 0) + eps[m]
        logg = trend * t[:, None] + amp * np.cos(2 * np.pi * (moy[:, None] - speak) / 12) + noise
        G = np.exp(logg)
        emerging = np.array(["e" in f for f in self.flags])
        start = np.zeros(ns, int)
        start[emerging] = (nm * rng.uniform(0.25, 0.6, emerging.sum())).astype(int)
        tau = rng.uniform(4, 10, ns)
        ramp = np.clip(1 - np.exp(-(t[:, None] - start + 1) / tau), 0, None)
        G = np.where(emerging, G * ramp * np.exp(0.02 * np.maximum(t[:, None] - start, 0)), G)
        self.start = start
        self.breaks = self._series_breaks(rng, G, b)
        for kind, j, m0, size in self.breaks:
            if kind == "level":
                G[m0:, j] *= 1 + size
            else:
                G[m0:, j] *= np.exp(size * (t[m0:] - m0 + 1))
        self.P = np.minimum(self.A[None, :, :] * G[:, None, :], P_MAX)  # [m, o, s]
        self.season = (trend, amp, speak)

        # regions and companies
        regs = vocab.REGIONS[: spec.n_regions]
        pop = np.array([r[2] for r in regs])
        self.R = rng.dirichlet(pop / pop.sum() * 200, no)  # region mix per occupation
        sectors = sorted({s.split(":")[0] for o in occs for s in o[4].split()})
        self.companies = _companies(spec, sectors, rng)
        size = 1 / np.arange(1, spec.n_companies + 1) ** 0.8
        size = size[rng.permutation(spec.n_companies)]
        self.C = np.zeros((no, spec.n_companies))
        for i, o in enumerate(occs):
            sw = dict((p.split(":")[0], float(p.split(":")[1])) for p in o[4].split())
            fit = np.array([sw.get(c[1], 0.0) for c in self.companies])
            c = size * fit
            self.C[i] = c / c.sum() if c.sum() else size / size.sum()
        skills = [
            SkillInfo(r[0], (r[0], *[a for a in r[1].split("|") if a]), "a" in r[5], r[4])
            for r in self.skill_rows
        ]
        self.writer = AdWriter(occs, skills, self.companies, regs, rng)
        self.regions = regs
        self.market_break = b

    def _market_break_index(self) -> int | None:
        spec = self.spec
        if spec.market_break_size == 0 or spec.months < 4:
            return None
        if spec.market_break_month is None:
            return round(spec.months * 0.6)
        if spec.market_break_month not in self.months[1:]:
            raise ValueError(f"market_break_month {spec.market_break_month} is not in the window")
        return self.months.index(spec.market_break_month)

    def _series_breaks(self, rng, G, b) -> list[tuple[str, int, int, float]]:
        """Pick skills and months for level shifts and trend changes (kind, skill, month, size)."""
        nm = self.spec.months
        plain = [j for j, f in enumerate(self.flags) if not f]
        volume = (self.A.max(0))[plain]
        pool = [
            plain[i]
            for i in np.argsort(-volume)[: max(len(plain) // 2, 1)]
            if self.A[:, plain[i]].max() <= 0.5
        ]
        n = min(self.spec.n_level_shifts + self.spec.n_trend_changes, len(pool))
        if nm < 8 or n == 0:
            return []
        picked = rng.choice(pool, n, replace=False)
        lo, hi = int(nm * 0.25), int(nm * 0.8)
        months = [m for m in range(lo, hi + 1) if b is None or abs(m - b) >= 3] or list(
            range(max(lo, 1), max(hi, 2))
        )
        out = []
        for i, j in enumerate(picked):
            m0 = int(rng.choice(months))
            sign = rng.choice([-1.0, 1.0])
            if i < self.spec.n_level_shifts:
                size = rng.uniform(0.35, 0.8) if sign > 0 else -rng.uniform(0.3, 0.45)
                out.append(("level", int(j), m0, round(float(size), 4)))
            else:
                out.append(("trend", int(j), m0, round(float(sign * rng.uniform(0.025, 0.05)), 4)))
        return out

    # ---- truth frames -------------------------------------------------------------------
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
        """Expected counts of original ads per skill and month, by market, occupation, region."""
        by_occ = self.T[:, None, None] * self.W[:, :, None] * self.P  # [m, o, s]
        occ_total = self.T[:, None] * self.W
        by_reg = np.einsum("mos,or->mrs", by_occ, self.R)
        reg_total = occ_total @ self.R
        parts = [
            ("market", ["all"], by_occ.sum(1)[:, None, :], self.T[:, None]),
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

    # ---- ads --------------------------------------------------------------------------------
    def batches(self) -> Iterator[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]:
        """Yield ``(ads, truth_ad_skills, truth_duplicates)`` for each month in order.

        Re-posts land in the month they are posted (up to 60 days after the original);
        those falling after the window are not generated.
        """
        pending: dict[int, list] = {}
        next_id = 1
        for m in range(self.spec.months):
            rows, next_id = self._month(m, next_id, pending)
            rows.sort(key=lambda row: (row[1], row[0]))
            ads = pl.DataFrame([r[:7] for r in rows], schema=_strings(AD_COLUMNS), orient="row")
            truth = pl.DataFrame(
                [(r[0], s, f, w) for r in rows for s, f, w in r[7]],
                schema=_strings(["id", "skill", "alias", "where"]),
                orient="row",
            )
            dups = pl.DataFrame(
                [(r[0], r[8]) for r in rows if r[8]],
                schema=_strings(["id", "original_id"]),
                orient="row",
            )
            yield ads, truth, dups

    def _month(self, m: int, next_id: int, pending: dict[int, list]):
        spec = self.spec
        rng = np.random.default_rng([spec.seed, 1, m])
        n = int(rng.poisson(self.T[m]))
        occ = rng.choice(len(self.occupations), n, p=self.W[m])
        has = rng.random((n, len(self.skill_names))) < self.P[m][occ]
        region = np.empty(n, int)
        company = np.empty(n, int)
        for o in range(len(self.occupations)):
            idx = np.flatnonzero(occ == o)
            region[idx] = rng.choice(len(self.regions), len(idx), p=self.R[o])
            company[idx] = rng.choice(spec.n_companies, len(idx), p=self.C[o])
        first = np.datetime64(self.months[m], "D")
        ndays = calendar.monthrange(*map(int, self.months[m].split("-")))[1]
        dow = (first + np.arange(ndays)).astype("datetime64[D]").view("int64") % 7  # 0 Thu
        weight = np.where(np.isin(dow, [2, 3]), 0.3, 1.0)  # Sat, Sun
        day = rng.choice(ndays, n, p=weight / weight.sum())
        secs = rng.integers(6 * 3600, 21 * 3600, n)
        posted = first + day.astype("timedelta64[D]") + secs.astype("timedelta64[s]")
        dup = rng.random(n) < spec.duplicate_rate
        lag = rng.integers(1, 61, n).astype("timedelta64[D]") + rng.integers(-3600, 3600, n).astype(
            "timedelta64[s]"
        )
        last = np.datetime64(self.months[-1], "M") + 1
        rows = pending.pop(m, [])
        ids = [f"ad{next_id + i:08d}" for i in range(n)]
        next_id += n
        stamps = np.datetime_as_string(posted, unit="s").tolist()
        when = posted + lag
        keep = dup & (when < last)
        dup_stamps = np.datetime_as_string(when, unit="s").tolist()
        dup_month = (when.astype("datetime64[M]") - np.datetime64(self.spec.start, "M")).astype(int)
        rows_i, cols = np.nonzero(has)
        cut = np.searchsorted(rows_i, np.arange(n + 1)).tolist()
        cols = cols.tolist()
        skills_of = [cols[cut[i] : cut[i + 1]] for i in range(n)]
        occ_l, comp_l, reg_l = occ.tolist(), company.tolist(), region.tolist()
        codes = [o[1] for o in self.occupations]
        states = [r[0] for r in self.regions]
        write, dice = self.writer.write, self.writer.dice(rng)
        for i in range(n):
            o, c, g = occ_l[i], comp_l[i], reg_l[i]
            title, text, mentions = write(o, skills_of[i], c, g, dice)
            row = [
                ids[i],
                stamps[i],
                title,
                self.companies[c][0],
                states[g],
                codes[o],
                text,
                mentions,
                None,
            ]
            rows.append(row)
            if keep[i]:
                copy = [f"ad{next_id:08d}", dup_stamps[i], *row[2:8], ids[i]]
                next_id += 1
                target = int(dup_month[i])
                (rows if target == m else pending.setdefault(target, [])).append(copy)
        return rows, next_id
