"""Hand-made passages for answerer unit tests."""

from __future__ import annotations

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
