"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr
from rank_bm25 import BM25Okapi

from qa.store import ChunkStore
from qa.text import tokens
from qa.types import Passage


class LexicalIndex:
    """BM25 over every stored passage (section heading + text), built once per process."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.bm25 = BM25Okapi([tokens(f"{p.section} {p.text}") or ["_"] for p in passages])

    def idf(self, token: str) -> float:
        """Inverse document frequency; unseen tokens count like the rarest seen ones."""
        return float(self.bm25.idf.get(token, max(self.bm25.idf.values(), default=1.0)))

    def search(self, query: str, k: int) -> list[Passage]:
        scores = self.bm25.get_scores(tokens(query))
        best = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        return [replace(self.passages[i], score=float(scores[i])) for i in best if scores[i] > 0]


class HybridRetriever(BaseRetriever):
    """A LangChain retriever: each candidate list is ranked, ranks are fused (RRF).

    Document metadata carries the passage fields plus `dense` (cosine similarity, 0 when the passage
    was not among the dense candidates) and `fused`, so the answerer can judge support.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: ChunkStore
    k: int = 5
    fetch_k: int = 20
    rrf_k: int = 60
    _lexical: LexicalIndex | None = PrivateAttr(default=None)

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            self._lexical = LexicalIndex(self.store.all_passages())
        return self._lexical

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        vector = self.store.model.embeddings.embed_query(query)
        dense = self.store.search(vector, self.fetch_k)
        lexical = self.lexical.search(query, self.fetch_k)
        return fuse(dense, lexical, self.k, self.rrf_k)


def fuse(dense: list[Passage], lexical: list[Passage], k: int, rrf_k: int) -> list[Document]:
    """Reciprocal rank fusion; source authority breaks near-ties in favour of the article."""
    fused: dict[str, float] = {}
    by_id: dict[str, Passage] = {}
    for ranking in (dense, lexical):
        for rank, passage in enumerate(ranking):
            fused[passage.chunk_id] = fused.get(passage.chunk_id, 0.0) + 1.0 / (rrf_k + rank + 1)
            by_id.setdefault(passage.chunk_id, passage)
    similarity = {p.chunk_id: p.score for p in dense}
    for chunk_id, passage in by_id.items():
        fused[chunk_id] += 1e-4 * passage.authority
    best = sorted(fused, key=lambda cid: -fused[cid])[:k]
    return [_document(by_id[cid], similarity.get(cid, 0.0), fused[cid]) for cid in best]


def _document(passage: Passage, dense: float, fused: float) -> Document:
    metadata: dict[str, Any] = asdict(passage)
    text = metadata.pop("text")
    metadata.update(score=fused, dense=dense, fused=fused)
    return Document(page_content=text, metadata=metadata, id=passage.chunk_id)


def to_passage(document: Document) -> Passage:
    """The Passage a retrieved Document stands for (score: its fused retrieval score)."""
    fields = {name: document.metadata[name] for name in Passage.__dataclass_fields__ if name != "text"}
    return Passage(text=document.page_content, **fields)
