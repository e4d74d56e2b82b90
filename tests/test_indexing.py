"""Incremental, idempotent ingest against an in-memory Chroma with the hashing fake embedder."""

from __future__ import annotations

from pathlib import Path

import chromadb
import pytest

from qa.chunking import chunk_source, quotable_spans
from qa.config import Settings
from qa.corpus import load_sources
from qa.embeddings import EmbeddingModel
from qa.errors import IndexMismatchError
from qa.indexing import ingest_corpus
from qa.store import ChunkStore, open_store
from tests.fakes import FakeHashingEmbeddings, fake_model


def chunk_ids(store: ChunkStore, source: str) -> set[str]:
    metadatas = store.vectors.get(where={"source": source}, include=["metadatas"])["metadatas"]
    return {m["chunk_id"] for m in metadatas}


def test_second_ingest_embeds_nothing(fake_store: ChunkStore, corpus_copy: Path) -> None:
    first = ingest_corpus(corpus_copy, fake_store, 480)
    assert first.added == first.sources == 8 and first.embedded == first.chunks > 100
    second = ingest_corpus(corpus_copy, fake_store, 480)
    assert (second.embedded, second.unchanged, second.added) == (0, 8, 0)
    assert second.chunks == first.chunks


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


def test_interrupted_ingest_is_completed_next_run(
    fake_store: ChunkStore, corpus_copy: Path
) -> None:
    sources, _ = load_sources(corpus_copy)
    article = next(s for s in sources if s.id == "article.txt")
    chunks = chunk_source(article, 480)
    fake_store.add_sources([(article, chunks)])
    entries = fake_store.vectors.get(where={"source": "article.txt"}, include=[])["ids"]
    fake_store.vectors.delete(ids=entries[5:])  # as if the process died mid-add
    assert not fake_store.source_states()["article.txt"].complete
    report = ingest_corpus(corpus_copy, fake_store, 480)
    assert len(chunk_ids(fake_store, "article.txt")) == len(chunks)
    assert report.updated == 1 and report.added == 7


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
    assert set(fake_store.source_states()) == {"one.md", "two.txt"}


def test_sentence_similarities_cover_every_sentence_of_the_asked_passages(
    fake_store: ChunkStore, corpus_copy: Path
) -> None:
    ingest_corpus(corpus_copy, fake_store, 480)
    vector = fake_store.model.embeddings.embed_query("Kouchner and Clinton")
    hit = fake_store.search(vector, 1)[0]
    others = [p for p in fake_store.all_passages() if p.chunk_id != hit.passage.chunk_id][:2]
    passages = [hit.passage, *others]
    scores = fake_store.sentence_similarities(vector, [p.chunk_id for p in passages])
    expected = {
        (p.chunk_id, p.start + s, p.start + e) for p in passages for s, e in quotable_spans(p.text)
    }
    assert set(scores) == expected
    assert scores[(hit.passage.chunk_id, hit.start, hit.end)] == pytest.approx(hit.score, abs=1e-4)
    assert fake_store.sentence_similarities(vector, []) == {}


def test_unlisted_files_are_reported_and_trusted_least(
    fake_store: ChunkStore, corpus_copy: Path
) -> None:
    claim = "Omar Khadr was captured in Afghanistan in July 2002, the article says."
    (corpus_copy / "stray.txt").write_text(claim.replace("Afghanistan", "Iceland") + "\n")
    report = ingest_corpus(corpus_copy, fake_store, 480)
    assert report.unlisted == ["stray.txt"] and report.to_dict()["unlisted"] == ["stray.txt"]
    stray = [p for p in fake_store.all_passages() if p.source == "stray.txt"]
    assert stray and all(p.authority == 0.0 for p in stray)
    assert min(p.authority for p in fake_store.all_passages() if p.source != "stray.txt") > 0
