"""The chunk store: the only module that imports chromadb and langchain_chroma.

Embedded PersistentClient under the data directory by default; a Chroma server when QA_CHROMA_URL is
set. The index is kept in generations (see ChunkStore); its catalog records the embedding model and
dimension it was built with.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from qa.chunking import quotable_spans
from qa.config import Settings
from qa.embeddings import EmbeddingModel
from qa.errors import ConfigError, IndexBusyError, IndexMismatchError, IndexNotBuiltError
from qa.lexical import LexicalIndex, drop_lexical_indexes, open_lexical_index
from qa.types import Chunk, Passage, Source

REBUILD_HINT = "Rebuild the index with: qa ingest --rebuild"
# Bumped whenever what an entry holds, how sources are cut into passages or how a collection is
# configured changes; an index of another format must be rebuilt. 12: SEARCH_EF. 11: a full stop
# inside brackets ends no sentence; "Op.", "Vol." …
INDEX_FORMAT = 12
# Candidates Chroma's HNSW graph keeps while searching (its ef_search). At the default, 100, search
# was approximate and not even repeatable: 7 fresh processes of 26 opening the same index retrieved
# another passage for the same question (bench/RESULTS.md, twenty-second session). Up to this many
# entries the search is exact, so repeatable; above, it finds more of the true nearest.
SEARCH_EF = 1000
# Entries are embedded and written this many at a time: memory stays flat for a long source, a
# killed run loses at most one batch, and one encoder call still sorts enough texts by length.
EMBED_BATCH = 512
# Entries per read. Chroma's SQLite store refuses a query of more than ~32k variables, which an
# unbounded read of a large index (or of a 20 MB source) becomes.
READ_PAGE = 5000
PASSAGE_HEADS = {"passage_head": True}
Progress = Callable[[int, int], None]  # (entries stored, entries to store) while embedding


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


class Generation:
    """One complete (or, while an ingest builds it, growing) copy of the index: a Chroma collection
    named `{collection}-g{number}`. Readers only ever see a generation the catalog has published."""

    def __init__(
        self,
        client: Any,
        base: str,
        number: int,
        model: EmbeddingModel,
        lexical_cache: Path | None = None,
    ) -> None:
        self.base = base
        self.number = number
        self.model = model
        self.lexical_cache = lexical_cache
        self.name = f"{base}-g{number}"
        self.vectors = Chroma(
            collection_name=self.name,
            embedding_function=model.embeddings,
            client=client,
            collection_configuration={"hnsw": {"space": "cosine", "ef_search": SEARCH_EF}},
        )
        # Read-only handle for metadata and counts; queries go through langchain_chroma, which
        # holds the embedding function (a bare collection would fall back to Chroma's default).
        self._collection = client.get_collection(self.name)
        self._client = client

    @property
    def uid(self) -> str:
        """The collection's id: unlike the number, never the same for two generations (a reset
        store numbers its generations from 1 again)."""
        return str(self._collection.id)

    def is_empty(self) -> bool:
        """True when nothing is indexed; asks Chroma for a count, fetching no entries."""
        return int(self._collection.count()) == 0

    def _pages(self, include: list[str], where: dict[str, Any] | None = None) -> Iterator[Any]:
        """The entries (matching `where`) READ_PAGE at a time: one unbounded read fails past
        ~32k entries (SQLite's limit on variables in a query, inside Chroma)."""
        offset = 0
        while True:
            page = self._collection.get(
                where=where,
                include=include,
                limit=READ_PAGE,
                offset=offset,
            )
            yield page
            if len(page["ids"]) < READ_PAGE:
                return
            offset += READ_PAGE

    def _metadatas(self, where: dict[str, Any] | None = None) -> Iterator[Any]:
        for page in self._pages(["metadatas"], where):
            yield from page["metadatas"]

    def _ids(self, where: dict[str, Any] | None = None) -> list[str]:
        return [i for page in self._pages([], where) for i in page["ids"]]

    def count(self) -> int:
        """How many passages (chunks) the generation holds, from the entry ids alone."""
        return len({entry_span(entry)[0] for entry in self._ids()})

    def entry_ids(self) -> dict[str, frozenset[str]]:
        """Per source id, the ids of its stored entries. Ids name their source and encode its
        content (see entry_id), so comparing them with entry_ids_of(chunks) tells whether a source
        is here whole and unchanged. Ids alone: reading the metadata (each entry carries its
        passage) took 40 times as long at 10k passages (bench/scale.py)."""
        found: dict[str, set[str]] = {}
        for entry in self._ids():
            found.setdefault(entry_source(entry), set()).add(entry)
        return {source: frozenset(ids) for source, ids in found.items()}

    def add_sources(
        self, batch: Sequence[tuple[Source, Sequence[Chunk]]], progress: Progress | None = None
    ) -> None:
        """Embed and store sources' chunks, one entry per sentence, EMBED_BATCH entries at a time
        (records are made as they are embedded, so a long source needs little memory); entries
        already stored, by an interrupted run, are not embedded again."""
        if not batch:
            return
        sources = [source.id for source, _ in batch]
        stored = set(self._ids({"source": {"$in": sources}}))
        total, done = sum(entry_count(chunks) for _, chunks in batch), len(stored)
        pending: list[Record] = []
        for source, chunks in batch:
            for record in sentence_records(source, chunks):
                if record.id not in stored:
                    pending.append(record)
                if len(pending) == EMBED_BATCH:
                    done += self._add(pending)
                    pending = []
                    if progress:
                        progress(done, total)
        done += self._add(pending)
        if progress:
            progress(done, total)

    def _add(self, records: list[Record]) -> int:
        if records:
            self.vectors.add_texts(
                [r.text for r in records],
                metadatas=[r.metadata for r in records],
                ids=[r.id for r in records],
            )
        return len(records)

    def copy_source(self, other: Generation, source_id: str) -> None:
        """Copy a source's entries, vectors included, from another generation: nothing re-embedded."""
        batch = int(self._client.get_max_batch_size())  # a request, with a Chroma server
        include = ["embeddings", "documents", "metadatas"]
        for found in other._pages(include, {"source": source_id}):
            for at in range(0, len(found["ids"]), batch):
                part = slice(at, at + batch)
                self._collection.add(
                    ids=found["ids"][part],
                    embeddings=found["embeddings"][part],
                    documents=found["documents"][part],
                    metadatas=found["metadatas"][part],
                )

    def delete_source(self, source_id: str) -> None:
        """Remove every entry of a source."""
        ids = self._ids({"source": source_id})
        for at in range(0, len(ids), READ_PAGE):
            self.vectors.delete(ids=ids[at : at + READ_PAGE])

    def all_passages(self) -> list[Passage]:
        """Every stored passage, for lexical retrieval. Raises when the index is empty."""
        # Heads only: every sentence entry carries its passage, so reading them all read the
        # corpus ~3 times over (3.5 s of a server's start at 10k passages: bench/scale.py).
        heads = self._metadatas(PASSAGE_HEADS)
        passages = {meta["chunk_id"]: _passage(meta, 0.0) for meta in heads}
        if not passages:
            raise IndexNotBuiltError("The index is empty.", "Build it with: qa ingest")
        return sorted(passages.values(), key=lambda p: (p.source, p.start))

    def lexical_index(self) -> LexicalIndex:
        """BM25 over every passage: kept in lexical_cache (when given) once built."""
        return open_lexical_index(
            self.base, self.number, self.uid, self.all_passages, self.lexical_cache
        )

    def sentence_similarities(
        self, vector: list[float], passages: Sequence[Passage]
    ) -> dict[tuple[str, int, int], float]:
        """Cosine similarity of the query vector to every stored span of the given passages, keyed
        by (chunk id, start, end). Vectors are stored normalised, so it is a dot product. Read by
        entry id: a lookup by key, where a filter on the chunk id searched the metadata (1.4
        against 7.8 ms at 10k passages)."""
        ids = [entry for p in passages for entry in _span_ids(p.chunk_id, p.start, p.text)]
        if not ids:
            return {}
        found = self._collection.get(ids=ids, include=["embeddings"])
        if not found["ids"]:
            return {}
        query = np.asarray(vector, dtype=np.float32)
        scores = np.asarray(found["embeddings"], dtype=np.float32) @ query
        pairs = zip(found["ids"], scores, strict=True)
        return {entry_span(entry): float(score) for entry, score in pairs}

    def search(self, vector: list[float], k: int) -> list[SentenceHit]:
        """The k sentences nearest to a query vector, best first, scored by cosine similarity.

        Ids and distances only: an id names its passage and span, and the passages are in the
        lexical index. Fetching the hits' metadata, each carrying its passage, was most of a
        search (10.6 against 1.5 ms for 60 hits at 10k passages).
        """
        found = self._collection.query(
            query_embeddings=[vector], n_results=k, include=["distances"]
        )
        # Cosine space: Chroma returns distances, 1 - distance is the cosine similarity.
        return [
            SentenceHit(*entry_span(entry), score=1.0 - float(distance))
            for entry, distance in zip(found["ids"][0], found["distances"][0], strict=True)
        ]


class ChunkStore:
    """The index: generations of sources' chunks in Chroma, and a catalog saying which is served.

    An ingest builds a new generation beside the served one (copying unchanged sources' vectors,
    embedding changed ones) and publishes it by one write to the catalog, a small collection
    `{collection}-catalog` whose metadata also records the embedding model and index format. A
    reader reads the catalog and answers from one generation, so it sees the old index or the new
    one, never a mix or a half-built one, and a killed ingest leaves the served one untouched.
    """

    def __init__(
        self,
        client: Any,
        collection: str,
        model: EmbeddingModel,
        lock_file: Path,
        lexical_cache: Path | None = None,
    ) -> None:
        self.client = client
        self.base = collection
        self.model = model
        self.lock_file = lock_file
        self.lexical_cache = lexical_cache
        self._catalog = f"{collection}-catalog"
        identity = {
            "embedding_model": model.name,
            "embedding_dimension": model.dimension,
            "index_format": INDEX_FORMAT,
        }
        catalog = client.get_or_create_collection(
            self._catalog, metadata={**identity, "live": 0, "building": 0}
        )
        self._check_model(catalog.metadata or {})

    def _check_model(self, recorded: dict[str, Any]) -> None:
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

    def _state(self) -> dict[str, Any]:
        """The catalog as stored now (another process may have published since): ~0.3 ms."""
        return dict(self.client.get_collection(self._catalog).metadata or {})

    def live_number(self) -> int:
        """The published generation's number; 0 before the first ingest completes."""
        return int(self._state().get("live", 0))

    def generation(self, number: int) -> Generation:
        return Generation(self.client, self.base, number, self.model, self.lexical_cache)

    def live(self) -> Generation | None:
        """The published generation, or None before the first ingest completes."""
        number = self.live_number()
        return self.generation(number) if number else None

    def building(self) -> Generation:
        """The generation an ingest fills: the one an interrupted ingest left (so it resumes), or a
        new one numbered after every generation there is."""
        state = self._state()
        live, building = int(state.get("live", 0)), int(state.get("building", 0))
        if building <= live:
            building = max([live, *self._generations()]) + 1
            self._write_state(state, building=building)
        return self.generation(building)

    def publish(self, generation: Generation) -> None:
        """Serve this generation from now on; keep the one it replaces (readers may be answering
        from it) and drop older ones."""
        if self.lexical_cache:
            # Built by the ingest, before readers switch: a server on this data directory then
            # loads it rather than reading every passage back.
            generation.lexical_index()
        state = self._state()
        previous = int(state.get("live", 0))
        self._write_state(state, live=generation.number, building=0)
        for number, name in self._generations().items():
            if number not in (generation.number, previous):
                self.client.delete_collection(name)
        # Indexes of format 4 and before were one collection named like the base.
        if self.base in {c.name for c in self.client.list_collections()}:
            self.client.delete_collection(self.base)

    def _generations(self) -> dict[int, str]:
        """Every generation's collection there is, by number."""
        prefix = f"{self.base}-g"
        names = (c.name for c in self.client.list_collections())
        return {
            int(name[len(prefix) :]): name
            for name in names
            if name.startswith(prefix) and name[len(prefix) :].isdigit()
        }

    def _write_state(self, state: dict[str, Any], **changes: int) -> None:
        self.client.get_collection(self._catalog).modify(metadata={**state, **changes})

    @contextmanager
    def ingest_lock(self) -> Iterator[None]:
        """Held while an ingest changes the index; a second ingest is refused, not queued (the
        lock is a file under the data directory: ingests must run on one machine)."""
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_file.open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusyError(
                    "Another ingest is updating this index.", "Try again when it has finished."
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # The served generation's contents, for the CLI and tests.
    def is_empty(self) -> bool:
        live = self.live()
        return live is None or live.is_empty()

    def count(self) -> int:
        live = self.live()
        return live.count() if live else 0

    def entry_ids(self) -> dict[str, frozenset[str]]:
        live = self.live()
        return live.entry_ids() if live else {}


@dataclass(frozen=True)
class SentenceHit:
    """A sentence found by vector search: its passage's id, where it is, how near it is."""

    chunk_id: str
    start: int  # offsets into the source text
    end: int
    score: float


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    metadata: dict[str, Any]


def entry_count(chunks: Sequence[Chunk]) -> int:
    """How many entries sentence_records makes of these chunks."""
    return sum(len(quotable_spans(chunk.text)) for chunk in chunks)


def entry_id(chunk_id: str, start: int, end: int) -> str:
    """The id of the entry for one span of a chunk, offsets in the source. Chunk ids are
    `{source id}#{hash of the source's content and the chunk's span}`, so an entry id changes
    whenever its source's text or its cutting does."""
    return f"{chunk_id}@{start}-{end}"


def entry_span(entry: str) -> tuple[str, int, int]:
    """The chunk id and source offsets an entry id names."""
    chunk_id, _, span = entry.rpartition("@")
    start, end = span.split("-")
    return chunk_id, int(start), int(end)


def entry_source(entry: str) -> str:
    """The source id an entry id names (a source id may hold '#'; the chunk hash never does)."""
    return entry.rsplit("#", 1)[0]


def entry_ids_of(chunks: Sequence[Chunk]) -> frozenset[str]:
    """The ids of the entries sentence_records makes of these chunks."""
    return frozenset(entry for c in chunks for entry in _span_ids(c.id, c.start, c.text))


def _span_ids(chunk_id: str, start: int, text: str) -> list[str]:
    """The entry ids of a chunk's quotable spans (the chunk starting at `start` in its source)."""
    return [entry_id(chunk_id, start + s, start + e) for s, e in quotable_spans(text)]


def sentence_records(source: Source, chunks: Sequence[Chunk]) -> Iterator[Record]:
    """One vector-store entry per quotable span of each chunk: the text embedded and its metadata.

    Spans (sentences, a pronoun-led one with the sentences naming its subject) are embedded one
    by one so the answerer can tell which part of a passage answers; the text leads with the
    source title and section heading, so a sentence that says "the cable" still lands near
    questions that name it. Each entry carries its passage (chunk) so passages can be rebuilt from
    the index alone, and the number of entries of its source, so a source half stored shows.
    """
    entries = entry_count(chunks)
    for chunk in chunks:
        heading = f"{source.title} — {chunk.section}" if chunk.section else source.title
        for n, (s, e) in enumerate(quotable_spans(chunk.text)):
            start, end = chunk.start + s, chunk.start + e
            metadata = {
                "source": source.id,
                "title": source.title,
                "url": source.url,
                "date": source.date,
                "kind": source.kind,
                "authority": source.authority,
                "listed": source.listed,
                "section": chunk.section,
                "chunk_id": chunk.id,
                "chunk_text": chunk.text,
                # One entry per passage is its head: reading the heads alone gives every passage.
                "passage_head": n == 0,
                "start": chunk.start,
                "end": chunk.end,
                "sentence_start": start,
                "sentence_end": end,
                "source_hash": source.content_hash,
                "source_entries": entries,
            }
            text = f"{heading}\n{source.text[start:end]}"
            yield Record(entry_id(chunk.id, start, end), text, metadata)


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
        listed=bool(meta.get("listed", True)),
    )


def open_store(settings: Settings, model: EmbeddingModel, client: Any = None) -> ChunkStore:
    """The project's chunk store; pass a client to use another (tests use an in-memory one)."""
    home = settings.resolve_home()
    lock_file = home / f"{settings.collection}.ingest.lock"
    client = client or make_client(settings)
    return ChunkStore(client, settings.collection, model, lock_file, _lexical_dir(settings))


def _lexical_dir(settings: Settings) -> Path:
    folder = settings.lexical_dir
    return folder.expanduser() if folder else settings.resolve_home() / "lexical"


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
    """Drop every generation and the catalog, for a rebuild with another model or after
    corruption."""
    client = client or make_client(settings)
    for collection in client.list_collections():
        name = collection.name
        if name == settings.collection or name.startswith(f"{settings.collection}-"):
            client.delete_collection(name)
    # The new generations are numbered from 1 again: no kept lexical index may pass for theirs.
    drop_lexical_indexes(_lexical_dir(settings), settings.collection)
