"""Gold sets: editors' question files (JSON Lines) with acceptable answers and evidence quotes.

A gold item lists acceptable short answers (empty: the bot should decline) and evidence quotes that
are exact substrings of corpus files. `load_gold_set` is the one way a gold file is read and
checked, by `qa eval`, the editors' tab and `append_gold_item`, which adds an editor's new item only
when the file still loads with it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from qa.corpus import load_sources
from qa.errors import QAError
from qa.types import Turn

ITEM_TYPES = (
    "factoid", "paraphrase", "numeric", "date", "multi_doc", "reasoning", "unanswerable",
    "false_premise", "out_of_scope", "follow_up", "adversarial",
)  # fmt: skip
# Types graded by answer accuracy are all the others (follow-ups included).
NOT_ACCURACY_TYPES = frozenset({"unanswerable", "out_of_scope", "false_premise", "adversarial"})
PREMISE_TYPES = frozenset({"false_premise", "adversarial"})
MAX_GOLD_BYTES = 20_000_000
GOLD_HINT = "Each line must be one JSON object with id, question, answers, evidence and type."

Span = tuple[int, int]


class GoldSetError(QAError):
    """A gold set cannot be read or has a malformed line."""


@dataclass(frozen=True)
class Evidence:
    doc: str  # path relative to the corpus folder, like Citation.source
    quote: str  # an exact substring of that document's text


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answers: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    type: str
    history: tuple[Turn, ...] = ()

    @property
    def expected_refusal(self) -> bool:
        """The positives of the refusal figures: items with no acceptable answer."""
        return not self.answers


def locate_quote(text: str, quote: str) -> tuple[Span, ...]:
    """Every (start, end) where quote occurs in text, by exact substring search."""
    spans, at = [], text.find(quote) if quote else -1
    while at >= 0:
        spans.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return tuple(spans)


def read_corpus_texts(corpus: Path) -> dict[str, str]:
    """Each loadable source's text, the text citations' offsets point into, by source id."""
    sources, _ = load_sources(corpus)
    return {s.id: s.text for s in sources}


def load_gold_set(path: Path, corpus: Path) -> tuple[list[GoldItem], list[str]]:
    """Parse and check a gold set. A malformed line is a GoldSetError naming it; an unknown
    document or a quote not found in its document is a warning for that item."""
    from pydantic import TypeAdapter

    lines = _read_gold_lines(path)
    adapter = TypeAdapter(GoldItem)  # validates types and required keys; extra keys are ignored
    items, seen = [], set[str]()
    for number, line in enumerate(lines, start=1):
        if line.strip():
            items.append(_parse_item(adapter, line, f"{path} line {number}", seen))
    if not items:
        raise GoldSetError(f"{path} holds no questions.", GOLD_HINT)
    return items, _evidence_warnings(items, read_corpus_texts(corpus))


def _read_gold_lines(path: Path) -> list[str]:
    try:
        if path.stat().st_size > MAX_GOLD_BYTES:
            raise GoldSetError(f"{path} is larger than {MAX_GOLD_BYTES:,} bytes.", GOLD_HINT)
        raw = path.read_bytes()
    except OSError as exc:
        raise GoldSetError(f"Gold set {path} cannot be read ({exc.strerror}).") from exc
    try:
        return raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GoldSetError(f"{path} line {line}: not UTF-8 text.", GOLD_HINT) from exc


def _parse_item(adapter: Any, line: str, where: str, seen: set[str]) -> GoldItem:
    from pydantic import ValidationError

    try:
        item: GoldItem = adapter.validate_json(line)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(map(str, error["loc"]))
        message = f"{where}: {field + ': ' if field else ''}{error['msg']}."
        raise GoldSetError(message, GOLD_HINT) from None
    texts = [item.id, item.question, *(x for e in item.evidence for x in (e.doc, e.quote))]
    texts += [x for t in item.history for x in (t.question, t.answer)]
    if not all(t.strip() for t in texts):
        raise GoldSetError(
            f"{where}: ids, questions, docs and quotes must not be blank.", GOLD_HINT
        )
    if item.type not in ITEM_TYPES:
        raise GoldSetError(f"{where}: unknown type {item.type!r}.", f"Use one of {ITEM_TYPES}.")
    if item.id in seen:
        raise GoldSetError(f"{where}: duplicate id {item.id!r}.", GOLD_HINT)
    seen.add(item.id)
    return item


def _evidence_warnings(items: Sequence[GoldItem], texts: dict[str, str]) -> list[str]:
    warnings = []
    for item in items:
        for e in item.evidence:
            if e.doc not in texts:
                warnings.append(f"{item.id}: unknown document {e.doc!r} (not a loadable source).")
            elif not locate_quote(texts[e.doc], e.quote):
                warnings.append(f"{item.id}: quote not found in {e.doc}: {e.quote[:80]!r}.")
        if item.answers and item.type in NOT_ACCURACY_TYPES - PREMISE_TYPES:
            warnings.append(f"{item.id}: a {item.type} item lists answers; no figure grades it.")
    return warnings


def append_gold_item(path: Path, item: GoldItem, corpus: Path) -> int:
    """Append one item to a gold file (created if missing) and return how many it now holds.

    The line is checked as `qa eval` would read it: the existing file must load, the new line must
    parse with an id not yet used, and its evidence must be found in the corpus; a warning that
    `qa eval` would print for it is an error here. On any error nothing is written.
    """
    from pydantic import TypeAdapter

    items = load_gold_set(path, corpus)[0] if path.exists() else []
    line = json.dumps(_item_json(item), ensure_ascii=False)
    where = f"the new item for {path.name}"
    new = _parse_item(TypeAdapter(GoldItem), line, where, {i.id for i in items})
    problems = _evidence_warnings([new], read_corpus_texts(corpus))
    if problems:
        raise GoldSetError(f"{where}: {problems[0]}", GOLD_HINT)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ends_open = path.exists() and not path.read_bytes().endswith(b"\n")
        with path.open("a", encoding="utf-8") as out:
            out.write(("\n" if ends_open and path.stat().st_size else "") + line + "\n")
    except OSError as exc:
        raise GoldSetError(f"Cannot write {path} ({exc.strerror}).") from exc
    return len(items) + 1


def _item_json(item: GoldItem) -> dict[str, Any]:
    """The gold-file form of an item; history only when there is one, as in hand-written files."""
    record = asdict(item)
    if not item.history:
        del record["history"]
    return record
