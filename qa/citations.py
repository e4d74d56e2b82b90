"""Pure citation helpers: how cited sentences become answer text."""

from __future__ import annotations

from collections.abc import Sequence

from qa.types import Citation


def cited_pieces(citations: Sequence[Citation]) -> list[str]:
    """The answer text piece by piece: each quoted sentence followed by its marker [n]."""
    return [("" if i == 0 else " ") + f"{c.quote} [{c.n}]" for i, c in enumerate(citations)]
