"""Warm answer latency over the questions of a gold set (default corpus/eval/dev.jsonl).

Prints one JSON object: n, p50_ms, p95_ms. The index is built (untimed) in a temp data directory;
a few warm-up questions run before timing.
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
from qa.types import Turn


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("gold", nargs="?", default=PROJECT_ROOT / "corpus/eval/dev.jsonl")
    args = parser.parse_args()
    apply_offline_defaults()
    items = [json.loads(line) for line in Path(args.gold).read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        pipeline = build_pipeline(Settings(home=Path(tmp)), sync_corpus=True)
        for item in items[:3]:
            pipeline.ask(item["question"])
        latencies = []
        for item in items:
            history = [Turn(t["question"], t["answer"]) for t in item.get("history", [])]
            started = time.perf_counter()
            pipeline.ask(item["question"], history)
            latencies.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "n": len(latencies),
                "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
