"""How someone responded: the question parsed, then the response read where the sources tell of
what it answers, with the one responding checked to be the subject."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa.answering.extractive import ScoredSentence, score_sentences
from qa.answering.responses import (
    ResponseQuestion,
    answer_by_response,
    parse_response_question,
)
from qa.types import Answer
from tests.passages import find_in, make_passage

THRESHOLD = 0.35
REFUSAL = "The sources don't answer that."


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        (
            "What was Clinton's response once she got the Khadr paper?",
            ResponseQuestion("clinton", "she got the khadr paper", "", True, "khadr"),
        ),
        (
            "How did Stephen Harper personally react when he heard that France had lobbied?",
            ResponseQuestion(
                "stephen harper", "he heard that france had lobbied", "", True, "franc"
            ),
        ),
        (
            "How did the foreign ministry respond to the leak?",
            ResponseQuestion("the foreign ministry", "the leak", "", False, ""),
        ),
        (
            "What was the initial reaction of Kory Teneycke to the video?",
            ResponseQuestion("kory teneycke", "the video", "", True, ""),
        ),
        (
            "What did Harper say in response to the ruling?",
            ResponseQuestion("harper", "the ruling", "", True, ""),
        ),
        (
            "Why did Clinton turn down Kouchner's request?",
            ResponseQuestion("clinton", "kouchner's request", "refused", True, "kouchner"),
        ),
        (  # the object between the verb and its particle
            "Why did Clinton turn Kouchner down when he asked her?",
            ResponseQuestion("clinton", "kouchner when he asked her", "refused", True, ""),
        ),
        (
            "Why did Sarkozy agree to take a detainee?",
            ResponseQuestion("sarkozy", "take a detainee", "agreed", True, ""),
        ),
        (
            "What did Bellinger say back to the envoy when she raised Khadr's case?",
            ResponseQuestion("bellinger", "she raised khadr's case", "", True, "khadr", said=True),
        ),
        (
            "What did Bellinger himself tell the envoy after she raised the case?",
            ResponseQuestion("bellinger", "she raised the case", "", True, "", said=True),
        ),
    ],
)
def test_a_response_question_names_who_responded_and_to_what(
    question: str, asked: ResponseQuestion
) -> None:
    assert parse_response_question(question) == asked


@pytest.mark.parametrize(
    "question",
    [
        "How did Clinton respond?",  # to nothing named
        "How did Clinton respond to that?",
        "How did the family react",  # "family" is not an adverb before "react"
        "Who responded to Kouchner?",
        "Why did Clinton meet Kouchner?",
        # Reported speech, not a reply: "say" does not stand for "say to".
        "What did he say Cannon told him when he asked about a legal opinion?",
    ],
)
def test_other_questions_are_not_response_questions(question: str) -> None:
    assert parse_response_question(question) is None


MEETING = (
    "Kouchner met U.S. Secretary of State Hillary Clinton in Washington. "
    "At the end, the FM handed the Secretary a paper concerning Omar Khadr. "
    "The Secretary agreed to review the case."
)
PROFILE = "Kouchner handed Clinton a paper on Omar Khadr. Clinton agreed to review it."


def ask(question: str, *texts: str, threshold: float = THRESHOLD) -> Answer | None:
    asked = parse_response_question(question)
    assert asked is not None
    return answer_by_response(question, asked, find_in(*texts), threshold, REFUSAL)


def test_the_response_is_the_next_sentence_with_the_one_asked_about_as_subject() -> None:
    answer = ask("What was Clinton's response once she got the Khadr paper?", PROFILE)
    assert answer is not None and not answer.refused
    assert answer.answer == "Clinton agreed to review it. [1]"
    assert answer.citations[0].quote == "Clinton agreed to review it."
    assert answer.answered_by == "computed"


def test_a_title_the_sources_give_the_person_names_them() -> None:
    answer = ask("What was Clinton's response once she got the Khadr paper?", MEETING)
    assert answer is not None
    assert answer.citations[0].quote == "The Secretary agreed to review the case."


def test_a_later_clause_of_the_same_sentence_may_be_the_response() -> None:
    text = (
        "During the meeting, Clinton asked for help in resettling detainees in Europe, but "
        "Mr. Kouchner noted that the European Union had to address the issue together."
    )
    answer = ask("How did Kouchner respond to Clinton's request for help with detainees?", text)
    assert answer is not None
    assert answer.citations[0].quote == text


def test_a_sentence_with_the_responder_as_subject_naming_the_party_is_the_response() -> None:
    text = "In April 2009 Sarkozy told Obama that France would accept one Guantanamo prisoner."
    answer = ask("How did Sarkozy respond to Obama's request to take detainees?", text)
    assert answer is not None
    assert answer.citations[0].quote == text


def test_a_stance_in_another_subjects_clause_is_not_the_responders() -> None:
    lead = "France asked the United States to take in detainees even though Ottawa refused to help."
    # The refusal is Ottawa's: France's sentence neither refuses nor agrees, so it does not say
    # otherwise than "agreed", and the usual quotes answer.
    assert ask("Why did France agree to ask the United States to take in detainees?", lead) is None


def test_someone_else_named_before_a_title_is_not_the_responder() -> None:
    # The foreign minister's title is "Minister", but the minister speaking is another.
    texts = (
        "Foreign Affairs Minister Lawrence Cannon met Clinton in Gatineau.",
        "The Globe reported that France had lobbied for Khadr. "
        "Peter Kent, the Minister of State, accused the opposition of naivety.",
    )
    question = "How did Lawrence Cannon respond when the Globe reported that France had lobbied?"
    answer = ask(question, *texts)
    assert answer is not None and answer.refused
    # Told by his title alone, the response is his.
    titled = (texts[0], "The Globe reported that France had lobbied. The Minister denied it.")
    answer = ask(question, *titled)
    assert answer is not None and answer.citations[0].quote == "The Minister denied it."


# Harper's sentence is about the case, not about France's lobbying, and follows no sentence telling
# of it.
LOBBIED = (
    "France lobbied the United States over Khadr in February 2009.",
    "For years the government faced pressure. "
    "But Prime Minister Stephen Harper insisted Mr. Khadr faced serious charges.",
)


def test_a_named_person_with_no_response_after_what_is_asked_about_is_declined() -> None:
    answer = ask("How did Stephen Harper react when he heard that France had lobbied?", *LOBBIED)
    assert answer is not None
    assert answer.refused and answer.answer == REFUSAL and not answer.citations
    # Not named: "the ministry" may be told of in other words, so the usual quotes stay.
    assert (
        ask("How did the ministry react when it heard that France had lobbied?", *LOBBIED) is None
    )


def test_a_named_persons_office_speaks_for_them() -> None:
    """ "Harper's office" is declined like Harper when no response of his follows, and answered by
    his own response when one does."""
    question = "How did Harper's office react when it heard that France had lobbied?"
    declined = ask(question, *LOBBIED)
    assert declined is not None and declined.refused
    answered = ask(question, LOBBIED[0] + " Harper said Canada would not intervene.", LOBBIED[1])
    assert answered is not None and not answered.refused
    assert answered.citations[0].quote == "Harper said Canada would not intervene."


@pytest.mark.parametrize(
    "question",
    [
        "How did the Harper government react when it heard that France had lobbied?",
        "How did Harper's government respond once it heard that France had lobbied?",
    ],
)
def test_a_government_named_for_its_head_responds_through_him_or_a_minister(question: str) -> None:
    """Declined when neither the head nor any minister responds after what is asked about; a
    minister's response leaves the usual quotes to choose (it may be another government's)."""
    declined = ask(question, *LOBBIED)
    assert declined is not None and declined.refused
    minister = " Foreign Affairs Minister Lawrence Cannon said Canada would not intervene."
    assert ask(question, LOBBIED[0] + minister, LOBBIED[1]) is None


def test_what_a_person_said_when_something_happened_is_declined_only_if_they_said_nothing() -> None:
    """Asked what someone said in reply, the question is declined when the sources tell of the
    stimulus and no response of theirs follows; a response found is left to the usual quotes,
    which give the words."""
    question = "What did Harper say when he heard that France had lobbied?"
    declined = ask(question, *LOBBIED)
    assert declined is not None and declined.refused
    answered = ask(question, LOBBIED[0] + " Harper said Canada would not intervene.", LOBBIED[1])
    assert answered is None


@pytest.mark.parametrize(
    "question",
    [
        "How did the United States react when it heard that France had lobbied?",
        "How did Washington react when it heard that France had lobbied?",
    ],
)
def test_a_country_is_not_declined_for_lack_of_a_response_in_its_name(question: str) -> None:
    # It responds through its people, in sentences that need not name it; the sources here give
    # no first name or title before "Washington", so it is no person.
    texts = ("France lobbied Washington over Khadr in February 2009.", "Clinton agreed to help.")
    assert ask(question, *texts) is None


def test_a_response_told_after_the_stimulus_is_quoted_before_the_actor_s_own_request() -> None:
    # Clinton is the subject of her own request naming Kouchner; her response follows his.
    text = (
        "At the meeting Clinton made a request to Kouchner about Khadr's fellow detainees. "
        "Kouchner handed Clinton a paper on Omar Khadr. Clinton agreed to review it."
    )
    answer = ask("How did Clinton react to Kouchner's request about Khadr?", text)
    assert answer is not None
    assert answer.citations[0].quote == "Clinton agreed to review it."


def test_nothing_found_for_what_is_asked_about_leaves_the_usual_answer() -> None:
    # The best sentence found falls below the threshold: the sources are not about it.
    text = "Harper said nothing. Khadr was born in Toronto."
    assert ask("How did Harper react to the ruling?", text, threshold=0.99) is None


def test_a_response_contradicting_the_question_is_quoted_as_a_correction() -> None:
    answer = ask(
        "Why did Clinton turn down Kouchner's request to look at the Khadr paper?", MEETING
    )
    assert answer is not None and not answer.refused
    assert (
        answer.answer == "The sources say otherwise: The Secretary agreed to review the case. [1]"
    )
    turned = ask("Why did Clinton turn Kouchner down when he asked about the Khadr paper?", MEETING)
    assert turned is not None and turned.answer == answer.answer


def test_a_response_agreeing_with_the_question_or_saying_neither_leaves_the_usual_answer() -> None:
    refused = "Kouchner asked Clinton about Khadr. Clinton refused to review the case."
    assert ask("Why did Clinton turn down Kouchner's request about Khadr?", refused) is None
    noted = "Kouchner asked Clinton about Khadr. Clinton noted that the case was complicated."
    assert ask("Why did Clinton turn down Kouchner's request about Khadr?", noted) is None


def test_what_the_responder_goes_on_to_say_in_the_next_sentence_is_their_response() -> None:
    # The clause says neither; the next sentence, closing "he said", agrees.
    request = (
        "Clinton asked for help with detainees, but Mr. Kouchner noted that the EU had to act "
    )
    question = "Why did Kouchner reject Clinton's request for help with detainees?"
    answer = ask(question, request + "together. EU countries agreed in principle, he said.")
    assert answer is not None
    assert answer.answer == (
        "The sources say otherwise: Clinton asked for help with detainees, but Mr. Kouchner noted "
        "that the EU had to act together. EU countries agreed in principle, he said. [1]"
    )
    # Not said to be his, the next sentence's stance is not his response's.
    assert ask(question, request + "together. EU countries agreed in principle.") is None


def test_the_news_article_s_response_is_quoted_before_a_dossier_retelling_it() -> None:
    dossier = make_passage(PROFILE, 0, "c0")
    article = replace(
        make_passage(MEETING, 500, "c1"), source="article.txt", kind="article", authority=1.0
    )

    def find(query: str) -> list[ScoredSentence]:
        ranked = score_sentences(query, [dossier, article], lambda p, s, e: 0.5, lambda t: 1.0)
        # The dossier's sentences first, as when they match the question better.
        return sorted(ranked, key=lambda s: s.passage is article)

    question = "What was Clinton's response once she got the Khadr paper?"
    asked = parse_response_question(question)
    assert asked is not None
    answer = answer_by_response(question, asked, find, THRESHOLD, REFUSAL)
    assert answer is not None
    assert answer.citations[0].source == "article.txt"
    assert answer.citations[0].quote == "The Secretary agreed to review the case."


def test_a_response_in_reported_speech_is_read_after_its_that() -> None:
    text = (
        "In December 2010 the papers reported that Kouchner had handed Clinton a paper on Khadr, "
        "and that Clinton had agreed to review the case."
    )
    answer = ask("Why did Clinton turn down Kouchner's request?", text)
    assert answer is not None
    assert answer.answer.startswith("The sources say otherwise: In December 2010")


def test_a_response_that_agrees_or_refuses_comes_before_one_that_says_neither() -> None:
    # Both follow a sentence telling of Kouchner's request; only the second answers it.
    asked_back = (
        "Kouchner made a request to Clinton about Khadr. Clinton asked for help with detainees."
    )
    agreed = "Kouchner handed Clinton a paper on Khadr. Clinton agreed to review it."
    answer = ask("How did Clinton react to Kouchner's request about Khadr?", asked_back, agreed)
    assert answer is not None
    assert answer.citations[0].quote == "Clinton agreed to review it."


def test_a_sentence_telling_the_actors_state_is_no_response() -> None:
    # "Harper was reported … to reject" says "refused" but tells what was said of him, not what
    # he did after the ruling; the sentence after the other ruling does.
    reported = (
        "In February 2009 the court ruled on Khadr's case. Harper was reported in February 2009 "
        "to reject suggestions that the label applied to him."
    )
    said = "In August 2009 the appeal court ruled for Khadr. Harper said the government would study it."
    answer = ask(
        "What was Harper's response when the appeal court ruled for Khadr?", reported, said
    )
    assert answer is not None
    assert answer.citations[0].quote == "Harper said the government would study it."
