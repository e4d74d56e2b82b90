"""Which country a sentence says something belongs to: "X is an American novelist" → "us".

The table names each country by its people's adjective, its name and common variants. England,
Scotland, Wales and Northern Ireland are countries of their own here, as in most encyclopaedias;
"British" is the United Kingdom, which holds them, so it neither matches nor contradicts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TABLE = """
us: American, United States, USA, U.S., America
uk: British, United Kingdom, Britain, Great Britain
england: English, England
scotland: Scottish, Scotland, Scots
wales: Welsh, Wales
northern ireland: Northern Irish, Northern Ireland
ireland: Irish, Ireland, Republic of Ireland
canada: Canadian, Canada
australia: Australian, Australia
new zealand: New Zealander, New Zealand
france: French, France
germany: German, Germany, West German, East German
austria: Austrian, Austria
switzerland: Swiss, Switzerland
italy: Italian, Italy
spain: Spanish, Spain
portugal: Portuguese, Portugal
netherlands: Dutch, Netherlands, Holland
belgium: Belgian, Belgium
denmark: Danish, Denmark
sweden: Swedish, Sweden
norway: Norwegian, Norway
finland: Finnish, Finland
iceland: Icelandic, Iceland
poland: Polish, Poland
czech republic: Czech, Czech Republic
slovakia: Slovak, Slovakia
hungary: Hungarian, Hungary
romania: Romanian, Romania
bulgaria: Bulgarian, Bulgaria
greece: Greek, Greece
turkey: Turkish, Turkey
russia: Russian, Russia, Soviet, Soviet Union
ukraine: Ukrainian, Ukraine
serbia: Serbian, Serbia
croatia: Croatian, Croatia
slovenia: Slovenian, Slovene, Slovenia
estonia: Estonian, Estonia
latvia: Latvian, Latvia
lithuania: Lithuanian, Lithuania
armenia: Armenian, Armenia
israel: Israeli, Israel
iran: Iranian, Iran
iraq: Iraqi, Iraq
egypt: Egyptian, Egypt
lebanon: Lebanese, Lebanon
syria: Syrian, Syria
pakistan: Pakistani, Pakistan
india: Indian, India
bangladesh: Bangladeshi, Bangladesh
sri lanka: Sri Lankan, Sri Lanka
china: Chinese, China, People's Republic of China
taiwan: Taiwanese, Taiwan
japan: Japanese, Japan
south korea: South Korean, South Korea
north korea: North Korean, North Korea
vietnam: Vietnamese, Vietnam
thailand: Thai, Thailand
philippines: Filipino, Philippine, Philippines
indonesia: Indonesian, Indonesia
malaysia: Malaysian, Malaysia
singapore: Singaporean, Singapore
mexico: Mexican, Mexico
cuba: Cuban, Cuba
puerto rico: Puerto Rican, Puerto Rico
jamaica: Jamaican, Jamaica
brazil: Brazilian, Brazil
argentina: Argentine, Argentinian, Argentina
chile: Chilean, Chile
colombia: Colombian, Colombia
peru: Peruvian, Peru
venezuela: Venezuelan, Venezuela
uruguay: Uruguayan, Uruguay
south africa: South African, South Africa
nigeria: Nigerian, Nigeria
kenya: Kenyan, Kenya
ghana: Ghanaian, Ghana
ethiopia: Ethiopian, Ethiopia
morocco: Moroccan, Morocco
algeria: Algerian, Algeria
tunisia: Tunisian, Tunisia
malta: Maltese, Malta
cyprus: Cypriot, Cyprus
luxembourg: Luxembourgish, Luxembourg
"""
_COUNTRY = {
    word.strip().lower(): country
    for country, words in (line.split(": ") for line in _TABLE.strip().splitlines())
    for word in words.split(",")
}
# The word for each country's people ("French"): a capitalised word that names no one.
PEOPLES = frozenset(line.split(": ")[1].split(",")[0] for line in _TABLE.strip().splitlines())
_UNITED_KINGDOM, _ITS_COUNTRIES = "uk", {"england", "scotland", "wales", "northern ireland"}
# Longest first, so "South Korean" is read before "Korean" could be. Not inside a hyphenated word
# ("African-American", "Australian-born"), not a language ("an English-language film"), and not a
# place named after another ("New Mexico").
_NATION = re.compile(
    r"(?<![\w-])(?<!New )("
    + "|".join(re.escape(w) for w in sorted(_COUNTRY, key=len, reverse=True))
    + r")(?![\w-]| language)",
    re.I,
)
# "… is a retired tennis player", "… was an American novelist": what follows says what it is.
_COPULA = re.compile(
    r"\b(?:is|was|are|were)\s+(?:an?\s+|the\s+)?(?:(?:former|retired|late|\d{4})\s+)*"
)


# A capitalised word just before: the match ends a longer name.
_NAME_GOES_ON = re.compile(r"[A-Z][\w.'’]* $")


def _names_a_people(found: re.Match[str]) -> bool:
    """Capitalised ("english" is no people), and not the end of a longer name: "New South Wales",
    "Latin American"."""
    return found[1][0].isupper() and not _NAME_GOES_ON.search(found.string, 0, found.start())


@dataclass(frozen=True)
class Nationality:
    """A country as the table names it ("us") and the word a sentence gives it by ("American")."""

    country: str
    word: str


def _nationality(found: re.Match[str]) -> Nationality:
    return Nationality(_COUNTRY[found[1].lower()], found[1])


def country_of(said: str) -> Nationality | None:
    """The country of what a sentence is about: the one its description opens with ("is an
    American novelist", "was a 2002 Canadian film"), else the only one it names; None when it names
    none, or several and no description opens with one."""
    copula = _COPULA.search(said)
    if copula and (first := _NATION.match(said, copula.end())) and _names_a_people(first):
        return _nationality(first)
    named = [_nationality(m) for m in _NATION.finditer(said) if _names_a_people(m)]
    return named[0] if len({n.country for n in named}) == 1 else None


_OPENING = re.compile(r"^\s*(?:both\s+)?(?:(?:(?:based|located)\s+)?(?:from|of|in)\s+(?:the\s+)?)?")


def country_named(words: str) -> tuple[str, str] | None:
    """The country a question's words open with ("American rock bands", "both from England",
    "located in the US"), and the words after it."""
    rest = _OPENING.sub("", words, count=1)
    found = _NATION.match(rest)
    if not found or not _names_a_people(found):
        return None
    return _COUNTRY[found[1].lower()], rest[found.end() :].strip(" ?")


def same_country(first: str, second: str) -> bool | None:
    """Whether two countries are the same; None when one holds the other (British, English)."""
    if {first, second} & {_UNITED_KINGDOM} and {first, second} & _ITS_COUNTRIES:
        return None
    return first == second


# A people's word is an adjective before a noun ("the French minister"); "the Americans" names
# the people, and so the country, as acting.
_PEOPLE_WORDS = {w.lower() for w in PEOPLES}
_PEOPLE_PLURAL = re.compile(r"\b([A-Z][a-z]+)s\b")
# A country as the one acting in a question: its name, or its people in the plural, right after
# the verb's auxiliary and before a word that is no name ("When did the Americans finally ratify
# …", "did France end up taking anybody"); not a people's adjective ("did the French minister …").
_ACTS = re.compile(
    r"\b(?i:did|does|do|has|have|had|was|were|is|are|would|will|could)\s+(?:the\s+)?"
    r"([A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)\s+[a-z]"
)


def country_acting(question: str) -> str | None:
    """The country a question asks what it did, as the table names it; None when it names none."""
    found = _ACTS.search(question)
    if not found:
        return None
    who = found[1].lower()
    if who.endswith("s") and who[:-1] in _PEOPLE_WORDS:
        return _COUNTRY[who[:-1]]
    return _COUNTRY[who] if who in _COUNTRY and who not in _PEOPLE_WORDS else None


def actor(sentence: str) -> str | None:
    """The country a sentence tells of as acting: the first it names by its name or its people in
    the plural ("The United States, which had signed …, deposited …", "France later accepted …"),
    not by a people's adjective ("French Foreign Minister Bernard Kouchner"); None when none."""
    found = [
        (m.start(), _COUNTRY[m[1].lower()])
        for m in _NATION.finditer(sentence)
        # _names_a_people takes "The United States" for the end of a longer name; it is not.
        if m[1].lower() not in _PEOPLE_WORDS
        and (_names_a_people(m) or sentence[: m.start()].endswith("The "))
    ]
    found += [
        (m.start(), _COUNTRY[m[1].lower()])
        for m in _PEOPLE_PLURAL.finditer(sentence)
        if m[1].lower() in _PEOPLE_WORDS
    ]
    return min(found)[1] if found else None
