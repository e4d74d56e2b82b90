"""Editors' evaluation: grading answers against a gold set (qa/goldset.py) and the figures of
`qa eval`.

Each gold item is asked through the pipeline exactly as a reader
would ask it (follow-ups replay their history), graded by the pure functions below, and the figures
are pooled over the items they apply to. Every figure can be recomputed from `EvalReport.to_dict()`
["items"]: an item carries its flags, and a flag that does not count towards a figure is None.
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from qa.chain import Pipeline
from qa.errors import QAError
from qa.goldset import (
    ITEM_TYPES,
    NOT_ACCURACY_TYPES,
    PREMISE_TYPES,
    Evidence,
    GoldItem,
    Span,
    locate_quote,
    read_corpus_texts,
)
from qa.reports import item_failures
from qa.types import Answer, Citation, ClaimCheck

# ---------------------------------------------------------------- pure grading

_ARTICLES = frozenset({"a", "an", "the"})
_UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
NUMBER_WORDS = {w: i for i, w in enumerate(_UNITS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_COMPOUND = re.compile(rf"\b({'|'.join(_TENS)})[\s-]+({'|'.join(_UNITS[1:10])})\b")
# "C$2 million", "US$3" → "$2 million", "$3": a currency's country prefix is not the answer.
_CURRENCY_PREFIX = re.compile(r"\b(?:c|ca|can|cdn|us|a|au|nz)\$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")


def normalize_answer(text: str) -> str:
    """SQuAD/ALCE-style normalisation: lowercase, no diacritics, punctuation or articles, single
    spaces; plus number words as digits ("twenty-two" → "22") and "C$"/"US$" read as "$"."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    folded = _COMPOUND.sub(lambda m: str(NUMBER_WORDS[m[1]] + NUMBER_WORDS[m[2]]), folded)
    folded = _THOUSANDS.sub("", _CURRENCY_PREFIX.sub("$", folded))
    words = _TOKEN.findall(folded)
    return " ".join(str(NUMBER_WORDS.get(w, w)) for w in words if w not in _ARTICLES)


def contains_answer(text: str, acceptable: Sequence[str]) -> bool:
    """ALCE string exact-match recall: some acceptable answer appears in the text after
    normalisation, on word boundaries ("15" is not found in "2015"). No fuzzy matching; an
    answer that normalises to nothing (e.g. "the") matches nothing."""
    haystack = f" {normalize_answer(text)} "
    return any(g and f" {g} " in haystack for g in map(normalize_answer, acceptable))


def spans_overlap(a: Span, b: Span) -> bool:
    """Half-open character spans overlap when they share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def nearest_rank(values: Sequence[float], percent: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least `percent`% of values ≤ it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent / 100 * len(ordered))) - 1]


def ratio(hits: int, total: int) -> float | None:
    """hits / total, or None when nothing counted: an undefined figure is never 0 or 1."""
    return hits / total if total else None


def f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# ---------------------------------------------------------------- grading one item


@dataclass(frozen=True)
class CitationGrade:
    citation: Citation
    supported: bool | None  # overlaps gold evidence; None when not counted for citation precision


@dataclass(frozen=True)
class EvidenceGrade:
    doc: str
    quote: str
    spans: tuple[Span, ...]  # where the quote occurs in the document; empty when not found
    cited: bool | None  # overlapped by a citation; None when not counted for evidence recall
    retrieved: bool | None  # overlapped by a retrieved passage; same population as `cited`


@dataclass(frozen=True)
class ItemResult:
    item: GoldItem
    answer: str
    refused: bool
    citations: tuple[CitationGrade, ...]
    evidence: tuple[EvidenceGrade, ...]
    passages: tuple[tuple[str, int, int], ...]  # retrieved (source, start, end), best first
    answer_correct: bool | None  # None: the item is not graded for answer accuracy
    premise_correct: bool | None  # None: not a false-premise or adversarial item
    latency_ms: float
    error: str = ""  # the pipeline rejected the question (e.g. too long): graded as no answer
    answered_by: str = ""  # "extractive", "computed" or "generative"; empty with no answer
    verification: tuple[ClaimCheck, ...] = ()  # generative mode: each claim and its fate

    @property
    def correct(self) -> bool | None:
        """Pass or fail on the figure the item's type is about; None when no figure applies."""
        if self.item.expected_refusal:
            return self.refused
        return self.answer_correct if self.answer_correct is not None else self.premise_correct


def grade_item(
    item: GoldItem, answer: Answer | None, texts: dict[str, str], latency_ms: float, error: str = ""
) -> ItemResult:
    """Grade one answer (None when the pipeline rejected the question) against its gold item.

    Citation and evidence figures count only items with acceptable answers (the evidence of a
    should-decline item shows what the sources lack, not what to cite). Citation precision counts
    the citations of answers that were given (not refused) for items with at least one located
    evidence quote; evidence recall and retrieval recall count every located quote of those items,
    refused or not. A quote not found in its document counts for neither.
    """
    refused = bool(answer and answer.refused)
    citations = answer.citations if answer else ()
    retrieved = tuple((p.source, p.start, p.end) for p in (answer.passages if answer else ()))
    located = [(e, locate_quote(texts.get(e.doc, ""), e.quote)) for e in item.evidence]
    gold = [(e.doc, span) for e, spans in located for span in spans]
    counts_evidence = not item.expected_refusal
    counts_citations = counts_evidence and bool(gold) and not refused
    cited = [(c.source, (c.start, c.end)) for c in citations]
    fetched = [(source, (start, end)) for source, start, end in retrieved]
    return ItemResult(
        item=item,
        answer=answer.answer if answer else "",
        answered_by=answer.answered_by if answer else "",
        verification=answer.verification if answer else (),
        refused=refused,
        citations=tuple(
            CitationGrade(
                c, _touches(c.source, (c.start, c.end), gold) if counts_citations else None
            )
            for c in citations
        ),
        evidence=tuple(
            _grade_evidence(e, spans, cited, fetched, counted=counts_evidence)
            for e, spans in located
        ),
        passages=retrieved,
        answer_correct=_graded(item, answer, accuracy=True),
        premise_correct=_graded(item, answer, accuracy=False),
        latency_ms=latency_ms,
        error=error,
    )


def _touches(doc: str, span: Span, targets: Sequence[tuple[str, Span]]) -> bool:
    """Whether a span of doc overlaps any of the (document, span) targets."""
    return any(other == doc and spans_overlap(span, s) for other, s in targets)


def _grade_evidence(
    e: Evidence,
    spans: tuple[Span, ...],
    cited: Sequence[tuple[str, Span]],
    fetched: Sequence[tuple[str, Span]],
    *,
    counted: bool,
) -> EvidenceGrade:
    """Whether some occurrence of a gold quote is overlapped by a citation / a retrieved passage."""
    if not counted or not spans:
        return EvidenceGrade(e.doc, e.quote, spans, None, None)
    hit_cited = any(_touches(e.doc, span, cited) for span in spans)
    return EvidenceGrade(
        e.doc, e.quote, spans, hit_cited, any(_touches(e.doc, span, fetched) for span in spans)
    )


def _graded(item: GoldItem, answer: Answer | None, *, accuracy: bool) -> bool | None:
    """Answer accuracy (accuracy=True) or false-premise accuracy for an item, None if n/a.

    A refusal is never correct, whatever its wording. For false premises the gold format states
    only the correction, so "did not adopt the false claim" is graded as: the bot answered (did
    not decline) and its answer contains the correction.
    """
    applies = (item.type not in NOT_ACCURACY_TYPES) if accuracy else item.type in PREMISE_TYPES
    if not item.answers or not applies:
        return None
    return (
        answer is not None and not answer.refused and contains_answer(answer.answer, item.answers)
    )


# ---------------------------------------------------------------- figures


def summarize(results: Sequence[ItemResult]) -> dict[str, Any]:
    """The headline figures over some items, pooled (micro-averaged) over what each counts.

    Answer accuracy: items graded for it (answerable types with acceptable answers). Refusal
    precision: refused items that had no acceptable answer, over all refused items; recall: over
    all items with no acceptable answer. Retrieval recall@k uses the passages the pipeline
    retrieved (k = its settings.k). Latency: wall clock of every ask, nearest-rank p50 and p95.
    A figure nothing counts towards is None.
    """
    accuracy = [r.answer_correct for r in results if r.answer_correct is not None]
    premise = [r.premise_correct for r in results if r.premise_correct is not None]
    true_refusals = sum(r.refused and r.item.expected_refusal for r in results)
    precision = ratio(true_refusals, sum(r.refused for r in results))
    recall = ratio(true_refusals, sum(r.item.expected_refusal for r in results))
    cited = [c.supported for r in results for c in r.citations if c.supported is not None]
    evidence = [e for r in results for e in r.evidence if e.cited is not None]
    latencies = [r.latency_ms for r in results]
    return {
        "n": len(results),
        "answer_accuracy": ratio(sum(map(bool, accuracy)), len(accuracy)),
        "refusal_precision": precision,
        "refusal_recall": recall,
        "refusal_f1": f1(precision, recall),
        "false_premise_accuracy": ratio(sum(map(bool, premise)), len(premise)),
        "citation_precision": ratio(sum(map(bool, cited)), len(cited)),
        "evidence_recall": ratio(sum(bool(e.cited) for e in evidence), len(evidence)),
        "retrieval_recall_at_k": ratio(sum(bool(e.retrieved) for e in evidence), len(evidence)),
        "latency_ms": {"p50": nearest_rank(latencies, 50), "p95": nearest_rank(latencies, 95)},
    }


@dataclass(frozen=True)
class EvalReport:
    results: tuple[ItemResult, ...]

    def to_dict(self) -> dict[str, Any]:
        """The `qa eval --json` object: figures, figures by type, and every graded item."""
        types = sorted({r.item.type for r in self.results}, key=ITEM_TYPES.index)
        return {
            **_rounded(summarize(self.results)),
            "by_type": {
                t: _rounded(summarize([r for r in self.results if r.item.type == t])) for t in types
            },
            "items": [_item_dict(r) for r in self.results],
        }


def _rounded(figures: dict[str, Any]) -> dict[str, Any]:
    latency = {k: _round(v, 2) for k, v in figures["latency_ms"].items()}
    return {**{k: _round(v, 4) for k, v in figures.items()}, "latency_ms": latency}


def _round(value: Any, digits: int) -> Any:
    return round(value, digits) if isinstance(value, float) else value


def _item_dict(r: ItemResult) -> dict[str, Any]:
    record = {
        "id": r.item.id,
        "type": r.item.type,
        "question": r.item.question,
        "history": [{"question": t.question, "answer": t.answer} for t in r.item.history],
        "answers": list(r.item.answers),
        "answer": r.answer,
        "answered_by": r.answered_by,
        "verification": [asdict(c) for c in r.verification],
        "refused": r.refused,
        "expected_refusal": r.item.expected_refusal,
        "citations": [{**asdict(c.citation), "supported": c.supported} for c in r.citations],
        "evidence": [asdict(e) for e in r.evidence],
        "passages": [{"source": s, "start": a, "end": b} for s, a, b in r.passages],
        "correct": r.correct,
        "answer_correct": r.answer_correct,
        "false_premise_correct": r.premise_correct,
        "latency_ms": _round(r.latency_ms, 2),
        "error": r.error,
    }
    return {**record, "failures": item_failures(record)}


# ---------------------------------------------------------------- I/O


def run_eval(
    pipeline: Pipeline,
    items: Sequence[GoldItem],
    corpus: Path,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Ask every item as a reader would (follow-ups after their history) and grade the answers.

    Reads the corpus files to locate evidence; never writes to the index.
    """
    texts = read_corpus_texts(corpus)
    results = []
    for done, item in enumerate(items, start=1):
        started = time.perf_counter()
        try:
            answer, error = pipeline.ask(item.question, item.history), ""
        except QAError as exc:
            answer, error = None, exc.user_message
        latency = (time.perf_counter() - started) * 1000
        results.append(grade_item(item, answer, texts, latency, error))
        if progress:
            progress(done, len(items))
    return EvalReport(tuple(results))
