"""Pure chunking: sentence spans and sentence-aware passages with stable ids and true offsets."""

from __future__ import annotations

import hashlib
import re

from qa.types import Chunk, Source

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sgt",
    "lt",
    "col",
    "gen",
    "capt",
    "cpl",
    "pte",
    "pfc",
    "st",
    "jr",
    "sr",
    "no",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "gov",
    "sen",
    "rep",
    "hon",
    "rev",
    "que",
    "ont",
    "mt",
    "ft",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "u.k",
    "u.n",
    "e.g",
    "i.e",
    "a.m",
    "p.m",
    "approx",
    "fig",
}
# A candidate boundary: closing punctuation, optional closing quotes/brackets, whitespace, and
# something that can start a sentence.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Ý])")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_BLANK_OR_MARKERS = re.compile(r"(?:\s|[-*+]|\d{1,3}[.)])*")
# A sentence whose subject is a pronoun: first word, or after introductory phrases set off by
# commas ("As president, she…"). "Clinton told him she would…" has a named subject.
_PRONOUN_SUBJECT = re.compile(r"\W*(?:[^,.;]{1,80},\s+){0,2}(he|she|they)\b", re.I)
MAX_CONTEXT = 2  # sentences a pronoun-led one may bring along


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) inside text[start:end], trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for match in _BOUNDARY.finditer(text, start, end):
        if match.group().startswith(".") and _is_abbreviation(text[cursor : match.start()]):
            continue
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))]


def quotable_spans(text: str) -> list[tuple[int, int]]:
    """The spans a passage can be quoted by: each sentence, and a sentence whose subject is a
    pronoun together with the sentences before it back to one that names who "she" is (at most
    MAX_CONTEXT). Alone, "She wrote that…" can neither answer "who wrote…?" nor be embedded
    near it, and reads out of context when quoted."""
    sentences = split_sentences(text)
    spans = []
    for i, (_, end) in enumerate(sentences):
        first = i
        while first and i - first < MAX_CONTEXT and _PRONOUN_SUBJECT.match(text, *sentences[first]):
            first -= 1
        spans.append((sentences[first][0], end))
    return spans


def _is_abbreviation(before: str) -> bool:
    match = _WORD_BEFORE.search(before)
    if not match:
        return False
    word = match.group(1).lower()
    # Initials ("J." in "J. Smith") and known abbreviations ("Mr.", "U.S.").
    return len(word) == 1 or word.rstrip(".") in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def sentence_units(source: Source) -> list[tuple[int, int, str, int]]:
    """Every sentence of the source's segments as (start, end, section, segment index)."""
    return [
        (s, e, section, i)
        for i, (start, end, section) in enumerate(source.segments)
        for s, e in split_sentences(source.text, start, end)
    ]


def chunk_source(source: Source, chunk_chars: int = 480) -> list[Chunk]:
    """Group consecutive sentences into passages of about chunk_chars characters.

    A passage never crosses a section heading or skipped text (chrome, links), so it reads as one
    piece, and a sentence whose subject is a pronoun stays with the one before it up to twice
    chunk_chars. A sentence longer than chunk_chars becomes a passage of its own. Ids hash the
    source content and the span, so unchanged sources always produce the same ids.
    """
    chunks: list[Chunk] = []
    group: list[tuple[int, int, str, int]] = []
    for unit in sentence_units(source):
        if group and not _can_join(source, group, unit, chunk_chars):
            chunks.append(_make_chunk(source, group))
            group = []
        group.append(unit)
    if group:
        chunks.append(_make_chunk(source, group))
    return chunks


def _can_join(
    source: Source,
    group: list[tuple[int, int, str, int]],
    unit: tuple[int, int, str, int],
    chunk_chars: int,
) -> bool:
    last = group[-1]
    # A sentence whose subject is a pronoun may grow the passage to twice its size rather than
    # open the next one, cut off from the sentence saying who "he" is.
    pronoun_led = _PRONOUN_SUBJECT.match(source.text, unit[0], unit[1])
    limit = 2 * chunk_chars if pronoun_led else chunk_chars
    if unit[2] != last[2] or unit[1] - group[0][0] > limit:
        return False
    # Sentences of one line join; lines join when only blank lines or list markers lie between,
    # never across skipped chrome or links.
    return unit[3] == last[3] or bool(_BLANK_OR_MARKERS.fullmatch(source.text[last[1] : unit[0]]))


def _make_chunk(source: Source, group: list[tuple[int, int, str, int]]) -> Chunk:
    start, end = group[0][0], group[-1][1]
    digest = hashlib.sha1(f"{source.content_hash}:{start}:{end}".encode()).hexdigest()[:16]
    return Chunk(
        id=f"{source.id}#{digest}",
        source_id=source.id,
        text=source.text[start:end],
        start=start,
        end=end,
        section=group[0][2],
    )
