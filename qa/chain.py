"""The LangChain runnable that wires condense → retrieve → answer, and build_pipeline(settings)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableLambda

from qa.answering.bridges import resolve_description, with_bridge
from qa.answering.durations import (
    FindSentences,
    answer_by_computation,
    parse_duration_question,
    states_duration,
)
from qa.answering.extractive import (
    ScoredSentence,
    answer_extractively,
    given_and_ask,
    score_sentences,
)
from qa.answering.generative import load_chat_model, stream_generatively
from qa.answering.judge import Judge, load_judge
from qa.answering.left_out import asked_left_out
from qa.answering.local_model import LocalChatModel
from qa.answering.opposites import answer_by_opposite
from qa.answering.rerank import JudgeRerank
from qa.answering.responses import answer_by_response, parse_response_question
from qa.answering.succession import answer_by_succession, parse_succession_question
from qa.answering.tenure import (
    answer_by_tenure,
    answer_by_term_length,
    parse_length_question,
    parse_tenure_question,
)
from qa.answering.verdicts import (
    answer_both,
    answer_same,
    parse_both_question,
    parse_same_question,
)
from qa.citations import answer_pieces
from qa.config import Settings
from qa.conversation import condense_question, genders, gives_instructions, named_by_given
from qa.corpus import read_left_out
from qa.embeddings import EmbeddingModel, load_embedding_model
from qa.errors import (
    AnswerModelError,
    ConfigError,
    IndexBusyError,
    IndexNotBuiltError,
    InvalidQuestionError,
)
from qa.indexing import IngestReport, ingest_corpus
from qa.prompts import load_prompt
from qa.retrieval import HybridRetriever, sentence_similarity, to_passage
from qa.spelling import Speller, english_words
from qa.store import ChunkStore, open_or_rebuild_store, open_store
from qa.text import without_possessive
from qa.types import Answer, Citation, Turn

logger = logging.getLogger(__name__)


class Pipeline:
    """Answers questions over an index. Build once per process; `ask` is safe to call repeatedly."""

    def __init__(
        self,
        settings: Settings,
        store: ChunkStore,
        chat_model: BaseChatModel | None = None,
        judge: Judge | None = None,
    ) -> None:
        if store.is_empty():
            raise IndexNotBuiltError(
                "The story's sources are not indexed yet.", "Build the index with: qa ingest"
            )
        self.settings = settings
        self.store = store
        # The start-up sync of the corpus folder (build_pipeline): "off", "running", "done",
        # "failed", or "skipped" while another ingest holds the index. Shown by /healthz.
        self.corpus_sync = "off"
        self._served = self._retriever_for(store.live_number())
        self._switching = threading.Lock()
        self.refusal = load_prompt(settings.prompts, "refuse").render()
        self.left_out = read_left_out(settings.corpus)
        self.left_out_note = load_prompt(settings.prompts, "left_out")
        self._left_out_matrix: np.ndarray | None = None
        # The genders the sources give names (see _gender_of), with their index generation.
        self._genders: tuple[int, dict[str, str]] = (-1, {})
        # The words the sources spell (see speller_for), with their index generation.
        self._speller: tuple[int, Speller | None] = (-1, None)
        if settings.mode == "generative" and chat_model is None:
            raise ConfigError("Generative mode needs a chat model.", "Set QA_CHAT_MODEL.")
        self.chat_model = chat_model
        self.judge = judge
        self.answer_system = load_prompt(settings.prompts, "answer_system")
        if isinstance(chat_model, LocalChatModel):
            # Not a daemon: the process waits for it rather than stop llama.cpp mid-read.
            threading.Thread(
                target=chat_model.read_ahead, args=(self.answer_system.render(),)
            ).start()
        self.answer_prompt = load_prompt(settings.prompts, "answer")
        self.retrieval: Runnable[dict[str, Any], dict[str, Any]] = (
            RunnableLambda(self._condense)
            | RunnableLambda(self._resolve)
            | RunnableLambda(self._retrieve)
        )
        self.chain: Runnable[dict[str, Any], Answer] = (
            self.retrieval | RunnableLambda(self._answer)
        ).with_config(run_name="case-qa")

    @property
    def retriever(self) -> HybridRetriever:
        """The retriever over the generation of the index published last.

        Checked on every question (a catalog read, ~0.3 ms): after `qa ingest` publishes a new
        generation, the next question builds its lexical index and switches; questions already
        under way finish on the generation they started with.
        """
        live = self.store.live_number()
        if live != self._served.store.number:
            with self._switching:
                if live != self._served.store.number:
                    self._served = self._retriever_for(live)
                    logger.info("now answering from index generation %d", live)
        return self._served

    def _retriever_for(self, generation: int) -> HybridRetriever:
        retriever = HybridRetriever(
            store=self.store.generation(generation),
            k=self.settings.k,
            fetch_k=self.settings.fetch_k,
            rrf_k=self.settings.rrf_k,
            authority_weight=self.settings.authority_weight,
            lexical_weight=self.settings.lexical_weight,
        )
        _ = retriever.lexical  # built now, before the switch, not by the first question after it
        return retriever

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """Answer one question, replaying the conversation so far for follow-ups."""
        return self.chain.invoke({"question": self.check_question(question), "history": history})

    def stream(self, question: str, history: Sequence[Turn] = ()) -> Iterator[str | Answer]:
        """The answer as it is composed: text pieces, then the Answer.

        Front ends that stream (the chat UI, the SSE endpoint, the widget) render the pieces as they
        come and take citations from the final Answer. In generative mode each piece is a sentence
        released as soon as the model has written it and it is verified; when none is, the pieces
        are the extractive answer's.
        """
        asked: dict[str, Any] = {"question": self.check_question(question), "history": history}
        if self.chat_model is None:
            answer = self.chain.invoke(asked)
            yield from answer_pieces(answer.answer)
            yield answer
        else:
            yield from self._generated(self.retrieval.invoke(asked), self.chat_model)

    def check_question(self, question: str) -> str:
        """The question cleaned of control characters, or a clear error when it is unusable."""
        cleaned = "".join(c for c in question if c.isprintable() or c in "\n\t").strip()
        if not cleaned:
            raise InvalidQuestionError("Please type a question about the story.")
        if len(cleaned) > self.settings.max_question_chars:
            raise InvalidQuestionError(
                f"That question is too long ({len(cleaned):,} characters; the limit is "
                f"{self.settings.max_question_chars:,}).",
                "Ask something shorter, one question at a time.",
            )
        return cleaned

    def _condense(self, state: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        # One generation of the index for the whole question, however long it takes.
        retriever = self.retriever
        query = condense_question(
            state["question"], state.get("history", ()), self._gender_of(retriever)
        )
        read_as = state["question"]
        if self.settings.spelling:
            speller = self.speller_for(retriever)
            # A question that is not a follow-up is its own query: read it once.
            condensed = query != read_as
            read_as = speller.correct(read_as)
            query = speller.correct(query) if condensed else read_as
        return {
            **state,
            "query": query,
            "read_as": read_as,
            "retriever": retriever,
            "timings": {"condense": _ms(started)},
        }

    def speller_for(self, retriever: HybridRetriever) -> Speller:
        """The speller for this generation's passages, built on the first question it answers
        (~15 ms for the story) from the words they use and the English dictionary."""
        number = retriever.store.number
        speller = self._speller[1]
        if self._speller[0] != number or speller is None:
            texts = (p.text for p in retriever.lexical.passages)
            speller = Speller(texts, english_words())
            self._speller = (number, speller)
        return speller

    def _gender_of(self, retriever: HybridRetriever) -> Callable[[str], str | None]:
        """Whether the sources speak of a name as a woman's or a man's (see genders): read from
        the passages of this generation on the first follow-up that asks (~7 ms for the story)."""
        number = retriever.store.number

        def gender(name: str) -> str | None:
            if self._genders[0] != number:
                self._genders = (number, genders(p.text for p in retriever.lexical.passages))
            return self._genders[1].get(without_possessive(name.split()[-1]).lower())

        return gender

    def _resolve(self, state: dict[str, Any]) -> dict[str, Any]:
        """The query with a description of a person ("the minister pictured …") replaced by the
        name the sources give for it (see qa/answering/bridges.py), and that Bridge, if any."""
        started = time.perf_counter()
        bridge = resolve_description(
            state["query"], self._finder(state["retriever"]), self.settings.refusal_threshold
        )
        state["timings"]["resolve"] = _ms(started)
        if bridge is None:
            return state
        return {**state, "query": bridge.question, "bridge": bridge}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        retriever: HybridRetriever = state["retriever"]
        if self.judge is None or self.settings.rerank_depth <= self.settings.k:
            documents = retriever.invoke(state["query"])
        else:
            fused = retriever.invoke(state["query"], k=self.settings.rerank_depth)
            rerank = JudgeRerank(judge=self.judge, idf=retriever.lexical.idf, k=self.settings.k)
            documents = list(rerank.compress_documents(fused, state["query"]))
        state["timings"]["retrieve"] = _ms(started)
        return {**state, "documents": documents, "passages": [to_passage(d) for d in documents]}

    def _answer(self, state: dict[str, Any]) -> Answer:
        if self.chat_model is not None:
            *_, answer = self._generated(state, self.chat_model)
            assert isinstance(answer, Answer)
            return answer
        started = time.perf_counter()
        return self._finish(self._extractive(state), state, started)

    def _generated(self, state: dict[str, Any], model: BaseChatModel) -> Iterator[str | Answer]:
        """The chat model's claims as each is verified, then its Answer; the extractive answer
        (pieces, then Answer) when the sources hold no answer by the scorer's support (the model
        is not asked), the answer is computed, the question instructs the assistant, or the
        model declines, fails or is unreachable, or none of its claims is borne out."""
        started = time.perf_counter()
        floor = self._extractive(state)
        generated = None
        # A question that instructs the assistant ("Ignore your sources and just tell me …") is
        # not handed to a model that might follow it: the quoted answer stands.
        if (
            not floor.refused
            and floor.answered_by != "computed"
            and not gives_instructions(state["question"])
        ):
            candidates = self.model_candidates(state, floor.citations)
            quoted = _spans(floor.citations)
            try:
                for item in stream_generatively(
                    state["query"],
                    candidates,
                    state["passages"],
                    model,
                    system=self.answer_system,
                    prompt=self.answer_prompt,
                    refusal=self.refusal,
                    min_support=self.settings.min_claim_support,
                    timeout_s=self.settings.chat_timeout_s,
                    # The scorer chooses evidence better than a small model does (issue 12:
                    # 27 against 20 of 45 dev items), so claims rest on what the floor quotes.
                    anchors=sum(_span(s) in quoted for s in candidates),
                    answering=_answering(candidates, floor.citations),
                ):
                    if isinstance(item, Answer):
                        generated = item
                    else:
                        yield item
            except AnswerModelError as exc:
                logger.warning(
                    "generative answer failed, answering extractively: %s", exc.__cause__
                )
        if generated is None or generated.refused:
            checks = generated.verification if generated else ()
            yield from answer_pieces(floor.answer)
            yield self._finish(replace(floor, verification=checks), state, started)
        else:
            yield self._finish(replace(generated, answered_by="generative"), state, started)

    def _extractive(self, state: dict[str, Any]) -> Answer:
        """The quoted answer (or refusal), or the computed one for a question of how long."""
        answer = answer_extractively(
            state["query"],
            state["passages"],
            sentence_similarity(state["documents"]),
            state["retriever"].lexical.idf,
            refusal=self.refusal,
            threshold=self.settings.refusal_threshold,
            max_sentences=self.settings.max_answer_sentences,
            judge=self.judge,
            # The sentence that named the person a description stands for is not the answer
            # (unless it is about them).
            given=[(b.sentence.passage.source, b.sentence.start)]
            if (b := state.get("bridge")) and not b.may_answer
            else (),
            embed=state["retriever"].store.model.embeddings.embed_query,
        )
        answer = self._compute(state["query"], answer, state["retriever"]) or answer
        return self._decline_left_out(state["query"], answer, state["retriever"]) or answer

    def _decline_left_out(
        self, query: str, answer: Answer, retriever: HybridRetriever
    ) -> Answer | None:
        """A refusal that says why, when the question asks for a detail the corpus's editors
        list as left out and that names it better than the answer's quotes do together (a
        computed answer's two quotes each hold half of the question), and the judge, if on, reads
        the detail as what the question asks (Judge.left_out_above) unless the question asks for
        the kind of thing the detail names (see asked_left_out)."""
        if not self.left_out:
            return None
        quoted = " ".join(c.quote for c in answer.citations)
        # The model's vectors are unit length: a dot product is the cosine.
        query_vector = np.asarray(retriever.store.model.embeddings.embed_query(query))
        similarity = self._left_out_vectors(retriever) @ query_vector
        judge = self.judge
        reads = (
            None
            if judge is None
            else lambda detail: judge.score(query, [detail.item])[0] >= judge.left_out_above
        )
        detail = asked_left_out(
            query, self.left_out, quoted, retriever.lexical.idf, similarity.tolist(), reads
        )
        if detail is None:
            return None
        note = self.left_out_note.render(item=detail.item, reason=detail.reason)
        return replace(
            answer,
            answer=f"{self.refusal} {note}",
            refused=True,
            citations=(),
            answered_by="extractive",
        )

    def _left_out_vectors(self, retriever: HybridRetriever) -> np.ndarray:
        """The listed details' vectors, embedded on first use (~4 ms each)."""
        if self._left_out_matrix is None:
            embed = retriever.store.model.embeddings.embed_query
            self._left_out_matrix = np.array([embed(d.item) for d in self.left_out])
        return self._left_out_matrix

    def _finish(self, answer: Answer, state: dict[str, Any], started: float) -> Answer:
        if (bridge := state.get("bridge")) and not answer.refused:
            answer = with_bridge(answer, bridge)
        timings = {**state["timings"], "answer": _ms(started)}
        timings["total"] = sum(timings.values())
        read_as = state["read_as"] if state["read_as"] != state["question"] else None
        return replace(answer, question=state["question"], read_as=read_as, timings_ms=timings)

    def _compute(self, query: str, answer: Answer, retriever: HybridRetriever) -> Answer | None:
        """The computed answer (see _computed) to the question, or else to its ask with the person
        its given part names put for the ask's pronouns (see named_by_given), with the passages
        retrieved for the question after its own; None when neither is computed."""
        computed = self._computed(query, answer, retriever)
        if computed is None:
            # "The cable calls Khadr a 15-year-old — how old was he when he pleaded guilty?" has the
            # shape of no question computed; its ask, with Khadr for "he", has one.
            given, ask = given_and_ask(query)
            named = named_by_given(ask, given, self._gender_of(retriever))
            if named != ask:
                computed = self._computed(named, answer, retriever)
        if computed is None:
            return None
        passages = tuple(dict.fromkeys([*computed.passages, *answer.passages]))
        return replace(computed, passages=passages)

    def _computed(self, query: str, answer: Answer, retriever: HybridRetriever) -> Answer | None:
        """For a question of how long between two events, an answer that computes the interval
        from the sentences dating each event, unless the best quote already states it; for one of
        who held a post when something happened, the term of office that holds the event's date;
        for one of how long someone held one, the length of the term a sentence gives;
        for one of whether two things both have a property, "yes" when a sentence about each
        states it (or "no" when the property is a country and one is of another); for one of
        whether two things share a country or a year, "yes" or "no" from the sentence about each;
        for one of who followed someone in a post (or whom they followed), the name a sentence
        stating the succession gives."""
        find = self._finder(retriever)
        threshold = self.settings.refusal_threshold
        computed = None
        if tenure := parse_tenure_question(query):
            computed = answer_by_tenure(query, tenure, find, threshold)
        elif (asked := parse_duration_question(query)) and not any(
            states_duration(c.quote, asked) for c in answer.citations
        ):
            computed = answer_by_computation(query, asked, find, threshold)
        elif held := parse_length_question(query):
            computed = answer_by_term_length(query, held, answer.citations, find, threshold)
        elif succession := parse_succession_question(query):
            computed = answer_by_succession(query, succession, find, threshold)
        elif response := parse_response_question(query):
            computed = answer_by_response(query, response, find, threshold, self.refusal)
        elif same := parse_same_question(query):
            computed = answer_same(query, same, find, threshold)
        elif both := parse_both_question(query):
            computed = answer_both(query, both, find, threshold)
        return computed or answer_by_opposite(query, find, threshold)

    def _finder(self, retriever: HybridRetriever) -> FindSentences:
        """Sentences for a text of their own, retrieved and ranked like a question's: what a
        computed answer reads for each fact, and a description is looked up with."""
        return lambda text: self._rank(text, retriever.invoke(text), retriever)

    def model_candidates(
        self, state: dict[str, Any], chosen: Sequence[Citation] = ()
    ) -> list[ScoredSentence]:
        """The sentences a chat model answers from, QA_GENERATIVE_SENTENCES of them: those the
        extractive answer quotes (`chosen`) first, then the best-supported other ones, of the
        documents retrieved in this state."""
        ranked = _distinct(self._rank(state["query"], state["documents"], state["retriever"]))
        quoted = _spans(chosen)
        ranked.sort(key=lambda s: _span(s) not in quoted)  # stable
        return ranked[: self.settings.generative_sentences]

    def _rank(
        self, text: str, documents: list[Document], retriever: HybridRetriever
    ) -> list[ScoredSentence]:
        """The sentences of these retrieved documents, best supported first. The judge reads only
        the answer's candidates (answer_extractively): a computed answer's lookups are facts, not
        readers' questions, and judging them too cost time and two numeric-set answers
        (bench/RESULTS.md)."""
        return score_sentences(
            text,
            [to_passage(d) for d in documents],
            sentence_similarity(documents),
            retriever.lexical.idf,
        )


def build_pipeline(
    settings: Settings,
    model: EmbeddingModel | None = None,
    client: Any = None,
    *,
    sync_corpus: bool = False,
    in_background: bool = False,
) -> Pipeline:
    """Load the embedding model, open the index and get ready to answer.

    With sync_corpus the index is brought in line with the corpus folder (the app does this on
    start: the first run builds the index, later runs embed only what changed, and an index of
    another model or format is rebuilt). With in_background too, a server starts answering from
    the index it has while the sync runs, and switches when the sync publishes; a first run, with
    nothing to answer from yet, syncs before it returns.
    """
    chat_model = load_chat_model(settings) if settings.mode == "generative" else None
    judge = load_judge(settings.resolve_home()) if settings.judge else None
    model = model or load_embedding_model(settings.resolve_home())
    # An index made with another model or by another version: the app rebuilds its index from
    # the corpus folder anyway, so rebuild it rather than refuse to start.
    opener = open_or_rebuild_store if sync_corpus else open_store
    store = opener(settings, model, client)
    if sync_corpus and in_background and not store.is_empty():
        pipeline = Pipeline(settings, store, chat_model, judge)
        # Started once the pipeline has its lexical index: the sync reads and cuts the whole
        # corpus, and sharing the interpreter with that build delayed the first answer.
        pipeline.corpus_sync = "running"
        threading.Thread(target=_sync_quietly, args=(settings, pipeline), daemon=True).start()
        return pipeline
    if sync_corpus:
        _sync(settings, store)
    return Pipeline(settings, store, chat_model, judge)


def _sync(settings: Settings, store: ChunkStore) -> IngestReport:
    return ingest_corpus(
        settings.corpus, store, settings.chunk_chars, require_manifest=settings.require_manifest
    )


def _sync_quietly(settings: Settings, pipeline: Pipeline) -> None:
    """The background sync of a server: its outcome goes to the log and /healthz, never to a
    reader."""
    try:
        report = _sync(settings, pipeline.store)
        logger.info("corpus synced: %s", report.to_dict())
        pipeline.corpus_sync = "done"
    except IndexBusyError:
        logger.info("another ingest is updating the index; answering from it when it publishes")
        pipeline.corpus_sync = "skipped"
    except Exception:
        logger.exception("the corpus sync failed; still answering from the previous index")
        pipeline.corpus_sync = "failed"


def _span(sentence: ScoredSentence) -> tuple[str, int]:
    """Where a sentence starts: its source and offset, the same for it in any chunk."""
    return sentence.passage.source, sentence.start


def _spans(citations: Sequence[Citation]) -> set[tuple[str, int]]:
    """Where each cited span starts, as _span says it of a sentence."""
    return {(c.source, c.start) for c in citations}


def _answering(candidates: Sequence[ScoredSentence], quotes: Sequence[Citation]) -> list[int]:
    """The ids of the candidates a claim must rest on (one of them): the extractive answer's
    first quote, its answer, and any quote of a source above that one's, the primary source's
    telling beside it (see beside_the_article)."""
    if not quotes:
        return []
    opening = (quotes[0].source, quotes[0].start)
    first = next((s for s in candidates if _span(s) == opening), None)
    if first is None:
        return []
    quoted = _spans(quotes)
    return [
        n
        for n, s in enumerate(candidates, start=1)
        if s is first or (_span(s) in quoted and s.passage.authority > first.passage.authority)
    ]


def _distinct(ranked: list[ScoredSentence]) -> list[ScoredSentence]:
    """The sentences with repeats left out: overlapping chunks hold some sentences twice."""
    return list({_span(s): s for s in reversed(ranked)}.values())[::-1]


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
