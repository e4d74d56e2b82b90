"""Prompt files load with their declared variables; mismatches fail at load time."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.config import PROJECT_ROOT
from qa.errors import ConfigError
from qa.prompts import load_prompt


def test_refusal_prompt_golden_rendering() -> None:
    prompt = load_prompt(PROJECT_ROOT / "prompts", "refuse")
    assert prompt.render() == "The sources for this story don't answer that."


def test_undeclared_variable_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_text("# variables: topic\nAbout {subject}.\n")
    with pytest.raises(ConfigError, match="declares"):
        load_prompt(tmp_path, "bad")


def test_missing_declaration_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_text("No header here.\n")
    with pytest.raises(ConfigError, match="variables"):
        load_prompt(tmp_path, "bad")


def test_answer_prompts_golden_rendering() -> None:
    folder = PROJECT_ROOT / "prompts"
    user = load_prompt(folder, "answer").render(question="Who?", sentences="[1] Text.")
    assert user == "Sentences:\n[1] Text.\n\nQuestion: Who?"
    system = load_prompt(folder, "answer_system").render()
    assert system.startswith("You answer readers' questions about a news story")
    assert system.endswith("reply with an empty list of claims.")
