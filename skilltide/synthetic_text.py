"""Ad titles and texts for :mod:`skilltide.synthetic`, with the exact skill mentions written.

One :class:`AdWriter` holds the word lists resolved for a market (occupations, skills,
companies, regions); :meth:`AdWriter.write` composes one ad from the choices the generator made
(occupation, skills, company, region) and a seeded :class:`Dice` for the wording.

Example
-------
>>> import numpy as np
>>> from skilltide.synthetic import SIZES, plan
>>> writer = plan(SIZES["small"]).writer
>>> dice = writer.dice(np.random.default_rng(1))
>>> title, text, mentions = writer.write(0, [0, 1], 0, 0, dice)
>>> 1000 <= len(text.encode()) <= 4000
True
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from skilltide import synthetic_vocab as vocab

MIN_BYTES, MAX_BYTES = 1000, 4000
HOURLY_STYLE = {"truck", "teach"}  # salaried, but titles without "Senior ..." or "(Remote)"


@dataclass(frozen=True)
class SkillInfo:
    """A skill as the writer needs it: forms it may be written in and its phrasing style."""

    name: str
    forms: tuple[str, ...]
    ambiguous: bool
    style: str


class Dice:
    """Fast seeded choices for the text loop: uniform floats drawn from numpy in blocks.

    ``u()`` is the next float in [0, 1); ``pick(seq)`` one element; ``sample(pool, k)`` the
    first ``k`` items of one of the pool's pre-drawn permutations.
    """

    __slots__ = ("_next", "perms")

    def __init__(self, rng, perms: dict[int, list[list]]):
        def stream():
            while True:
                yield from rng.random(65536).tolist()

        self._next = stream().__next__
        self.perms = perms

    def u(self) -> float:
        return self._next()

    def pick(self, seq):
        return seq[int(self._next() * len(seq))]

    def randint(self, lo: int, hi: int) -> int:
        return lo + int(self._next() * (hi - lo + 1))

    def sample(self, pool: list, k: int) -> list:
        perms = self.perms[id(pool)]
        return perms[int(self._next() * len(perms))][:k]


def permutations(pools: list[list], rng, n: int = 48) -> dict[int, list[list]]:
    """Pre-drawn permutations of each pool, keyed by ``id(pool)``, for :meth:`Dice.sample`."""
    return {id(p): [[p[i] for i in rng.permutation(len(p))] for _ in range(n)] for p in pools}


def article(noun: str) -> str:
    """'a' or 'an' before a title ('an Accountant', 'an RN', 'a Line Cook')."""
    word = noun.split()[0]
    if word.isupper() and word[0] in "AEFHILMNORSX":
        return "an"
    return "an" if word[0] in "AEIOUaeiou" else "a"


def written_form(skill: SkillInfo, d: Dice, vary_case: bool = True) -> str:
    """Pick how an ad writes a skill: its name or an alias, with varied casing if unambiguous."""
    forms = skill.forms
    form = forms[0] if len(forms) == 1 or d.u() < 0.55 else d.pick(forms[1:])
    if skill.ambiguous or not vary_case:
        return form
    x = d.u()
    if x < 0.10:
        return form.lower()
    if x < 0.13 and len(form) <= 10:
        return form.upper()
    return form


class AdWriter:
    """Compose ad titles and texts for one market's occupations, skills, companies and regions.

    Parameters
    ----------
    occupations : list of rows of :data:`skilltide.synthetic_vocab.OCCUPATIONS` in use.
    skills : list of :class:`SkillInfo`, indexed like the generator's skill axis.
    companies : list of ``(name, sector)``.
    regions : list of rows of :data:`skilltide.synthetic_vocab.REGIONS` in use.
    rng : numpy Generator for the pre-drawn permutations.
    """

    def __init__(self, occupations, skills, companies, regions, rng):
        self.occupations = occupations
        self.skills = skills
        self.companies = companies
        self.regions = regions
        index = {s.name: i for i, s in enumerate(skills)}
        self.title_skills = [
            {index[n] for n in vocab.TITLE_SKILLS.get(o[0], []) if n in index} for o in occupations
        ]
        self.plain_titles = [[t for t in o[7] if "{s}" not in t] for o in occupations]
        self.distractors = [
            [text for text, keys, _ in vocab.DISTRACTORS if not keys or o[0] in keys.split()]
            for o in occupations
        ]
        self.duties = [vocab.DUTIES[o[0]] for o in occupations]
        self.heads = list(vocab.SECTIONS.values())
        pro = {
            True: (vocab.BENEFITS + vocab.BENEFITS_PRO, vocab.EXTRAS + vocab.EXTRAS_PRO),
            False: (vocab.BENEFITS + vocab.BENEFITS_HOURLY, vocab.EXTRAS + vocab.EXTRAS_HOURLY),
        }
        self.professional = [o[5][2] == "year" and o[0] not in HOURLY_STYLE for o in occupations]
        self.benefits = [pro[p][0] for p in self.professional]
        self.extras = [pro[p][1] for p in self.professional]
        pools = [*self.duties, vocab.SOFT_SKILLS, *pro[True], *pro[False]]
        self.perms = permutations(pools, rng)

    @functools.cache  # noqa: B019 - one writer per market, companies are few
    def intro(self, company: int) -> str:
        """The company's "about us" paragraph: the same in all of its ads."""
        name, sector = self.companies[company]
        intros, tails = vocab.INTROS[sector], vocab.INTRO_TAILS
        first = intros[company % len(intros)].format(c=name)
        return (
            f"{first} {tails[(company // 3) % len(tails)]} {tails[(company // 3 + 1) % len(tails)]}"
        )

    def dice(self, rng) -> Dice:
        """A :class:`Dice` drawing from ``rng`` with this writer's permutations."""
        return Dice(rng, self.perms)

    def title(self, occ: int, ad_skills: list[int], city: str, st: str, d: Dice):
        """An ad title, its core (no seniority or suffix) and the skill it names or None."""
        o = self.occupations[occ]
        template = d.pick(o[7])
        named = None
        if "{s}" in template:
            eligible = [s for s in ad_skills if s in self.title_skills[occ]]
            if eligible:
                skill = self.skills[d.pick(eligible)]
                form = written_form(skill, d, vary_case=False)
                named = (skill.name, form)
                template = template.replace("{s}", form)
            else:
                template = d.pick(self.plain_titles[occ])
        if self.professional[occ]:
            prefix = d.pick(vocab.SENIORITY["pro"])
            suffix = d.pick(vocab.SENIORITY["pro_suffix"][: 7 if prefix else None])
        else:
            prefix, suffix = "", d.pick(vocab.SENIORITY["hourly_suffix"])
        if " - " in template and suffix.startswith(" - "):
            suffix = ""
        if "{" in suffix:
            suffix = suffix.format(city=city, st=st)
        return prefix + template + suffix, template, named

    def requirements(self, ad_skills: list[int], d: Dice):
        """Requirement bullets mentioning every skill of the ad once, and the forms used."""
        order = sorted(ad_skills, key=lambda _: d.u())
        bullets, mentions = [], []
        i = 0
        while i < len(order):
            x = d.u()
            k = min(len(order) - i, 1 if x < 0.55 else 2 if x < 0.85 else 3)
            group = [self.skills[s] for s in order[i : i + k]]
            forms = [written_form(s, d) for s in group]
            mentions.extend((s.name, f) for s, f in zip(group, forms, strict=True))
            if k == 1:
                template = d.pick(vocab.REQUIRE_ONE[group[0].style])
                bullets.append(template.format(a=forms[0], y=d.randint(1, 7)))
            elif k == 2:
                bullets.append(d.pick(vocab.REQUIRE_TWO).format(a=forms[0], b=forms[1]))
            else:
                bullets.append(
                    d.pick(vocab.REQUIRE_THREE).format(a=forms[0], b=forms[1], c=forms[2])
                )
            i += k
        return bullets, mentions

    def write(self, occ: int, ad_skills: list[int], company: int, region: int, d: Dice):
        """Compose one ad: ``(title, text, mentions)``; mentions are ``(skill, form, where)``."""
        o = self.occupations[occ]
        name = self.companies[company][0]
        st, _, _, cities = self.regions[region]
        city = d.pick(cities)
        title, role, named = self.title(occ, ad_skills, city, st, d)
        about, role_h, duties_h, reqs_h, benefits_h = (d.pick(h) for h in self.heads)
        intro = self.intro(company)
        role_line = d.pick(vocab.ROLE_LINES).format(
            a=article(role), t=role.split(" - ")[0], c=name, city=city, st=st
        )
        if self.distractors[occ] and d.u() < 0.35:
            role_line += " " + d.pick(self.distractors[occ])
        duties = d.sample(self.duties[occ], d.randint(4, 7))
        bullets, mentions = self.requirements(ad_skills, d)
        reqs = [o[8], *bullets, *d.sample(vocab.SOFT_SKILLS, d.randint(1, 4))]
        blocks = [
            f"{about}\n{intro}",
            f"{role_h}\n{role_line}",
            f"{duties_h}\n- " + "\n- ".join(duties),
            f"{reqs_h}\n- " + "\n- ".join(reqs),
            f"{benefits_h}\n- " + "\n- ".join(d.sample(self.benefits[occ], d.randint(3, 8))),
        ]
        if d.u() < 0.7:
            blocks.append(self.pay(o[5], d))
        for extra in d.sample(self.extras[occ], d.randint(1, 4)):
            blocks.append(extra.format(city=city, st=st, c=name) if "{" in extra else extra)
        closing = d.pick(vocab.CLOSINGS).format(c=name)
        text = "\n\n".join(blocks) + "\n\n" + closing
        if len(text) < MIN_BYTES:
            filler = " ".join(e.format(city=city, st=st, c=name) for e in vocab.EXTRAS[-4:])
            text = text[: -len(closing)] + filler + "\n\n" + closing
        if len(text) > MAX_BYTES:  # many skills: drop benefits and extras, keep requirements
            text = "\n\n".join(blocks[:4]) + "\n\n" + closing
        out = [(s, f, "text") for s, f in mentions]
        if named:
            out.append((*named, "title"))
        return title, text, out

    @staticmethod
    def pay(pay, d: Dice) -> str:
        """A pay range line around the occupation's typical range."""
        low, high, unit = pay
        f = 0.9 + 0.25 * d.u()
        if unit == "hour":
            return f"Pay: ${low * f:.2f} - ${high * f:.2f} per hour"
        lo, hi = round(low * f, -3), round(high * f, -3)
        return f"Salary range: ${lo:,.0f} - ${hi:,.0f} per year, depending on experience"
