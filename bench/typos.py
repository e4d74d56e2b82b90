"""Questions with one misspelt word, answered with and without the speller (qa/spelling.py).

In each question of the gold sets, one word is misspelt by one seeded edit (a letter left out,
added or changed, or two neighbours swapped, never the first letter) into a word nobody knows:
of one kind, a word the sources write as a name ("Khadr", "Clinton", "French"); of the other, any
other word of five letters or more, whether the sources use it or not. A question with no such
word is left out. Each set is then asked three ways through the real pipeline: as written,
misspelt with the speller off (QA_SPELLING=false), and misspelt with it on. Prints one JSON object:
per set and kind the questions kept, answers right (answerable items), items right (every item:
refusals too), and how many questions as written the speller changed (each a word misread).

    .venv/bin/python bench/typos.py [GOLD ...] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from dataclasses import replace
from pathlib import Path

from qa.chain import Pipeline, build_pipeline
from qa.config import PROJECT_ROOT, Settings
from qa.environment import apply_offline_defaults
from qa.evaluation import run_eval, summarize
from qa.goldset import GoldItem, load_gold_set
from qa.spelling import SHORTEST, WORD, Speller
from qa.text import STOPWORDS

SETS = [
    PROJECT_ROOT / "corpus/eval/dev.jsonl",
    PROJECT_ROOT / "corpus/eval/fresh.jsonl",
    PROJECT_ROOT / "corpus/eval/blind.jsonl",
    PROJECT_ROOT / "training/data/reader-questions-test.jsonl",
]
SLIP_LETTERS = "aeiourstnl"
KINDS = ("name", "word")


def misspelt(item: GoldItem, kind: str, speller: Speller, rng: random.Random) -> GoldItem | None:
    """The item with one word of its question of that kind misspelt, or None if it has none."""
    words = [m for m in WORD.finditer(item.question) if _kind(m[0], speller) == kind]
    if not words:
        return None
    chosen = rng.choice(words)
    word = chosen[0]
    for _ in range(100):
        at = rng.randrange(1, len(word))
        slip = rng.choice(
            [
                word[:at] + word[at + 1 :],
                word[:at] + rng.choice(SLIP_LETTERS) + word[at:],
                word[:at] + rng.choice(SLIP_LETTERS) + word[at + 1 :],
                word[:at] + word[at + 1 : at + 2] + word[at : at + 1] + word[at + 2 :],
            ]
        )
        if slip != word and not speller.knows(slip):
            question = item.question[: chosen.start()] + slip + item.question[chosen.end() :]
            return replace(item, question=question)
    return None


def _kind(word: str, speller: Speller) -> str | None:
    spelt = speller.spellings.get(word.lower())
    if spelt is not None and spelt[0].isupper() and len(word) >= SHORTEST:
        return "name"
    return "word" if len(word) >= 5 and word.lower() not in STOPWORDS else None


def figures(pipeline: Pipeline, items: list[GoldItem], corpus: Path) -> dict[str, object]:
    report = run_eval(pipeline, items, corpus)
    answerable = [r for r in report.results if r.answer_correct is not None]
    return {
        "answers_right": sum(bool(r.answer_correct) for r in answerable),
        "answerable": len(answerable),
        "items_right": sum(bool(r.correct) for r in report.results),
        "answer_accuracy": summarize(report.results)["answer_accuracy"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="*", type=Path, default=SETS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    apply_offline_defaults()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp))
        on = build_pipeline(settings, sync_corpus=True)
        off = build_pipeline(settings.model_copy(update={"spelling": False}))
        speller = on.speller_for(on.retriever)  # the one the pipeline reads questions with
        result: dict[str, object] = {"seed": args.seed}
        for path in args.gold:
            items, _ = load_gold_set(path, settings.corpus)
            for kind in KINDS:
                pairs = [(i, m) for i in items if (m := misspelt(i, kind, speller, rng))]
                written = [i for i, _ in pairs]
                slipped = [m for _, m in pairs]
                result[f"{path.stem}/{kind}"] = {
                    "questions": len(pairs),
                    "as_written": figures(on, written, settings.corpus),
                    "misspelt_speller_off": figures(off, slipped, settings.corpus),
                    "misspelt_speller_on": figures(on, slipped, settings.corpus),
                    "as_written_changed": sum(
                        speller.correct(i.question) != i.question for i in written
                    ),
                }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
