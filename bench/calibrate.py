"""Which blend of the answer judge with the hand-weighted support ranks HaluEval's sentences best.

Chosen on HaluEval questions the judge was validated on but never trained on (lines 7500–7999, see
training/train_judge.py), never on the dev set. Each question is asked over the HaluEval index; the
sentences the app's judge reads of its retrieved passages (judge_pool: the best by support) are
ranked by the blend, and the question counts as right when the first holds the right answer. The
blend that gets most right on the even lines is chosen and checked on the odd ones. Prints one
JSON object. The app's blend is chosen on readers' questions about the story instead
(training/adapt_judge.py).

    .venv/bin/python bench/calibrate.py [--questions 500] [--cases FILE]
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from external import log, open_halueval_index

from qa.answering.extractive import judge_pool, score_sentences
from qa.answering.judge import blended, judge_scores, load_judge_model
from qa.config import PROJECT_ROOT
from qa.embeddings import load_embedding_model
from qa.environment import apply_offline_defaults
from qa.evaluation import contains_answer
from qa.retrieval import HybridRetriever, sentence_similarity, to_passage

VALIDATION = range(7500, 8000)
BLENDS = [b / 10 for b in range(11)]


@dataclass
class Case:
    support: list[float]  # of the sentences the judge reads (judge_pool)
    judged: list[float]  # the judge's P(answers) for the same sentences
    good: list[bool]  # holds the right answer


def first_is_good(case: Case, blend: float) -> bool:
    if not case.support:
        return False
    scores = [blended(blend, p, s) for s, p in zip(case.support, case.judged, strict=True)]
    return case.good[max(range(len(scores)), key=scores.__getitem__)]


def top1(cases: list[Case], blend: float) -> float:
    return round(sum(first_is_good(c, blend) for c in cases) / len(cases), 4)


def make_cases(questions: int, home: Path) -> list[Case]:
    model = load_embedding_model(home)
    index = open_halueval_index(model, home)
    judge = load_judge_model()
    settings = index.settings
    retriever = HybridRetriever(
        store=index.store.generation(index.store.live_number()),
        k=settings.k,
        fetch_k=settings.fetch_k,
        rrf_k=settings.rrf_k,
        lexical_weight=settings.lexical_weight,
    )
    cases = []
    for done, line in enumerate(VALIDATION[:questions], start=1):
        record = index.records[line]
        question = record["question"]
        documents = retriever.invoke(question)
        ranked = judge_pool(
            score_sentences(
                question,
                [to_passage(d) for d in documents],
                sentence_similarity(documents),
                retriever.lexical.idf,
            )
        )
        texts = [s.text for s in ranked]
        cases.append(
            Case(
                [s.support for s in ranked],
                judge_scores(judge, question, texts),
                [contains_answer(t, [record["right_answer"]]) for t in texts],
            )
        )
        if done % 100 == 0:
            log(f"calibrate: {done} questions")
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=500, help="Validation questions to use.")
    parser.add_argument(
        "--cases", type=Path, help="Keep the scored cases in this file and reuse them (analysis)."
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=PROJECT_ROOT / ".qa" / "bench-halueval",
        help="Data directory of the HaluEval index (shared with bench/external.py).",
    )
    args = parser.parse_args()
    apply_offline_defaults()
    if args.cases and args.cases.exists():
        cases = pickle.loads(args.cases.read_bytes())
    else:
        cases = make_cases(args.questions, args.home)
        if args.cases:
            args.cases.write_bytes(pickle.dumps(cases))
    even, odd = cases[::2], cases[1::2]
    blend = max(BLENDS, key=lambda b: (top1(even, b), -b))
    result: dict[str, Any] = {
        "questions": len(cases),
        "lines": [VALIDATION.start, VALIDATION.start + len(cases) - 1],
        "answer_among_candidates": round(sum(any(c.good) for c in cases) / len(cases), 4),
        "blend": blend,
        "top1_by_blend_even": {b: top1(even, b) for b in BLENDS},
        "top1_by_blend_odd": {b: top1(odd, b) for b in BLENDS},
        "chosen_on_even": top1(even, blend),
        "checked_on_odd": top1(odd, blend),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
