"""Shared fixtures. Unit tests get fakes and an in-memory Chroma; integration tests the real parts."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from qa.environment import apply_offline_defaults

apply_offline_defaults()  # HF_HUB_OFFLINE=1 and telemetry off, before any library reads them

import chromadb  # noqa: E402
import pytest  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402

from qa.chain import Pipeline, build_pipeline  # noqa: E402
from qa.config import PROJECT_ROOT, Settings  # noqa: E402
from qa.indexing import ingest_corpus  # noqa: E402
from qa.store import ChunkStore, open_store  # noqa: E402
from tests.fakes import fake_model  # noqa: E402

CORPUS = PROJECT_ROOT / "corpus"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the data directory at a temp dir so no test touches the user's index."""
    monkeypatch.setenv("QA_HOME", str(tmp_path / "qa-home"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Unit tests run without the learned judge (a real model); real_settings has it.
    return Settings(
        home=tmp_path / "qa-home",
        corpus=CORPUS,
        collection=f"t{uuid.uuid4().hex}",
        judge=False,
    )


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the project's corpus, for tests that edit sources."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def memory_client() -> chromadb.api.ClientAPI:
    return chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))


@pytest.fixture
def fake_store(settings: Settings, memory_client: chromadb.api.ClientAPI) -> ChunkStore:
    return open_store(settings, fake_model(), memory_client)


@pytest.fixture
def fake_pipeline(settings: Settings, memory_client: chromadb.api.ClientAPI) -> Pipeline:
    """The real pipeline over the real corpus, with the hashing embedder and in-memory Chroma."""
    model = fake_model()
    store = open_store(settings, model, memory_client)
    ingest_corpus(settings.corpus, store, settings.chunk_chars)
    return build_pipeline(settings, model=model, client=memory_client)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(home=tmp_path_factory.mktemp("real-home"), corpus=CORPUS)


@pytest.fixture(scope="session")
def real_pipeline(real_settings: Settings) -> Iterator[Pipeline]:
    """The real model and a persistent Chroma on disk, corpus ingested once per session."""
    from qa.embeddings import load_embedding_model

    model = load_embedding_model(real_settings.resolve_home())
    store = open_store(real_settings, model)
    ingest_corpus(real_settings.corpus, store, real_settings.chunk_chars)
    yield build_pipeline(real_settings, model=model)
