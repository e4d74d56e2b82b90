"""The chunk store: the only module that imports chromadb and langchain_chroma.

Embedded PersistentClient under the data directory by default; a Chroma server when QA_CHROMA_URL is
set. The collection records the embedding model and dimension it was built with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from qa.chunking import quotable_spans
from qa.config import Settings
from qa.embeddings import EmbeddingModel
from qa.errors import ConfigError, IndexMismatchError, IndexNotBuiltError
from qa.types import Chunk, Passage, Source

REBUILD_HINT = "Rebuild the index with: qa ingest --rebuild"
# Bumped whenever what an entry holds or how sources are cut into passages changes; an index of
# another format must be rebuilt.
INDEX_FORMAT = 4


@dataclass(frozen=True)
class SourceState:
    """What the index holds of one source: its content hash and whether all its chunks landed."""

    content_hash: str
    complete: bool


def make_client(settings: Settings) -> Any:
    """A Chroma client for the settings: HTTP when a server URL is given, else on-disk."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise ConfigError(f"QA_CHROMA_URL={settings.chroma_url!r} is not a URL.")
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    path = settings.resolve_home() / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ChunkStore:
    """Chunks of sources in a Chroma collection, embedded with the recorded model."""

    def __init__(self, client: Any, collection: str, model: EmbeddingModel) -> None:
        self.model = model
        self.vectors = Chroma(
            collection_name=collection,
            embedding_function=model.embeddings,
            client=client,
            collection_metadata={
                "hnsw:space": "cosine",
                "embedding_model": model.name,
                "embedding_dimension": model.dimension,
                "index_format": INDEX_FORMAT,
            },
        )
        # Read-only handle for metadata and counts; queries go through langchain_chroma, which
        # holds the embedding function (a bare collection would fall back to Chroma's default).
        self._collection = client.get_collection(collection)
        self._check_model()

    def _check_model(self) -> None:
        recorded = self._collection.metadata or {}
        name, dim = recorded.get("embedding_model"), recorded.get("embedding_dimension")
        if (name, dim) != (self.model.name, self.model.dimension):
            raise IndexMismatchError(
                f"The index was built with {name} ({dim} dimensions), but the app uses "
                f"{self.model.name} ({self.model.dimension} dimensions).",
                REBUILD_HINT,
            )
        if recorded.get("index_format") != INDEX_FORMAT:
            raise IndexMismatchError(
                f"The index was built by another version of case-qa (format "
                f"{recorded.get('index_format', 1)}, this version reads {INDEX_FORMAT}).",
                REBUILD_HINT,
            )

    def is_empty(self) -> bool:
        """True when nothing is indexed; asks Chroma for a count, fetching no entries."""
        return int(self._collection.count()) == 0

    def count(self) -> int:
        """How many passages (chunks) the index holds (reads every entry's metadata)."""
        metadatas = self.vectors.get(include=["metadatas"])["metadatas"]
        return len({meta["chunk_id"] for meta in metadatas})

    def source_states(self) -> dict[str, SourceState]:
        """Per source id: the content hash its entries carry and whether none is missing."""
        metadatas = self.vectors.get(include=["metadatas"])["metadatas"]
        seen: dict[str, tuple[str, int, int]] = {}
        for meta in metadatas:
            source, digest = str(meta["source"]), str(meta["source_hash"])
            _, count, expected = seen.get(source, (digest, 0, int(meta["source_entries"])))
            seen[source] = (digest, count + 1, expected)
        return {
            source: SourceState(digest, complete=count == expected)
            for source, (digest, count, expected) in seen.items()
        }

    def add_sources(self, batch: Sequence[tuple[Source, Sequence[Chunk]]]) -> None:
        """Embed and store sources' chunks, one entry per sentence (older ones already removed)."""
        records = [r for source, chunks in batch for r in sentence_records(source, chunks)]
        self.vectors.add_texts(
            [r.text for r in records],
            metadatas=[r.metadata for r in records],
            ids=[r.id for r in records],
        )

    def delete_source(self, source_id: str) -> None:
        """Remove every entry of a source."""
        ids = self.vectors.get(where={"source": source_id}, include=[])["ids"]
        if ids:
            self.vectors.delete(ids=ids)

    def all_passages(self) -> list[Passage]:
        """Every stored passage, for lexical retrieval. Raises when the index is empty."""
        metadatas = self.vectors.get(include=["metadatas"])["metadatas"]
        if not metadatas:
            raise IndexNotBuiltError("The index is empty.", "Build it with: qa ingest")
        passages = {meta["chunk_id"]: _passage(meta, 0.0) for meta in metadatas}
        return sorted(passages.values(), key=lambda p: (p.source, p.start))

    def sentence_similarities(
        self, vector: list[float], chunk_ids: Sequence[str]
    ) -> dict[tuple[str, int, int], float]:
        """Cosine similarity of the query vector to every stored span of the given passages, keyed
        by (chunk id, start, end). Vectors are stored normalised, so it is a dot product.
        """
        if not chunk_ids:
            return {}
        found = self._collection.get(
            where={"chunk_id": {"$in": list(chunk_ids)}}, include=["embeddings", "metadatas"]
        )
        query = np.asarray(vector, dtype=np.float32)
        scores = np.asarray(found["embeddings"], dtype=np.float32) @ query
        keys = [
            (str(m["chunk_id"]), int(m["sentence_start"]), int(m["sentence_end"]))
            for m in found["metadatas"]
        ]
        return dict(zip(keys, map(float, scores), strict=True))

    def search(self, vector: list[float], k: int) -> list[SentenceHit]:
        """The k sentences nearest to a query vector, best first, scored by cosine similarity."""
        found = self.vectors.similarity_search_by_vector_with_relevance_scores(vector, k=k)
        # Cosine space: Chroma returns distances, 1 - distance is the cosine similarity.
        return [
            SentenceHit(
                passage=_passage(doc.metadata, 1.0 - float(distance)),
                start=int(doc.metadata["sentence_start"]),
                end=int(doc.metadata["sentence_end"]),
                score=1.0 - float(distance),
            )
            for doc, distance in found
        ]


@dataclass(frozen=True)
class SentenceHit:
    """A sentence found by vector search, with the passage it belongs to."""

    passage: Passage
    start: int  # offsets into the source text
    end: int
    score: float


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    metadata: dict[str, Any]


def sentence_records(source: Source, chunks: Sequence[Chunk]) -> list[Record]:
    """One vector-store entry per quotable span of each chunk: the text embedded and its metadata.

    Spans (sentences, a pronoun-led one with the sentences naming its subject) are embedded one
    by one so the answerer can tell which part of a passage answers; the text leads with the
    source title and section heading, so a sentence that says "the cable" still lands near
    questions that name it. Each entry carries its passage (chunk) so passages can be rebuilt from
    the index alone.
    """
    units = [
        (chunk, chunk.start + s, chunk.start + e)
        for chunk in chunks
        for s, e in quotable_spans(chunk.text)
    ]
    records = []
    for chunk, start, end in units:
        heading = f"{source.title} — {chunk.section}" if chunk.section else source.title
        metadata = {
            "source": source.id,
            "title": source.title,
            "url": source.url,
            "date": source.date,
            "kind": source.kind,
            "authority": source.authority,
            "section": chunk.section,
            "chunk_id": chunk.id,
            "chunk_text": chunk.text,
            "start": chunk.start,
            "end": chunk.end,
            "sentence_start": start,
            "sentence_end": end,
            "source_hash": source.content_hash,
            "source_entries": len(units),
        }
        text = f"{heading}\n{source.text[start:end]}"
        records.append(Record(f"{chunk.id}@{start}-{end}", text, metadata))
    return records


def _passage(meta: dict[str, Any], score: float) -> Passage:
    return Passage(
        chunk_id=str(meta["chunk_id"]),
        source=str(meta["source"]),
        title=str(meta["title"]),
        url=str(meta.get("url", "")),
        date=str(meta.get("date", "")),
        kind=str(meta.get("kind", "background")),
        authority=float(meta.get("authority", 0.5)),
        section=str(meta.get("section", "")),
        text=str(meta["chunk_text"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        score=score,
    )


def open_store(settings: Settings, model: EmbeddingModel, client: Any = None) -> ChunkStore:
    """The project's chunk store; pass a client to use another (tests use an in-memory one)."""
    return ChunkStore(client or make_client(settings), settings.collection, model)


def open_or_rebuild_store(
    settings: Settings, model: EmbeddingModel, client: Any = None
) -> ChunkStore:
    """The chunk store, emptied first when another model or index format built it: for callers
    that fill it from the corpus right after (the app on start, the HaluEval benchmark)."""
    try:
        return open_store(settings, model, client)
    except IndexMismatchError:
        reset_store(settings, client)
        return open_store(settings, model, client)


def reset_store(settings: Settings, client: Any = None) -> None:
    """Drop the collection, for a rebuild with another model or after corruption."""
    client = client or make_client(settings)
    if settings.collection in [c.name for c in client.list_collections()]:
        client.delete_collection(settings.collection)
