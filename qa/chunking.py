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
    "op",
    "vol",
    "pp",
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
# How far past a full stop inside brackets the closing bracket may stand for the stop to end nothing.
BRACKET_REACH = 200
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
# A list item or a paragraph starts a sentence whatever ends the line before: items of a timeline
# ("- 14 August 2009: the court upheld…") often end without a full stop or start with a digit after
# a dash, and one run-on "sentence" of a whole list answers everything it names.
_MARKER = r"(?:[-*+•]|\d{1,3}[.)])"
_LIST_MARKER = re.compile(rf"[ \t]*{_MARKER}[ \t]+")
_ITEM_GAP = re.compile(rf"\s*\n[ \t]*{_MARKER}[ \t]+")
# A blank line followed by a lowercase word is not a paragraph's end: a PDF's pages are joined by
# blank lines, and a sentence may run on to the next page.
_LINE_BOUNDARY = re.compile(rf"\n(?:[ \t]*\n)*[ \t]*{_MARKER}[ \t]+|\n[ \t]*\n\s*(?=[^\sa-z])")
_BLANK_OR_MARKERS = re.compile(rf"(?:\s|{_MARKER})*")
# A sentence led by a pronoun: first word, or after introductory phrases set off by commas ("As
# president, she…"). "Clinton told him she would…" has a named subject. Such a sentence stays in
# the passage of the one before it.
_COMMA_OPENINGS = r"\W*(?:[^,.;]{1,80},\s+){0,2}"
_PRONOUN_LED = re.compile(_COMMA_OPENINGS + r"(he|she|they)\b", re.I)
# A sentence whose subject is a pronoun, also after an opening that names a time or place without a
# comma ("In November 2007 she met…"): quoted, it brings the sentences that say who she is. Used
# for chunking as well, it let passages grow and moved two dev answers out of retrieval's top five
# (bench/RESULTS.md), so chunking keeps the narrower test.
_PRONOUN_SUBJECT = re.compile(
    _COMMA_OPENINGS
    + r"(?:(?:in|on|at|by|after|before|during|from|until)(?:\s+[^\s,.;:]+){1,6}\s+)?"
    + r"(he|she|they)\b",
    re.I,
)
MAX_CONTEXT = 3  # sentences a pronoun-led one may bring along (a list's lead and two items)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (start, end) inside text[start:end], trimmed of surrounding whitespace and of
    list markers."""
    end = len(text) if end is None else end
    if marker := _LIST_MARKER.match(text, start, end):
        start = marker.end()
    # (where the sentence stops, where the next one starts, the full stop's match if any)
    cuts = sorted(
        [(m.end(), m.end(), m) for m in _BOUNDARY.finditer(text, start, end)]
        + [(m.start(), m.end(), None) for m in _LINE_BOUNDARY.finditer(text, start, end)],
        key=lambda cut: cut[0],
    )
    spans, cursor = [], start
    for stop, resume, stop_match in cuts:
        if stop < cursor:  # a full stop before a list item: the line already cut there
            continue
        if stop_match and (
            (
                stop_match.group().startswith(".")
                and _is_abbreviation(text[cursor : stop_match.start()])
            )
            or _inside_brackets(text, cursor, stop_match.start(), end)
        ):
            continue
        spans.append((cursor, stop))
        cursor = resume
    spans.append((cursor, end))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))]


def _inside_brackets(text: str, start: int, stop: int, end: int) -> bool:
    """Whether a full stop at `stop` stands inside brackets opened since `start` and closed soon
    after (within BRACKET_REACH): "(May 10 O.S.) 1747 – 1830) was the wife of…" and 'Alfred
    Wainwright ("A.W.") MBE was…' are one sentence each, while a bracket never closed does not join
    the sentences after it."""
    reach = min(end, stop + BRACKET_REACH)
    return text.count("(", start, stop) > text.count(")", start, stop) and text.count(
        ")", stop, reach
    ) > text.count("(", stop, reach)


def quotable_spans(text: str) -> list[tuple[int, int]]:
    """The spans a passage can be quoted by: each sentence; a sentence whose subject is a pronoun
    together with the sentences before it back to one that names who "she" is (at most
    MAX_CONTEXT); and a sentence that introduces a list ("…with five news organizations:")
    together with the list. Alone, "She wrote that…" can neither answer "who wrote…?" nor be
    embedded near it, and reads out of context when quoted; alone, a list item does not say what
    it is a list of."""
    sentences = split_sentences(text)
    spans = []
    for i, (start, end) in enumerate(sentences):
        first = i
        while first and i - first < MAX_CONTEXT and _PRONOUN_SUBJECT.match(text, *sentences[first]):
            first -= 1
        spans.append((sentences[first][0], end))
        if text[end - 1] == ":":
            last = i
            while last + 1 < len(sentences) and _ITEM_GAP.fullmatch(
                text, sentences[last][1], sentences[last + 1][0]
            ):
                last += 1
            if last > i:
                spans.append((start, sentences[last][1]))
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
    pronoun_led = _PRONOUN_LED.match(source.text, unit[0], unit[1])
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
