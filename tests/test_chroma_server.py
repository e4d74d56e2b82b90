"""The store against a real Chroma server (QA_CHROMA_URL), as a scaled-out deployment uses it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.chain import build_pipeline
from qa.config import Settings
from qa.indexing import ingest_corpus
from qa.store import open_store
from tests.conftest import CORPUS
from tests.fakes import fake_model
from tests.servers import chroma_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


def test_ingest_and_answer_through_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, corpus=CORPUS, chroma_url=chroma_url, collection="served")
    model = fake_model()
    first = ingest_corpus(CORPUS, open_store(settings, model), settings.chunk_chars)
    again = ingest_corpus(CORPUS, open_store(settings, model), settings.chunk_chars)
    assert first.embedded == first.chunks > 100 and again.embedded == 0
    answer = build_pipeline(settings, model=model).ask("Who handed Clinton a paper about Khadr?")
    assert not answer.refused and answer.citations
    assert not (tmp_path / "chroma").exists()  # nothing was written to the embedded store
