"""Greedy decoding held to a grammar, at the cost of checking one token per step, not the vocabulary.

llama-cpp-python's sampler runs the grammar over every token of the vocabulary at each step
(151,936 for Qwen2.5), then takes the best the grammar allows: on two cores that made the 1.5B
model's JSON replies decode at 8 tokens a second instead of 12 (bench/RESULTS.md, twenty-eighth
session). llama.cpp's own server checks the grammar lazily; so does this: the repeat penalty and
greedy choice run first, the grammar is asked only whether that one token may come, and only when
it may not (about one step in ten) is it run over the whole vocabulary. The best token the grammar
allows is the same either way, so the reply is identical, only sooner.

A reply held to a JSON schema also begins where the grammar leaves no choice but spacing
(`{ "claims": [`): those tokens are read with the prompt, at prompt speed, not written one by one
(`opening`, set by LocalChatModel for each reply).

Imports llama_cpp, the optional `local` extra: loaded only with the local model.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Iterator, Sequence
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp import _internals

_TOKEN_DATA = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)


class GreedyLlama(llama_cpp.Llama):
    """A Llama whose every reply is decoded greedily (LocalChatModel asks for temperature 0 and
    no other sampling), its grammar checked lazily. It replaces `_init_sampler`, which
    llama-cpp-python 0.3.36 (pinned) calls once per reply to build the reply's sampler, and
    `generate`, which it calls once per reply with the prompt's tokens."""

    opening = ""  # the start of the next reply held to a grammar, which the grammar allows
    _opening_tokens: Sequence[int] = ()

    def generate(self, tokens: Sequence[int], **kwargs: Any) -> Iterator[int]:  # type: ignore[override,unused-ignore]
        """The reply's tokens: its opening's (read with the prompt), then those written."""
        opening = self.opening if kwargs.get("grammar") is not None else ""
        self._opening_tokens = self.tokenize(opening.encode(), add_bos=False) if opening else []
        yield from self._opening_tokens
        yield from super().generate([*tokens, *self._opening_tokens], **kwargs)

    def _init_sampler(  # type: ignore[override,unused-ignore]
        self,
        repeat_penalty: float = 1.0,
        grammar: llama_cpp.LlamaGrammar | None = None,
        **ignored: Any,
    ) -> _LazyGrammarGreedy:
        return _LazyGrammarGreedy(self, repeat_penalty, grammar, self._opening_tokens)


class _LazyGrammarGreedy:
    """The sampler of one reply: `sample(ctx, idx)` chooses, and accepts, each token."""

    def __init__(
        self,
        llama: llama_cpp.Llama,
        repeat_penalty: float,
        grammar: llama_cpp.LlamaGrammar | None,
        opening: Sequence[int],
    ) -> None:
        self._n_vocab = llama.n_vocab()
        self._penalty_then_greedy = _internals.LlamaSampler()
        self._penalty_then_greedy.add_penalties(
            n_vocab=self._n_vocab,
            penalty_last_n=llama.last_n_tokens_size,
            penalty_repeat=repeat_penalty,
            penalty_freq=0.0,
            penalty_present=0.0,
        )
        self._penalty_then_greedy.add_greedy()
        self._grammar = (
            llama_cpp.llama_sampler_init_grammar(
                llama._model.vocab, grammar._grammar.encode(), grammar._root.encode()
            )
            if grammar is not None
            else None
        )
        self._all = (llama_cpp.llama_token_data * self._n_vocab)()
        self._all_view = np.frombuffer(memoryview(self._all), dtype=_TOKEN_DATA)
        self._all_view["id"] = np.arange(self._n_vocab, dtype=np.intc)  # a token's id is its place
        self._all_array = llama_cpp.llama_token_data_array(
            data=self._all, size=self._n_vocab, selected=-1, sorted=False
        )
        self._one = (llama_cpp.llama_token_data * 1)()
        self._one_view = np.frombuffer(memoryview(self._one), dtype=_TOKEN_DATA)
        self._one_array = llama_cpp.llama_token_data_array(
            data=self._one, size=1, selected=-1, sorted=False
        )
        for token in opening:  # as if written: the grammar and the repeat penalty go on after it
            self._accept(token)

    def sample(self, ctx: _internals.LlamaContext, idx: int) -> int:
        logits = llama_cpp.llama_get_logits_ith(ctx.ctx, idx)
        self._all_view["logit"] = np.ctypeslib.as_array(logits, shape=(self._n_vocab,))
        self._all_array.size, self._all_array.selected = self._n_vocab, -1
        # Penalises repeats in place, then marks the best: the token the grammar is asked about.
        llama_cpp.llama_sampler_apply(
            self._penalty_then_greedy.sampler, ctypes.byref(self._all_array)
        )
        token = int(self._all_array.selected)
        if self._grammar is not None:
            self._one_view["id"], self._one_view["logit"] = token, 0.0
            self._one_array.size, self._one_array.selected = 1, -1
            llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(self._one_array))
            if self._one_view["logit"][0] == -math.inf:  # not allowed here: the best that is
                llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(self._all_array))
                token = int(np.argmax(self._all_view["logit"]))
        self._accept(token)
        return token

    def _accept(self, token: int) -> None:
        if self._grammar is not None:
            llama_cpp.llama_sampler_accept(self._grammar, token)
        self._penalty_then_greedy.accept(token)

    def __del__(self) -> None:  # llama-cpp-python drops a reply's sampler when the next begins
        if self._grammar is not None:
            llama_cpp.llama_sampler_free(self._grammar)
