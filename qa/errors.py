"""Domain errors: a message for the user and a hint on what to do. Front ends translate them once."""

from __future__ import annotations


class QAError(Exception):
    """Base class: `user_message` is safe to show a reader; `hint` says what to change."""

    def __init__(self, user_message: str, hint: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.user_message} {self.hint}".strip()


class SourceError(QAError):
    """A source file could not be read (broken, empty, binary, undecodable)."""


class IndexNotBuiltError(QAError):
    """The index is missing or empty."""


class IndexMismatchError(QAError):
    """The index was built with another embedding model or dimension."""


class InvalidQuestionError(QAError):
    """The question is empty, too long, or otherwise unusable."""


class ConfigError(QAError):
    """A setting or a prompt file is invalid."""


class AnswerModelError(QAError):
    """The chat model of generative mode failed to answer (unreachable, refused the request)."""


class IndexBusyError(QAError):
    """Another ingest is updating the same index."""
