"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank."""

from __future__ import annotations

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
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from qa.store import Generation, SentenceHit
from qa.text import tokens
from qa.types import Passage

logger = logging.getLogger(__name__)

# Vector entries are sentences; fetch enough of them to cover fetch_k passages.
SENTENCES_PER_PASSAGE = 3
PASSAGES_FILE = "passages.json"


class LexicalIndex:
    """BM25+ over every stored passage (section heading + text), built once per generation.

    bm25s keeps the scores as a sparse matrix, so a search costs numpy work over the passages
    holding a query term, not a Python loop over every passage (37 ms a question at 10k passages
    with rank_bm25: bench/RESULTS.md). BM25+ rather than Okapi: its IDF, log((N + 1) / df), stays
    positive in tiny collections, where Okapi's goes to zero.
    """

    def __init__(self, passages: list[Passage], bm25: Any) -> None:
        self.passages = passages
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
            written.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """An index save() wrote; raises OSError or ValueError when it is missing or damaged."""
        import bm25s

        records = json.loads((folder / PASSAGES_FILE).read_text(encoding="utf-8"))
        bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        passages = [Passage(**record) for record in records]
        if bm25.scores["num_docs"] != len(passages):
            raise ValueError(f"{folder} holds {len(passages)} passages for another index")
        return cls(passages, bm25)

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


class HybridRetriever(BaseRetriever):
    """A LangChain retriever: each candidate list is ranked, ranks are fused (RRF).

    Document metadata carries the passage fields plus `dense` (its best sentence's cosine similarity,
    0 when not among the dense candidates), `fused` and `sentence_dense` (the similarity of each of
    its quotable spans to the query, by (start, end) offsets), so the answerer can judge support
    sentence by sentence.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Generation
    k: int = 5
    fetch_k: int = 20
    rrf_k: int = 60
    authority_weight: float = 1.0
    lexical_weight: float = 1.0
    _lexical: LexicalIndex | None = PrivateAttr(default=None)

    lexical_cache: Path | None = None  # where lexical indexes are kept between starts

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            self._lexical = open_lexical_index(self.store, self.lexical_cache)
        return self._lexical

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        vector = self.store.model.embeddings.embed_query(query)
        hits = self.store.search(vector, self.fetch_k * SENTENCES_PER_PASSAGE)
        lexical = self.lexical.search(query, self.fetch_k)
        documents = fuse(
            rank_passages(hits),
            lexical,
            self.k,
            self.rrf_k,
            self.authority_weight,
            self.lexical_weight,
        )
        similarities = self.store.sentence_similarities(vector, [d.id for d in documents if d.id])
        for doc in documents:
            doc.metadata["sentence_dense"] = {
                (start, end): score
                for (chunk_id, start, end), score in similarities.items()
                if chunk_id == doc.id
            }
        return documents


def open_lexical_index(store: Generation, cache: Path | None) -> LexicalIndex:
    """The generation's lexical index: from the cache when it holds one, else built from the
    passages in the store and kept there.

    A published generation never changes, so an index is cached under its collection's id for good.
    Reading every passage from Chroma was most of a server's start at 10k passages (1.2 s of the
    reading, 1.0 s of the building; bench/scale.py), and both grow with the archive.
    """
    if cache is None:
        return LexicalIndex.build(store.all_passages())
    folder = cache / store.uid
    try:
        return LexicalIndex.load(folder)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("rebuilding the damaged lexical index in %s: %s", folder, exc)
        shutil.rmtree(folder, ignore_errors=True)
    index = LexicalIndex.build(store.all_passages())
    try:
        for old in cache.glob("*"):  # indexes of generations since replaced
            shutil.rmtree(old, ignore_errors=True)
        index.save(folder)
    except OSError as exc:
        logger.warning("could not keep the lexical index in %s: %s", folder, exc)
    return index


def rank_passages(hits: list[SentenceHit]) -> list[Passage]:
    """Passages ranked by their best sentence's similarity."""
    best: dict[str, Passage] = {}
    for hit in hits:  # hits come best first, so the first hit of a passage is its best
        best.setdefault(hit.passage.chunk_id, replace(hit.passage, score=hit.score))
    return list(best.values())


def fuse(
    dense: list[Passage],
    lexical: list[Passage],
    k: int,
    rrf_k: int,
    authority_weight: float = 1.0,
    lexical_weight: float = 1.0,
) -> list[Document]:
    """Reciprocal rank fusion, scaled up by source authority (the article is the primary source),
    keeping each retriever's first passage among the k.

    The background dossiers restate much of the article; scaling by (1 + w * authority) keeps the
    article's own passage ahead of a dossier's restatement of it. A passage first in one ranking
    and missing from the other (a photo caption only BM25 finds, a paraphrase only the dense model
    sees) gets about half the fused score of passages both rankings hold, so it would fall out of
    the k; it takes the last place instead.
    """
    fused: dict[str, float] = {}
    by_id: dict[str, Passage] = {}
    for ranking, weight in ((dense, 1.0), (lexical, lexical_weight)):
        for rank, passage in enumerate(ranking):
            fused[passage.chunk_id] = fused.get(passage.chunk_id, 0.0) + weight / (rrf_k + rank + 1)
            by_id.setdefault(passage.chunk_id, passage)
    similarity = {p.chunk_id: p.score for p in dense}
    for chunk_id, passage in by_id.items():
        fused[chunk_id] *= 1.0 + authority_weight * passage.authority
    order = sorted(fused, key=lambda cid: -fused[cid])
    leaders = [ranking[0].chunk_id for ranking in (dense, lexical) if ranking]
    missing = [cid for cid in dict.fromkeys(leaders) if cid not in order[:k]]
    kept = max(1, k - len(missing))
    # Passages of files sources.toml does not describe come after every described one.
    best = sorted(
        order[:kept] + missing[: k - kept],
        key=lambda cid: (not by_id[cid].listed, order.index(cid)),
    )
    return [_document(by_id[cid], similarity.get(cid, 0.0), fused[cid]) for cid in best]


def _document(passage: Passage, dense: float, fused: float) -> Document:
    metadata: dict[str, Any] = asdict(passage)
    text = metadata.pop("text")
    metadata.update(score=fused, dense=dense, fused=fused)
    return Document(page_content=text, metadata=metadata, id=passage.chunk_id)


def to_passage(document: Document) -> Passage:
    """The Passage a retrieved Document stands for (score: its fused retrieval score)."""
    fields = {
        name: document.metadata[name] for name in Passage.__dataclass_fields__ if name != "text"
    }
    return Passage(text=document.page_content, **fields)


def sentence_similarity(documents: list[Document]) -> Callable[[Passage, int, int], float]:
    """Look up a retrieved span's similarity to the query (0 for one not in the index)."""
    scores = {
        (d.id, start, end): score
        for d in documents
        for (start, end), score in d.metadata["sentence_dense"].items()
    }
    return lambda passage, start, end: scores.get((passage.chunk_id, start, end), 0.0)
