"""Reader feedback in SQLite: thumbs up/down with a note, and every refused question.

Rows become gold-set stubs (`qa feedback export`) so the questions readers really ask turn into
tests. One short-lived connection per call: Gradio runs handlers on worker threads, and SQLite
connections must not cross threads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TextIO

from qa.config import Settings
from qa.types import Answer, Turn

Rating = Literal["up", "down"]
DATABASE = "feedback.sqlite3"
MAX_NOTE_CHARS = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,          -- JSON list of Citation dicts
    history TEXT NOT NULL DEFAULT '[]', -- JSON list of prior {question, answer} turns
    refused INTEGER NOT NULL,
    rating TEXT CHECK (rating IN ('up', 'down')),  -- NULL: logged refusal, not rated
    note TEXT NOT NULL DEFAULT ''
)
"""


@dataclass(frozen=True)
class FeedbackEntry:
    id: int
    created_at: str
    question: str
    answer: str
    citations: list[dict[str, Any]]
    history: list[dict[str, str]]
    refused: bool
    rating: str | None
    note: str


class FeedbackStore:
    """The feedback table in `<home>/feedback.sqlite3`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path)) as conn, conn:
            conn.execute(_SCHEMA)
            yield conn

    def save_answer(
        self, answer: Answer, history: Sequence[Turn] = (), rating: Rating | None = None
    ) -> int:
        """Insert a row for an answer (rated, or a refusal logged unrated); returns its id."""
        with self._connect() as conn:
            cursor = conn.execute(
                "INSERT INTO feedback (created_at, question, answer, citations, history, refused,"
                " rating) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    answer.question,
                    answer.answer,
                    json.dumps([asdict(c) for c in answer.citations], ensure_ascii=False),
                    json.dumps([asdict(t) for t in history], ensure_ascii=False),
                    int(answer.refused),
                    rating,
                ),
            )
            return int(cursor.lastrowid or 0)

    def save_rating(self, entry_id: int, rating: Rating | None) -> None:
        """Set or clear (None) the rating of a row."""
        with self._connect() as conn:
            conn.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, entry_id))

    def save_note(self, entry_id: int, note: str) -> None:
        """Attach the reader's note to a row, trimmed to a sane length."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE feedback SET note = ? WHERE id = ?",
                (note.strip()[:MAX_NOTE_CHARS], entry_id),
            )

    def read_entries(
        self, problems_only: bool = False, limit: int | None = None
    ) -> list[FeedbackEntry]:
        """Rows newest first; problems are refusals and thumbs-down answers."""
        where = " WHERE refused = 1 OR rating = 'down'" if problems_only else ""
        query = f"SELECT * FROM feedback{where} ORDER BY id DESC LIMIT ?"
        with self._connect() as conn:
            rows = conn.execute(query, (-1 if limit is None else limit,)).fetchall()
        return [_entry(row) for row in rows]


def open_feedback_store(settings: Settings) -> FeedbackStore:
    return FeedbackStore(settings.resolve_home() / DATABASE)


def gold_stub(entry: FeedbackEntry) -> dict[str, Any]:
    """A gold-set line for an editor to complete: the reader's question, what the bot did.

    `answers` is left empty for the editor to fill (empty means "should decline", so a refusal
    the editor agrees with needs no change). The bot's citations are offered as candidate
    evidence; `status: "todo"` marks the line as not yet reviewed.
    """
    stub: dict[str, Any] = {
        "id": f"reader-{entry.id:05d}",
        "question": entry.question,
        "answers": [],
        "evidence": [{"doc": c["source"], "quote": c["quote"]} for c in entry.citations],
        "type": "follow_up" if entry.history else "unanswerable" if entry.refused else "factoid",
        "status": "todo",
        "reader": {
            "rating": entry.rating,
            "note": entry.note,
            "bot_answer": entry.answer,
            "refused": entry.refused,
            "created_at": entry.created_at,
        },
    }
    if entry.history:
        stub["history"] = entry.history
    return stub


def write_gold_stubs(entries: Sequence[FeedbackEntry], out: TextIO) -> int:
    """Write one JSON line per entry, oldest first; returns the count."""
    for entry in sorted(entries, key=lambda e: e.id):
        out.write(json.dumps(gold_stub(entry), ensure_ascii=False) + "\n")
    return len(entries)


def _entry(row: tuple[Any, ...]) -> FeedbackEntry:
    id_, created_at, question, answer, citations, history, refused, rating, note = row
    return FeedbackEntry(
        id=id_,
        created_at=created_at,
        question=question,
        answer=answer,
        citations=json.loads(citations),
        history=json.loads(history),
        refused=bool(refused),
        rating=rating,
        note=note,
    )
