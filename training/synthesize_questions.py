"""Synthetic reader questions over the corpus, written by a local model, for training the judge.

For every sentence of every source (split as the answerer splits them), the local Qwen2.5-Coder
model (llama.cpp, greedy decoding, JSON-schema output) is shown the sentence with the one before it
and asked for a question a reader could ask that the sentence answers, and the short answer copied
from it. A pair is kept only when the answer is found in the sentence and the question is not the
sentence reworded word for word (label cleaning). Nothing here reads a gold set.

    .venv/bin/python training/synthesize_questions.py --model qwen2.5-coder-0.5b \
        --out training/data/synthetic-questions.jsonl

Writes one JSON line per kept pair: doc, start, end (offsets of the sentence in the source text),
question, answer; prints counts and seconds as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.chunking import split_sentences  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.corpus import load_sources  # noqa: E402
from qa.evaluation import contains_answer  # noqa: E402
from qa.models import model_path  # noqa: E402
from qa.text import tokens  # noqa: E402

SCHEMA = {
    "type": "object",
    "properties": {"question": {"type": "string"}, "answer": {"type": "string"}},
    "required": ["question", "answer"],
}
SYSTEM = (
    "You write questions that newspaper readers ask about a story. A question names people and "
    "things (never 'he', 'she', 'it', 'the article' or 'the sentence'), is short, and uses other "
    "words than the text where it can. The answer is a few words copied exactly from the sentence."
)
MIN_WORDS = 7  # shorter sentences are headings, list labels or fragments
MAX_CHARS = 1200  # longer "sentences" are lists run together: no single question fits them
MAX_COPIED = 0.8  # a question holding more of the sentence's words is the sentence reworded


def candidate_sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, context) of each sentence worth a question; context is the sentence before
    it, so the model can name who a pronoun is."""
    spans = split_sentences(text)
    chosen = []
    for i, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if (
            len(sentence.split()) < MIN_WORDS
            or len(sentence) > MAX_CHARS
            or sentence.startswith("#")
        ):
            continue
        before = text[spans[i - 1][0] : spans[i - 1][1]][-MAX_CHARS:] if i else ""
        chosen.append((start, end, before))
    return chosen


def keep(question: str, answer: str, sentence: str) -> bool:
    asked, said = set(tokens(question)), set(tokens(sentence))
    return (
        question.strip().endswith("?")
        and bool(answer.strip())
        and contains_answer(sentence, [answer])
        and not contains_answer(question, [answer])  # the question must not give it away
        and len(asked & said) <= MAX_COPIED * max(len(said), 1)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0, help="Stop after this many sentences.")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from llama_cpp import Llama

    settings = Settings()
    llm = Llama(
        str(model_path(args.model, settings.resolve_home())),
        n_ctx=2048,
        n_threads=2,
        seed=args.seed,
        verbose=False,
    )
    sources, _ = load_sources(args.corpus)
    started, asked, kept = time.perf_counter(), 0, 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for source in sources:
            for start, end, before in candidate_sentences(source.text):
                if args.limit and asked >= args.limit:
                    break
                sentence = source.text[start:end]
                context = f"Text before it: {before}\n" if before else ""
                reply = llm.create_chat_completion(
                    messages=[
                        {"role": "system", "content": SYSTEM},
                        {"role": "user", "content": f"{context}Sentence: {sentence}"},
                    ],
                    response_format={"type": "json_object", "schema": SCHEMA},
                    temperature=0.0,
                    max_tokens=96,
                )
                asked += 1
                try:
                    pair = json.loads(reply["choices"][0]["message"]["content"])
                except (ValueError, KeyError, TypeError):
                    continue
                if keep(pair.get("question", ""), pair.get("answer", ""), sentence):
                    kept += 1
                    record = {"doc": source.id, "start": start, "end": end, **pair}
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    out.flush()
    seconds = round(time.perf_counter() - started, 1)
    print(json.dumps({"sentences_asked": asked, "pairs_kept": kept, "seconds": seconds}))


if __name__ == "__main__":
    main()
