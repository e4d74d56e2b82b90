"""Replicas behind a load balancer share real servers: two `qa serve` processes, one Redis."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from qa.chain import Pipeline
from qa.config import Settings
from tests.servers import free_port, qa_serve

pytestmark = pytest.mark.integration

REDIS = shutil.which("redis-server")
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
        order = [first, second, first, second, first]
        codes = [httpx.post(f"{u}/api/ask", json=ASK, timeout=30).status_code for u in order]
        assert codes == [200, 200, 200, 429, 429]
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
        order = [first, second, first, second, first]
        codes = [httpx.post(f"{u}/api/ask", json=ASK, timeout=30).status_code for u in order]
        assert codes == [200, 200, 200, 200, 200]  # 3 + 2: why replicas need Redis
