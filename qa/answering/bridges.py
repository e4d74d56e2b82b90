"""Questions that name someone by a description: found first, then asked about by name.

"What diplomatic posting did the Canadian minister pictured next to Clinton in the article's photo
later get?" takes two sources: the article's photo caption says who the minister is (Lawrence
Cannon), a dossier what became of him. No sentence joins them, and scored as it stands the question
draws the caption, which holds most of its words. So a description of a person ("the <noun> who
…", "the <noun> pictured …") is looked up on its own, like a question of who: the name the best
sentence found gives it, titled with its noun ("Foreign Affairs Minister Lawrence Cannon" for "the
minister …") and not already in the question, takes its place, and the question so rewritten is
answered as usual; the sentence that gave the name is not quoted as the answer. A title naming
another country than the description does is not its name ("French Foreign Minister Bernard
Kouchner" for "the Canadian prime minister who told CBC …"). "The woman who
replaced Kouchner" is resolved as a succession (succession.py). A name the sentence does not title
so is not taken: on HaluEval's questions of lines 0–7999 ("the man who played Mick Carter …"),
whose passages hold both steps, any new name made 47 answers right of 84 where the question as
asked made 68 (bench/RESULTS.md). The sentence that gave the name is cited after the answer, with
what it resolved: "… [1] Lawrence Cannon is the Canadian minister asked about: U.S. Secretary of
State Hillary Clinton listens … [2]".

Someone named by whose kin they are ("What happened to Omar Khadr's father?") is resolved the same
way, by the name a sentence gives beside the kinship ("His father, Ahmed Said Khadr, was …"). That
sentence is about them, so unlike a caption naming a minister it may also be the answer.

A description is read without a parser: the noun for a person after "the" (and at most three words
qualifying it), then a relative clause or a participle ("who replaced Kouchner", "pictured"), then
its object and phrases each opened by a preposition ("next to Clinton", "in the article's photo").
Where a phrase's noun ends is a guess (one word after its article, or a run of capitalised words, or
two words when the second names a role or a preposition or the end follows), so a word of the
question may be left in it or out of it; the lookup and the rewritten question are for retrieval
and scoring, and the answer shows only the description's head, up to its noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import NamedTuple

from qa.answering.durations import FindSentences
from qa.answering.extractive import PERSON_NOUN, ScoredSentence
from qa.answering.nations import Nationality, country_of, same_country
from qa.answering.succession import find_succession, parse_succession_question
from qa.conversation import titled_names
from qa.text import NAME_RUN, STOPWORDS, tokens
from qa.types import Answer

_ARTICLES = {"the", "a", "an", "his", "her", "its", "their"}
_PREPOSITIONS = {
    *("with", "in", "at", "of", "on", "from", "beside", "alongside", "behind", "near"),
    *("by", "for", "during", "over", "under", "after", "before"),
}
# "That" is left out: "the book about the minister that came out …" may describe the book.
_RELATIVE = {"who", "whom"}
# A description after these is what the question asks for, not someone it asks about: "Who was
# the judge who presided …?", "… arrested as the person who leaked the cables?".
_PREDICATE = {"is", "was", "are", "were", "be", "been", "as"}
# Auxiliaries a relative clause's verb may follow: "who had replaced", "who was pictured".
_AUXILIARIES = {"was", "were", "had", "has", "is", "did"}
# Participles that describe someone by where they are seen or how they are named.
_PARTICIPLE = re.compile(r"^(?:pictured|shown|seen|photographed|named|quoted|mentioned|standing)$")
_PERSON = re.compile(rf"^(?:{PERSON_NOUN})$")
_PLAIN = re.compile(r"^[^\W\d_][\w'’-]*$")
# Words that may qualify the noun between "the" and it: "the Canadian foreign minister".
MAX_QUALIFIERS = 3
# Someone named by whose kin they are ("Omar Khadr's father", "Speer's widow"; condense_question
# has put the name for a pronoun's "his father"), by the words sources use for them.
_KIN = {
    **{word: word for word in ("father", "mother", "wife", "widow", "husband", "son")},
    **{word: word for word in ("daughter", "brother", "sister")},
    "dad": "father",
    "mom": "mother",
    "mum": "mother",
}
_KIN_OF = re.compile(rf"\b(?P<owner>{NAME_RUN})['’]s (?P<kin>{'|'.join(_KIN)})\b")


@dataclass(frozen=True)
class Description:
    """A person named by a description in a question, by its offsets there."""

    start: int
    end: int
    text: str  # "the Canadian minister pictured next to Clinton in the article's photo"
    head: str  # up to its noun: "the Canadian minister"
    noun: str  # "minister"
    clause: str  # what follows the noun: "pictured next to …", "who replaced Kouchner …"
    owner: str = ""  # whose kin the person is, for "Omar Khadr's father" (no clause then)


@dataclass(frozen=True)
class Bridge:
    """A description resolved: the question with the name in its place, and the sentence that
    gave the name."""

    description: Description
    name: str
    sentence: ScoredSentence
    question: str

    @property
    def may_answer(self) -> bool:
        """Whether the sentence that gave the name may be quoted as the answer too: one naming
        someone's kin is about them ("Speer's widow, Tabitha Speer, cheered as the sentence was
        read"); one naming the minister in a photo is about the photo."""
        return bool(self.description.owner)


class _Word(NamedTuple):
    """A word of the question: its offsets, its bare lowercase form, whether it is capitalised."""

    start: int
    end: int
    bare: str
    capitalised: bool


def find_description(question: str) -> Description | None:
    """The first description of one person in the question (see the module's docstring), else
    someone named by whose kin they are ("Omar Khadr's father"), unless that is what is asked
    ("Who was Khadr's father?")."""
    described = _described_by_role(question)
    if described is not None:
        return described
    kin = _KIN_OF.search(question)
    if kin is None:
        return None
    # A capitalised word opening the question is no part of the name: "Did Speer's widow …".
    start = kin.start()
    for word in re.finditer(r"\S+", kin["owner"]):
        if _bare(word[0]) not in STOPWORDS:
            start = kin.start() + word.start()
            break
    # Unless the kin's name is what is asked: "Who was Khadr's father?", "the name of his mother".
    before = [_bare(word) for word in question[:start].split()[-2:]]
    if before and (before[-1] in _PREDICATE or before == ["name", "of"]):
        return None
    text = question[start : kin.end()]
    owner = question[start : kin.end("owner")]
    return Description(start, kin.end(), text, text, _KIN[kin["kin"].lower()], "", owner)


def _described_by_role(question: str) -> Description | None:
    """The first "the <noun> who …" or "the <noun> pictured …" (see the module's docstring)."""
    words = [
        _Word(m.start(), m.end(), _bare(m.group(0)), m.group(0)[:1].isupper())
        for m in re.finditer(r"\S+", question)
    ]
    for i, word in enumerate(words):
        if word.bare != "the" or (i and words[i - 1].bare in _PREDICATE):
            continue
        for j in range(i + 1, min(i + 2 + MAX_QUALIFIERS, len(words))):
            noun = words[j]
            if _PERSON.match(noun.bare):
                end = _clause_end(words, j + 1)
                if end is None:
                    break
                stop = words[end - 1].end
                text = question[word.start : stop].rstrip("?,;:.!")
                clause = question[words[j + 1].start : stop].rstrip("?,;:.!")
                head = question[word.start : noun.end]
                return Description(
                    word.start, word.start + len(text), text, head, noun.bare, clause
                )
            # Qualifiers are words ("Canadian", "former"): the head is shown in the answer.
            if noun.bare in _ARTICLES or noun.bare in _RELATIVE or not _PLAIN.match(noun.bare):
                break
    return None


def _bare(word: str) -> str:
    return word.lower().strip('?,;:.!"“”()')


def _clause_end(words: list[_Word], k: int) -> int | None:
    """The index after the relative clause or participle phrase opening at word k, with its object
    and prepositional phrases; None when none opens there."""
    if k >= len(words):
        return None
    if words[k].bare in _RELATIVE:
        k += 1
        while k < len(words) and words[k].bare in _AUXILIARIES:
            k += 1
        if k >= len(words):
            return None
        k = _noun_phrase(words, k + 1)  # the verb, then its object if any
        # A relative clause may name the role its verb concerns ("who replaced Kouchner as foreign
        # minister"); after a participle, "as" is the question's ("Who replaced the minister
        # pictured … as foreign minister?").
        if k < len(words) and words[k].bare == "as":
            k = _noun_phrase(words, k + 1)
    elif _PARTICIPLE.match(words[k].bare):
        k += 1
    else:
        return None
    while k < len(words):
        if words[k].bare == "next" and k + 1 < len(words) and words[k + 1].bare == "to":
            k = _noun_phrase(words, k + 2)
        elif words[k].bare in _PREPOSITIONS:
            k = _noun_phrase(words, k + 1)
        else:
            break
    return k


def _noun_phrase(words: list[_Word], k: int) -> int:
    """The index after a short noun phrase opening at word k (none: k itself)."""
    if k < len(words) and words[k].bare in _ARTICLES:
        k += 1
    if k >= len(words) or words[k].bare in _PREPOSITIONS or words[k].bare in _RELATIVE:
        return k
    if words[k].bare.endswith("'s"):  # "the article's photo"
        return min(k + 2, len(words))
    if words[k].capitalised:  # a name: its capitalised words
        while k < len(words) and words[k].capitalised:
            k += 1
        return k
    k += 1
    # A second word when it names a role ("as foreign minister") or a preposition or the end
    # follows it ("the foreign ministry in 2010").
    if k < len(words) and (
        _PERSON.match(words[k].bare) or k + 1 == len(words) or words[k + 1].bare in _PREPOSITIONS
    ):
        return k + 1
    return k


def resolve_description(question: str, find: FindSentences, threshold: float) -> Bridge | None:
    """The question with its description of a person replaced by the name the sources give for
    it, or None when it has none or no sentence found for it names someone new above the
    threshold."""
    described = find_description(question)
    if described is None:
        return None
    found = _named(described, question, find, threshold)
    if found is None:
        return None
    name, sentence = found
    rewritten = f"{question[: described.start]}{name}{question[described.end :]}"
    return Bridge(described, name, sentence, rewritten)


def _named(
    described: Description, question: str, find: FindSentences, threshold: float
) -> tuple[str, ScoredSentence] | None:
    """Who the description names, with the sentence that says so: for "the <noun> who replaced X
    …", X's successor (succession.py); otherwise the first name the question does not hold and
    the best sentences found for the description title with the noun ("Foreign Affairs Minister
    Lawrence Cannon" for "the minister …"), among those above the threshold."""
    if described.owner:
        return _kin_named(described, question, find, threshold)
    # A participle may stand alone ("the minister pictured"); a relative clause has its verb.
    opening, _, rest = described.clause.partition(" ")
    query = described.text
    if opening.lower() in _RELATIVE:
        query = f"Who {rest}?"
        if asked := parse_succession_question(query):
            return find_succession(asked, find, threshold)
    asked_terms = set(tokens(question))
    country = country_of(described.head)
    for sentence in find(query):
        if sentence.support < threshold:
            return None
        titled = [
            name
            for run, name in titled_names(sentence.text)
            if not set(tokens(name)) & asked_terms
            and described.noun in run.lower().split()
            and not _of_another_country(run, country)
        ]
        if titled:
            return titled[0], sentence
    return None


def _of_another_country(title: str, country: Nationality | None) -> bool:
    """Whether a title names another country than the description's: "French Foreign Minister
    Bernard Kouchner" is not "the Canadian prime minister"."""
    titled = country_of(title)
    return bool(country and titled and same_country(country.country, titled.country) is False)


def _kin_named(
    described: Description, question: str, find: FindSentences, threshold: float
) -> tuple[str, ScoredSentence] | None:
    """The name a sentence found for someone's kin gives them beside the kinship, in apposition
    ("His father, Ahmed Said Khadr, was …", "Tabitha Speer, Speer's widow"), with that sentence:
    the first among those above the threshold, naming someone the question does not."""
    surname = re.escape(described.owner.split()[-1])
    whose = rf"(?:[Hh]is|[Hh]er|[Tt]heir|{surname}['’]s)"
    apposition = re.compile(
        rf"\b{whose} {described.noun},? (?P<named>{NAME_RUN})"
        rf"|(?P<naming>{NAME_RUN}), {whose} {described.noun}\b"
    )
    asked_terms = set(tokens(question))
    for sentence in find(described.text):
        if sentence.support < threshold:
            return None
        for found in apposition.finditer(sentence.text):
            name = found["named"] or found["naming"]
            if set(tokens(name)) - asked_terms:
                return name, sentence
    return None


def with_bridge(answer: Answer, bridge: Bridge) -> Answer:
    """The answer to the rewritten question, then the sentence that gave the name, cited after
    its citations, with what it resolved."""
    sentence = bridge.sentence
    if any(
        (c.source, c.start) == (sentence.passage.source, sentence.start) for c in answer.citations
    ):
        return answer  # quoted as the answer, it says itself who the kin is
    n = len(answer.citations) + 1
    citation = sentence.cite(n)
    # Where the description ends in the question is a guess; up to its noun it is not.
    resolved = f"{bridge.name} is {bridge.description.head} asked about:"
    return replace(
        answer,
        answer=f"{answer.answer.rstrip()} {resolved} {sentence.text} [{n}]",
        citations=(*answer.citations, citation),
        passages=tuple(dict.fromkeys([*answer.passages, sentence.passage])),
    )
