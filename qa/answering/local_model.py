"""A GGUF model run in-process by llama.cpp, as a LangChain chat model.

LangChain's own llama.cpp chat model lived in langchain-community, which has been sunset and
archived; llama.cpp has no partner package. This is the custom chat model LangChain's docs describe
(`_generate`, `_stream`, `_llm_type`) over llama-cpp-python's `create_chat_completion`, with only
what generative mode uses: greedy decoding, a token bound, and a `response_format` bound with
`model.bind(...)` that llama.cpp turns into a grammar.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    convert_to_openai_messages,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

# What `structured` (qa/answering/generative.py) tells this model by: it takes a schema as a
# `json_object` response format, where OpenAI-compatible servers take `json_schema`.
LLM_TYPE = "llama-cpp-python"


class LocalChatModel(BaseChatModel):
    """model_path's GGUF model, loaded once, answering with greedy decoding."""

    model_path: str
    n_threads: int
    max_tokens: int  # bounds the time a reply can take
    n_ctx: int = 4096
    n_batch: int = 256
    # No penalty on repeated tokens: a reply copies its facts from the sentences, and the schema
    # (at most two claims of 300 characters) and max_tokens bound a reply that loops. At 1.1 the
    # 1.5B model wrote "251,287" as "251, 287"; without it, it wrote 2 more dev answers itself
    # (both right) and fresh gained 2 right answers (bench/RESULTS.md, twenty-ninth session).
    repeat_penalty: float = 1.0
    # One llama.cpp context writes one reply at a time: two readers answered at once crashed the
    # process. A reply waits this long for the one being written, then fails (the caller's
    # extractive answer stands).
    busy_wait_s: float = 20.0
    _llama: Any = PrivateAttr(default=None)
    _writing: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def model_post_init(self, context: Any, /) -> None:
        from qa.answering.greedy_grammar import GreedyLlama  # the optional `local` extra

        self._llama = GreedyLlama(
            model_path=self.model_path,
            n_ctx=self.n_ctx,
            n_threads=self.n_threads,
            n_batch=self.n_batch,
            seed=0,
            verbose=False,
        )

    @property
    def _llm_type(self) -> str:
        return LLM_TYPE

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "max_tokens": self.max_tokens}

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """The model, once the reply it is writing for another caller is done."""
        if not self._writing.acquire(timeout=self.busy_wait_s):
            raise TimeoutError(f"The local model was busy for {self.busy_wait_s:g} s.")
        try:
            yield
        finally:
            self._writing.release()

    def read_ahead(self, system: str) -> None:
        """Read the system prompt every reply begins with before the first reader asks: llama.cpp
        keeps what a prompt shares with the last, and the process's first reply came ~4 s later
        than the next without it (bench/RESULTS.md, twenty-eighth session)."""
        with self._turn():
            self._llama.create_chat_completion(
                messages=[{"role": "system", "content": system}, {"role": "user", "content": ""}],
                temperature=0.0,
                max_tokens=1,
            )

    def _completion(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> Any:
        response_format = kwargs.get("response_format")
        # Read with the prompt, not written token by token (qa/answering/greedy_grammar.py).
        self._llama.opening = json_opening(
            response_format.get("schema", {}) if response_format else {}
        )
        # llama.cpp reuses the state of the prompt this one shares with the last (our system
        # prompt): 1.4 s less per reply with the 1.5B model on 2 cores. The price: a prompt
        # evaluated in other pieces gives slightly other logits, so a reply can differ with the
        # question asked before it (bench/RESULTS.md).
        return self._llama.create_chat_completion(
            messages=convert_to_openai_messages(messages),
            temperature=0.0,
            max_tokens=self.max_tokens,
            repeat_penalty=self.repeat_penalty,
            stop=stop or [],
            stream=stream,
            response_format=response_format,
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with self._turn():
            reply = self._completion(messages, stop, stream=False, **kwargs)
        usage = reply["usage"]
        message = AIMessage(
            content=reply["choices"][0]["message"]["content"] or "",
            usage_metadata={
                "input_tokens": usage["prompt_tokens"],
                "output_tokens": usage["completion_tokens"],
                "total_tokens": usage["total_tokens"],
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # Closing this generator (a caller's timeout) closes llama.cpp's: it stops decoding and
        # the next caller's turn comes.
        with self._turn():
            for part in self._completion(messages, stop, stream=True, **kwargs):
                text = part["choices"][0]["delta"].get("content")
                if not text:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager is not None:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk


def json_opening(schema: dict[str, Any]) -> str:
    """What every JSON reply to the schema begins with: an object's first required property
    (llama.cpp's grammar writes required properties first, in the schema's order) and, when that
    is a list, its bracket. Spaced as the 1.5B model spaces it unprompted: begun without spaces
    (`{"claims": [`), it declined 7 more dev questions (bench/RESULTS.md, twenty-eighth session).
    Empty when nothing is forced."""
    properties = schema.get("properties", {})
    required = [name for name in properties if name in schema.get("required", ())]
    if schema.get("type") != "object" or not required:
        return ""
    bracket = "[" if properties[required[0]].get("type") == "array" else ""
    return f"{{ {json.dumps(required[0])}: {bracket}"
