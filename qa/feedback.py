"""Reader feedback: thumbs up/down with a note, and every refused question, in a SQL database.

Rows become gold-set stubs (`qa feedback export`) so the questions readers really ask turn into
tests. The database is a SQLAlchemy URL (QA_FEEDBACK_URL): a SQLite file under QA_HOME by default,
PostgreSQL when several replicas serve readers, so editors see every replica's ratings in one
place. The engine's connection pool is shared by Gradio's worker threads; each call checks out a
connection and returns it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Literal, TextIO

from sqlalchemy import (
    CheckConstraint,
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from qa.config import Settings
from qa.errors import QAError
from qa.types import Answer, Turn

logger = logging.getLogger(__name__)
Rating = Literal["up", "down"]
DATABASE = "feedback.sqlite3"
MAX_NOTE_CHARS = 2000

_METADATA = MetaData()
# The same columns the SQLite-only store created, so its existing files keep working.
FEEDBACK = Table(
    "feedback",
    _METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False),  # JSON list of Citation dicts
    Column("history", Text, nullable=False, server_default="[]"),  # prior {question, answer}
    Column("refused", Integer, nullable=False),
    Column("rating", Text),  # NULL: a logged refusal, not rated
    Column("note", Text, nullable=False, server_default=""),
    CheckConstraint("rating IN ('up', 'down')", name="feedback_rating"),
)


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

    @property
    def turns(self) -> tuple[Turn, ...]:
        """The reader's conversation before this question."""
        return tuple(Turn(t.get("question", ""), t.get("answer", "")) for t in self.history)

    @property
    def gold_id(self) -> str:
        """The id its gold item gets, in a stub or from the editors' form."""
        return f"reader-{self.id:05d}"

    @property
    def suggested_type(self) -> str:
        """The gold item's type until an editor says otherwise."""
        return "follow_up" if self.history else "unanswerable" if self.refused else "factoid"


class FeedbackError(QAError):
    """The feedback database cannot be reached or used."""


@contextmanager
def _database() -> Iterator[None]:
    """A database failure as a FeedbackError; a row the schema rejects stays an IntegrityError."""
    try:
        yield
    except IntegrityError:
        raise
    except SQLAlchemyError as exc:
        raise FeedbackError(
            "Feedback cannot be saved or read right now.",
            "Check QA_FEEDBACK_URL and that its database is up.",
        ) from exc


class FeedbackStore:
    """The feedback table in the database at `url`, created on first use. Every method raises
    FeedbackError when the database is unreachable or the URL unusable."""

    def __init__(self, url: str) -> None:
        self.url = url

    @cached_property
    def engine(self) -> Engine:
        with _database():
            engine = create_engine(self.url, pool_pre_ping=True)
            _METADATA.create_all(engine)  # checks first: an existing table is left as it is
        return engine

    def save_answer(
        self, answer: Answer, history: Sequence[Turn] = (), rating: Rating | None = None
    ) -> int:
        """Insert a row for an answer (rated, or a refusal logged unrated); returns its id."""
        row = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "question": answer.question,
            "answer": answer.answer,
            "citations": json.dumps([asdict(c) for c in answer.citations], ensure_ascii=False),
            "history": json.dumps([asdict(t) for t in history], ensure_ascii=False),
            "refused": int(answer.refused),
            "rating": rating,
        }
        with _database(), self.engine.begin() as conn:
            inserted = conn.execute(insert(FEEDBACK).values(row).returning(FEEDBACK.c.id))
            return int(inserted.scalar_one())

    def save_rating(self, entry_id: int, rating: Rating | None) -> None:
        """Set or clear (None) the rating of a row."""
        with _database(), self.engine.begin() as conn:
            conn.execute(update(FEEDBACK).where(FEEDBACK.c.id == entry_id).values(rating=rating))

    def save_note(self, entry_id: int, note: str) -> None:
        """Attach the reader's note to a row, trimmed to a sane length."""
        trimmed = note.strip()[:MAX_NOTE_CHARS]
        with _database(), self.engine.begin() as conn:
            conn.execute(update(FEEDBACK).where(FEEDBACK.c.id == entry_id).values(note=trimmed))

    def read_entries(
        self, problems_only: bool = False, limit: int | None = None
    ) -> list[FeedbackEntry]:
        """Rows newest first; problems are refusals and thumbs-down answers."""
        query = select(FEEDBACK).order_by(FEEDBACK.c.id.desc()).limit(limit)
        if problems_only:
            query = query.where(or_(FEEDBACK.c.refused == 1, FEEDBACK.c.rating == "down"))
        with _database(), self.engine.connect() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def read_entry(self, entry_id: int) -> FeedbackEntry | None:
        """One row by id, or None."""
        query = select(FEEDBACK).where(FEEDBACK.c.id == entry_id)
        with _database(), self.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        return _entry(row) if row else None


def log_refusal(store: FeedbackStore, answer: Answer, history: Sequence[Turn] = ()) -> int | None:
    """Keep a refused question for editors (its row id). With the database down the reader
    still gets the answer: the row is lost, with a warning."""
    try:
        return store.save_answer(answer, history)
    except FeedbackError as exc:
        logger.warning("refused question not logged: %s", exc.__cause__)
        return None


def open_feedback_store(settings: Settings) -> FeedbackStore:
    """QA_FEEDBACK_URL's database, or the SQLite file in QA_HOME (created with its folder)."""
    if settings.feedback_url:
        return FeedbackStore(settings.feedback_url)
    home = settings.resolve_home()
    home.mkdir(parents=True, exist_ok=True)
    return FeedbackStore(f"sqlite:///{home / DATABASE}")


def gold_stub(entry: FeedbackEntry) -> dict[str, Any]:
    """A gold-set line for an editor to complete: the reader's question, what the bot did.

    `answers` is left empty for the editor to fill (empty means "should decline", so a refusal
    the editor agrees with needs no change). The bot's citations are offered as candidate
    evidence; `status: "todo"` marks the line as not yet reviewed.
    """
    stub: dict[str, Any] = {
        "id": entry.gold_id,
        "question": entry.question,
        "answers": [],
        "evidence": [{"doc": c["source"], "quote": c["quote"]} for c in entry.citations],
        "type": entry.suggested_type,
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


def _entry(row: Row[Any]) -> FeedbackEntry:
    return FeedbackEntry(
        id=row.id,
        created_at=row.created_at,
        question=row.question,
        answer=row.answer,
        citations=json.loads(row.citations),
        history=json.loads(row.history),
        refused=bool(row.refused),
        rating=row.rating,
        note=row.note,
    )
