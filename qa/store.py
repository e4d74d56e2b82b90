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
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from qa.config import Settings
from qa.embeddings import EmbeddingModel
from qa.errors import ConfigError, IndexMismatchError, IndexNotBuiltError
from qa.types import Chunk, Passage, Source

REBUILD_HINT = "Rebuild the index with: qa ingest --rebuild"


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

    def count(self) -> int:
        return int(self._collection.count())

    def source_states(self) -> dict[str, SourceState]:
        """Per source id: the content hash its chunks carry and whether none is missing."""
        metadatas = self.vectors.get(include=["metadatas"])["metadatas"]
        seen: dict[str, tuple[str, int, int]] = {}
        for meta in metadatas:
            source, digest = str(meta["source"]), str(meta["source_hash"])
            _, count, expected = seen.get(source, (digest, 0, int(meta["source_chunks"])))
            seen[source] = (digest, count + 1, expected)
        return {
            source: SourceState(digest, complete=count == expected)
            for source, (digest, count, expected) in seen.items()
        }

    def add_source(self, source: Source, chunks: Sequence[Chunk]) -> None:
        """Embed and store a source's chunks (the caller has removed any older ones)."""
        texts, metadatas = [], []
        for chunk in chunks:
            prefix = f"{source.title} — {chunk.section}\n" if chunk.section else f"{source.title}\n"
            texts.append(prefix + chunk.text)
            metadatas.append(
                {
                    "source": source.id,
                    "title": source.title,
                    "url": source.url,
                    "date": source.date,
                    "kind": source.kind,
                    "authority": source.authority,
                    "section": chunk.section,
                    "start": chunk.start,
                    "end": chunk.end,
                    "text_offset": len(prefix),
                    "source_hash": source.content_hash,
                    "source_chunks": len(chunks),
                }
            )
        self.vectors.add_texts(texts, metadatas=metadatas, ids=[c.id for c in chunks])

    def delete_source(self, source_id: str) -> int:
        """Remove every chunk of a source; returns how many there were."""
        ids = self.vectors.get(where={"source": source_id}, include=[])["ids"]
        if ids:
            self.vectors.delete(ids=ids)
        return len(ids)

    def all_passages(self) -> list[Passage]:
        """Every stored passage, for lexical retrieval. Raises when the index is empty."""
        got = self.vectors.get(include=["documents", "metadatas"])
        if not got["ids"]:
            raise IndexNotBuiltError("The index is empty.", "Build it with: qa ingest")
        return [
            _passage(cid, doc, meta, 0.0)
            for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def search(self, vector: list[float], k: int) -> list[Passage]:
        """The k passages nearest to a query vector, best first, scored by cosine similarity."""
        found = self.vectors.similarity_search_by_vector_with_relevance_scores(vector, k=k)
        # Cosine space: Chroma returns distances, 1 - distance is the cosine similarity.
        return [
            _passage(str(doc.id), doc.page_content, doc.metadata, 1.0 - float(distance))
            for doc, distance in found
        ]


def _passage(chunk_id: str, document: str, meta: dict[str, Any], score: float) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        source=str(meta["source"]),
        title=str(meta["title"]),
        url=str(meta.get("url", "")),
        date=str(meta.get("date", "")),
        kind=str(meta.get("kind", "background")),
        authority=float(meta.get("authority", 0.5)),
        section=str(meta.get("section", "")),
        text=document[int(meta.get("text_offset", 0)) :],
        start=int(meta["start"]),
        end=int(meta["end"]),
        score=score,
    )


def open_store(settings: Settings, model: EmbeddingModel, client: Any = None) -> ChunkStore:
    """The project's chunk store; pass a client to use another (tests use an in-memory one)."""
    return ChunkStore(client or make_client(settings), settings.collection, model)


def reset_store(settings: Settings, client: Any = None) -> None:
    """Drop the collection, for a rebuild with another model or after corruption."""
    client = client or make_client(settings)
    if settings.collection in [c.name for c in client.list_collections()]:
        client.delete_collection(settings.collection)
