"""The store against a real Chroma server (QA_CHROMA_URL), as a scaled-out deployment uses it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa.chain import build_pipeline
from qa.config import Settings
from qa.indexing import ingest_corpus
from qa.store import open_store
from tests.conftest import CORPUS
from tests.fakes import fake_model

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).with_name("chroma")
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma run did not start within 60 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_ingest_and_answer_through_a_chroma_server(chroma_url: str, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, corpus=CORPUS, chroma_url=chroma_url, collection="served")
    model = fake_model()
    first = ingest_corpus(CORPUS, open_store(settings, model), settings.chunk_chars)
    again = ingest_corpus(CORPUS, open_store(settings, model), settings.chunk_chars)
    assert first.embedded == first.chunks > 100 and again.embedded == 0
    answer = build_pipeline(settings, model=model).ask("Who handed Clinton a paper about Khadr?")
    assert not answer.refused and answer.citations
    assert not (tmp_path / "chroma").exists()  # nothing was written to the embedded store
