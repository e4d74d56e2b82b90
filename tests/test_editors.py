"""Editors' tools without a browser: chart geometry, comparing stored runs, and gold items added
from readers' questions (validated by the loader `qa eval` uses, nothing written on error)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qa.charts import BAR_WIDTH, pass_rate_bars, trend_chart
from qa.comparison import compare_runs, render_comparison
from qa.config import Settings
from qa.editors import (
    evidence_candidates,
    gold_file,
    gold_item_from_form,
    run_rows,
    trend_frame,
)
from qa.errors import ConfigError, QAError
from qa.feedback import FeedbackEntry
from qa.goldset import Evidence, GoldItem, GoldSetError, append_gold_item, load_gold_set
from qa.reports import HEADLINE_FIGURES
from qa.runs import DATA_FILE, RUN_FILE, StoredRun, find_run, list_runs, run_trend
from qa.types import Answer, Passage
from tests.conftest import CORPUS

QUOTE = "The Secretary agreed to review the case"  # in article.txt
SCRIPT = "<img src=x onerror=alert(1)>"


def item(id_: str, type_: str, correct: bool | None, answer: str = "an answer") -> dict[str, Any]:
    return {"id": id_, "type": type_, "correct": correct, "question": f"Q {id_}?",
            "answers": ["x"], "answer": answer, "refused": False, "citations": []}  # fmt: skip


# ---------------------------------------------------------------- charts


def test_one_bar_per_type_sized_by_its_pass_rate() -> None:
    items = [item("a", "factoid", True), item("b", "factoid", False), item("c", "date", True)]
    items.append(item("d", "out_of_scope", None))  # answered out-of-scope: graded by nothing
    chart = pass_rate_bars(items, ["factoid", "date", "out_of_scope"])
    assert [b.label for b in chart.bars] == ["factoid", "date", "out_of_scope"]
    assert [(b.passed, b.graded) for b in chart.bars] == [(1, 2), (1, 1), (0, 0)]
    assert [b.width for b in chart.bars] == [BAR_WIDTH / 2, BAR_WIDTH, 0.0]
    assert chart.bars[2].share is None  # shown as a dash, not as 0
    assert len({b.y for b in chart.bars}) == 3


def test_trend_has_a_column_per_run_and_no_point_for_a_missing_figure() -> None:
    full = {key: 0.5 for key, _ in HEADLINE_FIGURES}
    runs = [("r1", "12-01", full), ("r2", "12-02", {**full, "refusal_f1": None}), ("r3", "", full)]
    chart = trend_chart(runs, HEADLINE_FIGURES, unplotted=2)
    assert [r.id for r in chart.runs] == ["r1", "r2", "r3"] and chart.unplotted == 2
    assert len({r.x for r in chart.runs}) == 3
    assert [len(r.points) for r in chart.runs] == [6, 5, 6]
    refusal = next(line for line in chart.lines if line.series == "refusal_f1")
    assert len(refusal.path.split()) == 2  # joins the two runs that have the figure
    accuracy = [("answer_accuracy", "Answer accuracy")]
    higher = trend_chart(
        [("a", "", {"answer_accuracy": 1.0}), ("b", "", {"answer_accuracy": 0})], accuracy
    )
    top, bottom = (r.points[0].y for r in higher.runs)
    assert top < bottom  # SVG y grows downwards


# ---------------------------------------------------------------- stored runs and compare


def stored(home: Path, name: str, items: list[dict[str, Any]], **meta: Any) -> StoredRun:
    """A run folder as store_run leaves it (run.json and eval.json), written by hand."""
    folder = home / "reports" / name
    folder.mkdir(parents=True)
    figures = {"answer_accuracy": sum(bool(i["correct"]) for i in items) / len(items)}
    meta = {"time": "2026-12-01T10:00:00+00:00", "gold": "corpus/eval/dev.jsonl",
            "gold_sha256": "same", "mode": "extractive", "figures": figures, **meta}  # fmt: skip
    (folder / RUN_FILE).write_text(json.dumps(meta))
    (folder / DATA_FILE).write_text(json.dumps({**figures, "items": items}))
    return StoredRun(folder, meta)


def test_compare_lists_exactly_the_items_that_flipped(tmp_path: Path) -> None:
    before = [item("a", "factoid", True), item("b", "date", True), item("c", "factoid", False)]
    after = [item("a", "factoid", True), item("b", "date", False, "a wrong date"), before[2]]
    after.append(item("d", "factoid", True))  # added to the gold set since
    a = stored(tmp_path, "dev-1", before)
    b = stored(tmp_path, "dev-2", after)
    comparison = compare_runs(a, b)
    assert [f.after["id"] for f in comparison.flips] == ["b"]
    assert not comparison.flips[0].fixed and comparison.only_b == ("d",)
    assert comparison.same_gold
    accuracy = next(f for f in comparison.figures if f[0] == "Answer accuracy")
    assert accuracy[1:] == (2 / 3, 2 / 4)
    assert "b" in comparison.summary() and "pass → fail" in comparison.summary()
    html = render_comparison(comparison)
    assert html.count('<tr class="flip') == 1 and "a wrong date" in html


def test_compare_escapes_what_readers_and_sources_wrote(tmp_path: Path) -> None:
    a = stored(tmp_path, "dev-1", [item("a", "factoid", True)])
    b = stored(tmp_path, "dev-2", [item("a", "factoid", False, SCRIPT)], gold_sha256="other")
    html = render_comparison(compare_runs(a, b))
    assert "<img" not in html and "&lt;img src=x" in html
    assert "gold set differs" in html and "default-src 'none'" in html


def test_runs_without_items_cannot_be_compared_but_are_listed(tmp_path: Path) -> None:
    older = tmp_path / "reports" / "dev-20260101-000000"
    older.mkdir(parents=True)
    newer = stored(tmp_path, "dev-20261201-000000", [item("a", "factoid", True)])
    runs = list_runs(tmp_path)
    assert [r.id for r in runs] == [older.name, newer.id]
    with pytest.raises(QAError, match="older version"):
        compare_runs(runs[0], newer)
    rows = run_rows(runs)
    assert rows[0][0] == newer.id and "no stored metadata" in rows[1][3]
    trend = run_trend(runs)
    assert len(trend.runs) == 1 and trend.unplotted == 1
    assert list(trend_frame(runs)["run"]) == [newer.id]  # one row per figure it has


def test_runs_are_found_by_id_or_unique_prefix(tmp_path: Path) -> None:
    stored(tmp_path, "dev-20261201-1", [item("a", "factoid", True)])
    stored(tmp_path, "dev-20261202-1", [item("a", "factoid", True)])
    assert find_run(tmp_path, "dev-20261201").id == "dev-20261201-1"
    for ambiguous in ("dev-2026", "nothing"):
        with pytest.raises(QAError, match="qa eval --list"):
            find_run(tmp_path, ambiguous)


# ---------------------------------------------------------------- gold items from readers


def entry(**fields: Any) -> FeedbackEntry:
    base = {"id": 7, "created_at": "2026-12-01T10:00:00+00:00", "question": "Did Clinton agree?",
            "answer": "…", "citations": [], "history": [], "refused": True, "rating": None,
            "note": ""}  # fmt: skip
    return FeedbackEntry(**{**base, **fields})


def test_evidence_candidates_are_exact_sentences_of_the_retrieved_passages() -> None:
    text = (CORPUS / "article.txt").read_text(encoding="utf-8")
    start = text.index(QUOTE)
    end = text.index("\n", start)
    passage = Passage("c", "article.txt", "T", "", "", "article", 1.0, "", text[start:end],
                      start, end, 0.5)  # fmt: skip
    found = evidence_candidates(Answer(question="q", answer="", refused=True, passages=(passage,)))
    assert found and all(e.doc == "article.txt" and e.quote in text for e in found)
    assert found[0].quote.startswith(QUOTE)


def test_form_builds_the_item_and_refuses_an_answerable_type_without_answers() -> None:
    reader = entry(history=[{"question": "Who met Clinton?", "answer": "Kouchner."}])
    quotes = [Evidence("article.txt", "one"), Evidence("article.txt", "two")]
    built = gold_item_from_form(reader, " reader-00007 ", "agreed\n\n it agreed ", "factoid",
                                quotes, [1, 1, 5])  # fmt: skip
    assert built.id == "reader-00007" and built.answers == ("agreed", "it agreed")
    assert built.evidence == (quotes[1],) and built.history[0].question == "Who met Clinton?"
    assert reader.suggested_type == "follow_up" and entry().suggested_type == "unanswerable"
    with pytest.raises(ConfigError, match="expected answer"):
        gold_item_from_form(entry(), "r", "  ", "factoid", quotes, [])
    assert gold_item_from_form(entry(), "r", "", "unanswerable", quotes, []).answers == ()


def test_gold_files_are_plain_names_in_the_eval_folder(settings: Settings) -> None:
    assert gold_file(settings, "reader.jsonl") == settings.corpus / "eval" / "reader.jsonl"
    for bad in ("../sources.toml", "/etc/passwd.jsonl", "a/b.jsonl", "x.json", "", None):
        with pytest.raises(ConfigError):
            gold_file(settings, bad)


def new_item(id_: str = "reader-00007", **fields: Any) -> GoldItem:
    base = {"question": "Did Clinton agree to review the case?", "answers": ("yes", "agreed"),
            "evidence": (Evidence("article.txt", QUOTE),), "type": "factoid"}  # fmt: skip
    return GoldItem(id=id_, **{**base, **fields})


def test_appended_item_loads_with_the_gold_set(corpus_copy: Path) -> None:
    gold = corpus_copy / "eval" / "dev.jsonl"
    before = load_gold_set(gold, corpus_copy)[0]
    gold.write_bytes(gold.read_bytes().rstrip(b"\n"))  # a hand-edited file without a final newline
    assert append_gold_item(gold, new_item(), corpus_copy) == len(before) + 1
    items, warnings = load_gold_set(gold, corpus_copy)
    assert items[:-1] == before and items[-1] == new_item() and not warnings
    fresh = corpus_copy / "eval" / "reader.jsonl"
    assert append_gold_item(fresh, new_item(), corpus_copy) == 1
    assert json.loads(fresh.read_text(encoding="utf-8")) == {
        "id": "reader-00007", "question": new_item().question, "answers": ["yes", "agreed"],
        "evidence": [{"doc": "article.txt", "quote": QUOTE}], "type": "factoid",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (new_item("dev-001"), "duplicate id"),
        (new_item(evidence=(Evidence("article.txt", "never written"),)), "quote not found"),
        (new_item(evidence=(Evidence("nowhere.txt", QUOTE),)), "unknown document"),
        (new_item(type="unanswerable"), "no figure grades it"),
        (new_item(type="poem"), "unknown type"),
        (new_item(" "), "must not be blank"),
    ],
)
def test_a_bad_item_is_refused_and_nothing_is_written(
    corpus_copy: Path, bad: GoldItem, message: str
) -> None:
    gold = corpus_copy / "eval" / "dev.jsonl"
    content = gold.read_bytes()
    with pytest.raises(GoldSetError, match=message):
        append_gold_item(gold, bad, corpus_copy)
    assert gold.read_bytes() == content


def test_a_malformed_gold_file_is_not_appended_to(corpus_copy: Path) -> None:
    gold = corpus_copy / "eval" / "broken.jsonl"
    gold.write_text("{oops\n")
    with pytest.raises(GoldSetError, match="line 1"):
        append_gold_item(gold, new_item(), corpus_copy)
    assert gold.read_text() == "{oops\n"
