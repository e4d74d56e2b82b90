"""Ingest: load sources → chunk → embed → store, incrementally by content hash.

The one place that orchestrates ingestion; the CLI, the app and the benchmarks call it. Each source is
replaced as a unit and every chunk records how many chunks its source has, so an interrupted run
leaves a usable index and the next run finishes the incomplete source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qa.chunking import chunk_source
from qa.corpus import LoadFailure, load_sources
from qa.store import ChunkStore
from qa.types import Chunk, Source

Progress = Callable[[str, int, int], None]  # (source id, done, total)
# Changed sources are embedded in batches of about this many chunks: one encoder call sorts the
# whole batch by length (less padding) instead of many small calls, one per source.
BATCH_CHUNKS = 500


@dataclass
class IngestReport:
    """Counts for `qa ingest --json`."""

    sources: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded: int = 0
    failed: list[LoadFailure] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)  # ingested, but not in sources.toml

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failed"] = [asdict(f) for f in self.failed]
        return data


def ingest_corpus(
    corpus: Path | Sequence[Path],
    store: ChunkStore,
    chunk_chars: int,
    progress: Progress | None = None,
    *,
    require_manifest: bool = False,
) -> IngestReport:
    """Bring the store in line with one or more corpus folders: add, replace and delete sources.

    Source ids are paths relative to their folder; when two folders hold the same relative path,
    the first folder's file wins and the other is reported as failed. Files their folder's
    sources.toml does not list are reported as `unlisted`, or refused with require_manifest.
    """
    folders = [corpus] if isinstance(corpus, Path) else list(corpus)
    sources: dict[str, Source] = {}
    failures: list[LoadFailure] = []
    for folder in folders:
        loaded, failed = load_sources(folder, require_manifest=require_manifest)
        failures += failed
        for source in loaded:
            if source.id in sources:
                failures.append(
                    LoadFailure(source.id, f"same path as in another folder ({folder})")
                )
            else:
                sources[source.id] = source
    report = ingest_sources(list(sources.values()), failures, store, chunk_chars, progress)
    report.unlisted = sorted(s.id for s in sources.values() if not s.listed)
    return report


def ingest_sources(
    sources: Sequence[Source],
    failures: Sequence[LoadFailure],
    store: ChunkStore,
    chunk_chars: int,
    progress: Progress | None = None,
) -> IngestReport:
    """Make the store hold exactly these sources, embedding only what changed.

    Sources that failed to load keep their old chunks: a bad edit must not lose the index.
    """
    report = IngestReport(failed=list(failures))
    states = store.source_states()
    kept = {s.id for s in sources} | {f.path for f in failures}
    for source_id in sorted(set(states) - kept):
        store.delete_source(source_id)
        report.removed += 1
    batch: list[tuple[Source, list[Chunk]]] = []
    for done, source in enumerate(sources, start=1):
        state = states.get(source.id)
        if state and state.complete and state.content_hash == source.content_hash:
            report.unchanged += 1
        else:
            batch.append((source, chunk_source(source, chunk_chars)))
            report.updated += state is not None
            report.added += state is None
        if sum(len(chunks) for _, chunks in batch) >= BATCH_CHUNKS or done == len(sources):
            report.embedded += _replace_sources(store, batch)
            batch = []
        if progress:
            progress(source.id, done, len(sources))
    report.sources = len(sources)
    report.chunks = store.count()
    return report


def _replace_sources(store: ChunkStore, batch: list[tuple[Source, list[Chunk]]]) -> int:
    """Swap in new chunks for a batch of sources; embedding them together keeps the encoder busy."""
    if not batch:
        return 0
    for source, _ in batch:
        store.delete_source(source.id)
    store.add_sources(batch)
    return sum(len(chunks) for _, chunks in batch)
