"""`qa serve` in a subprocess for integration tests: a real HTTP server on a real port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from qa.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def qa_serve(
    settings: Settings, folder: Path, port: int, *options: str, **env: str
) -> Iterator[str]:
    """`qa serve` on a copy of settings' index (no re-embedding) with extra options and
    environment; yields its URL once /healthz answers, and stops it afterwards."""
    home = folder / "home"
    shutil.copytree(settings.resolve_home(), home)
    log_path = folder / "serve.log"
    qa = Path(sys.executable).with_name("qa")
    url = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(qa), "serve", "--port", str(port), "--no-access-log", *options],
            env={**os.environ, "QA_HOME": str(home), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(url, server, log_path)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"qa serve exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"qa serve did not become healthy:\n{log_path.read_text()[-3000:]}")


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` storing under path on a free port; yields its URL once it answers."""
    port = free_port()
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
