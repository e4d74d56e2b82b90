"""The answer judge's rerank of fused passages (qa/answering/rerank.py) and its place in the
pipeline: more passages are fused than the answerer reads, and the judge chooses which it reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answering.extractive import score_sentences
from qa.answering.judge import load_judge
from qa.answering.rerank import JudgeRerank
from qa.chain import Pipeline
from qa.retrieval import fuse, sentence_similarity, to_passage
from qa.types import Passage
from tests.fakes import ScriptedJudge


def passage(cid: str, text: str) -> Passage:
    return Passage(cid, f"{cid}.md", "T", "", "", "background", 0.5, "", text, 0, len(text), 0.0)


def fused(*texts: str) -> list:
    """Documents fused in the order given (a dense ranking alone), with no sentence vectors."""
    documents = fuse([passage(f"p{i}", t) for i, t in enumerate(texts)], [], len(texts), 60)
    for document in documents:
        document.metadata["sentence_dense"] = {}
    return documents


TEXTS = (
    "Kouchner met Clinton in Washington.",
    "Kouchner and Clinton discussed the prison.",
    "Clinton met many ministers that month.",
    "Kouchner handed Clinton a paper about Khadr.",
)


def test_the_judge_keeps_the_passages_whose_sentences_answer_in_their_fused_order() -> None:
    judge = ScriptedJudge({"handed": 0.9, "prison": 0.5})
    rerank = JudgeRerank(judge=judge, idf=lambda term: 1.0, k=3)
    kept = rerank.compress_documents(fused(*TEXTS), "What did Kouchner give Clinton?")
    # The fused first stays although the judge reads nothing in it; the third gives way.
    assert [d.id for d in kept] == ["p0", "p1", "p3"]
    assert set(judge.asked) == set(TEXTS)


def test_no_passage_fills_more_than_two_of_the_judges_readings() -> None:
    long = " ".join(f"Kouchner and Clinton met on day {n} of the talks." for n in range(1, 20))
    judge = ScriptedJudge({"handed": 0.9})
    rerank = JudgeRerank(judge=judge, idf=lambda term: 1.0, k=2)
    documents = fused(TEXTS[0], long, TEXTS[3])
    kept = rerank.compress_documents(documents, "What did Kouchner and Clinton do at the talks?")
    # The long passage's sentences all share more of the question's words than the answer does.
    assert [d.id for d in kept] == ["p0", "p2"]
    assert sum("talks" in sentence for sentence in judge.asked) == 2


def test_the_fused_first_passage_stays_and_too_few_passages_are_not_reranked() -> None:
    judge = ScriptedJudge({"Washington": 0.0, "ministers": 0.8, "handed": 0.9})
    rerank = JudgeRerank(judge=judge, idf=lambda term: 1.0, k=2)
    kept = rerank.compress_documents(fused(*TEXTS), "What did Kouchner give Clinton?")
    assert [d.id for d in kept] == ["p0", "p3"]
    documents = fused(*TEXTS[:2])
    assert rerank.compress_documents(documents, "What did Kouchner give Clinton?") == documents
    assert sorted(judge.asked) == sorted(TEXTS)  # read for the four, not for the two


def test_a_document_telling_what_it_covers_keeps_no_passage_for_that() -> None:
    """A dossier's opening sentence saying what the dossier explains is no answer, however the
    judge reads it: the passage holding the answer is kept instead."""
    opening = "This dossier explains what Kouchner gave Clinton and why it mattered."
    documents = fused(TEXTS[0], opening, TEXTS[3])
    documents[1].metadata["section"] = documents[1].metadata["title"]  # the document's opening
    judge = ScriptedJudge({"dossier": 0.9, "handed": 0.3})
    rerank = JudgeRerank(judge=judge, idf=lambda term: 1.0, k=2)
    kept = rerank.compress_documents(documents, "What did Kouchner give Clinton?")
    assert [d.id for d in kept] == ["p0", "p2"]
    assert opening not in judge.asked
    # Under a heading of its own, the same words are the story's, and its passage is read.
    documents[1].metadata["section"] = "Background"
    kept = rerank.compress_documents(documents, "What did Kouchner give Clinton?")
    assert [d.id for d in kept] == ["p0", "p1"]


def test_a_sentence_the_judge_reads_as_the_answer_is_quoted_from_below_the_fused_k(
    fake_pipeline: Pipeline,
) -> None:
    """The pipeline fuses rerank_depth passages, the judge keeps k of them, and the answer can
    come from a passage fusion ranked below k."""
    question = "What did Bernard Kouchner give Hillary Clinton about Omar Khadr?"
    retriever = fake_pipeline.retriever
    settings = fake_pipeline.settings
    assert settings.rerank_depth > settings.k
    deep = retriever.invoke(question, k=settings.rerank_depth)
    assert len(deep) == settings.rerank_depth and len(retriever.invoke(question)) == settings.k
    # The best supported sentence of a passage fused below k: the one the judge will favour.
    below = {d.id for d in deep[settings.k :]}
    ranked = score_sentences(
        question, [to_passage(d) for d in deep], sentence_similarity(deep), retriever.lexical.idf
    )
    chosen = next(s for s in ranked[:15] if s.passage.chunk_id in below)
    fake_pipeline.judge = ScriptedJudge({chosen.text: 0.99})  # type: ignore[assignment]
    answer = fake_pipeline.ask(question)
    assert [c.quote for c in answer.citations][:1] == [chosen.text]
    assert len(answer.passages) == settings.k
    assert answer.passages[0].chunk_id == deep[0].id
    assert chosen.passage.chunk_id in {p.chunk_id for p in answer.passages}


@pytest.mark.integration
def test_the_judge_reads_a_pair_once_for_the_rerank_and_the_answer(tmp_path: Path) -> None:
    judge = load_judge(tmp_path)
    question = "Who asked Hillary Clinton to review the case of Omar Khadr?"
    sentences = ["Bernard Kouchner asked Clinton to review the case.", "The bakery sells bread."]
    first = judge.score(question, sentences)
    session, runs = judge.model.session, []

    class CountingSession:
        def run(self, *args):  # type: ignore[no-untyped-def]
            runs.append(args)
            return session.run(*args)

    judge.model.session = CountingSession()
    again = judge.score(question, [*reversed(sentences), "Kouchner was a doctor."])
    assert again[:2] == list(reversed(first)) and len(runs) == 1
    assert judge.score("Who is Kouchner?", sentences[:1]) and len(runs) == 2
