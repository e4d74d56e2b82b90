"""Answer latency over the questions of a gold set (default corpus/eval/dev.jsonl), streamed as a
reader gets it.

Prints one JSON object: n, mode, first_piece p50/p95 (ms until the first text reaches the reader:
in generative mode the first verified sentence, or the extractive floor's first piece),
total p50/p95 (ms until the whole answer), and in generative mode how many answers the model gave
(`answered_by_generative`) and, over those alone, the first verified claim's p50/p95
(`first_generated`). The index is built (untimed) in a temp data directory; three warm-up
questions, none of the set's, run before timing.

    .venv/bin/python bench/ask.py [GOLD] [--mode generative] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from qa.chain import build_pipeline
from qa.config import PROJECT_ROOT, Settings
from qa.environment import apply_offline_defaults
from qa.types import Answer, Turn

# Not the timed questions: the pipeline keeps recent question vectors, so warming up on the set
# would time some of its questions warmer than a reader's.
WARM_UP = ("What is this story about?", "Who wrote the article?", "Where is the camp?")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="?", default=PROJECT_ROOT / "corpus/eval/dev.jsonl")
    parser.add_argument("--mode", choices=("extractive", "generative"), default="extractive")
    parser.add_argument("--limit", type=int, help="Time only the first N questions.")
    args = parser.parse_args()
    apply_offline_defaults()
    items = [json.loads(line) for line in Path(args.gold).read_text().splitlines() if line.strip()]
    items = items[: args.limit] if args.limit else items
    first, total, first_generated = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = build_pipeline(Settings(home=Path(tmp), mode=args.mode), sync_corpus=True)
        for question in WARM_UP:
            pipeline.ask(question)
        for item in items:
            history = [Turn(t["question"], t["answer"]) for t in item.get("history", [])]
            started = time.perf_counter()
            first_at = None
            for piece in pipeline.stream(item["question"], history):
                if first_at is None:
                    first_at = time.perf_counter()
                if isinstance(piece, Answer) and piece.answered_by == "generative":
                    first_generated.append((first_at - started) * 1000)
            ended = time.perf_counter()
            first.append(((first_at or ended) - started) * 1000)
            total.append((ended - started) * 1000)
    result = {
        "n": len(total),
        "mode": args.mode,
        "first_piece_p50_ms": round(statistics.median(first), 1),
        "first_piece_p95_ms": round(percentile(first, 0.95), 1),
        "total_p50_ms": round(statistics.median(total), 1),
        "total_p95_ms": round(percentile(total, 0.95), 1),
    }
    if args.mode == "generative" and first_generated:
        result["answered_by_generative"] = len(first_generated)
        result["first_generated_p50_ms"] = round(statistics.median(first_generated), 1)
        result["first_generated_p95_ms"] = round(percentile(first_generated, 0.95), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
