"""Grading, figures, gold-set loading and reports of the editors' eval, with hand-computed cases."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from qa.chain import Pipeline
from qa.config import PROJECT_ROOT
from qa.errors import QAError
from qa.evaluation import (
    EvalReport,
    contains_answer,
    grade_item,
    nearest_rank,
    normalize_answer,
    run_eval,
    spans_overlap,
    summarize,
)
from qa.goldset import Evidence, GoldItem, GoldSetError, load_gold_set, locate_quote
from qa.reports import write_report_files
from qa.types import Answer, Citation, ClaimCheck, Passage, Turn
from tests.conftest import CORPUS

DEV = CORPUS / "eval" / "dev.jsonl"
TEXT = "Alpha beta. Gamma delta. Epsilon zeta."  # offsets: Alpha 0-11, Gamma 12-24, Epsilon 25-38
TEXTS = {"a.txt": TEXT, "b.txt": "Other words here."}


def cite(n: int, source: str, start: int, end: int) -> Citation:
    text = TEXTS[source][start:end]
    return Citation(n, source, "T", "", f"c{n}", start, end, text)


def passage(source: str, start: int, end: int) -> Passage:
    return Passage("p", source, "T", "", "", "background", 0.5, "", "", start, end, 0.0)


def answer(text: str, *citations: Citation, refused: bool = False, passages=()) -> Answer:
    return Answer("q", text, refused, tuple(citations), tuple(passages))


def item(
    answers: Sequence[str], item_type: str = "factoid", evidence: Sequence[Evidence] = ()
) -> GoldItem:
    return GoldItem("x", "q", tuple(answers), tuple(evidence), item_type)


GAMMA = Evidence("a.txt", "Gamma delta.")


# ---------------------------------------------------------------- normalisation and matching


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  The  Cancer!! ", "cancer"),
        ("Médecins Sans Frontières", "medecins sans frontieres"),
        ("C$2.5 million", "2.5 million"),
        ("$2.5 million", "2.5 million"),
        ("seven", "7"),
        ("Twenty-two years", "22 years"),
        ("10,000 cables", "10000 cables"),
        ("case-by-case", "case by case"),
    ],
)
def test_normalize_answer(raw: str, expected: str) -> None:
    assert normalize_answer(raw) == expected


def test_contains_answer_is_exact_match_recall_not_fuzzy() -> None:
    assert contains_answer("He was fifteen when detained.", ["15"])
    assert contains_answer("A C$2.5 million award.", ["$2.5 million"])
    assert contains_answer("founded Medecins sans frontieres", ["Médecins Sans Frontières"])
    assert not contains_answer("It happened in 2015.", ["15"])  # word boundaries
    assert not contains_answer("Bernard Kouchnr", ["Kouchner"])  # no fuzzy matching
    assert not contains_answer("anything at all", ["The", ""])  # empty gold matches nothing
    assert not contains_answer("Kouchner", [])


@hypothesis_settings(deadline=None)  # pure and fast, but the suite shares two cores with servers
@given(st.text(max_size=60))
def test_normalisation_is_idempotent_and_an_answer_contains_itself(text: str) -> None:
    once = normalize_answer(text)
    assert normalize_answer(once) == once
    assert contains_answer(text, [text]) == bool(once)


def test_spans_overlap_when_sharing_a_character() -> None:
    assert not spans_overlap((0, 5), (5, 10))  # adjacent, half-open
    assert spans_overlap((0, 5), (4, 10))
    assert spans_overlap((3, 4), (0, 10))
    assert not spans_overlap((10, 12), (0, 10))


def test_locate_quote_finds_every_occurrence() -> None:
    assert locate_quote("abab", "ab") == ((0, 2), (2, 4))
    assert locate_quote("aaa", "aa") == ((0, 2), (1, 3))
    assert locate_quote("abc", "x") == ()
    assert locate_quote("abc", "") == ()


def test_nearest_rank_percentiles() -> None:
    assert nearest_rank([40, 10, 30, 20], 50) == 20  # ceil(0.5 * 4) = 2nd smallest
    assert nearest_rank([40, 10, 30, 20], 95) == 40  # ceil(3.8) = 4th
    assert nearest_rank(list(range(1, 11)), 50) == 5
    assert nearest_rank([7], 95) == 7
    assert nearest_rank([], 50) is None


# ---------------------------------------------------------------- grading one item


def test_citations_and_evidence_are_checked_by_span_overlap() -> None:
    gold = item(["gamma"], evidence=[GAMMA, Evidence("a.txt", "not in text"), Evidence("z", "x")])
    got = answer(
        "Gamma delta. [1] Alpha beta. [2]",
        cite(1, "a.txt", 12, 24),
        cite(2, "a.txt", 0, 11),
        passages=[passage("a.txt", 0, 11)],
    )
    result = grade_item(gold, got, TEXTS, 5.0)
    assert [c.supported for c in result.citations] == [True, False]
    located, missing, unknown = result.evidence
    assert (located.spans, located.cited, located.retrieved) == (((12, 24),), True, False)
    assert (missing.spans, missing.cited, unknown.cited) == ((), None, None)  # not counted
    assert result.answer_correct is True and result.correct is True


def test_citation_of_the_same_span_in_another_document_is_not_support() -> None:
    result = grade_item(
        item(["x"], evidence=[GAMMA]), answer("x", cite(1, "b.txt", 0, 5)), TEXTS, 1
    )
    assert [c.supported for c in result.citations] == [False]
    assert "unsupported" in _failures(result)


def test_a_refusal_is_never_a_correct_answer_whatever_its_wording() -> None:
    refusal = answer("The sources don't say; nearest: Gamma delta.", refused=True)
    result = grade_item(item(["gamma delta"], evidence=[GAMMA]), refusal, TEXTS, 1)
    assert result.answer_correct is False and result.correct is False
    assert result.evidence[0].cited is False  # a refused answerable item still counts for recall
    assert "wrongly_refused" in _failures(result)


def test_a_refusal_is_structural_not_detected_from_wording() -> None:
    worded = answer("I cannot answer that, the sources don't say.")
    result = grade_item(item([], "unanswerable"), worded, TEXTS, 1)
    assert result.refused is False and result.correct is False
    assert "missed_refusal" in _failures(result)


def test_false_premise_needs_the_correction_and_an_answer() -> None:
    premise = item(["refused to intervene"], "false_premise")
    corrected = grade_item(premise, answer("Harper refused to intervene."), TEXTS, 1)
    adopted = grade_item(premise, answer("Harper asked for his release."), TEXTS, 1)
    declined = grade_item(premise, answer("refused to intervene", refused=True), TEXTS, 1)
    assert corrected.premise_correct is True and corrected.answer_correct is None
    assert adopted.premise_correct is False and declined.premise_correct is False


def test_a_rejected_question_is_graded_as_no_answer() -> None:
    result = grade_item(item(["gamma"], evidence=[GAMMA]), None, TEXTS, 2.0, error="too long")
    assert result.correct is False and result.refused is False
    assert result.evidence[0].cited is False
    assert _failures(result) == ["evidence_missed", "error"]  # not also a "wrong answer"


def _failures(result: Any) -> list[str]:
    return EvalReport((result,)).to_dict()["items"][0]["failures"]


# ---------------------------------------------------------------- figures and their denominators


def hand_graded() -> list[Any]:
    """Five items whose figures are computed by hand in the test below."""
    a = grade_item(
        item(["gamma"], evidence=[GAMMA]),
        answer(
            "Gamma delta. Alpha.",
            cite(1, "a.txt", 12, 24),
            cite(2, "a.txt", 0, 11),
            passages=[passage("a.txt", 10, 20)],
        ),
        TEXTS,
        10,
    )
    b = grade_item(
        item(["gamma"], evidence=[GAMMA]),
        answer("gamma", refused=True, passages=[passage("a.txt", 12, 13)]),
        TEXTS,
        20,
    )
    c = grade_item(item([], "unanswerable"), answer("no", refused=True), TEXTS, 30)
    d = grade_item(
        item([], "out_of_scope", [GAMMA]), answer("Gamma.", cite(1, "a.txt", 12, 24)), TEXTS, 40
    )
    e = grade_item(
        item(["epsilon"], "false_premise", [GAMMA]),
        answer("Epsilon zeta.", cite(1, "a.txt", 25, 38)),
        TEXTS,
        50,
    )
    return [a, b, c, d, e]


def test_figures_use_the_documented_denominators() -> None:
    figures = summarize(hand_graded())
    assert figures["n"] == 5
    assert figures["answer_accuracy"] == 1 / 2  # a right, b refused: not over all 5 items
    assert figures["refusal_precision"] == 1 / 2  # refused b and c; only c is due
    assert figures["refusal_recall"] == 1 / 2  # c refused, d (out of scope) answered
    assert figures["refusal_f1"] == 1 / 2
    assert figures["false_premise_accuracy"] == 1.0
    # a's two citations (one on the evidence) and e's one; d's citation is not counted (no answer
    # was due), b has none.
    assert figures["citation_precision"] == 1 / 3
    assert figures["evidence_recall"] == 1 / 3  # a cited; b refused; e cited elsewhere
    assert figures["retrieval_recall_at_k"] == 2 / 3  # a and b retrieved it; e retrieved nothing
    assert figures["latency_ms"] == {"p50": 30, "p95": 50}


def test_undefined_figures_are_none_not_zero_or_one() -> None:
    only_refusal = summarize([hand_graded()[2]])
    assert only_refusal["refusal_precision"] == 1.0 and only_refusal["refusal_recall"] == 1.0
    for key in ("answer_accuracy", "false_premise_accuracy", "citation_precision"):
        assert only_refusal[key] is None
    assert only_refusal["evidence_recall"] is None
    assert summarize([])["latency_ms"] == {"p50": None, "p95": None}


def test_report_dict_has_the_documented_keys_and_breakdown() -> None:
    data = EvalReport(tuple(hand_graded())).to_dict()
    assert list(data) == [
        "n", "answer_accuracy", "refusal_precision", "refusal_recall", "refusal_f1",
        "false_premise_accuracy", "citation_precision", "evidence_recall",
        "retrieval_recall_at_k", "latency_ms", "by_type", "items",
    ]  # fmt: skip
    assert list(data["by_type"]) == ["factoid", "unanswerable", "false_premise", "out_of_scope"]
    assert (
        data["by_type"]["factoid"]["n"] == 2
        and data["by_type"]["factoid"]["answer_accuracy"] == 0.5
    )
    assert data["citation_precision"] == 0.3333
    first = data["items"][0]
    for key in (
        "id",
        "type",
        "question",
        "answer",
        "refused",
        "citations",
        "correct",
        "latency_ms",
    ):
        assert key in first
    json.dumps(data)  # serialisable as is


# ---------------------------------------------------------------- gold sets


def write_gold(tmp_path: Path, *lines: Any) -> Path:
    path = tmp_path / "gold.jsonl"
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines)
    path.write_text(text, encoding="utf-8")
    return path


GOOD = {"id": "g1", "question": "Who?", "answers": ["Kouchner"], "evidence": [], "type": "factoid"}


def test_dev_set_loads_without_warnings() -> None:
    items, warnings = load_gold_set(DEV, CORPUS)
    assert len(items) == 61 and warnings == []
    follow_up = next(i for i in items if i.type == "follow_up")
    assert follow_up.history and isinstance(follow_up.history[0], Turn)


@pytest.mark.parametrize(
    "path",
    [
        *(
            CORPUS / "eval" / name
            for name in ("numeric.jsonl", "scope.jsonl", "blind.jsonl", "fresh.jsonl")
        ),
        # The judge's reader questions (training/adapt_judge.py) are in the same format.
        *(
            PROJECT_ROOT / "training" / "data" / f"reader-questions-{part}.jsonl"
            for part in ("train", "validation", "test")
        ),
    ],
    ids=lambda path: path.name,
)
def test_every_shipped_gold_set_quotes_its_sources_exactly(path: Path) -> None:
    items, warnings = load_gold_set(path, CORPUS)
    assert items and warnings == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "line 3: Invalid JSON"),
        ("[1, 2]", "line 3: Input should be an object"),
        ({**GOOD, "id": "g2", "answers": "Kouchner"}, "line 3: answers"),
        ({**GOOD, "id": "g2", "type": "trivia"}, "line 3: unknown type"),
        ({**GOOD, "id": "g2", "question": "  "}, "line 3: ids, questions"),
        ({**GOOD, "id": "g2", "evidence": [{"doc": "article.txt"}]}, "line 3: evidence.0.quote"),
        ({k: v for k, v in GOOD.items() if k != "question"} | {"id": "g2"}, "line 3: question"),
        (GOOD, "line 3: duplicate id"),
    ],
)
def test_a_malformed_line_is_an_error_naming_it(tmp_path: Path, bad: Any, message: str) -> None:
    with pytest.raises(GoldSetError) as raised:
        load_gold_set(write_gold(tmp_path, GOOD, "", bad), CORPUS)
    assert message in raised.value.user_message


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xff\xfe\x00binary"])
def test_empty_or_binary_gold_sets_are_clear_errors(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_bytes(content)
    with pytest.raises(GoldSetError):
        load_gold_set(path, CORPUS)


def test_missing_gold_set_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GoldSetError, match="cannot be read"):
        load_gold_set(tmp_path / "nope.jsonl", CORPUS)


def test_unknown_document_and_missing_quote_are_warnings(tmp_path: Path) -> None:
    evidence = [{"doc": "nowhere.txt", "quote": "x"}, {"doc": "article.txt", "quote": "zzz qqq"}]
    items, warnings = load_gold_set(write_gold(tmp_path, {**GOOD, "evidence": evidence}), CORPUS)
    assert len(items) == 1 and len(warnings) == 2
    assert "unknown document 'nowhere.txt'" in warnings[0] and "quote not found" in warnings[1]


# ---------------------------------------------------------------- running through the pipeline


class RecordingPipeline:
    """Delegates to the real pipeline and records what it was asked."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.calls: list[tuple[str, tuple[Turn, ...]]] = []

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        self.calls.append((question, tuple(history)))
        return self.pipeline.ask(question, history)


def test_run_eval_replays_history_reports_progress_and_survives_bad_questions(
    fake_pipeline: Pipeline,
) -> None:
    turn = Turn("Who gave Clinton a paper about Khadr?", "Bernard Kouchner.")
    items = [
        GoldItem("f", "What charity did he found?", ("MSF",), (), "follow_up", (turn,)),
        GoldItem("long", "why " * 400, ("x",), (), "factoid"),
    ]
    spy, progress = RecordingPipeline(fake_pipeline), []
    report = run_eval(spy, items, CORPUS, progress=lambda d, t: progress.append((d, t)))
    assert spy.calls[0] == ("What charity did he found?", (turn,))
    assert progress == [(1, 2), (2, 2)]
    rejected = report.results[1]
    assert "too long" in rejected.error and rejected.correct is False


def recompute(items: list[dict[str, Any]]) -> dict[str, Any]:
    """An independent recomputation of the headline figures from the items alone."""

    def share(flags: list[bool]) -> float | None:
        return round(sum(flags) / len(flags), 4) if flags else None

    def overlaps(doc: str, start: int, end: int, targets: list[tuple[str, int, int]]) -> bool:
        return any(d == doc and start < e and s < end for d, s, e in targets)

    cited, evidence_hits, retrieved_hits = [], [], []
    for i in items:
        gold = [(e["doc"], s, t) for e in i["evidence"] for s, t in e["spans"]]
        cites = [(c["source"], c["start"], c["end"]) for c in i["citations"]]
        fetched = [(p["source"], p["start"], p["end"]) for p in i["passages"]]
        if i["answers"] and gold and not i["refused"]:
            cited += [overlaps(*c, gold) for c in cites]
        if i["answers"]:
            for e in i["evidence"]:
                spans = [(e["doc"], s, t) for s, t in e["spans"]]
                evidence_hits += [any(overlaps(*c, spans) for c in cites)] if spans else []
                retrieved_hits += [any(overlaps(*p, spans) for p in fetched)] if spans else []
    refused = [i for i in items if i["refused"]]
    due = [i for i in items if not i["answers"]]
    precision = share([i["expected_refusal"] for i in refused])
    recall = share([i["refused"] for i in due])
    latencies = sorted(i["latency_ms"] for i in items)
    return {
        "answer_accuracy": share(
            [i["answer_correct"] for i in items if i["answer_correct"] is not None]
        ),
        "refusal_precision": precision,
        "refusal_recall": recall,
        "false_premise_accuracy": share(
            [i["false_premise_correct"] for i in items if i["false_premise_correct"] is not None]
        ),
        "citation_precision": share(cited),
        "evidence_recall": share(evidence_hits),
        "retrieval_recall_at_k": share(retrieved_hits),
        "p50": latencies[math.ceil(len(latencies) / 2) - 1],
        "f1_inputs": (precision, recall),
    }


def assert_reproducible(data: dict[str, Any]) -> None:
    def check(figures: dict[str, Any], items: list[dict[str, Any]]) -> None:
        again = recompute(items)
        for key in (
            "answer_accuracy", "refusal_precision", "refusal_recall", "false_premise_accuracy",
            "citation_precision", "evidence_recall", "retrieval_recall_at_k",
        ):  # fmt: skip
            assert figures[key] == pytest.approx(again[key], abs=1e-4), key
        assert figures["latency_ms"]["p50"] == pytest.approx(again["p50"], abs=0.01)
        p, r = again["f1_inputs"]
        if p is not None and r is not None and p + r:
            assert figures["refusal_f1"] == pytest.approx(2 * p * r / (p + r), abs=1e-3)

    check(data, data["items"])
    for name, figures in data["by_type"].items():
        check(figures, [i for i in data["items"] if i["type"] == name])


def test_every_figure_is_reproducible_from_items(fake_pipeline: Pipeline) -> None:
    items, _ = load_gold_set(DEV, CORPUS)
    data = run_eval(fake_pipeline, items, CORPUS).to_dict()
    assert data["n"] == 61
    assert_reproducible(data)


def test_hand_graded_figures_are_reproducible_from_items() -> None:
    assert_reproducible(EvalReport(tuple(hand_graded())).to_dict())


# ---------------------------------------------------------------- HTML and CSV reports


def hostile_report() -> EvalReport:
    evil = GoldItem(
        "<b>id</b>", "<script>alert('q')</script>", ("=HYPERLINK(1)",), (GAMMA,), "factoid"
    )
    got = answer('<img src=x onerror="alert(1)"> Gamma delta.', cite(1, "a.txt", 12, 24))
    dropped = ClaimCheck("<script>alert('claim')</script>", (2,), False, "cites nothing useful")
    got = replace(got, answered_by="generative", verification=(dropped,))
    return EvalReport((grade_item(evil, got, TEXTS, 3.0), *hand_graded()))


def test_html_report_escapes_everything_and_is_self_contained(tmp_path: Path) -> None:
    html_path, _ = write_report_files(hostile_report().to_dict(), tmp_path / "out")
    page = html_path.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;q&#39;)" in page
    assert "answered by generative" in page and "cites nothing useful" in page
    assert "dropped: “&lt;script&gt;alert(&#39;claim&#39;)&lt;/script&gt;” citing 2" in page
    assert "<img" not in page and "&lt;img src=x" in page and "<b>id" not in page
    assert "http://" not in page and "https://" not in page
    assert ' src="' not in page and ' href="' not in page
    assert page.count('<tr class="item') == 6
    assert 'data-failures="wrongly_refused evidence_missed"' in page  # item b
    assert "default-src 'none'" in page  # the page may load nothing from anywhere


def test_csv_has_one_row_per_item_and_disarms_formulas(tmp_path: Path) -> None:
    _, csv_path = write_report_files(hostile_report().to_dict(), tmp_path)
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6 and rows[0]["expected"] == "'=HYPERLINK(1)"
    assert rows[2]["refused"] == "True" and rows[2]["correct"] == "False"


def test_unwritable_report_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(QAError, match="Cannot write the report"):
        write_report_files(hostile_report().to_dict(), blocker / "sub")
