"""Frozen value objects shared by every stage of the pipeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SourceKind = Literal["article", "background"]


@dataclass(frozen=True)
class Source:
    """One ingested file: its text as ingested, metadata, and the ranges that hold real content.

    For .txt and .md files `text` is the file read as UTF-8, so offsets into it are offsets into the
    file. `segments` are the (start, end) ranges worth indexing: page chrome, bare link lists and
    headings are left out of them but kept in `text` so offsets stay true.
    """

    id: str  # path relative to the corpus folder, e.g. "article.txt"
    title: str
    text: str
    segments: tuple[tuple[int, int, str], ...]  # (start, end, section heading)
    content_hash: str
    url: str = ""
    date: str = ""
    kind: SourceKind = "background"
    authority: float = 0.5
    listed: bool = True  # in the corpus folder's sources.toml


@dataclass(frozen=True)
class Chunk:
    """A passage of a source: a few whole sentences, with offsets into the source text."""

    id: str
    source_id: str
    text: str
    start: int
    end: int
    section: str = ""


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the source metadata a reader needs and its retrieval score."""

    chunk_id: str
    source: str
    title: str
    url: str
    date: str
    kind: str
    authority: float
    section: str
    text: str
    start: int
    end: int
    score: float
    listed: bool = True  # its source is described in sources.toml
    # The text before it in its source's section (the previous passage's), for the answerer to
    # read what "It signed …" or "On 12 August …" at its start stands on; a reader is not shown it.
    lead: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The passage as front ends receive it: without its lead."""
        data = asdict(self)
        del data["lead"]
        return data


@dataclass(frozen=True)
class Citation:
    """The exact span of a source that supports a sentence of the answer."""

    n: int
    source: str
    title: str
    url: str
    chunk_id: str
    start: int
    end: int
    quote: str
    kind: str = "background"
    date: str = ""


@dataclass(frozen=True)
class ClaimCheck:
    """How one claim of a generated answer fared: the ids of the candidate sentences the model
    cited, whether the sentences given bear it out (kept), the ids the answer cites for it, and
    why it was dropped or cited otherwise than the model said."""

    claim: str
    sentences: tuple[int, ...]
    supported: bool
    reason: str = ""
    cited: tuple[int, ...] = ()


@dataclass(frozen=True)
class Turn:
    """A prior exchange in the same conversation."""

    question: str
    answer: str


@dataclass(frozen=True)
class Answer:
    """What every front end renders. `passages` are the retrieved passages, best first."""

    question: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    answered_by: str = "extractive"  # "computed" or "generative": which answerer's text this is
    verification: tuple[ClaimCheck, ...] = ()  # generative mode: each claim the model made
    read_as: str | None = None  # the question with misspelt words corrected (qa/spelling.py)

    def to_dict(self, *, passages: bool = True) -> dict[str, Any]:
        """The JSON contract of `qa ask --json` and `POST /api/ask` (which leave passages out)."""
        data: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [asdict(c) for c in self.citations],
            "answered_by": self.answered_by,
            "read_as": self.read_as,
            "verification": [asdict(c) for c in self.verification],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
        if passages:
            data["passages"] = [p.to_dict() for p in self.passages]
        return data
