"""The feedback store: durable rows, ratings and notes, problems first, gold-set stubs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import IntegrityError

from qa.cli import main
from qa.config import Settings
from qa.feedback import (
    MAX_NOTE_CHARS,
    FeedbackError,
    FeedbackStore,
    gold_stub,
    open_feedback_store,
    write_gold_stubs,
)
from qa.goldset import load_gold_set
from qa.types import Answer, Citation, Turn
from tests.conftest import CORPUS
from tests.servers import free_port

QUOTE = "The Secretary agreed to review the case"
CITATION = Citation(1, "article.txt", "France pressed U.S.", "", "article.txt#c1", 10, 49, QUOTE)
ANSWERED = Answer("What did Clinton do?", f"{QUOTE} [1]", False, (CITATION,))
REFUSED = Answer("What is the capital of Peru?", "The sources don't say.", True)


def test_rows_survive_a_new_store_on_the_same_file(settings: Settings) -> None:
    first = open_feedback_store(settings)
    entry_id = first.save_answer(ANSWERED, rating="up")
    again = open_feedback_store(settings).read_entries()
    assert first.url == f"sqlite:///{settings.resolve_home() / 'feedback.sqlite3'}"
    assert [(e.id, e.question, e.rating, e.refused) for e in again] == [
        (entry_id, ANSWERED.question, "up", False)
    ]
    assert again[0].citations[0]["quote"] == QUOTE
    assert again[0].created_at.endswith("+00:00")


def test_rating_is_updated_in_place_and_note_is_trimmed(tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    entry_id = store.save_answer(ANSWERED, rating="up")
    store.save_rating(entry_id, "down")
    store.save_note(entry_id, "  " + "x" * (MAX_NOTE_CHARS + 50) + "  ")
    (entry,) = store.read_entries()
    assert entry.rating == "down"
    assert entry.note == "x" * MAX_NOTE_CHARS


def test_problems_are_refusals_and_thumbs_down_newest_first(tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    store.save_answer(ANSWERED, rating="up")
    refused = store.save_answer(REFUSED)
    disliked = store.save_answer(ANSWERED, rating="down")
    assert [e.id for e in store.read_entries(problems_only=True)] == [disliked, refused]
    assert len(store.read_entries(limit=1)) == 1


def test_one_row_is_read_by_id(tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    entry_id = store.save_answer(REFUSED, history=[Turn("Who met Clinton?", "Kouchner")])
    entry = store.read_entry(entry_id)
    assert entry is not None and entry.question == REFUSED.question
    assert entry.turns == (Turn("Who met Clinton?", "Kouchner"),)
    assert entry.gold_id == f"reader-{entry_id:05d}" and store.read_entry(entry_id + 1) is None


def test_rating_outside_up_down_is_rejected_by_the_schema(tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    entry_id = store.save_answer(ANSWERED)
    with pytest.raises(IntegrityError):
        store.save_rating(entry_id, "meh")  # type: ignore[arg-type]
    assert store.read_entries()[0].rating is None


def test_gold_stub_offers_citations_as_evidence_and_keeps_history(tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    store.save_answer(ANSWERED, history=[Turn("Who met Clinton?", "Kouchner")], rating="down")
    stub = gold_stub(store.read_entries()[0])
    assert stub["evidence"] == [{"doc": "article.txt", "quote": QUOTE}]
    assert stub["type"] == "follow_up"
    assert stub["history"] == [{"question": "Who met Clinton?", "answer": "Kouchner"}]
    assert stub["answers"] == [] and stub["status"] == "todo"
    assert stub["reader"]["rating"] == "down"


def test_export_writes_stubs_the_gold_loader_accepts(settings: Settings, tmp_path: Path) -> None:
    store = open_feedback_store(settings)
    store.save_answer(ANSWERED, rating="up")
    store.save_answer(REFUSED)
    out = tmp_path / "stubs.jsonl"
    result = CliRunner().invoke(main, ["feedback", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["question"] for line in lines] == [ANSWERED.question, REFUSED.question]
    assert lines[1]["type"] == "unanswerable"
    items, _ = load_gold_set(out, CORPUS)
    assert [i.id for i in items] == ["reader-00001", "reader-00002"]


def test_export_to_stdout_with_no_feedback_prints_nothing() -> None:
    result = CliRunner().invoke(main, ["feedback", "export"])
    assert result.exit_code == 0
    assert result.stdout == ""


def test_write_gold_stubs_orders_oldest_first(tmp_path: Path) -> None:
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    store.save_answer(REFUSED)
    store.save_answer(ANSWERED, rating="up")
    buffer = io.StringIO()
    assert write_gold_stubs(store.read_entries(), buffer) == 2
    ids = [json.loads(line)["id"] for line in buffer.getvalue().splitlines()]
    assert ids == ["reader-00001", "reader-00002"]


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "nosuchdb://somewhere/x",
        f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/feedback",  # nothing listens
    ],
)
def test_an_unusable_database_is_a_feedback_error(url: str) -> None:
    store = FeedbackStore(url)
    with pytest.raises(FeedbackError, match="Feedback cannot be saved") as caught:
        store.save_answer(REFUSED)
    assert "QA_FEEDBACK_URL" in caught.value.hint
    with pytest.raises(FeedbackError):
        store.read_entries()
