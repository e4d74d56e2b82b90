"""Local models assembled from package parts: checksums, clear errors, the real llama.cpp path."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from qa import models
from qa.config import Settings
from qa.errors import ConfigError
from qa.models import LocalModel, local_model, model_path


def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sha256: str) -> bytes:
    """Three part files and a model that names them (found as if installed)."""
    chunks = [b"GGUF" + bytes(range(200)), b"middle" * 50, b"end"]
    files = []
    for i, chunk in enumerate(chunks):
        files.append(tmp_path / f"part{i}.bin")
        files[-1].write_bytes(chunk)
    whole = b"".join(chunks)
    fake = LocalModel(
        "fake-3-part",
        "fake.gguf",
        ("fake-part1==1", "fake-part2==1", "fake-part3==1"),
        ("fake_part1", "fake_part2", "fake_part3"),
        size=len(whole),
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
        licence="test",
    )
    monkeypatch.setitem(models.LOCAL_MODELS, fake.name, fake)
    monkeypatch.setattr(models, "_part_files", lambda model: files)
    return whole


def test_parts_are_assembled_once_and_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = fake_parts(tmp_path, monkeypatch, "")
    path = model_path("fake-3-part", tmp_path / "home")
    assert path == tmp_path / "home" / "models" / "fake.gguf" and path.read_bytes() == whole
    stamp = path.stat().st_mtime_ns
    assert model_path("fake-3-part", tmp_path / "home").stat().st_mtime_ns == stamp


def test_parts_that_do_not_match_the_checksum_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_parts(tmp_path, monkeypatch, "0" * 64)
    with pytest.raises(ConfigError, match="do not assemble"):
        model_path("fake-3-part", tmp_path / "home")
    assert list((tmp_path / "home" / "models").iterdir()) == []  # nothing half-written is left


def test_unknown_or_missing_models_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Unknown local model"):
        local_model("gpt-17")
    missing = LocalModel("m", "m.gguf", ("no-such-pkg==1",), ("no_such_pkg",), 1, "0", "-")
    with pytest.raises(ConfigError, match="not installed") as error:
        models._part_files(missing)
    assert "QA_CHAT_MODEL" in error.value.hint


def test_shipped_models_declare_their_parts() -> None:
    qwen = local_model("qwen2.5-coder-1.5b")
    assert len(qwen.packages) == len(qwen.modules) == 22 and len(qwen.sha256) == 64
    assert local_model("qwen2.5-coder-0.5b").requirements().count("==0.9.0") == 6


# `make test` installs llama.cpp and SmolLM2 (make local QA_LOCAL_MODEL=smollm2-135m).
@pytest.mark.integration
def test_the_local_model_runs_in_process_bounded_by_max_tokens(tmp_path: Path) -> None:
    from qa.answering.generative import load_chat_model

    settings = Settings(
        home=tmp_path, mode="generative", local_model="smollm2-135m", chat_max_tokens=16
    )
    model = load_chat_model(settings)
    reply = model.invoke("Count from one to one hundred, in words.")
    assert reply.text.strip()
    assert reply.usage_metadata is None or reply.usage_metadata["output_tokens"] <= 16
