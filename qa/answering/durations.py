"""Computed answers: how long between two dated facts, each quoted with its citation.

"How many days after X did Y?", "how long had X been in force when Y?", "how old was Z when Y?"
ask for a figure no single sentence holds. Such a question names two events; the sentences dating
them are found like any answer (see chain.py), their dates are read here, and the difference is
computed and stated with both quotes: "… 28 November 2010 [1] … 1 December 2010 [2] From 28 November
2010 to 1 December 2010: 3 days." A figure is shown only when `figure_follows` finds it again from
the dates in the cited quotes alone, the check generated answers go through as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from qa.answering.extractive import STATES_AGE, ScoredSentence
from qa.chunking import split_sentences
from qa.citations import cited_pieces
from qa.dates import PRECISIONS, DateMention, cut_to_shared, find_dates
from qa.text import CLAUSE_BOUNDARY, HEDGES, NUMBER_WORDS, stem, tokens, words
from qa.types import Answer, Citation, Passage

_UNIT = r"(?P<unit>days?|weeks?|months?|years?)"
_AUX = r"(?:did|does|do|was|were|is|are|had|has|have|would|could)"
_DO = r"(?:did|does|do)"
_HOW_MUCH_TIME = rf"how (?:many|much) {_UNIT}|how long"
_PRONOUN = r"(?:he|she|it|they)\b"
# An event's subject, before its first auxiliary: "kouchner" in "kouchner was born".
_SUBJECT = re.compile(r"^(?P<subject>.+?) (?:was|were|is|are|had|has|been)\b")

# Question shapes: each names the earlier event `a` and the later event `b`.
_POINT_SHAPES = (
    # how many years after A was born was he appointed B: the question's own "was" comes before
    # the pronoun standing for A's subject, not inside A
    re.compile(rf"^(?:{_HOW_MUCH_TIME}) (?:\w+ )?after (?P<a>.+?) {_AUX} (?P<b>{_PRONOUN} .+)$"),
    # how many years after A was founded did B: the question's own "did" ends A, not A's "was"
    re.compile(rf"^(?:{_HOW_MUCH_TIME}) (?:\w+ )?after (?P<a>.+?) {_DO} (?P<b>.+)$"),
    # how many days after A did B / how long after A was B
    re.compile(rf"^(?:{_HOW_MUCH_TIME}) (?:\w+ )?after (?P<a>.+?) {_AUX} (?P<b>.+)$"),
    # how many days before B did A  (the event named second happened first)
    re.compile(rf"^(?:{_HOW_MUCH_TIME}) (?:\w+ )?before (?P<b>.+?) {_DO} (?P<a>.+)$"),
    re.compile(rf"^(?:{_HOW_MUCH_TIME}) (?:\w+ )?before (?P<b>.+?) {_AUX} (?P<a>.+)$"),
    # how many years passed between A and B
    re.compile(rf"^(?:{_HOW_MUCH_TIME}) (?:\w+ ){{0,2}}between (?P<a>.+?) and (?P<b>.+)$"),
    # how long did Canada take between signing A and ratifying it, how long did it take Canada to
    # go from signing A to ratifying it: events told by their verbs, not "how long did the
    # meeting between Kouchner and Clinton last" nor "from Kandahar to Guantanamo"
    re.compile(
        rf"^(?:{_HOW_MUCH_TIME}) (?:\w+ ){{1,6}}between (?P<a>\w+ing .+?) and (?P<b>\w+ing .+)$"
    ),
    re.compile(
        rf"^(?:{_HOW_MUCH_TIME}) (?:\w+ ){{0,6}}from (?P<a>\w+ing .+?) to (?P<b>\w+ing .+)$"
    ),
)
# What ties a question to the moment of its later event: "when", "at the time of", "on the day…".
AT_EVENT = r"(?:when|by the time|at the time(?: of)?|on the day|during)"
# Shapes whose earlier event is a state that began some time before B.
_STATE_SHAPES = (
    # how long had A been … when / by the time / at the time of B
    re.compile(rf"^(?:{_HOW_MUCH_TIME}) (?:had|has) (?P<a>.+?) {AT_EVENT} (?P<b>.+)$"),
    # by the time B, how long had A been …
    re.compile(rf"^(?:by the time|when) (?P<b>.+?), (?:{_HOW_MUCH_TIME}) (?:had|has) (?P<a>.+)$"),
)
# Sentences about a state read for the date it began: the best few, earliest first.
STATE_CANDIDATES = 3
# Dated sentences about each event read for a pair in the order the question gives: past these,
# they are about other things.
ORDER_CANDIDATES = 5
# how old was Z when B: from Z's birth to B, in years. Z must be a name, not a pronoun.
_AGE = re.compile(rf"^how old was (?P<who>(?!he\b|she\b|they\b)[\w.' -]+?) {AT_EVENT} (?P<b>.+)$")


@dataclass(frozen=True)
class DurationQuestion:
    """Asks how long from event `earlier` to event `later`, in `unit` (None: the natural unit)."""

    earlier: str
    later: str
    unit: str | None
    age: bool = False  # "how old": earlier is a birth, the answer is whole years
    state: bool = False  # "how long had A been …": earlier is the start of a state
    who: str = ""  # whom a pronoun opening `later` stood for, now named there ("he became …")


# "How old was he really when…" asks what "how old was he when…" asks.
_HEDGES = re.compile(rf"\b(?:{'|'.join(sorted(HEDGES))}|in fact)\b ?")


# A follow-up opening with a word that only joins it to the conversation: "And who replaced him?"
_JOINED_ON = re.compile(r"^\W*(?:(?:and|so|but|then|also|ok(?:ay)?|well|right)\b[\s,]*)+")


def question_text(question: str) -> str:
    """The question as its shapes are matched: lowercase, without hedges or a joining word
    before it, one space between words, no "?"."""
    text = _HEDGES.sub("", _JOINED_ON.sub("", question.lower()))
    return re.sub(r"\s+", " ", text.strip().rstrip("?").strip())


def parse_duration_question(question: str) -> DurationQuestion | None:
    """The two events and the unit, when the question asks for the time between them."""
    text = question_text(question)
    age = _AGE.match(text)
    if age:
        # "How old was Kouchner when he became …": the event is his, and is found by his name.
        who, later = _named(age["b"], age["who"])
        return DurationQuestion(f"{age['who']} was born", later, "years", age=True, who=who)
    for shape in (*_POINT_SHAPES, *_STATE_SHAPES):
        m = shape.match(text)
        if m:
            unit = m.groupdict().get("unit")
            unit = unit if unit is None or unit.endswith("s") else unit + "s"
            subject = _SUBJECT.match(m["a"])
            who, later = _named(m["b"], subject["subject"]) if subject else ("", m["b"])
            return DurationQuestion(m["a"], later, unit, state=shape in _STATE_SHAPES, who=who)
    return None


def _named(event: str, subject: str) -> tuple[str, str]:
    """Whom a pronoun opening the event stands for ("" when none does), and the event with the
    pronoun replaced by them: a pronoun finds no sentences, a name does."""
    if not re.match(_PRONOUN, event):
        return "", event
    return subject, re.sub(rf"^{_PRONOUN}", lambda _: subject, event)


@dataclass(frozen=True)
class Interval:
    value: int
    unit: str
    approximate: bool  # the dates leave the figure one unit either way (a year without a month…)


def difference(earlier: DateMention, later: DateMention, unit: str | None) -> Interval | None:
    """Whole units from one date to the other, or None when the dates run backwards or are too
    coarse for the unit: days and weeks need two full dates, months need two months."""
    a, b = earlier.as_date(), later.as_date()
    if b < a:
        return None
    precisions = {earlier.precision, later.precision}
    unit = unit or _natural_unit(a, b, precisions)
    if unit in ("days", "weeks"):
        if precisions != {"day"}:
            return None
        days = (b - a).days
        return Interval(days if unit == "days" else round(days / 7), unit, unit == "weeks")
    if "year" in precisions:  # only the calendar years are known
        return None if unit == "months" else Interval(b.year - a.year, unit, True)
    months = (b.year - a.year) * 12 + b.month - a.month
    if precisions == {"day"}:
        months -= b.day < a.day
        fewest = months
    else:  # a day unknown on one side: the last month may be incomplete
        fewest = months - 1
    if unit == "months":
        return Interval(months, unit, fewest != months)
    return Interval(months // 12, unit, fewest // 12 != months // 12)


def _after(later: DateMention, earlier: DateMention) -> bool:
    """Whether a date falls after another, compared as precisely as both give: "2010" is not after
    "12 August 2010", "31 October 2010" is."""
    return cut_to_shared(later, earlier) > cut_to_shared(earlier, later)


def _natural_unit(a: date, b: date, precisions: set[str]) -> str:
    # Days, not weeks, up to two months: 32 days is not rounded to "about 5 weeks".
    if precisions == {"day"} and (b - a).days < 60:
        return "days"
    if "year" not in precisions and (b.year - a.year) * 12 + b.month - a.month < 24:
        return "months"
    return "years"


def figure_follows(value: int, unit: str, dates: Sequence[DateMention]) -> bool:
    """True when two of the dates (those the quotes hold) give exactly this figure."""
    return any(
        a is not b
        and (i := difference(a, b, unit)) is not None
        and (i.value, i.unit) == (value, unit)
        for a in dates
        for b in dates
    )


def nearest_date(quote: str, terms: set[str], before: str = "") -> DateMention | None:
    """The quote's date standing closest to where the event's words are (a sentence may date
    several events: "he was 15 in 2002 when he was detained … pleaded guilty in October 2010").

    Only the sentences (and lines, in a list) of the quote that name the event are read, when any
    does: in "He was 15 in 2002 when he was detained. He pleaded guilty in October.", 2002 does
    not date the plea. `before` is the text preceding the quote (see find_dates).
    """
    dates = find_dates(quote, before)
    naming = [(s, e) for s, e in _statements(quote) if set(tokens(quote[s:e])) & terms]
    if naming:
        dates = [d for d in dates if any(s <= d.start < e for s, e in naming)]
    if len(dates) <= 1:
        return dates[0] if dates else None
    positions = [m.start() for m in re.finditer(r"\S+", quote) if set(tokens(m[0])) & terms]
    if not positions:
        return dates[0]
    return min(dates, key=lambda d: min(abs((d.start + d.end) / 2 - p) for p in positions))


def _dated(
    sentences: list[ScoredSentence], threshold: float, terms: set[str], placing: set[str]
) -> list[tuple[ScoredSentence, DateMention]]:
    """The sentences supported at `threshold` or more that hold a word of the event (`terms`),
    each with the date nearest the words that place it. A sentence holding none dates something
    else: "Khadr was first charged … on 7 November 2005" is no reading of "his guilty plea"."""
    return [
        (s, d)
        for s in sentences
        if s.support >= threshold
        and (terms & set(tokens(s.text)) or not terms)
        and (d := nearest_date(s.text, placing, s.before)) is not None
    ]


def _within(precise: DateMention, coarse: DateMention) -> bool:
    """Whether the precise date falls in the year, or the month, the coarse one gives."""
    return precise.year == coarse.year and coarse.month in (None, precise.month)


def _finer(mention: DateMention, other: DateMention) -> bool:
    """Whether a date is given more precisely than another (a day against a month or a year)."""
    return PRECISIONS.index(mention.precision) > PRECISIONS.index(other.precision)


def _precise_enough(mention: DateMention, unit: str | None) -> bool:
    """Whether a date can measure in this unit: days and weeks need the day, months the month."""
    if unit in ("days", "weeks"):
        return mention.day is not None
    return unit != "months" or mention.month is not None


def _statements(quote: str) -> list[tuple[int, int]]:
    """The quote's sentences, each cut at its line breaks and semicolons: the items of a list ("-
    14 August 2009: the appeal court upheld it") and the clauses a semicolon joins ("… capped his
    sentence …; Washington and Ottawa exchanged notes on 23 October") are read as statements of
    their own."""
    pieces = []
    for start, end in split_sentences(quote):
        for line in re.finditer(r"[^\n;]+", quote[start:end]):
            pieces.append((start + line.start(), start + line.end()))
    return pieces


def state_difference(earlier: DateMention, later: DateMention, interval: Interval) -> str:
    """The computed sentence: 'From 28 November 2010 to 1 December 2010: 3 days.'"""
    about = "about " if interval.approximate else ""
    return state_length(earlier, later, about + counted(interval.value, interval.unit))


def state_length(earlier: DateMention, later: DateMention, length: str) -> str:
    """A length stated with the two dates it runs between: 'From … to …: 2.5 years.'"""
    return f"From {earlier.text} to {later.text}: {length}."


def counted(value: int, unit: str) -> str:
    """'3 days', '1 day': a count and its unit (plural, as durations name them)."""
    return f"{value} {unit if value != 1 else unit[:-1]}"


_NUMBER_WORD = rf"\d+|{NUMBER_WORDS}|a few|several|a little over \w+|about \w+|a|an"


def states_duration(sentence: str, asked: DurationQuestion) -> bool:
    """The sentence already says how long ('a little over two weeks') or how old, as asked, in a
    clause that names one of the events: "a meeting … three weeks before the story" says nothing
    of how long he had been foreign minister, and "foreign minister until three weeks ago" places
    a moment, not a length. An age must stand with at least half the later
    event's words, since the person's name is everywhere: "whom the cable described as a
    15-year-old" is not his age when the cables were published."""
    units = asked.unit[:-1] if asked.unit else r"day|week|month|year"
    # "Three weeks ago" places a moment before the writing; it is no length of time.
    states = (
        STATES_AGE
        if asked.age
        else re.compile(rf"\b(?:{_NUMBER_WORD}) (?:{units})s?\b(?! ago\b)", re.I)
    )
    if asked.age:  # the person's name is in the later event too
        terms = set(tokens(asked.later)) - set(tokens(asked.earlier))
    else:
        terms = set(tokens(asked.earlier)) | set(tokens(asked.later))
    needed = (len(terms) + 1) // 2 if asked.age else 1
    return any(
        states.search(clause) and len(terms & set(tokens(clause))) >= needed
        for clause in CLAUSE_BOUNDARY.split(sentence)
    )


# The candidate sentences for an event, best supported first (retrieval + scoring, in chain.py).
FindSentences = Callable[[str], list[ScoredSentence]]
# Taking up a post or a role: an event that starts a state (see _begins_state).
TAKES_UP = re.compile(
    r"\b(?:became|become|becomes|took office|took over|joined|appointed|elected|sworn in|"
    r"(?:was|were) (?:named|made))\b"
)
# What is yet to come at the time a sentence tells it: "would accept", "promised to take".
_TO_COME = re.compile(
    r"\b(?:would|will|(?:was|were) to|(?:promis|pledg|agree|plan|offer|vow)\w* to)\b", re.I
)
# An event told by its verb: "signing the protocol".
_GERUND = re.compile(r"^(\w+ing)\b")
# "msf was founded": what the event happened to, and its verb.
_PASSIVE_EVENT = re.compile(r"^(?P<subject>.+?) (?:was|were) (?P<verb>[a-z]+ed)$")
# "kouchner co-founding msf", "signing the treaty": the event's verb, opening it or after its
# subject, and what it was done to; not a noun after "the" ("the meeting took place").
_ACTIVE_EVENT = re.compile(
    r"^(?:(?!(?:the|a|an|his|her|its|their|this|that)\b)\S+ )?(?P<verb>[a-z-]+ing) (?P<object>.+)$"
)
# Words from the verb within which what it happened to stands: past a name and its acronym
# ("founded Médecins Sans Frontières (MSF"), or just before it ("MSF, founded").
AFTER_VERB = 5
BEFORE_VERB = 2


def answer_by_computation(
    question: str, asked: DurationQuestion, find: FindSentences, threshold: float
) -> Answer | None:
    """The dated sentences quoted (earlier event first) and the difference stated, or None when
    either event has no dated sentence with support ≥ threshold holding a word of it, no two of
    them date the events in the question's order, the dates are too coarse for the unit, or the
    figure does not follow from the quoted dates."""
    # "How long had she been mayor?": the best sentences about her as mayor may date any time she
    # was; the earliest of them is nearest to when she became it. So with an event that starts a
    # state ("when he became foreign minister"): the best sentences about him as minister date
    # his time in office, the earliest its start. Those few are read earliest first (an earliest
    # one before the other event, such as his birth, gives way to the next).
    starts = (asked.state or _begins_state(asked.earlier), _begins_state(asked.later))
    readings = []
    events = ((asked.earlier, ""), (asked.later, asked.who))
    for (event, named), begins in zip(events, starts, strict=True):
        # A name put for the question's pronoun finds the event's sentences, but a sentence
        # must hold a word of the event besides it, as the pronoun was no word of it.
        terms = set(tokens(event)) - set(tokens(named))
        # The subject's name may stand beside every date of a sentence about them ("born in
        # September 1986, Khadr was 15 when captured in July 2002"): the rest of the event places
        # its date.
        subject = _SUBJECT.match(event)
        placing = (terms - set(tokens(subject["subject"])) if subject else set()) or terms
        # The best sentences that date the event as precisely as the unit needs (an age must be
        # exact, which takes the month of both dates): "in February of 2009" cannot count days.
        unit = "months" if asked.age else asked.unit
        found = _dated(find(event), threshold, terms, placing)
        dated = [(s, d) for s, d in found if _precise_enough(d, unit)]
        # "On 5 February 2009" in another source can, and measures a moment more exactly than the
        # best sentence's "in February of 2009" whatever the unit ("about 1 month" after 22
        # January was 14 days). The event is looked for again with that coarse date, and the
        # dates within it read first. Not for the start of a state, whose earliest reading counts.
        coarse = found[0][1] if found and not dated else None
        if dated and dated[0][1].day is None and not begins:
            coarse = dated[0][1]
        if coarse is not None:
            finer = [
                (s, d)
                for s, d in _dated(find(f"{event} {coarse.text}"), threshold, terms, placing)
                if _precise_enough(d, unit) and _within(d, coarse) and _finer(d, coarse)
            ]
            dated = finer + [r for r in dated if r not in finer]
        if not dated:
            return None
        # Sentences that state the event itself first: "founded Médecins Sans Frontières (MSF"
        # for "MSF was founded", before "broke with MSF … and in 1980 co-founded a second
        # organization", whose founding is another's; then, for an event opening with its verb,
        # those holding it; then those telling it happened before those telling it was to come
        # (stable: each kind keeps its ranking).
        dated.sort(
            key=lambda reading: (
                not _puts_beside_its_verb(event, reading[0].text),
                _misses_verb(event, reading[0].text),
                _foretells(event, reading[0].text),
            )
        )
        readings.append(dated)
    earlier, later = (
        sorted(r[:STATE_CANDIDATES], key=lambda pair: pair[1].as_date()) if start else r
        for r, start in zip(readings, starts, strict=True)
    )
    # The question puts the later event after the earlier one: a pair of sentences dating them the
    # other way round is about other events ("the trial opened … before a jury" read for "the jury
    # handing down its sentence"). Of the pairs in order, the best by their two ranks is read.
    ordered = [
        (i + j, i, a, b)
        for i, a in enumerate(earlier[:ORDER_CANDIDATES])
        for j, b in enumerate(later[:ORDER_CANDIDATES])
        if _after(b[1], a[1])
    ]
    if not ordered:
        return None
    *_, (first, start), (second, end) = min(ordered, key=lambda pairing: pairing[:2])
    interval = difference(start, end, asked.unit)
    # Two events dated the same: one date was read for both. An age must be exact: born in
    # September 1986, he was 15 or 16 "in 2002".
    if interval is None or interval.value <= 0 or (asked.age and interval.approximate):
        return None
    quoted = [d for s in (first, second) for d in find_dates(s.text, s.before)]
    if not figure_follows(interval.value, interval.unit, quoted):
        return None
    return computed_answer(question, [first, second], state_difference(start, end, interval))


def _begins_state(event: str) -> bool:
    """Whether the event is someone's taking up a post or a role ("he became foreign minister",
    "she was appointed", "he took office")."""
    return bool(TAKES_UP.search(event))


def _misses_verb(event: str, sentence: str) -> bool:
    """Whether an event told by its verb ("signing the protocol") is read from a sentence without
    that verb: "the protocol … was adopted … on 25 May 2000" dates no signing, "It signed on 5 June
    2000" does."""
    verb = _GERUND.match(event)
    return verb is not None and stem(verb[1]) not in tokens(sentence)


def _foretells(event: str, sentence: str) -> bool:
    """Whether the sentence tells the event mostly as one to come: more of its words follow
    "would", "will" or a promise, in the same clause, than stand elsewhere ("Sarkozy told Obama …
    in April 2009 that France would accept one Guantanamo prisoner"). Its date is when that was
    said, not when the event happened; while "Kouchner had handed Clinton a paper …, and Clinton
    had agreed to review the case" tells the meeting itself. An event that is itself the promise
    ("France agreed to take a prisoner") is told so by it."""
    if _TO_COME.search(event):
        return False
    terms = set(tokens(event))
    to_come, told = set(), []
    for clause in CLAUSE_BOUNDARY.split(sentence):
        m = _TO_COME.search(clause)
        told.append(clause[: m.start()] if m else clause)
        if m:
            to_come |= terms & set(tokens(clause[m.end() :]))
    return len(to_come) > len(terms & set(tokens(" ".join(told))))


def _puts_beside_its_verb(event: str, sentence: str) -> bool:
    """For an event told in the passive ("msf was founded") or by a verb's -ing and what it was
    done to ("kouchner co-founding msf"), whether the sentence puts that beside its verb: after it
    ("founded Médecins Sans Frontières (MSF") or just before it ("MSF, founded in 1971"), not "in
    1980 co-founded a second organization". Any sentence does, for an event told otherwise."""
    told = _PASSIVE_EVENT.match(event)
    if told:
        subject, verb = told["subject"], told["verb"]
    elif told := _ACTIVE_EVENT.match(event):
        subject, verb = told["object"], told["verb"]
    else:
        return True
    done_to, verb = set(tokens(subject)), _verb_stem(verb)
    stems = [_verb_stem(w) for w in words(sentence)]
    return not done_to or any(
        w == verb and done_to & set(stems[max(0, i - BEFORE_VERB) : i + 1 + AFTER_VERB])
        for i, w in enumerate(stems)
    )


def _verb_stem(word: str) -> str:
    """The stem of a word's last part: "co-founded" is told with "founded"."""
    return stem(word.rsplit("-", 1)[-1])


def computed_answer(question: str, sentences: list[ScoredSentence], statement: str) -> Answer:
    """The sentences quoted with their citations (a sentence found for both facts once), then the
    statement computed from them."""
    sentences = [
        s for i, s in enumerate(sentences) if s.text not in {t.text for t in sentences[:i]}
    ]
    citations = tuple(s.cite(n) for n, s in enumerate(sentences, start=1))
    passages = tuple(dict.fromkeys(s.passage for s in sentences))
    return computed_from_quotes(question, citations, statement, passages)


def computed_from_quotes(
    question: str,
    citations: Sequence[Citation],
    statement: str,
    passages: Sequence[Passage] = (),
) -> Answer:
    """The quotes with their citations (numbered from 1, in order), then the statement computed
    from them."""
    citations = tuple(replace(c, n=n) for n, c in enumerate(citations, start=1))
    return Answer(
        question,
        "".join(cited_pieces(citations)) + " " + statement,
        refused=False,
        citations=citations,
        passages=tuple(passages),
        answered_by="computed",
    )
