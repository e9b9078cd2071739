"""Benchmark: skill extraction on real English job ads (SkillSpan; Green et al.'s test set).

SkillSpan (Zhang et al., NAACL 2022; ``skill_extraction/skillspan/json``) tags Skill and
Knowledge spans in the sentences of 263 English postings (``tech``: StackOverflow, ``house``:
in-house). The extractor is scored as the pipeline uses it: :class:`SkillMatcher` over the onet
stage's O*NET 30.1 taxonomy (``benchmarks/ingest.py``'s ``taxonomy_db``), one sentence a row.

Protocol (restricted, as for the ruanyf ads, to names the taxonomy knows):

- *known* skills of a span: those the extractor finds in the span alone, plus the guarded names
  (``Go``, ``R``, ``Swift``…) written in it with their exact case and outside a known non-skill
  phrase (``R&D``) — a span has no list context, so the context rule is lifted, not the case;
- gold: the (sentence, skill) pairs known in some Skill or Knowledge span of the sentence;
- recall: gold pairs the extractor finds in the whole sentence;
- precision: extracted (sentence, skill) pairs that are gold, i.e. known inside some span: a
  technology name written outside every span ("access", "Word" as English words) is a false
  positive — also when it is a real skill the annotators left out (a posting's title line), so
  precision is a lower bound. A name inside a span counts as right even when the span uses it
  as a word ("act as a lead" held Act!), and gold moves with the taxonomy (a name the matcher
  stops reading in a span leaves gold too): gold sizes are printed.

Sentences are the rows because pairs are scored per sentence and a guarded name's list context
lies within its sentence. SkillSpan's text has lost its commas (1 comma token in train+dev), so
that context is only ``and``/``or``/``/``/``:`` here; guarded names' recall is understated. Also
scored per posting (its sentences joined by line ends, one ad), where one list mention
admits a guarded name for the whole ad, as in ingestion. ``--workdir`` keeps the taxonomy
warehouse (delete it after changing the taxonomy rules).

Second corpus, ``--corpus green`` (Green, Maynard & Lin, LREC 2022;
``skill_extraction/green_lrec2022``): the expert-annotated gold test set, 336 sentences of UK
Adzuna job descriptions (CoNLL tokens; Skill, Qualification, Occupation, Domain, Experience
spans). It is a test set only (no split; the crowd-annotated training data is absent): run it
to measure, never to choose a rule. Same protocol, with gold from the **Skill** spans: they
hold both abilities ("customer service") and tools ("Selenium", "SQL"), as SkillSpan's Skill and
Knowledge spans together do. Domain spans are mostly the employer's sector ("financial
services", "automotive", "Retail"), which an ad does not ask of a candidate, and Qualification
spans are certificates ("NVQ level 3", "RGN"); a taxonomy name read there (O*NET's knowledge
"Biotechnology", "Sales and Marketing") is a fair reading of the words but not a skill the ad
requires, so they are not gold. As the choice is arguable, the report also gives the figures
with Skill + Domain + Qualification spans as gold (``wider_gold``). The sentences carry no
posting id, so there are no per-posting figures. Run:

    python benchmarks/extraction_english.py --split dev [--json]
    python benchmarks/extraction_english.py --corpus green [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._data import shared_data
from benchmarks.ingest import taxonomy_db
from skilltide.ingest.extract import SENTENCE, SkillMatcher, normalise

SPLITS = ("train", "dev", "test")
LAYERS = ("skill", "knowledge")
CORPORA = ("skillspan", "green")
GREEN_GOLD = ("Skill",)
GREEN_WIDER = ("Skill", "Domain", "Qualification")


# The sentences both corpora are read into: one row per sentence, its gold spans' texts.
_SENTENCES = {
    "sentence": pl.Int64,
    "source": pl.String,
    "posting": pl.String,
    "text": pl.String,
    "spans": pl.List(pl.String),
}


def read_split(path: Path) -> pl.DataFrame:
    """SkillSpan JSON lines -> one row a sentence: ``sentence, source, posting, text, spans``
    (the Skill and Knowledge spans' texts, tokens joined by spaces as in ``text``)."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            r = json.loads(line)
            spans = [
                " ".join(r["tokens"][a:b])
                for layer in LAYERS
                for a, b in bio_spans(r[f"tags_{layer}"])
            ]
            posting = f"{r['source']}:{r['idx']}"
            rows.append((i, r["source"], posting, " ".join(r["tokens"]), spans))
    return pl.DataFrame(rows, schema=_SENTENCES, orient="row")


def read_green(path: Path) -> pl.DataFrame:
    """Green et al.'s CoNLL test set (``token tag`` lines, blank lines between sentences) -> the
    rows of :func:`read_split` (source ``green``, each sentence its own posting; ``spans`` from
    the :data:`GREEN_GOLD` types) plus ``wider`` (spans of the :data:`GREEN_WIDER` types)."""
    sentences, tokens = [], []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split()
        if parts:
            tokens.append((parts[0], parts[1] if len(parts) > 1 else "O"))
        elif tokens:
            sentences.append(tokens)
            tokens = []
    rows = []
    for i, sentence in enumerate(sentences):
        words = [w for w, _ in sentence]
        spans = {}
        for kind in GREEN_WIDER:
            tags = [t[0] if t[2:] == kind else "O" for _, t in sentence]
            spans[kind] = [" ".join(words[a:b]) for a, b in bio_spans(tags)]
        gold = [x for kind in GREEN_GOLD for x in spans[kind]]
        wider = [x for kind in GREEN_WIDER for x in spans[kind]]
        rows.append((i, "green", f"green:{i}", " ".join(words), gold, wider))
    schema = {**_SENTENCES, "wider": pl.List(pl.String)}
    return pl.DataFrame(rows, schema=schema, orient="row")


def bio_spans(tags: list[str]) -> list[tuple[int, int]]:
    """``[start, end)`` token ranges of the spans in bare B/I/O tags (an I after O starts one).

    >>> bio_spans(["O", "B", "I", "O", "I", "B"])
    [(1, 3), (4, 5), (5, 6)]
    """
    spans, start = [], None
    for i, tag in enumerate([*tags, "O"]):
        if start is not None and tag != "I":
            spans.append((start, i))
            start = None
        if tag == "B" or (tag == "I" and start is None):
            start = i
    return spans


def extracted(matcher: SkillMatcher, ids: pl.Series, texts: pl.Series) -> pl.DataFrame:
    """``(id, skill_id)`` the extractor finds in each text (no title)."""
    ads = pl.DataFrame({"ad_id": ids.cast(pl.String), "title": None, "text": texts})
    found = matcher.extract(ads.with_columns(pl.col("title").cast(pl.String)))
    return found.select(pl.col("ad_id").cast(ids.dtype).alias(ids.name), "skill_id")


def known(matcher: SkillMatcher, sentences: pl.DataFrame) -> pl.DataFrame:
    """Gold ``(sentence, skill_id)``: the skills known in some span of the sentence."""
    spans = (
        sentences.select("sentence", pl.col("spans").alias("span"))
        .explode("span")
        .drop_nulls("span")
        .with_row_index("span_id")
    )
    plain = extracted(matcher, spans["span_id"], spans["span"])
    g = matcher.guarded
    bare = g.filter(pl.col("kind") == "bare")
    rejects = g.filter(
        (pl.col("kind") == "reject") & ~pl.col("key").str.starts_with(f" {SENTENCE}")
    )["key"].unique()
    norm = normalise(pl.col("span"), sentence_start=False)
    if rejects.len():
        norm = norm.str.replace_many(rejects.to_list(), [" "] * rejects.len())
    cased = plain.clear()
    if bare.height:
        cased = (
            spans.select(
                "span_id",
                norm.str.extract_many(bare["key"].unique().to_list(), overlapping=True).alias(
                    "key"
                ),
            )
            .explode("key")
            .join(bare.select("key", "skill_id"), on="key")
            .select("span_id", "skill_id")
        )
    return (
        pl.concat([plain, cased])
        .join(spans.select("span_id", "sentence"), on="span_id")
        .select("sentence", "skill_id")
        .unique()
    )


def score(
    matcher: SkillMatcher, sentences: pl.DataFrame, skills: pl.DataFrame, top: int = 15
) -> dict:
    """Precision and recall per sentence (overall and per source) and per posting, with the
    commonest false positives and negatives (skill names and counts)."""
    gold = known(matcher, sentences)
    pred = extracted(matcher, sentences["sentence"], sentences["text"])
    src = sentences.select("sentence", "source", "posting")
    gold, pred = gold.join(src, on="sentence"), pred.join(src, on="sentence")
    names = skills.select("skill_id", "name", "kind")
    pred = pred.join(names, on="skill_id", how="left")
    gold = gold.join(names, on="skill_id", how="left")
    keys = ["sentence", "skill_id"]
    tp = pred.join(gold, on=keys, how="semi")
    fp = pred.join(gold, on=keys, how="anti")
    fn = gold.join(pred, on=keys, how="anti")

    def pr(t: int, p: int, g: int) -> dict:
        return {
            "precision": round(t / p, 3) if p else None,
            "recall": round(t / g, 3) if g else None,
            "tp": t,
            "predicted": p,
            "gold": g,
        }

    def commonest(frame: pl.DataFrame) -> list[list]:
        counts = frame.group_by("name").len().sort(["len", "name"], descending=[True, False])
        return [list(r) for r in counts.head(top).iter_rows()]

    def per(column: str) -> dict:
        values = sorted(set(pred[column].drop_nulls()) | set(gold[column].drop_nulls()))
        return {
            v: pr(*(f.filter(pl.col(column) == v).height for f in (tp, pred, gold))) for v in values
        }

    # per posting: the sentences joined by line ends and extracted as one ad
    postings = sentences.group_by("posting", maintain_order=True).agg(pl.col("text").str.join("\n"))
    ppred = extracted(matcher, postings["posting"], postings["text"])
    pgold = gold.select("posting", "skill_id").unique()
    ptp = ppred.join(pgold, on=["posting", "skill_id"], how="semi").height
    return {
        "sentences": sentences.height,
        "postings": postings.height,
        "spans": int(sentences["spans"].list.len().sum()),
        "sentence_level": pr(tp.height, pred.height, gold.height),
        "by_source": per("source"),
        "by_kind": per("kind"),
        "posting_level": pr(ptp, ppred.height, pgold.height),
        "false_positives": commonest(fp),
        "false_negatives": commonest(fn),
    }


def build_matcher(work: Path) -> tuple[SkillMatcher, pl.DataFrame]:
    """The onet stage's taxonomy (made once in ``work``), its matcher and its skills."""
    from skilltide.store import Warehouse
    from tests.ingest.helpers import onet_technology_vocab

    vocab = onet_technology_vocab(shared_data("onet", "30.1", "Technology Skills.txt"))
    with Warehouse(taxonomy_db(work, *vocab)) as wh:
        return SkillMatcher.from_warehouse(wh.con), wh.query(
            "SELECT skill_id, name, kind FROM skills"
        )


def print_report(label: str, r: dict) -> None:
    def line(label: str, m: dict) -> None:
        p = "—" if m["precision"] is None else f"{m['precision']:.3f}"
        rc = "—" if m["recall"] is None else f"{m['recall']:.3f}"
        print(
            f"  {label:<22} precision {p}  recall {rc}"
            f"  (tp {m['tp']}, extracted {m['predicted']}, gold {m['gold']})"
        )

    print(
        f"{label}: {r['sentences']} sentences, {r['postings']} postings, "
        f"{r['spans']} spans; matcher {r['aliases']} aliases ({r['seconds']} s)"
    )
    line("sentence pairs", r["sentence_level"])
    for name, m in r["by_source"].items():
        line(f"  source {name}", m)
    for name, m in r["by_kind"].items():
        line(f"  kind {name}", m)
    if r["postings"] < r["sentences"]:
        line("posting pairs", r["posting_level"])
    if "wider_gold" in r:
        line("wider gold " + "+".join(GREEN_WIDER), r["wider_gold"])
    for label in ("false_positives", "false_negatives"):
        print(
            f"  commonest {label.replace('_', ' ')}: " + ", ".join(f"{n} {c}" for n, c in r[label])
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=CORPORA, default="skillspan")
    parser.add_argument("--split", choices=SPLITS, default=None, help="skillspan: dev by default")
    parser.add_argument("--workdir", type=Path, default=None, help="keeps the taxonomy warehouse")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="skilltide-skillspan-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.corpus == "green" and args.split not in (None, "test"):
        parser.error("the green corpus is one test set: no --split")
    split = args.split or ("dev" if args.corpus == "skillspan" else "test")
    matcher, skills = build_matcher(work)
    started = time.perf_counter()
    if args.corpus == "green":
        sentences = read_green(
            shared_data("skill_extraction", "green_lrec2022", "testset.conll.txt")
        )
        result = {"corpus": "green", "split": split, **score(matcher, sentences, skills)}
        wider = score(matcher, sentences.with_columns(spans=pl.col("wider")), skills)
        result["wider_gold"] = wider["sentence_level"]
        result["wider_false_positives"] = wider["false_positives"]
    else:
        sentences = read_split(
            shared_data("skill_extraction", "skillspan", "json", f"{split}.json")
        )
        result = {"corpus": "skillspan", "split": split, **score(matcher, sentences, skills)}
    result["aliases"] = matcher.n_aliases
    result["seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps(result))
    else:
        label = "Green et al. test" if args.corpus == "green" else f"SkillSpan {split}"
        print_report(label, result)


if __name__ == "__main__":
    main()
