"""Skill extraction: match ad titles and texts against the taxonomy with Aho–Corasick.

Method (details and measured accuracy in docs/methods.md, "Skill extraction"):

1. :func:`normalise` turns every run of characters that cannot be part of a skill name
   (anything but Latin/Greek/Cyrillic letters, digits, ``+ # .`` and the space) into one space
   and marks sentence ends (``. `` ``! `` ``? `` ``。``) with `` ⁞ ``. Aliases are normalised the
   same way, so ``scikit-learn``/``scikit learn`` and ``Node.js,`` all meet, and CJK text next to
   a Latin name (``熟悉Python和Go``) is a word boundary.
2. Each alias becomes a pattern ``" " + alias + " "``; the spaces on both sides enforce word
   boundaries (``Java`` does not match inside ``JavaScript``). One overlapping pass of polars'
   ``str.extract_many`` (Rust ``aho-corasick``) over the lowercased text finds them all; a
   match nested in a longer match (``Excel`` in ``Microsoft Excel``) is dropped unless it also
   occurs on its own (occurrence counts minus the counts of the patterns that contain it), which
   gives longest-match semantics without a second pass for positions.
3. Ordinary aliases match case-insensitively. *Guarded* aliases — case-sensitive ones, an
   ambiguous skill's own name and any alias of two characters or fewer (``R``, ``C``, ``Go``,
   ``Swift``, ``Chef``) — match only with exact case and only in a list context: next to a
   comma, slash, ``and``/``or`` or a colon (``Python, Go and SQL``; ``Skills: R``), which
   normalisation keeps as tokens, or before ``Developer``/``Engineer``/``Programmer``.
   Mentions at the start of a sentence (``Go to our site``, ``Swift, friendly service``) and
   in known non-skill phrases (``R&D``, ``C-suite``, ``go-live``, ``Sous Chef``) are rejected:
   the skill is kept when one mention is in a list context and more mentions exist than the
   largest count of any one rejected form.
4. Acronyms the taxonomy derives from a longer name (rule ``acronym``: ``ETC`` from
   ``Electronic Time Clock ETC``, ``APPS``, ``CRM``) match with exact case, in any context:
   written in capitals they are the acronym; in lower case they are as often English words
   (``etc``, ``apps``, ``pod``, ``calm``). Acronyms that people write in lower case are names
   or curated aliases (``SQL``, ``AWS``), which match in any case. So do names of several
   words that open with a function word (an article, preposition, pronoun or conjunction:
   ``After the Deadline``, ``The General Store``, ``What if?``): in lower case they are
   phrases of English ("submit it after the deadline").

Example
-------
>>> import polars as pl
>>> vocab = pl.DataFrame({"alias": ["Python", "Java", "JavaScript", "Go", "Microsoft Excel",
...     "Excel"], "skill_id": ["py", "java", "js", "go", "excel", "excel"],
...     "case_sensitive": [False, False, False, True, False, False],
...     "ambiguous": [False, False, False, True, False, False]})
>>> m = SkillMatcher(vocab)
>>> ads = pl.DataFrame({"ad_id": ["a", "b"], "title": ["Go, Python developer", None],
...     "text": ["We use Python, Go and JavaScript.", "Go to our site. MS Excel, javascript"]})
>>> m.extract(ads).sort("ad_id", "skill_id").rows()  # doctest: +NORMALIZE_WHITESPACE
[('a', 'go', 'both'), ('a', 'js', 'text'), ('a', 'py', 'both'),
 ('b', 'excel', 'text'), ('b', 'js', 'text')]
"""

from __future__ import annotations

import hashlib

import duckdb
import polars as pl

from skilltide.ingest.extract_lists import CONTEXTS, NON_SKILL_PHRASES, opens_with_function_word

SENTENCE = "⁞"
# An alias in capitals: a letter, then letters and digits (rule ``acronym``, step 4).
ACRONYM = r"^[A-Z][A-Z0-9]+$"
# Versions of the matching rules that can change what an unchanged vocabulary finds (2: names
# opening with a function word match with exact case); ``skilltide run``'s vocabulary
# fingerprint includes it, so its ingest stages run after an upgrade.
MATCHING = 2
# Two 32-bit codes packed into one UInt64 (grouping and joining on one integer is fastest).
_SHIFT = 1 << 32
_SENTENCE_ENDS = [". ", ".\n", ".\r", "! ", "!\n", "? ", "?\n", "。", "！", "？", "\n\n"]
# Spaces are kept as they are (replacing each one would cost most of the time); the rest of
# the non-name characters, newlines included, become one space.
_SEPARATORS = r"[^\p{Latin}\p{Greek}\p{Cyrillic}\p{N}+#.,/: " + SENTENCE + r"]+"
# List punctuation becomes a token of its own (the context of guarded names).
_LIST_MARKS = {
    ",": " , ",
    "/": " / ",
    ":": " : ",
    "，": " , ",
    "、": " , ",
    ";": " , ",
    "；": " , ",
    "：": " : ",
    "|": " / ",
}
_MARKS = _SENTENCE_ENDS + list(_LIST_MARKS)
_MARK_REPLACEMENTS = [f" {SENTENCE} "] * len(_SENTENCE_ENDS) + list(_LIST_MARKS.values())


def normalise(text: pl.Expr, sentence_start: bool = True) -> pl.Expr:
    """Canonical separators (see module docstring); the result starts and ends with a space."""
    head = f" {SENTENCE} " if sentence_start else " "
    return (
        pl.concat_str(
            pl.lit(head),
            # sentence ends and list marks share no characters: one Aho–Corasick pass for both
            text.fill_null("")
            .str.replace_many(_MARKS, _MARK_REPLACEMENTS)
            .str.replace_all(_SEPARATORS, " "),
            pl.lit(" "),
        )
        .str.replace_many([". "], [" "])
        .str.replace_all("  ", " ", literal=True)
    )


def _pattern(alias: pl.Expr) -> pl.Expr:
    body = normalise(alias, sentence_start=False).str.replace_all(" +", " ").str.strip_chars(" ")
    return pl.concat_str(pl.lit(" "), body, pl.lit(" "))


class SkillMatcher:
    """Aho–Corasick matcher for a vocabulary ``(alias, skill_id, case_sensitive, ambiguous)``
    (optional: ``name``, the skill's name; ``rule``, the alias rule, ``acronym`` for step 4).

    Use :meth:`from_warehouse` to read ``skills``/``skill_aliases``; :meth:`extract` returns one
    row per ``(ad_id, skill_id)`` with ``found_in`` ``title``, ``text`` or ``both``.
    """

    def __init__(self, vocab: pl.DataFrame) -> None:
        v = vocab.select(
            pl.col("alias").cast(pl.String),
            pl.col("skill_id").cast(pl.String),
            pl.col("case_sensitive").fill_null(False).cast(pl.Boolean),
            pl.col("ambiguous").fill_null(False).cast(pl.Boolean),
            (pl.col("name") if "name" in vocab.columns else pl.col("alias")).alias("name"),
            (pl.col("rule") if "rule" in vocab.columns else pl.lit(None))
            .cast(pl.String)
            .alias("rule"),
        ).with_columns(_pattern(pl.col("alias")).alias("pattern"))
        v = v.with_columns(
            (
                (
                    (pl.col("rule") == "acronym").fill_null(False)
                    & pl.col("alias").str.contains(ACRONYM)
                )
                | opens_with_function_word(pl.col("alias"))
            ).alias("exact")
        )
        # what the matcher finds: a file ingested with another vocabulary is read again
        rows = sorted(
            map(repr, v.select("alias", "skill_id", "case_sensitive", "ambiguous").rows())
        )
        rows += sorted("exact " + a for a in v.filter("exact")["alias"])
        self.fingerprint = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
        v = v.filter(pl.col("pattern").str.strip_chars().str.len_bytes() > 0)
        v = v.with_columns(
            (
                pl.col("case_sensitive")
                | (
                    pl.col("ambiguous")
                    & (pl.col("alias").str.to_lowercase() == pl.col("name").str.to_lowercase())
                )
                | (pl.col("pattern").str.strip_chars().str.len_chars() <= 2)
            ).alias("guarded")
        )
        # acronyms stay in the plain automaton (a longer name holding one wins there); the
        # guarded one, which sees the case, says whether they are written in capitals
        exact = v.filter(pl.col("exact") & ~pl.col("guarded"))
        plain = (
            v.filter(~pl.col("guarded"))
            .with_columns(pl.col("pattern").str.to_lowercase().alias("key"))
            .select(
                "key",
                "skill_id",
                pl.when(pl.col("exact"))
                .then(pl.lit("exact"))
                .otherwise(pl.lit("plain"))
                .alias("kind"),
            )
            .unique(maintain_order=True)
        )
        bare = (
            v.filter(pl.col("guarded"))
            .select(pl.col("pattern").str.strip_chars(" ").alias("alias"), "skill_id")
            .unique(maintain_order=True)
        )
        rows = []
        for alias, skill_id in bare.iter_rows():
            rows.append((f" {alias} ", skill_id, "bare"))
            rows += [(" " + c.format(alias) + " ", skill_id, "context") for c in CONTEXTS]
            rows.append((f" {SENTENCE} {alias} ", skill_id, "reject"))
            for phrase in NON_SKILL_PHRASES.get(alias, []):
                rows.append((phrase, skill_id, "reject_phrase"))
        rows += [
            (key, skill_id, "exact") for key, skill_id in exact.select("pattern", "skill_id").rows()
        ]
        guarded = pl.DataFrame(
            rows, schema={"key": pl.String, "skill_id": pl.String, "kind": pl.String}, orient="row"
        )
        guarded = guarded.with_columns(
            pl.when(pl.col("kind") == "reject_phrase")
            .then(_pattern(pl.col("key")))
            .otherwise(pl.col("key"))
            .alias("key"),
            pl.col("kind").replace("reject_phrase", "reject"),
        )
        self.plain = plain
        self.guarded = guarded.unique(["key", "skill_id"], keep="first", maintain_order=True)
        self._plain_patterns = plain["key"].unique().sort().to_list()
        self._guarded_patterns = self.guarded["key"].unique().sort().to_list()
        # Matches are turned into integer codes (pattern, skill) straight after the automaton
        # pass, so that counting, nesting and the joins to skills work on integers; skill
        # codes follow the sorted skill ids, so sorting by code sorts by id.
        self._skill_ids = pl.concat([plain["skill_id"], self.guarded["skill_id"]]).unique().sort()
        skill_codes = self._skill_ids.to_frame().with_row_index("skill")
        self._automata = {}
        for name, patterns, table in (
            ("plain", self._plain_patterns, plain),
            ("guarded", self._guarded_patterns, self.guarded),
        ):
            enum = pl.Enum(patterns)
            codes = (
                table.with_columns(_code(pl.col("key"), enum))
                .join(skill_codes, on="skill_id", how="left", maintain_order="left")
                .select("key", "skill", "kind")
            )
            nested = _nesting(patterns).select(
                _code(pl.col("outer"), enum), _code(pl.col("key"), enum)
            )
            self._automata[name] = (enum, codes, nested)
        self.n_aliases = v.height

    @classmethod
    def from_warehouse(cls, con: duckdb.DuckDBPyConnection) -> SkillMatcher:
        """The vocabulary in ``skills`` and ``skill_aliases``; a skill's name is an alias of
        it too when ``skill_aliases`` does not have it (the taxonomy gives each alias to one
        skill: 'Mathematics' to the skill, not also to the knowledge area)."""
        from skilltide.store import frame

        vocab = frame(
            con,
            "SELECT a.alias, a.skill_id, a.case_sensitive, s.ambiguous, s.name, a.rule"
            " FROM skill_aliases a JOIN skills s USING (skill_id)"
            " UNION SELECT s.name, s.skill_id, FALSE, s.ambiguous, s.name, 'name' FROM skills s"
            " WHERE NOT EXISTS (SELECT 1 FROM skill_aliases a"
            " WHERE lower(a.alias) = lower(s.name))",
        )
        return cls(vocab)

    def __len__(self) -> int:
        return self.plain.height + self.guarded.height

    def matches(self, norm: pl.Expr, guarded: bool, lowered: bool = False) -> pl.Expr:
        """Every (overlapping) matched key per row for one automaton (plain: lowercase text;
        ``lowered`` says ``norm`` is lowercased already)."""
        patterns = self._guarded_patterns if guarded else self._plain_patterns
        if not patterns:
            return pl.lit([], dtype=pl.List(pl.String))
        text = norm if guarded or lowered else norm.str.to_lowercase()
        return text.str.extract_many(patterns, overlapping=True)

    def extract(self, ads: pl.DataFrame) -> pl.DataFrame:
        """Skills of ads ``(ad_id, title, text)`` -> ``(ad_id, skill_id, found_in)``."""
        norm = ads.select(
            "ad_id",
            normalise(pl.col("title"), sentence_start=False).alias("title_norm"),
            normalise(pl.col("text")).alias("text_norm"),
        )
        return self.extract_normalised(norm)

    def extract_normalised(self, norm: pl.DataFrame) -> pl.DataFrame:
        """Like :meth:`extract` on ``(ad_id, title_norm, text_norm)`` already normalised.

        Optional columns ``title_lower``/``text_lower`` (the normalised texts lowercased, as
        dedup also needs them) save lowercasing them again.
        """
        empty = pl.DataFrame(
            schema={"ad_id": pl.String, "skill_id": pl.String, "found_in": pl.String}
        )
        if len(self) == 0 or norm.height == 0:
            return empty
        lower = {
            f: pl.col(f"{f}_lower") if f"{f}_lower" in norm.columns else None
            for f in ("title", "text")
        }
        # Titles and texts stacked in one column (one automaton build and pass per batch);
        # integer row ids (title i, text n + i) keep the grouping and joins cheap.
        n = norm.height
        stacked = pl.concat(
            [
                norm.select(
                    pl.col(f"{f}_norm").alias("norm"),
                    (
                        lower[f] if lower[f] is not None else pl.col(f"{f}_norm").str.to_lowercase()
                    ).alias("lower"),
                )
                for f in ("title", "text")
            ]
        )
        found = stacked.select(
            pl.int_range(0, 2 * n, dtype=pl.UInt32).alias("row"),
            self.matches(pl.col("lower"), False, lowered=True).alias("plain"),
            self.matches(pl.col("norm"), True).alias("guarded"),
        )
        hits = {}
        for column in ("plain", "guarded"):
            enum, codes, nested = self._automata[column]
            matched = (
                found.select("row", pl.col(column).alias("key"))
                .explode("key")
                .drop_nulls("key")
                .select("row", _code(pl.col("key"), enum))
            )
            keys = _longest(matched, nested)
            if column == "plain":  # only mentions outside longer matched names count
                keys = keys.filter(pl.col("n") > 0)
            hits[column] = keys.join(codes, on="key", how="inner")
        # Guarded names: kept where list-context mentions outnumber rejected ones.
        votes = (
            hits["guarded"]
            .group_by("row", "skill")
            .agg(
                (pl.col("n") * (pl.col("kind") == "context")).sum().alias("context"),
                (pl.col("n") * (pl.col("kind") == "reject")).max().alias("reject"),
                (pl.col("n_raw") * (pl.col("kind") == "bare")).sum().alias("mentions"),
            )
        )
        # Some mention in a list context, and not every mention a non-skill phrase.
        accepted = votes.filter(
            (pl.col("context") > 0) & (pl.col("mentions") > pl.col("reject"))
        ).select("row", "skill")
        # Acronyms: a mention outside longer names, and one written in capitals.
        capitals = hits["guarded"].filter(pl.col("kind") == "exact").select("row", "skill")
        plain = pl.concat(
            [
                hits["plain"].filter(pl.col("kind") == "plain").select("row", "skill"),
                hits["plain"]
                .filter(pl.col("kind") == "exact")
                .select("row", "skill")
                .join(capitals, on=["row", "skill"], how="semi"),
            ]
        )
        kept = pl.concat([plain, accepted])
        if kept.height == 0:
            return empty
        # (ad, skill) packed into one integer: its sort order is (ad, skill id).
        pair = (pl.col("row") % n).cast(pl.UInt64) * _SHIFT + pl.col("skill").cast(pl.UInt64)
        return (
            kept.group_by(pair.alias("pair"))
            .agg(
                (pl.col("row") >= n).min().alias("any_title"),  # False: some mention in title
                (pl.col("row") >= n).max().alias("any_text"),
            )
            .sort("pair")
            .select(
                pl.lit(norm["ad_id"]).gather(pl.col("pair") // _SHIFT).alias("ad_id"),
                pl.lit(self._skill_ids).gather(pl.col("pair") % _SHIFT).alias("skill_id"),
                pl.when(pl.col("any_title") != pl.col("any_text"))
                .then(pl.lit("both"))
                .when(pl.col("any_text"))
                .then(pl.lit("text"))
                .otherwise(pl.lit("title"))
                .alias("found_in"),
            )
        )


def _code(key: pl.Expr, enum: pl.Enum) -> pl.Expr:
    """A pattern's integer code: its position in the automaton's sorted pattern list."""
    return key.cast(enum).to_physical().cast(pl.UInt32)


def _nesting(patterns: list[str]) -> pl.DataFrame:
    """Pairs ``(outer, key)``: pattern ``key`` occurs inside the longer pattern ``outer``."""
    schema = {"outer": pl.String, "key": pl.String}
    if not patterns:
        return pl.DataFrame(schema=schema)
    keys = pl.Series("outer", patterns)
    return (
        keys.to_frame()
        .with_columns(keys.str.extract_many(patterns, overlapping=True).alias("key"))
        .explode("key")
        .filter(pl.col("key").is_not_null() & (pl.col("key") != pl.col("outer")))
        .unique()
        .select(list(schema))
    )


def _longest(matches: pl.DataFrame, nested: pl.DataFrame) -> pl.DataFrame:
    """Per row and key (one row per match): ``n_raw`` occurrences, ``n`` of them outside
    longer matched keys."""
    pair = pl.col("row").cast(pl.UInt64) * _SHIFT + pl.col("key").cast(pl.UInt64)
    counts = matches.group_by(pair.alias("pair")).len("n")
    inside = (
        counts.select(
            (pl.col("pair") // _SHIFT).alias("row"),
            (pl.col("pair") % _SHIFT).cast(pl.UInt32).alias("outer"),
            pl.col("n").alias("n_outer"),
        )
        .join(nested, on="outer", how="inner")
        .group_by(pair.alias("pair"))
        .agg(pl.col("n_outer").sum())
    )
    return counts.join(inside, on="pair", how="left").select(
        (pl.col("pair") // _SHIFT).cast(pl.UInt32).alias("row"),
        (pl.col("pair") % _SHIFT).cast(pl.UInt32).alias("key"),
        (pl.col("n") - pl.col("n_outer").fill_null(0)).alias("n"),
        pl.col("n").alias("n_raw"),
    )
