"""Hybrid retrieval: dense (Chroma) and lexical (BM25, qa/lexical.py) candidates fused by reciprocal
rank."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from qa.lexical import LexicalIndex
from qa.store import Generation, SentenceHit
from qa.types import Passage

# Vector entries are sentences; fetch enough of them to cover fetch_k passages.
SENTENCES_PER_PASSAGE = 3


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
    fetch_k: int = 40
    rrf_k: int = 60
    authority_weight: float = 1.0
    lexical_weight: float = 1.0
    _lexical: LexicalIndex | None = PrivateAttr(default=None)

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            self._lexical = self.store.lexical_index()
        return self._lexical

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        """The k best fused passages (`k` given to invoke: that many instead)."""
        vector = self.store.model.embeddings.embed_query(query)
        hits = self.store.search(vector, self.fetch_k * SENTENCES_PER_PASSAGE)
        passages = self.lexical.by_id
        documents = fuse(
            rank_passages(hits, passages),
            self.lexical.search(query, self.fetch_k),
            k or self.k,
            self.rrf_k,
            self.authority_weight,
            self.lexical_weight,
        )
        similarities = self.store.sentence_similarities(
            vector, [passages[d.id] for d in documents if d.id]
        )
        for doc in documents:
            doc.metadata["lead"] = self.lexical.lead(str(doc.id))
            doc.metadata["sentence_dense"] = {
                (start, end): score
                for (chunk_id, start, end), score in similarities.items()
                if chunk_id == doc.id
            }
        return documents


def rank_passages(hits: list[SentenceHit], passages: Mapping[str, Passage]) -> list[Passage]:
    """Passages ranked by their best sentence's similarity."""
    best: dict[str, Passage] = {}
    for hit in hits:  # hits come best first, so the first hit of a passage is its best
        if hit.chunk_id not in best:
            best[hit.chunk_id] = replace(passages[hit.chunk_id], score=hit.score)
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
    # The best fused passage and each retriever's first, then the best fused others: a leader that
    # must come in takes the place of the last fused passage that is not itself a leader.
    leaders = [ranking[0].chunk_id for ranking in (dense, lexical) if ranking]
    kept = list(dict.fromkeys(order[:1] + leaders))[:k]
    chosen = kept + [cid for cid in order if cid not in kept][: k - len(kept)]
    # Passages of files sources.toml does not describe come after every described one.
    best = sorted(chosen, key=lambda cid: (not by_id[cid].listed, order.index(cid)))
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
