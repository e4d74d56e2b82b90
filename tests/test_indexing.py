"""Incremental, idempotent ingest against an in-memory Chroma with the hashing fake embedder."""

from __future__ import annotations

from pathlib import Path

import chromadb
import numpy as np
import pytest

from qa.chunking import chunk_source, quotable_spans
from qa.config import Settings
from qa.corpus import load_sources
from qa.embeddings import EmbeddingModel
from qa.errors import IndexBusyError, IndexMismatchError
from qa.indexing import ingest_corpus
from qa.store import SEARCH_EF, ChunkStore, entry_ids_of, open_store, reset_store
from tests.fakes import FakeHashingEmbeddings, fake_model


def chunk_ids(store: ChunkStore, source: str) -> set[str]:
    """The chunks of a source in the served generation."""
    live = store.live()
    assert live is not None
    metadatas = live.vectors.get(where={"source": source}, include=["metadatas"])["metadatas"]
    return {m["chunk_id"] for m in metadatas}


def embedded(store: ChunkStore) -> int:
    """Entries the fake embedder has embedded so far."""
    assert isinstance(store.model.embeddings, FakeHashingEmbeddings)
    return store.model.embeddings.documents_embedded


def test_second_ingest_embeds_nothing(fake_store: ChunkStore, corpus_copy: Path) -> None:
    first = ingest_corpus(corpus_copy, fake_store, 480)
    assert first.added == first.sources == 8 and first.embedded == first.chunks > 100
    second = ingest_corpus(corpus_copy, fake_store, 480)
    assert (second.embedded, second.unchanged, second.added) == (0, 8, 0)
    assert second.chunks == first.chunks


def test_reads_page_through_an_index_larger_than_one_read(
    fake_store: ChunkStore, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_corpus(corpus_copy, fake_store, 480)
    live = fake_store.live()
    assert live is not None
    whole = (live.entry_ids(), live.all_passages(), live.count())
    # Reads of at most 7 entries (5,000 in use: Chroma refuses one read past ~32k entries).
    monkeypatch.setattr("qa.store.READ_PAGE", 7)
    assert (live.entry_ids(), live.all_passages(), live.count()) == whole
    path = corpus_copy / "child-soldier-debate.md"
    path.write_text(path.read_text() + "\nA new closing paragraph was added by an editor.\n")
    (corpus_copy / "bernard-kouchner-profile.md").unlink()
    report = ingest_corpus(corpus_copy, fake_store, 480)  # copies, deletes and resumes by pages
    assert (report.updated, report.removed, report.unchanged) == (1, 1, 6)
    served = fake_store.live()
    edited = next(s for s in load_sources(corpus_copy)[0] if s.id == path.name)
    assert served is not None and served.entry_ids() == {
        source: ids
        for source, ids in whole[0].items()
        if source not in ("child-soldier-debate.md", "bernard-kouchner-profile.md")
    } | {path.name: entry_ids_of(chunk_source(edited, 480))}


def test_edit_replaces_only_that_source(fake_store: ChunkStore, corpus_copy: Path) -> None:
    ingest_corpus(corpus_copy, fake_store, 480)
    before = {s: chunk_ids(fake_store, s) for s in ("article.txt", "child-soldier-debate.md")}
    path = corpus_copy / "child-soldier-debate.md"
    path.write_text(path.read_text() + "\nA new closing paragraph was added by an editor.\n")
    report = ingest_corpus(corpus_copy, fake_store, 480)
    assert (report.updated, report.unchanged) == (1, 7)
    assert 0 < report.embedded < 30
    assert chunk_ids(fake_store, "article.txt") == before["article.txt"]
    after = chunk_ids(fake_store, "child-soldier-debate.md")
    assert after != before["child-soldier-debate.md"]
    assert len(after) == report.embedded


def test_deleted_source_loses_its_chunks(fake_store: ChunkStore, corpus_copy: Path) -> None:
    ingest_corpus(corpus_copy, fake_store, 480)
    (corpus_copy / "bernard-kouchner-profile.md").unlink()
    report = ingest_corpus(corpus_copy, fake_store, 480)
    assert report.removed == 1 and report.embedded == 0
    assert chunk_ids(fake_store, "bernard-kouchner-profile.md") == set()


def test_bad_files_fail_alone(fake_store: ChunkStore, corpus_copy: Path) -> None:
    (corpus_copy / "corrupt.pdf").write_bytes(b"%PDF-1.7\nthis is not a pdf at all")
    (corpus_copy / "empty.txt").write_bytes(b"")
    (corpus_copy / "image.md").write_bytes(bytes(range(256)) * 4)
    report = ingest_corpus(corpus_copy, fake_store, 480)
    assert sorted(f.path for f in report.failed) == ["corrupt.pdf", "empty.txt", "image.md"]
    assert report.sources == 8 and report.added == 8


def test_a_source_that_breaks_keeps_its_old_chunks(
    fake_store: ChunkStore, corpus_copy: Path
) -> None:
    ingest_corpus(corpus_copy, fake_store, 480)
    kept = chunk_ids(fake_store, "bernard-kouchner-profile.md")
    (corpus_copy / "bernard-kouchner-profile.md").write_bytes(b"\x00\xff broken save")
    report = ingest_corpus(corpus_copy, fake_store, 480)
    assert [f.path for f in report.failed] == ["bernard-kouchner-profile.md"]
    assert report.removed == 0
    assert chunk_ids(fake_store, "bernard-kouchner-profile.md") == kept


def test_a_killed_ingest_is_never_served_and_the_next_run_resumes_it(
    fake_store: ChunkStore, corpus_copy: Path
) -> None:
    ingest_corpus(corpus_copy, fake_store, 480)
    served, before = fake_store.live_number(), fake_store.entry_ids()
    path = corpus_copy / "article.txt"
    path.write_text(path.read_text().replace("Kouchner", "Mr. Kouchner", 1))
    sources, _ = load_sources(corpus_copy)
    article = next(s for s in sources if s.id == "article.txt")
    chunks = chunk_source(article, 480)
    # A run that died part-way through the article: a generation being built, some entries in.
    building = fake_store.building()
    building.add_sources([(article, chunks)])
    entries = building.vectors.get(where={"source": "article.txt"}, include=[])["ids"]
    building.vectors.delete(ids=entries[10:])
    started = embedded(fake_store)
    assert fake_store.live_number() == served and fake_store.entry_ids() == before

    report = ingest_corpus(corpus_copy, fake_store, 480)
    assert fake_store.live_number() == building.number  # resumed, then published
    assert len(chunk_ids(fake_store, "article.txt")) == len(chunks)
    assert report.updated == 1 and report.unchanged == 7
    assert embedded(fake_store) - started == len(entries) - 10  # none embedded twice


def test_every_change_is_a_new_generation_and_only_two_are_kept(
    fake_store: ChunkStore, corpus_copy: Path, memory_client: chromadb.api.ClientAPI
) -> None:
    ingest_corpus(corpus_copy, fake_store, 480)
    first = fake_store.live_number()
    assert ingest_corpus(corpus_copy, fake_store, 480).embedded == 0
    assert fake_store.live_number() == first  # nothing changed: nothing new
    for n in range(3):
        (corpus_copy / "note.txt").write_text(f"Editor's note number {n} about the Khadr case.\n")
        ingest_corpus(corpus_copy, fake_store, 480)
    assert fake_store.live_number() == first + 3
    base = fake_store.base
    names = sorted(c.name for c in memory_client.list_collections() if c.name.startswith(base))
    assert names == [f"{base}-catalog", f"{base}-g{first + 2}", f"{base}-g{first + 3}"]


def test_a_second_ingest_at_the_same_time_is_refused(
    fake_store: ChunkStore, corpus_copy: Path
) -> None:
    with fake_store.ingest_lock(), pytest.raises(IndexBusyError, match="Another ingest"):
        ingest_corpus(corpus_copy, fake_store, 480)
    assert ingest_corpus(corpus_copy, fake_store, 480).added == 8  # free again afterwards


def test_a_rebuild_embeds_everything_into_a_new_generation(
    fake_store: ChunkStore, corpus_copy: Path
) -> None:
    first = ingest_corpus(corpus_copy, fake_store, 480)
    started, served = embedded(fake_store), fake_store.live_number()
    report = ingest_corpus(corpus_copy, fake_store, 480, rebuild=True)
    assert report.embedded == first.embedded and embedded(fake_store) > started
    assert fake_store.live_number() == served + 1


def test_store_rejects_another_embedding_model(
    settings: Settings, memory_client: chromadb.api.ClientAPI
) -> None:
    open_store(settings, fake_model(), memory_client)
    other = EmbeddingModel(FakeHashingEmbeddings(), name="another-model", dimension=64)
    with pytest.raises(IndexMismatchError, match="qa ingest --rebuild"):
        open_store(settings, other, memory_client)


def test_several_folders_make_one_index(fake_store: ChunkStore, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "one.md").write_text("# One\n\nThe first folder holds this sentence.\n")
    (second / "two.txt").write_text("The second folder holds another sentence.\n")
    (second / "one.md").write_text("# Clash\n\nSame relative path as in the first folder.\n")
    report = ingest_corpus([first, second], fake_store, 480)
    assert (report.sources, report.added) == (2, 2)
    assert [f.path for f in report.failed] == ["one.md"]
    assert set(fake_store.entry_ids()) == {"one.md", "two.txt"}


def test_sentence_similarities_cover_every_sentence_of_the_asked_passages(
    fake_store: ChunkStore, corpus_copy: Path
) -> None:
    ingest_corpus(corpus_copy, fake_store, 480)
    live = fake_store.live()
    assert live is not None
    vector = fake_store.model.embeddings.embed_query("Kouchner and Clinton")
    hit = live.search(vector, 1)[0]
    everything = {p.chunk_id: p for p in live.all_passages()}
    others = [p for p in everything.values() if p.chunk_id != hit.chunk_id][:2]
    passages = [everything[hit.chunk_id], *others]
    scores = live.sentence_similarities(vector, passages)
    expected = {
        (p.chunk_id, p.start + s, p.start + e) for p in passages for s, e in quotable_spans(p.text)
    }
    assert set(scores) == expected
    assert scores[(hit.chunk_id, hit.start, hit.end)] == pytest.approx(hit.score, abs=1e-4)
    assert live.sentence_similarities(vector, []) == {}


def test_vector_search_is_exact_up_to_its_search_breadth(fake_store: ChunkStore) -> None:
    """The nearest entries by cosine, every one of them, in an index of SEARCH_EF entries: an
    approximate search gave the same question another passage in 7 fresh processes of 26."""
    generation = fake_store.generation(1)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(SEARCH_EF, 64))
    generation.vectors._collection.add(
        ids=[f"s#{i}@0-1" for i in range(SEARCH_EF)], embeddings=vectors.tolist()
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for query in rng.normal(size=(3, 64)):
        nearest = np.sort(vectors @ (query / np.linalg.norm(query)))[::-1][:120]
        found = generation.search(query.tolist(), 120)
        assert [h.score for h in found] == pytest.approx(list(nearest), abs=1e-5)


def test_unlisted_files_are_reported_and_trusted_least(
    fake_store: ChunkStore, corpus_copy: Path
) -> None:
    claim = "Omar Khadr was captured in Afghanistan in July 2002, the article says."
    (corpus_copy / "stray.txt").write_text(claim.replace("Afghanistan", "Iceland") + "\n")
    report = ingest_corpus(corpus_copy, fake_store, 480)
    assert report.unlisted == ["stray.txt"] and report.to_dict()["unlisted"] == ["stray.txt"]
    live = fake_store.live()
    assert live is not None
    stray = [p for p in live.all_passages() if p.source == "stray.txt"]
    assert stray and all(p.authority == 0.0 for p in stray)
    assert min(p.authority for p in live.all_passages() if p.source != "stray.txt") > 0


def test_sources_are_matched_by_their_entry_ids(fake_store: ChunkStore, tmp_path: Path) -> None:
    # A source id holding '#' and '@' (the characters entry ids are made with), then new cutting:
    # a source is unchanged only when its stored entries are exactly the ones its text makes now.
    (tmp_path / "notes #2 @desk.md").write_text("# Notes\n\nThe desk kept these notes. " * 30)
    (tmp_path / "other.txt").write_text("Another source sits beside it. " * 30)
    first = ingest_corpus(tmp_path, fake_store, 480)
    again = ingest_corpus(tmp_path, fake_store, 480)
    assert (first.added, again.unchanged, again.embedded) == (2, 2, 0)
    assert set(fake_store.entry_ids()) == {"notes #2 @desk.md", "other.txt"}
    recut = ingest_corpus(tmp_path, fake_store, 200)
    assert (recut.updated, recut.unchanged) == (2, 0) and recut.chunks > first.chunks


def test_an_ingest_leaves_the_lexical_index_for_servers_to_load(
    fake_store: ChunkStore, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_corpus(corpus_copy, fake_store, 480)
    live = fake_store.live()
    assert live is not None and fake_store.lexical_cache is not None
    kept = [p.name for p in fake_store.lexical_cache.iterdir()]
    assert kept == [f"{live.name}.{live.uid}"]
    expected = live.all_passages()

    def no_reading() -> list[object]:
        raise AssertionError("passages read back from Chroma")

    monkeypatch.setattr(live, "all_passages", no_reading)
    assert live.lexical_index().passages == expected


def test_replicas_sharing_a_lexical_folder_load_the_index_the_ingest_left(
    settings: Settings, memory_client: chromadb.api.ClientAPI, corpus_copy: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared-lexical"
    editor = settings.model_copy(update={"lexical_dir": shared})
    ingest_corpus(corpus_copy, open_store(editor, fake_model(), memory_client), 480)
    replica = settings.model_copy(update={"home": tmp_path / "replica", "lexical_dir": shared})
    live = open_store(replica, fake_model(), memory_client).live()
    assert live is not None and [p.name for p in shared.iterdir()] == [f"{live.name}.{live.uid}"]

    def no_reading() -> list[object]:
        raise AssertionError("passages read back from Chroma")

    expected = live.all_passages()
    live.all_passages = no_reading  # type: ignore[method-assign]
    assert live.lexical_index().passages == expected


def test_a_reset_drops_the_kept_lexical_indexes_of_its_collection(
    settings: Settings, memory_client: chromadb.api.ClientAPI, corpus_copy: Path
) -> None:
    store = open_store(settings, fake_model(), memory_client)
    ingest_corpus(corpus_copy, store, 480)
    assert store.lexical_cache is not None and any(store.lexical_cache.iterdir())
    reset_store(settings, memory_client)
    # Generations are numbered from 1 again: an index kept for the old generation 1 must go.
    assert not any(store.lexical_cache.iterdir())
