"""The shipped answer judge: loaded offline from the package, used for ranking and refusal."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from qa.answering.judge import JUDGE_DIR, load_judge
from qa.chain import Pipeline
from qa.config import PROJECT_ROOT
from qa.errors import ConfigError

pytestmark = pytest.mark.integration


def test_the_judge_loads_offline_and_its_checksum_is_the_documented_one() -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    judge = load_judge()
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"judge weights sha256 `([0-9a-f]{64})`", readme)
    assert documented and documented[1] == judge.sha256
    assert 0 < judge.blend <= 1


def test_the_judge_prefers_the_sentence_that_answers() -> None:
    judge = load_judge()
    question = "Which river flows through the town where the composer was born?"
    answering, bridge, unrelated = judge.score(
        question,
        [
            "The town of Bonnhausen lies on the banks of the river Lenne.",
            "The composer was born in Bonnhausen in 1810 and studied in Leipzig.",
            "The bakery sells bread and cakes every morning.",
        ],
    )
    assert answering > unrelated and bridge > unrelated
    [capital, population] = judge.score(
        "What is the capital of Norway?",
        ["Oslo is the capital of Norway.", "Norway has about five million inhabitants."],
    )
    assert capital > 0.5 > population


def test_a_missing_judge_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="judge is missing"):
        load_judge(tmp_path)
    assert (JUDGE_DIR / "judge.json").is_file()


def test_the_pipeline_ranks_with_the_judge_when_asked_to(real_pipeline: Pipeline) -> None:
    assert real_pipeline.judge is None  # opt-in: QA_JUDGE=true
    settings = real_pipeline.settings.model_copy(update={"judge": True})
    judged = Pipeline(settings, real_pipeline.store, judge=load_judge())
    answered = judged.ask("Who asked Hillary Clinton to review Omar Khadr's case?")
    assert not answered.refused and "Kouchner" in answered.answer
    assert judged.ask("What is the boiling point of mercury?").refused
