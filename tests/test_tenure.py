"""Who held a post when something happened: terms of office read and held against an event's date."""

from __future__ import annotations

from qa.answering.tenure import (
    answer_by_tenure,
    answer_by_term_length,
    parse_length_question,
    parse_tenure_question,
    terms_of_office,
)
from qa.dates import find_dates
from qa.types import Answer, Citation
from tests.passages import find_in

CANNON = "Lawrence Cannon — Minister of Foreign Affairs from 30 October 2008 to 18 May 2011."
BAIRD = "John Baird was Minister of Foreign Affairs from 18 May 2011 to 2015."
MEETING = "On 5 February 2009 Kouchner held his first meeting with Clinton."
QUESTION = "Who was Canada's foreign minister when Kouchner met Clinton?"


def tenure(question: str, *texts: str) -> Answer | None:
    """The computed answer from these texts alone (support threshold 0.1)."""
    asked = parse_tenure_question(question)
    assert asked is not None
    return answer_by_tenure(question, asked, find_in(*texts), 0.1)


def test_the_question_names_a_post_and_an_event_and_not_a_second_question() -> None:
    asked = parse_tenure_question(
        "Who was Canada's foreign minister when Kouchner lobbied Clinton, and does he show up?"
    )
    assert asked is not None
    assert (asked.post, asked.event) == ("canada's foreign minister", "kouchner lobbied clinton")
    assert parse_tenure_question("Who handed Clinton a paper?") is None


def test_terms_are_spans_of_two_dates_or_one_that_opens() -> None:
    [closed] = terms_of_office(CANNON)
    assert (closed.start.text, closed.end.text) == ("30 October 2008", "18 May 2011")
    [opened] = terms_of_office("Stephen Harper — Prime Minister of Canada from 2006.")
    assert opened.end is None
    assert terms_of_office("He met her on 5 February 2009 and again on 1 March 2009.") == []


def test_a_term_holds_a_date_as_precisely_as_both_give_it() -> None:
    [term] = terms_of_office(CANNON)
    [february] = find_dates("in February of 2009")
    [may_2011] = find_dates("in May 2011")  # the month the term ends: inside, at that precision
    [june_2011] = find_dates("on 2 June 2011")
    assert term.holds(february) and term.holds(may_2011) and not term.holds(june_2011)


def test_the_term_that_holds_the_event_answers_with_both_sentences_cited() -> None:
    answer = tenure(QUESTION, BAIRD, CANNON, MEETING)
    assert answer is not None and answer.answered_by == "computed"
    assert [c.quote for c in answer.citations] == [CANNON, MEETING]
    assert answer.answer.endswith("5 February 2009 falls between 30 October 2008 and 18 May 2011.")


def test_no_answer_when_no_term_holds_the_event_or_the_event_is_undated() -> None:
    assert tenure(QUESTION, BAIRD, MEETING) is None
    assert tenure(QUESTION, CANNON, "Kouchner met Clinton to discuss Guantanamo.") is None


def test_a_term_that_names_no_one_does_not_answer_who() -> None:
    vacant = "The foreign ministry had no minister from 30 October 2008 to 18 May 2011."
    assert tenure(QUESTION, vacant, MEETING) is None


def test_a_terms_length_is_stated_as_precisely_as_its_dates_allow() -> None:
    def length(sentence: str) -> str | None:
        [term] = terms_of_office(sentence)
        return term.length()

    assert length(CANNON) == "2.5 years"
    assert length("Envoy from July 1999 to January 2001.") == "about 18 months"
    assert length("Mayor from 3 March 2001 to 10 May 2004.") == "3 years and 2 months"
    assert length("Senator from 1990 to 1996.") == "about 6 years"
    assert length("Stephen Harper — Prime Minister of Canada from 2006.") is None


def length_answer(question: str, *texts: str, quoted: tuple[str, ...] = ()) -> Answer | None:
    """The computed answer from these texts, the extractive answer having quoted `quoted`."""
    held = parse_length_question(question)
    assert held is not None
    citations = [Citation(n, "q.md", "Q", "", f"q{n}", 0, len(q), q) for n, q in enumerate(quoted)]
    return answer_by_term_length(question, held, citations, find_in(*texts), 0.1)


def test_how_long_someone_held_a_post_is_computed_from_the_term_a_sentence_gives() -> None:
    question = "How long did Lawrence Cannon serve as Canada's foreign minister?"
    assert parse_length_question(question) == "lawrence cannon serve as canada's foreign minister"
    answer = length_answer(question, MEETING, CANNON)
    assert answer is not None and answer.answered_by == "computed"
    assert answer.answer.endswith("[1] From 30 October 2008 to 18 May 2011: 2.5 years.")
    assert [c.quote for c in answer.citations] == [CANNON]
    # A quote that already says how long is the answer; a sentence of two terms is not read.
    stated = "Cannon served as foreign minister for 30 months."
    assert length_answer(question, CANNON, quoted=(stated,)) is None
    both = "Cannon was foreign minister from 2008 to 2011 and ambassador from 2012 to 2015."
    assert length_answer(question, both) is None
    assert parse_length_question("How long a sentence did the jury give Khadr?") is None


def test_a_term_the_answer_already_quotes_comes_before_sentences_found_by_word_overlap() -> None:
    """A life's dates read as a term: the sentence the judge chose for the answer is read first."""
    question = "How long did the dynasty Wulffen was born in last?"
    prince = "Prince Otto of the dynasty (7 January 1829 – 1 March 1895) was born in Gotha."
    alone = length_answer(question, prince)
    assert alone is not None and alone.answer.endswith("66 years and 1 month.")
    lasted = "It lasted from 1826 to 1918."
    answer = length_answer(question, prince, quoted=("Wulffen was born in Gotha.", lasted))
    assert answer is not None and [c.quote for c in answer.citations] == [lasted]
    assert answer.answer == "It lasted from 1826 to 1918. [1] From 1826 to 1918: about 92 years."


KOSOVO = "From July 1999 to January 2001 he was the UN Special Representative in Kosovo."
APPOINTED = "In May 2007 Sarkozy appointed Kouchner Minister of Foreign and European Affairs."
LEFT = "Kouchner left the foreign ministry in a reshuffle on Sunday 14 November 2010."


def test_a_term_of_another_post_is_no_answer() -> None:
    """The sentence's one term must be told with a word of what was held, besides the holder's
    name: Kouchner's time in Kosovo is not his time as foreign minister."""
    assert length_answer("How long did Kouchner serve as foreign minister?", KOSOVO) is None
    kosovo = length_answer("How long did Kouchner run the UN mission in Kosovo?", KOSOVO)
    assert kosovo is not None and kosovo.answer.endswith(
        "From July 1999 to January 2001: about 18 months."
    )


def test_a_term_no_sentence_gives_whole_runs_from_taking_up_the_post_to_leaving_it() -> None:
    question = "How long was Kouchner France's foreign minister?"
    answer = length_answer(question, KOSOVO, APPOINTED, LEFT)
    assert answer is not None and answer.answered_by == "computed"
    assert [c.quote for c in answer.citations] == [APPOINTED, LEFT]
    assert answer.answer.endswith("From May 2007 to 14 November 2010: about 3.5 years.")
    # A question naming no one, or only people besides what lasted, has no post to take up.
    meeting = "On 5 February 2009 Kouchner met Clinton, who had become Secretary of State."
    left = "By then Kouchner had left office."
    assert length_answer("how long did kouchner and clinton talk for", meeting, left) is None
    assert length_answer("How long did Kouchner and Clinton talk?", meeting, left) is None
