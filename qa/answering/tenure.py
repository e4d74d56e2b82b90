"""Computed answers from terms of office: who held a post when something happened, and how long
someone held one.

"Who was Canada's foreign minister when Kouchner lobbied Clinton?" names a post and an event that no
sentence joins: a list of officials gives "Lawrence Cannon — Minister of Foreign Affairs from 30
October 2008 to 18 May 2011", another source dates the meeting. The best sentences about the post
are read for a term of office, the event's date is read as for an interval (durations.py), and the
best-supported term that holds the date answers, with both sentences quoted and the check stated:
"… [1] … [2] 5 February 2009 falls between 30 October 2008 and 18 May 2011."

"How long was Lawrence Cannon foreign minister?" asks the length of a term no sentence states: the
best-supported sentence about it that gives one term answers, with its length computed from the
term's two dates: "… [1] From 30 October 2008 to 18 May 2011: 2.5 years." When no sentence gives
the term whole, it runs from the sentence telling of taking the post up to the one telling of
leaving it: "… appointed Kouchner Minister of Foreign … Affairs [1] Kouchner left the government …
[2] From May 2007 to 14 November 2010: about 3.5 years."
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.answering.durations import (
    AT_EVENT,
    TAKES_UP,
    DurationQuestion,
    FindSentences,
    computed_answer,
    computed_from_quotes,
    counted,
    difference,
    nearest_date,
    question_text,
    state_length,
    states_duration,
)
from qa.answering.extractive import ScoredSentence, answer_type
from qa.chunking import split_sentences
from qa.dates import DateMention, cut_to_shared, find_dates
from qa.text import NAME_RUN, tokens
from qa.types import Answer, Citation

_SHAPE = re.compile(
    rf"^(?:who|which \w+) (?:was|were|served as) (?P<post>.+?) {AT_EVENT} (?P<event>.+)$"
)
# A second question joined to the first ("…, and does he appear in the article") is not the event.
_SECOND_QUESTION = re.compile(
    r",? and (?:does|did|do|is|was|were|has|had|what|who|how|where|why)\b.*$"
)
# Between the two dates of a term: "from 2008 to 2011", "2008–2011", "between 2008 and 2011".
_TERM_GAP = re.compile(r"\s*(?:to|until|till|through|and|[-–—])\s*")
_TERM_OPENS = re.compile(r"\b(?:from|between|since)\s+$", re.I)
# Sentences about the post read for a term: past the best few, they are about other posts.
POST_CANDIDATES = 5
# "How long did Cannon serve as foreign minister?", "how long was he in Kosovo?": what lasted. The
# shapes of a time between two events ("how long after …", "how long had … when …") are read
# first, by durations.py.
_LENGTH_SHAPE = re.compile(r"^how long (?:did|was|were|had|has|is) (?P<held>.+)$")
# The names a question gives: who held what it asks about ("Kouchner"), not what was held.
_NAMES = re.compile(rf"(?<!^){NAME_RUN}")
# Leaving a post or a role: the end of a term no sentence gives whole.
_LEAVES = re.compile(
    r"\b(?:left|resigned|stepped down|retired|(?:was|were) (?:replaced|succeeded|dismissed|ousted))\b"
)


@dataclass(frozen=True)
class TenureQuestion:
    """Asks who held `post` at the time of `event`."""

    post: str
    event: str


@dataclass(frozen=True)
class Term:
    """A term of office as a sentence gives it."""

    start: DateMention
    end: DateMention | None  # None: still in office when written ("since 2006", "from 2006")

    def holds(self, day: DateMention) -> bool:
        """Whether the date falls within the term, compared as precisely as both dates allow."""
        after_start = cut_to_shared(self.start, day) <= cut_to_shared(day, self.start)
        return after_start and (
            self.end is None or cut_to_shared(day, self.end) <= cut_to_shared(self.end, day)
        )

    def length(self) -> str | None:
        """How long the term lasted, as precisely as its dates allow: "18 months", "2.5 years",
        "3 years and 2 months", "about 2 years" (only the years known); None when open or
        backwards."""
        if self.end is None:
            return None
        interval = difference(self.start, self.end, "months") or difference(
            self.start, self.end, "years"
        )
        if interval is None or interval.value <= 0:
            return None
        about = "about " if interval.approximate else ""
        if interval.unit == "years" or interval.value < 24:
            return about + counted(interval.value, interval.unit)
        years, months = divmod(interval.value, 12)
        if months == 6:
            return f"{about}{years}.5 years"
        if months == 0:
            return about + counted(years, "years")
        return f"{about}{counted(years, 'years')} and {counted(months, 'months')}"

    def check(self, day: DateMention) -> str:
        """The computed sentence: '5 February 2009 falls between 30 October 2008 and 18 May 2011.'"""
        if self.end is None:
            return f"{day.text} falls after {self.start.text}."
        return f"{day.text} falls between {self.start.text} and {self.end.text}."


def parse_tenure_question(question: str) -> TenureQuestion | None:
    """The post and the event, when the question asks who held a post at the time of an event."""
    m = _SHAPE.match(question_text(question))
    if not m:
        return None
    event = _SECOND_QUESTION.sub("", m["event"]).strip()
    return TenureQuestion(m["post"], event) if event else None


def terms_of_office(sentence: str) -> list[Term]:
    """The terms a sentence gives: two dates joined as a span, or one opened by "from"/"since"
    with no end."""
    dates = find_dates(sentence)
    terms, used = [], set()
    for i, start in enumerate(dates):
        if i in used:
            continue
        end = dates[i + 1] if i + 1 < len(dates) else None
        opened = bool(_TERM_OPENS.search(sentence[: start.start]))
        if (
            end
            and _TERM_GAP.fullmatch(sentence[start.end : end.start])
            and end.as_date() >= start.as_date()
        ):
            terms.append(Term(start, end))
            used.add(i + 1)
        elif opened:
            terms.append(Term(start, None))
    return terms


def answer_by_tenure(
    question: str, asked: TenureQuestion, find: FindSentences, threshold: float
) -> Answer | None:
    """The sentence giving the term of office that holds the event's date, and the sentence dating
    the event, or None when the event has no dated sentence with support ≥ threshold or no
    well-supported sentence about the post names someone new with a term that holds it."""
    terms = set(tokens(asked.event))
    dated = [
        (s, d)
        for s in find(asked.event)
        # The sentence must name the event: a term of office is dated too.
        if s.support >= threshold
        and s.features.coverage > 0
        and (d := nearest_date(s.text, terms, s.before)) is not None
    ]
    if not dated:
        return None
    event, when = dated[0]
    names_someone = answer_type(question) or (lambda _: True)
    for candidate in find(asked.post)[:POST_CANDIDATES]:
        if candidate.support < threshold or not names_someone(candidate.text):
            continue
        term = next((t for t in terms_of_office(candidate.text) if t.holds(when)), None)
        if term is not None:
            return computed_answer(question, [candidate, event], term.check(when))
    return None


def parse_length_question(question: str) -> str | None:
    """What lasted, when the question asks how long something did and names no second event
    (durations.py reads those)."""
    m = _LENGTH_SHAPE.match(question_text(question))
    return m["held"] if m else None


def answer_by_term_length(
    question: str,
    held: str,
    quoted: Sequence[Citation],
    find: FindSentences,
    threshold: float,
) -> Answer | None:
    """A sentence giving one closed term of what was held, quoted with the term's length: one the
    answer already quotes (`quoted`, which the judge chose), or else the best-supported of the
    sentences about it with support ≥ threshold. None when the answer's quotes already say how
    long, or no sentence gives such a term. The answer's own quotes come first: the sentences
    best supported by word overlap may be about something else whose dates read as a term, such
    as a prince's life ("Metternich (7 January 1829 – 1 March 1895)") for how long his dynasty
    lasted. Then a term from its two ends (see _term_from_its_ends)."""
    # A quote saying how long, in a clause about what was held (its only event).
    if any(states_duration(c.quote, DurationQuestion(held, held, None)) for c in quoted):
        return None
    post, role = _post_words(question, held)
    for citation in quoted:
        statement = _length_statement(citation.quote, post)
        if statement is not None:
            return computed_from_quotes(question, [citation], statement)
    for candidate in find(held)[:POST_CANDIDATES]:
        statement = _length_statement(candidate.text, post)
        if candidate.support >= threshold and statement is not None:
            return computed_answer(question, [candidate], statement)
    return _term_from_its_ends(question, held, role, find, threshold) if role else None


def _post_words(question: str, held: str) -> tuple[set[str], set[str]]:
    """The words of what was held besides the name of who held it, the question's first ("UN",
    "Kosovo" of "How long did Kouchner run the UN operation in Kosovo?"); and those besides any name
    it gives, empty when it names no one ("foreign", "minist" of "How long was Kouchner France's
    foreign minister?")."""
    names = [set(tokens(m[0])) for m in _NAMES.finditer(question)]
    held_words = set(tokens(held))
    if not names:
        return held_words, set()
    return held_words - names[0], held_words.difference(*names)


def _tells_of(sentence: str, post: set[str]) -> bool:
    """Whether the sentence holds a word of what was held (any sentence does when the question
    names nothing held but a name, as "how long was he in Kosovo"): a term of someone's other post
    ("From July 1999 to January 2001 he was … in Kosovo") is no term as foreign minister."""
    return not post or bool(post & set(tokens(sentence)))


def _term_from_its_ends(
    question: str, held: str, post: set[str], find: FindSentences, threshold: float
) -> Answer | None:
    """A term no sentence gives whole, from the sentence telling someone took up what was held
    ("In May 2007 … Sarkozy appointed Kouchner Minister of Foreign and European Affairs") and the
    one telling they left it ("Kouchner left the government … on Sunday 14 November 2010"), both
    holding a word of it besides a name the question gives, and quoted with its length; None when
    either is missing or they date no term."""
    began = _telling(find(f"{held} appointed"), TAKES_UP, post, threshold)
    ended = _telling(find(f"{held} left"), _LEAVES, post, threshold)
    if began is None or ended is None:
        return None
    (first, start), (last, end) = began, ended
    length = Term(start, end).length()
    if length is None:
        return None
    return computed_answer(question, [first, last], state_length(start, end, length))


def _telling(
    found: list[ScoredSentence], verb: re.Pattern[str], post: set[str], threshold: float
) -> tuple[ScoredSentence, DateMention] | None:
    """The best-supported of the first sentences found that tells, with the verb, of what was held,
    and its date nearest that telling."""
    for sentence in found[:POST_CANDIDATES]:
        told = verb.search(sentence.text)
        if sentence.support < threshold or not told or not _tells_of(sentence.text, post):
            continue
        when = nearest_date(sentence.text, post | set(tokens(told[0])), sentence.before)
        if when is not None:
            return sentence, when
    return None


def _length_statement(quote: str, post: set[str]) -> str | None:
    """'From 30 October 2008 to 18 May 2011: 2.5 years.' when the quote gives one closed term, in a
    sentence telling of what was held (see _tells_of)."""
    closed = [
        term
        for start, end in split_sentences(quote)
        if _tells_of(quote[start:end], post)
        for term in terms_of_office(quote[start:end])
        if term.end is not None
    ]
    if len(closed) != 1:
        return None
    [term] = closed
    length = term.length()
    return state_length(term.start, term.end, length) if length and term.end else None
