"""Computed answers: who followed someone in a post, or whom someone followed.

"Who took over from Kouchner as France's foreign minister?" shares almost no word with its answer,
"He was replaced as foreign minister by Michèle Alliot-Marie": the scorer prefers any sentence
naming Kouchner and a minister. A succession is a relation two names stand in, though, and few
wordings state it: "X was replaced (as P) by Y", "X … succeeded by Y", "Y succeeded X". So the
sentences found for the one name and the post are read for that relation, and the name on its
other side answers, stated before the quote that gives it: "Michèle Alliot-Marie: He was replaced
as foreign minister by Michèle Alliot-Marie, … [1]".

Whom a sentence's relation concerns is what makes it an answer. The name asked about must be its
subject: named before the verb, or, when the sentence opens with "he" or "she" or has no subject (a
timeline line: "14 November 2010 — leaves office; succeeded by …"), named in the sentence before it
or, failing that, in its source's title. A successor named as holding another post ("succeeded as
defence minister by …") does not answer for the post asked. When no sentence found states the
relation, the question gets its usual quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.answering.durations import FindSentences, computed_answer, question_text
from qa.answering.extractive import ScoredSentence, given_and_ask
from qa.chunking import split_sentences
from qa.dates import MONTHS
from qa.text import NAME_RUN, STOPWORDS, tokens
from qa.types import Answer

_FOLLOWED = r"(?:took over from|succeeded|replaced|followed|came after)"
_POST = r"(?: (?:as|at) (?P<post>.+))?"
_SUCCESSOR_SHAPES = (
    re.compile(rf"^who {_FOLLOWED} (?P<name>.+?){_POST}$"),
    re.compile(rf"^who (?:was|became) (?P<name>.+?)'s successor{_POST}$"),
    re.compile(rf"^who (?:was|became) the successor (?:of|to) (?P<name>.+?){_POST}$"),
    # "Who became France's foreign minister after Kouchner?"
    re.compile(r"^who (?:became|was named|was appointed) (?P<post>.+?) after (?P<name>.+)$"),
    # "Who took over Kouchner's job at the foreign ministry?"
    re.compile(
        r"^who (?:\w+ly )?(?:took over|took|got|inherited) (?P<name>.+?)'s "
        r"(?:job|post|place|role|portfolio|seat)(?: (?:as|at|in) (?P<post>.+))?$"
    ),
    # "Who took over Canada's foreign affairs portfolio after Lawrence Cannon?", "who took over
    # the job from him?"
    re.compile(r"^who (?:\w+ly )?took over (?P<post>.+?) (?:after|from) (?P<name>.+)$"),
)
# The one followed may be named elsewhere in the question (see parse_succession_question):
# "who took over as French foreign minister", "who got the foreign affairs job (after Kouchner was
# shuffled out)".
_UNNAMED_SUCCESSOR = re.compile(
    r"^who (?:\w+ly )?(?:took over|got|was given|landed)(?: as| at)? (?P<post>.+)$"
)
# A closing clause saying who left: "… once Kouchner was out", "… when he was shuffled out".
_DEPARTED = re.compile(
    r" (?:when|once|after) (?P<name>[\w.' -]+?) (?:was|were|got|had been|left|lost|stepped|quit)\b.*$"
)
# Who tells what the known clause says: "The Globe says", "the article notes that".
_SAYS = re.compile(r"^.*?\b(?:says|said|reports|reported|notes|noted|writes|wrote|mentions)\b")
# Words for a post that name none.
_ANY_POST = {"job", "post", "place", "role", "seat", "position"}
# Words for the kind of post, by their first six letters: which post is in the others ("foreign").
_KIND_OF_POST = {w[:6] for w in _ANY_POST} | {"minist", "portfo", "affair"}
# What stands for someone named before: "who took over from him", "who took over his job".
_PRONOUNS = {"he", "him", "his", "she", "her"}
_PREDECESSOR_SHAPES = (
    re.compile(
        rf"^(?:who|whom) did (?P<name>.+?) (?:replace|succeed|take over from|follow){_POST}$"
    ),
    re.compile(rf"^who (?:was|had been) (?P<name>.+?)'s predecessor{_POST}$"),
    re.compile(rf"^who preceded (?P<name>.+?){_POST}$"),
)
# A name in a source: capitalised words, hyphens and accents inside ("Michèle Alliot-Marie").
_NAMES = re.compile(NAME_RUN)
# "was replaced as foreign minister by Y", "succeeded by Y": the successor after "by".
_PASSIVE = re.compile(
    rf"\b(?:replaced|succeeded)(?: as (?P<post>[^,;()]+?))?(?: on [^,;()]+?)? by (?P<new>{NAME_RUN})"
)
# "Y succeeded X (as P)", "Y took over from X".
_ACTIVE = re.compile(
    rf"(?P<new>{NAME_RUN}) (?:replaced|succeeded|took over from) (?P<old>{NAME_RUN})"
    r"(?: as (?P<post>[^,;()]+))?"
)
# A subject that names no one: a pronoun, or a timeline line's date and dash.
_NO_SUBJECT = re.compile(r"^\W*(?:(?:he|she)\b.*|[^A-Za-zÀ-ÿ]*|.*\s[-–—]\s.*)$", re.I | re.S)
# Sentences found for the name and the post that are read for the relation: beyond these, they
# are about other people.
SUCCESSION_CANDIDATES = 8


@dataclass(frozen=True)
class SuccessionQuestion:
    """Asks who followed `name` (successor=True) or whom `name` followed, in `post` if given."""

    name: str
    post: str
    successor: bool


@dataclass(frozen=True)
class Succession:
    """A succession one sentence states: `new` followed `old` (None: the sentence's subject,
    unnamed), in `post` if it says."""

    old: str | None
    new: str
    post: str
    subject: str  # what the sentence says before the relation: where `old` is named, if anywhere


def parse_succession_question(question: str) -> SuccessionQuestion | None:
    """The name and the post, when the question asks who followed someone or whom they followed.

    The one followed may be a pronoun or left out, named in a clause that closes the question
    ("… once Kouchner was out") or in one given as known before it ("Kouchner was out of the job
    by the time the story ran - who took over as France's foreign minister?"): the first name
    there, as its subject."""
    known, asked = given_and_ask(question)
    text = question_text(asked)
    departed = _DEPARTED.search(text)
    text = text[: departed.start()] if departed else text
    named = [departed["name"]] if departed and departed["name"] not in _PRONOUNS else []
    # The known clause's first name, after whoever tells it ("The Globe says Kouchner …").
    if known and (subject := _first_name(_SAYS.sub("", known, count=1))):
        named.append(subject.lower())
    for shapes, successor in ((_SUCCESSOR_SHAPES, True), (_PREDECESSOR_SHAPES, False)):
        for shape in shapes:
            m = shape.match(text)
            if m and m["name"] not in _PRONOUNS:
                return SuccessionQuestion(m["name"], _post(m["post"]), successor)
            if m and named:
                return SuccessionQuestion(named[0], _post(m["post"]), successor)
    unnamed = _UNNAMED_SUCCESSOR.match(text)
    if unnamed and named:
        return SuccessionQuestion(named[0], _post(unnamed["post"]), True)
    return None


def _post(asked: str | None) -> str:
    """The post a question names; none for "his job" or "the job", which name no post and would
    fail to match the one a sentence gives."""
    return asked if asked and set(tokens(asked)) - _ANY_POST else ""


def successions(sentence: str) -> list[Succession]:
    """Every succession the sentence states."""
    found = [
        Succession(m["old"], m["new"], m["post"] or "", sentence[: m.start()])
        for m in _ACTIVE.finditer(sentence)
    ]
    found += [
        Succession(None, m["new"], m["post"] or "", sentence[: m.start()])
        for m in _PASSIVE.finditer(sentence)
    ]
    return found


def answer_by_succession(
    question: str, asked: SuccessionQuestion, find: FindSentences, threshold: float
) -> Answer | None:
    """The name on the other side of the succession stated about the name asked, before the
    sentence stating it (see find_succession); None when none is found."""
    found = find_succession(asked, find, threshold)
    if found is None:
        return None
    name, sentence = found
    answer = computed_answer(question, [sentence], "")
    return replace(answer, answer=f"{name}: {answer.answer.strip()}")


def find_succession(
    asked: SuccessionQuestion, find: FindSentences, threshold: float
) -> tuple[str, ScoredSentence] | None:
    """The name on the other side of the first succession stated about the name asked, among the
    best sentences found for it and the post, with the sentence stating it; None when there is
    none, or the best sentence found falls below the threshold (the sources are not about them)."""
    # A name is matched by its last word: "Lawrence Cannon" is the "Cannon" a later sentence names.
    surname = set(tokens(asked.name)[-1:])
    if not surname:  # "Who replaced the?" names no one
        return None
    post = f" as {asked.post}" if asked.post else ""
    if asked.successor:
        found = find(f"{asked.name} was replaced or succeeded{post} by")
    else:
        found = find(f"{asked.name} replaced or succeeded{post}")
    if not found or found[0].support < threshold:
        return None
    answers = []
    for sentence in found[:SUCCESSION_CANDIDATES]:
        for said in successions(sentence.text):
            if not _same_post(said.post, asked.post):
                continue
            pair = (_followed(said, sentence), said.new)
            known, other = pair if asked.successor else pair[::-1]
            if known and other and surname <= set(tokens(known)):
                answers.append((not (said.post and asked.post), other, sentence))
    if not answers:
        return None
    # A sentence that names the post asked ("succeeded as foreign minister by") says more than
    # one that names none ("succeeded by"): the first of those, else the first found.
    _, name, sentence = min(answers, key=lambda answer: answer[0])
    return name, sentence


def _followed(said: Succession, sentence: ScoredSentence) -> str | None:
    """The one followed: named as the relation's object, else the first name of its subject's
    clause, else, when that clause opens with a pronoun or a date (a timeline line), the first name
    of the last sentence before it with a subject of its own (the timeline's earlier lines and "He
    …" sentences tell of the same one) or, failing that, of its source's title."""
    if said.old is not None:
        return said.old
    before = f"{sentence.before}{said.subject}".strip()
    spoken = [before[s:e] for s, e in split_sentences(before)] or [""]
    clause = spoken[-1]
    if name := _first_name(clause):
        return name
    if not _NO_SUBJECT.match(clause):
        return None
    earlier = next((s for s in reversed(spoken[:-1]) if not _NO_SUBJECT.match(s)), "")
    return _first_name(earlier) or _first_name(sentence.passage.title)


def _first_name(text: str) -> str | None:
    """The first capitalised words that are a name, not a sentence's opening word ("In May")."""
    for m in _NAMES.finditer(text):
        words = m[0].split()
        while words and (words[0].lower() in STOPWORDS or re.fullmatch(MONTHS, words[0], re.I)):
            words.pop(0)
        if words:
            return " ".join(words)
    return None


def _same_post(said: str, asked: str) -> bool:
    """A post the sentence names must be the one asked, in fewer words or more: "as foreign
    minister" is "France's foreign minister", "the foreign ministry" and "Canada's foreign affairs
    portfolio" (words compared by their first six letters, those any post is named by left out),
    "as defence minister" is not."""
    if not said or not asked:
        return True
    words, wanted = ({t[:6] for t in tokens(post)} - _KIND_OF_POST for post in (said, asked))
    return words <= wanted or wanted <= words
