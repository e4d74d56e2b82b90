"""Hand-made passages for answerer unit tests."""

from __future__ import annotations

from collections.abc import Callable

from qa.answering.extractive import ScoredSentence, score_sentences
from qa.types import Passage


def make_passage(text: str, start: int = 100, chunk_id: str = "c1") -> Passage:
    """A background passage of 'cable.md' whose text starts at `start` in its source."""
    return Passage(
        chunk_id,
        "cable.md",
        "Cable",
        "",
        "",
        "background",
        0.5,
        "",
        text,
        start,
        start + len(text),
        0.0,
    )


def find_in(*texts: str) -> Callable[[str], list[ScoredSentence]]:
    """Sentences of these texts (one passage each) for a query, scored with a flat dense
    similarity and IDF: what computed answers use to find the sentences about an event."""
    passages = [make_passage(t, 100 * i, f"c{i}") for i, t in enumerate(texts)]

    def find(query: str) -> list[ScoredSentence]:
        return score_sentences(query, passages, lambda p, s, e: 0.5, lambda t: 1.0)

    return find
