"""Lexical retrieval: BM25+ over every passage of a generation, kept on disk between starts."""

from __future__ import annotations

import itertools
import json
import logging
import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from qa.text import TOKENS_VERSION, tokens
from qa.types import Passage

logger = logging.getLogger(__name__)

PASSAGES_FILE = "passages.json"
TOKENS_FILE = "tokens.json"  # which version of qa.text.tokens the index was built with


class LexicalIndex:
    """BM25+ over every stored passage (section heading + text), built once per generation.

    bm25s keeps the scores as a sparse matrix, so a search costs numpy work over the passages
    holding a query term, not a Python loop over every passage (37 ms a question at 10k passages
    with rank_bm25: bench/RESULTS.md). BM25+ rather than Okapi: its IDF, log((N + 1) / df), stays
    positive in tiny collections, where Okapi's goes to zero.
    """

    def __init__(self, passages: list[Passage], bm25: Any) -> None:
        self.passages = passages
        self.by_id = {p.chunk_id: p for p in passages}  # every passage of the generation
        self.bm25 = bm25
        # Document frequencies are the lengths of the matrix's per-term lists of passages (bm25s
        # adds an empty token to the vocabulary, past the matrix's terms).
        frequencies = np.diff(bm25.scores["indptr"])
        self._idf = {
            t: math.log((len(passages) + 1) / int(frequencies[i]))
            for t, i in bm25.vocab_dict.items()
            if i < len(frequencies) and frequencies[i]
        }
        self._rarest = max(self._idf.values(), default=1.0)
        # Each passage's predecessor in its source's section, for lead().
        self._previous: dict[str, Passage] = {}
        ordered = sorted(passages, key=lambda p: (p.source, p.start))
        for previous, passage in itertools.pairwise(ordered):
            if (previous.source, previous.section) == (passage.source, passage.section):
                self._previous[passage.chunk_id] = previous

    @classmethod
    def build(cls, passages: list[Passage]) -> LexicalIndex:
        import bm25s

        documents = [tokens(f"{p.section} {p.text}") or ["_"] for p in passages]
        bm25 = bm25s.BM25(method="bm25+", k1=1.5, b=0.75, delta=1.0)
        bm25.index(documents, show_progress=False)
        return cls(passages, bm25)

    def save(self, folder: Path) -> None:
        """Write the index to a new folder, whole or not at all (renamed into place when done)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=folder.parent) as scratch:
            written = Path(scratch) / "index"
            self.bm25.save(str(written), show_progress=False)
            passages = json.dumps([asdict(p) for p in self.passages])
            (written / PASSAGES_FILE).write_text(passages, encoding="utf-8")
            (written / TOKENS_FILE).write_text(json.dumps({"version": TOKENS_VERSION}))
            written.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """An index save() wrote; raises OSError or ValueError when it is missing or damaged, and
        ValueError when it was built with other tokens than today's."""
        import bm25s

        records = json.loads((folder / PASSAGES_FILE).read_text(encoding="utf-8"))
        made = folder / TOKENS_FILE
        version = json.loads(made.read_text())["version"] if made.exists() else 1
        if version != TOKENS_VERSION:
            raise ValueError(f"{folder} was built with tokens of version {version}")
        bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        passages = [Passage(**record) for record in records]
        if bm25.scores["num_docs"] != len(passages):
            raise ValueError(f"{folder} holds {len(passages)} passages for another index")
        return cls(passages, bm25)

    def lead(self, chunk_id: str) -> str:
        """The text before a passage in its source's section, "" at the section's start."""
        previous = self._previous.get(chunk_id)
        passage = self.by_id.get(chunk_id)
        if previous is None or passage is None:
            return ""
        return previous.text[: passage.start - previous.start]

    def idf(self, token: str) -> float:
        """Inverse document frequency; unseen tokens count like the rarest seen ones."""
        return self._idf.get(token, self._rarest)

    def search(self, query: str, k: int) -> list[Passage]:
        """The k best passages sharing a term with the query (ties in passage order)."""
        terms = [t for t in tokens(query) if t in self._idf]
        if not terms:
            return []
        scores = self.bm25.get_scores(terms)
        # BM25+ gives every passage a floor score: keep only those holding a query term, the
        # passages its sparse matrix lists under the terms' ids.
        matrix = self.bm25.scores
        ids = [self.bm25.vocab_dict[t] for t in terms]
        holders = [matrix["indices"][matrix["indptr"][i] : matrix["indptr"][i + 1]] for i in ids]
        matching = np.unique(np.concatenate(holders))
        best = matching[np.argsort(-scores[matching], kind="stable")[:k]]
        return [replace(self.passages[i], score=float(scores[i])) for i in best]


def open_lexical_index(
    base: str,
    number: int,
    uid: str,
    read_passages: Callable[[], list[Passage]],
    cache: Path | None,
) -> LexicalIndex:
    """The lexical index of generation `number` of the collection `base` (Chroma id uid): from
    the cache when it holds one, else built from read_passages() and kept there.

    A published generation never changes, so its index is kept under its id for good. Reading
    every passage back from Chroma and building was most of a server's start at 10k passages
    (1.2 s and 1.0 s; bench/scale.py), and both grow with the archive. Only older generations of
    the same collection are dropped: replicas sharing the folder may be a generation apart, and
    other collections may keep theirs there too.
    """
    if cache is None:
        return LexicalIndex.build(read_passages())
    folder = cache / f"{base}-g{number}.{uid}"
    try:
        return LexicalIndex.load(folder)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("rebuilding the lexical index in %s: %s", folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
    index = LexicalIndex.build(read_passages())
    try:
        drop_lexical_indexes(cache, base, before=number)
        index.save(folder)
    except OSError as exc:
        logger.warning("could not keep the lexical index in %s: %s", folder, exc)
    return index


def drop_lexical_indexes(cache: Path, base: str, before: int | None = None) -> None:
    """Remove the kept indexes of the collection's generations (those numbered below `before`)."""
    for folder in cache.glob("*"):
        number = _generation_of(folder.name, base)
        if number is not None and (before is None or number < before):
            shutil.rmtree(folder, ignore_errors=True)


def _generation_of(folder: str, base: str) -> int | None:
    """The generation number in a folder name open_lexical_index wrote for `base`, else None."""
    number = folder.removeprefix(f"{base}-g").partition(".")[0]
    return int(number) if folder.startswith(f"{base}-g") and number.isdigit() else None
