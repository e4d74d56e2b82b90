"""Ingest: load sources → chunk → embed → store, incrementally by content hash.

The one place that orchestrates ingestion; the CLI, the app and the benchmarks call it. Every entry
records how many entries its source has, so a generation that an interrupted run was building
shows which sources are complete, and the next run goes on from there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qa.chunking import chunk_source
from qa.corpus import LoadFailure, load_sources
from qa.store import ChunkStore, Generation, Progress, entry_ids_of
from qa.types import Chunk, Source


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
    rebuild: bool = False,
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
    report = ingest_sources(
        list(sources.values()), failures, store, chunk_chars, progress, rebuild=rebuild
    )
    report.unlisted = sorted(s.id for s in sources.values() if not s.listed)
    return report


def ingest_sources(
    sources: Sequence[Source],
    failures: Sequence[LoadFailure],
    store: ChunkStore,
    chunk_chars: int,
    progress: Progress | None = None,
    *,
    rebuild: bool = False,
) -> IngestReport:
    """Make the served index hold exactly these sources, embedding only what changed (everything,
    with rebuild).

    Changes go into a new generation, published when it is complete; until then the old one is
    served, and a run killed half-way is resumed by the next. Sources that failed to load keep their
    old chunks: a bad edit must not lose the index.
    """
    report = IngestReport(failed=list(failures))
    # Cutting every source again is cheap (~6 s at 100k passages); embedding is what is spared.
    chunked = {s.id: chunk_source(s, chunk_chars) for s in sources}
    wanted = {source: entry_ids_of(chunks) for source, chunks in chunked.items()}
    with store.ingest_lock():
        live = store.live()
        served = live.entry_ids() if live else {}
        kept = {s.id for s in sources} | {f.path for f in failures if f.path in served}
        changed = {s.id for s in sources if rebuild or served.get(s.id) != wanted[s.id]}
        report.removed = len(set(served) - kept)
        report.added = sum(s not in served for s in changed)
        if rebuild:
            kept -= {f.path for f in failures}  # nothing old is kept by a rebuild
        report.updated = len(changed) - report.added
        report.unchanged = len(sources) - len(changed)
        if live is None or changed or report.removed:
            building = store.building()
            report.embedded = _build(
                building, live, sources, chunked, wanted, kept, changed, progress
            )
            store.publish(building)
            live = building
    report.sources = len(sources)
    report.chunks = live.count()
    return report


def _build(
    building: Generation,
    live: Generation | None,
    sources: Sequence[Source],
    chunked: dict[str, list[Chunk]],
    wanted: dict[str, frozenset[str]],
    kept: set[str],
    changed: set[str],
    progress: Progress | None,
) -> int:
    """Fill a generation: unchanged sources copied from the served one with their vectors, changed
    ones embedded. What an interrupted run already put there is kept. Returns chunks embedded."""
    built = building.entry_ids()
    for source_id in set(built) - kept:
        building.delete_source(source_id)
    for source_id in sorted(kept - set(wanted)):  # failed to load: keep the old chunks
        if live and source_id not in built:
            building.copy_source(live, source_id)
    to_embed: list[tuple[Source, list[Chunk]]] = []
    for source in sources:
        have = built.get(source.id, frozenset())
        if have == wanted[source.id]:
            continue  # resumed: already here
        # A partial copy, or a run over an older version of the file (its ids differ), goes; a
        # partial embedding of this version stays, and add_sources embeds only what it lacks.
        if have and (not have <= wanted[source.id] or source.id not in changed):
            building.delete_source(source.id)
        if source.id in changed:
            to_embed.append((source, chunked[source.id]))
        elif live:
            building.copy_source(live, source.id)
    building.add_sources(to_embed, progress)
    return sum(len(chunks) for _, chunks in to_embed)
