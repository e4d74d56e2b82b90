"""Choose when the answer judge decides refusal: `refuse_below`, `answer_above` and
`left_out_above` in qa/judge/judge.json.

The app refuses a question when the judge's probabilities over the sentences it reads sum to less
than `refuse_below`, and no longer refuses one for a weak support when one of them is
`answer_above` or more (see answer_extractively). Every question of the readers' training and
validation sets (training/data/, never corpus/eval) is asked through the app's own pipeline twice,
with the judge's part in refusal off and then with the judge overruling every weak support, and the
sum and the best probability are recorded.

- refuse_below: of the questions the app answers with the judge's part off, those whose sum falls
  under a threshold are the refusals it adds. The largest threshold (0.01 grid) whose added
  refusals withhold no right answer at least nine times in ten: each declines a question the
  sources cannot answer, or withholds an answer holding none of the question's acceptable
  answers, which would have misled the reader.
- refuse_whether_below: the same, chosen apart over the questions asking only whether (see
  asks_whether), on a grid up to 1. They name their own event, and the judge's readings of
  sentences about the same people add up to more: on the readers' training questions those the
  sources leave open summed 0.25 at the median, against 0.93 for those they answer.
- answer_above: of the questions refused for a weak support that the judge can overrule, those
  whose best probability reaches a threshold are the answers it adds. The smallest threshold
  (0.05 grid, from 0.5) whose added answers are to answerable questions at least nine times in
  ten: an answer to a question the sources leave open misleads the reader, where a wrong refusal
  only withholds.

- left_out_above: a question matched with a detail the corpus's editors list as left out is
  declined when the judge, reading the detail as if it answered, gives it this or more. Asked once
  more with every such detail read, the smallest threshold (0.05 grid) whose declines are to
  unanswerable questions at least nine times in ten: a wrong decline does more than withhold, it
  tells the reader that what they asked about is a detail the sources left out. Chosen first, as
  the other two are measured on the app with its declines.

The training questions are among them although the judge learned from them: the validation set
alone holds too few questions near either threshold to choose it.

    .venv/bin/python training/calibrate_refusal.py [--write]

Prints the tables and the choices as JSON; with --write, stores them in qa/judge/judge.json. Run
it after training/adapt_judge.py --write: the thresholds belong to one judge's probabilities.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.answering.extractive import asks_whether  # noqa: E402
from qa.answering.judge import JUDGE_DIR, Judge  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.environment import apply_offline_defaults  # noqa: E402
from qa.evaluation import contains_answer  # noqa: E402
from qa.goldset import load_gold_set  # noqa: E402

DATA = ROOT / "training" / "data"
SETS = [DATA / "reader-questions-train.jsonl", DATA / "reader-questions-validation.jsonl"]
REFUSE_GRID = [t / 100 for t in range(1, 31)]
WHETHER_GRID = [t / 100 for t in range(1, 101)]
# Overruled only where the judge reads one sentence as more likely than not the answer: the
# readers' sets hold no question off the story, so they cannot show what a fainter reading lets
# through (a weak support, and some sentence sharing a word with the question).
ANSWER_GRID = [t / 20 for t in range(10, 20)]
LEFT_OUT_GRID = [t / 20 for t in range(1, 20)]
REFUSALS_RIGHT = 0.9  # share of the refusals a threshold adds that must be right
ANSWERS_RIGHT = 0.9  # and of the answers
DECLINES_RIGHT = 0.9  # and of the declines for a listed left-out detail


@dataclass
class RecordingJudge:
    """The app's judge with its part in refusal set here, keeping the sum and the best of the
    probabilities it gave last for other than a listed left-out detail (one of `details`): the
    answer's candidates, which the judge reads after the passage rerank's pool and before any such
    detail; and its reading of that detail as `gate`."""

    judge: Judge
    details: frozenset[str]
    answer_above: float = math.inf
    refuse_below: float = 0.0
    refuse_whether_below: float = 0.0
    left_out_above: float = 0.0
    total: float | None = None
    best: float | None = None
    gate: float | None = None

    @property
    def blend(self) -> float:
        return self.judge.blend

    def score(self, question: str, sentences: Sequence[str]) -> list[float]:
        probabilities = self.judge.score(question, sentences)
        if len(sentences) == 1 and sentences[0] in self.details:
            self.gate = probabilities[0]
        else:
            self.total, self.best = sum(probabilities), max(probabilities, default=0.0)
        return probabilities


@dataclass(frozen=True)
class Asked:
    total: float | None  # None: the app answered without asking the judge
    refused: bool
    unanswerable: bool
    best: float | None = None  # the best of those probabilities
    gate: float | None = None  # the judge's reading of the listed detail matched, if any
    correct: bool = False  # the answer holds one of the question's acceptable answers
    whether: bool = False  # the question asks only whether (asks_whether)

    @property
    def better_refused(self) -> bool:
        """Whether a refusal in place of this answer would be right (see refuse_below)."""
        return self.unanswerable or not self.correct


def ask_all(pipeline: Any, recorder: RecordingJudge) -> list[Asked]:
    asked = []
    for path in SETS:
        items, _ = load_gold_set(path, pipeline.settings.corpus)
        for item in items:
            recorder.total = recorder.best = recorder.gate = None
            answer = pipeline.ask(item.question, item.history)
            asked.append(
                Asked(
                    recorder.total,
                    answer.refused,
                    item.expected_refusal,
                    recorder.best,
                    recorder.gate,
                    not answer.refused and contains_answer(answer.answer, item.answers),
                    asks_whether(item.question),
                )
            )
    return asked


def choose_left_out(gated: list[Asked]) -> dict[str, Any]:
    matched = [(a.gate, a.unanswerable) for a in gated if a.gate is not None]
    declines, left_out_above = _table(
        matched, LEFT_OUT_GRID, DECLINES_RIGHT, lambda gate, t: gate >= t
    )
    return {"declines_added": declines, "left_out_above": min(left_out_above, default=0.5)}


def choose(off: list[Asked], overruling: list[Asked]) -> dict[str, Any]:
    answered = [a for a in off if not a.refused and a.total is not None]
    overruled = [
        (b.best, not b.unanswerable)
        for a, b in zip(off, overruling, strict=True)
        if a.refused and not b.refused and b.best is not None
    ]
    refusals, refuse_below = _table(
        [(a.total, a.better_refused) for a in answered if not a.whether],
        REFUSE_GRID,
        REFUSALS_RIGHT,
        lambda total, t: total < t,
    )
    whether_refusals, refuse_whether_below = _table(
        [(a.total, a.better_refused) for a in answered if a.whether],
        WHETHER_GRID,
        REFUSALS_RIGHT,
        lambda total, t: total < t,
    )
    answers, answer_above = _table(overruled, ANSWER_GRID, ANSWERS_RIGHT, lambda best, t: best >= t)
    return {
        "questions": len(off),
        "refusals_added": refusals,
        "refuse_below": max(refuse_below, default=0.0),
        "whether_refusals_added": whether_refusals,
        "refuse_whether_below": max(refuse_whether_below, default=0.0),
        "answers_added": answers,
        "answer_above": min(answer_above, default=math.inf),
    }


def _table(
    cases: list[tuple[float, bool]],
    grid: list[float],
    share: float,
    added: Callable[[float, float], bool],
) -> tuple[list[dict[str, float]], list[float]]:
    """How many cases each threshold adds and how many of them are right; the thresholds whose
    additions are right at least `share` of the time."""
    table, good = [], []
    for threshold in grid:
        rights = [right for total, right in cases if added(total, threshold)]
        table.append({"threshold": threshold, "added": len(rights), "right": sum(rights)})
        if rights and sum(rights) >= share * len(rights):
            good.append(threshold)
    return table, good


def record(calibration: dict[str, Any], result: dict[str, Any]) -> None:
    """Store the chosen thresholds in the judge's calibration. With no answer threshold right
    often enough the judge overrules nothing, which the key's absence says (load_judge's
    default), not an earlier run's value left behind."""
    for key in ("refuse_below", "refuse_whether_below", "answer_above", "left_out_above"):
        if result[key] == math.inf:
            calibration.pop(key, None)
        else:
            calibration[key] = result[key]
    calibration["refusal_by"] = "training/calibrate_refusal.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="Store the choice in judge.json.")
    args = parser.parse_args()
    apply_offline_defaults()
    from qa.chain import build_pipeline

    pipeline = build_pipeline(Settings(), sync_corpus=True)
    assert pipeline.judge is not None, "the judge is off (QA_JUDGE=false)"
    recorder = RecordingJudge(pipeline.judge, frozenset(d.item for d in pipeline.left_out))
    pipeline.judge = recorder  # type: ignore[assignment]  # read at each answer
    result = choose_left_out(ask_all(pipeline, recorder))
    recorder.left_out_above = result["left_out_above"]
    off = ask_all(pipeline, recorder)
    recorder.answer_above = 0.0
    result |= choose(off, ask_all(pipeline, recorder))
    print(json.dumps(result, indent=1))
    if args.write:
        meta_file = JUDGE_DIR / "judge.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        record(meta["calibration"], result)
        meta_file.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
