"""Replicas behind a load balancer share real servers: two `qa serve` processes, one Redis for
rate limits, one PostgreSQL for reader feedback."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from qa.chain import Pipeline
from qa.config import Settings
from tests.conftest import CORPUS
from tests.servers import chroma_server, free_port, qa_serve

pytestmark = pytest.mark.integration

REDIS = shutil.which("redis-server")
# Debian keeps PostgreSQL's server programs out of PATH, under /usr/lib/postgresql/<version>/bin.
PG_BIN = next(
    (Path(p).parent for p in [shutil.which("initdb"), *glob.glob("/usr/lib/postgresql/*/bin/initdb")]
     if p),
    None,
)  # fmt: skip
ASK = {"question": "Who met Clinton?"}


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A throwaway redis-server on a free port, nothing saved to disk; yields (URL, process)."""
    if REDIS is None:
        pytest.skip("redis-server is not installed (make servers installs it)")
    import redis

    port = free_port()
    args = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(
        [REDIS, *args, "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("redis-server did not start")
            time.sleep(0.1)
    try:
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server (trust auth, loopback only) with an empty database
    "feedback"; yields its SQLAlchemy URL. The server refuses to run as root, so under root it
    runs as the postgres user Debian's package creates."""
    if PG_BIN is None:
        pytest.skip("PostgreSQL is not installed (make servers installs it)")
    import psycopg

    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = Path(tempfile.mkdtemp(prefix="qa-pg-"))
    if as_user:
        shutil.chown(data, "postgres", "postgres")
    init = [str(PG_BIN / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"]
    subprocess.run([*as_user, *init], check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [*as_user, str(PG_BIN / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1",
         "-k", str(data), "-c", "fsync=off"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    deadline = time.monotonic() + 60
    while True:
        try:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("CREATE DATABASE feedback")
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("PostgreSQL did not start")
            time.sleep(0.2)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/feedback"
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)


def alternating(first: str, second: str) -> list[int]:
    """Statuses of five questions from one client, sent to the replicas in turn."""
    order = [first, second, first, second, first]
    return [httpx.post(f"{u}/api/ask", json=ASK, timeout=30).status_code for u in order]


def replica(settings: Settings, folder: Path, **env: str) -> AbstractContextManager[str]:
    """`qa serve` on its own copy of the index, as a replica on another machine would be."""
    folder.mkdir()
    return qa_serve(settings, folder, free_port(), **env)


def test_two_replicas_enforce_one_rate_budget_and_keep_answering_without_redis(
    real_pipeline: Pipeline,
    real_settings: Settings,
    tmp_path: Path,
    redis_server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, redis_process = redis_server
    env = {"QA_RATE_LIMIT_PER_MINUTE": "3", "QA_RATE_LIMIT_STORAGE": url}
    with (
        replica(real_settings, tmp_path / "a", **env) as first,
        replica(real_settings, tmp_path / "b", **env) as second,
    ):
        # A load balancer alternating between them: one client, one budget of 3.
        assert alternating(first, second) == [200, 200, 200, 429, 429]
        limited = httpx.post(f"{second}/api/ask", json=ASK, timeout=30)
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        # Redis goes away: readers still get answers (the limit is lost, not the service).
        redis_process.terminate()
        redis_process.wait(timeout=10)
        answered = httpx.post(f"{first}/api/ask", json=ASK, timeout=30)
        assert answered.status_code == 200 and answered.json()["citations"]


def test_without_a_shared_store_each_replica_counts_alone(
    real_pipeline: Pipeline, real_settings: Settings, tmp_path: Path
) -> None:
    env = {"QA_RATE_LIMIT_PER_MINUTE": "3"}  # memory://, the default
    with (
        replica(real_settings, tmp_path / "a", **env) as first,
        replica(real_settings, tmp_path / "b", **env) as second,
    ):
        assert alternating(first, second) == [200] * 5  # 3 + 2: why replicas need Redis


def test_two_replicas_keep_reader_feedback_in_one_postgresql(
    real_pipeline: Pipeline, real_settings: Settings, tmp_path: Path, postgres_url: str
) -> None:
    from qa.feedback import FeedbackStore

    env = {"QA_FEEDBACK_URL": postgres_url}
    asked = ["What is the capital of Peru?", "Who won the 1998 World Cup?"]
    with (
        replica(real_settings, tmp_path / "a", **env) as first,
        replica(real_settings, tmp_path / "b", **env) as second,
    ):
        for url, question in zip((first, second), asked, strict=True):
            reply = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=30)
            assert reply.json()["refused"]
    # Editors read one table, whichever replica each reader reached.
    entries = FeedbackStore(postgres_url).read_entries(problems_only=True)
    assert sorted(e.question for e in entries) == sorted(asked)
    exported = subprocess.run(
        [str(Path(sys.executable).with_name("qa")), "feedback", "export"],
        env={**os.environ, "QA_FEEDBACK_URL": postgres_url},
        capture_output=True,
        text=True,
        check=True,
    )
    assert sorted(json.loads(line)["question"] for line in exported.stdout.splitlines()) == sorted(
        asked
    )


def test_two_replicas_answer_from_one_chroma_server_and_follow_a_new_generation(
    real_pipeline: Pipeline, real_settings: Settings, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    qa = str(Path(sys.executable).with_name("qa"))
    with chroma_server(tmp_path / "chroma") as chroma:
        env = {"QA_CHROMA_URL": chroma, "QA_CORPUS": str(corpus)}
        editor_home = tmp_path / "editor"  # where the editor runs qa ingest, apart from the tests'
        shutil.copytree(real_settings.resolve_home(), editor_home)
        ingest_env = {**os.environ, **env, "QA_HOME": str(editor_home)}
        subprocess.run([qa, "ingest"], env=ingest_env, check=True, capture_output=True)
        with (
            replica(real_settings, tmp_path / "a", **env) as first,
            replica(real_settings, tmp_path / "b", **env) as second,
        ):
            replies = [
                httpx.post(f"{u}/api/ask", json=ASK, timeout=30).json() for u in (first, second)
            ]
            assert replies[0]["answer"] == replies[1]["answer"] and replies[0]["citations"]
            # An editor adds a fact and re-ingests once, into the server: both replicas switch.
            with (corpus / "bernard-kouchner-profile.md").open("a", encoding="utf-8") as source:
                source.write("\nKouchner's childhood dog was a spaniel named Quillfeather.\n")
            subprocess.run([qa, "ingest"], env=ingest_env, check=True, capture_output=True)
            asked = {"question": "What was the name of Kouchner's childhood dog?"}
            for url in (first, second):
                reply = httpx.post(f"{url}/api/ask", json=asked, timeout=30).json()
                assert "Quillfeather" in reply["answer"], reply
                assert reply["citations"][0]["source"] == "bernard-kouchner-profile.md"
