"""Pure citation helpers: how cited sentences become answer text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.types import Citation, Passage

_PIECE = re.compile(r".*?\[\d+\]|.+", re.S)


def answer_pieces(text: str) -> list[str]:
    """An answer's text cut after each citation marker, for streaming; the pieces join back to it."""
    return _PIECE.findall(text)


def cited_pieces(citations: Sequence[Citation]) -> list[str]:
    """The answer text piece by piece: each quoted sentence followed by its marker [n]."""
    return [("" if i == 0 else " ") + f"{c.quote} [{c.n}]" for i, c in enumerate(citations)]


def span_citation(n: int, passage: Passage, start: int, end: int) -> Citation:
    """Citation number n of the span [start, end) of a passage (offsets into the passage text)."""
    return Citation(
        n=n,
        source=passage.source,
        title=passage.title,
        url=passage.url,
        chunk_id=passage.chunk_id,
        start=passage.start + start,
        end=passage.start + end,
        quote=passage.text[start:end],
        kind=passage.kind,
        date=passage.date,
    )
