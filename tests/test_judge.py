"""The shipped answer judge: loaded offline from the package, used for ranking and refusal."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from qa.answering.judge import JUDGE_DIR, judge_scores, load_judge, load_judge_model
from qa.chain import Pipeline
from qa.config import PROJECT_ROOT
from qa.errors import ConfigError

pytestmark = pytest.mark.integration


def test_the_judge_loads_offline_and_its_checksum_is_the_documented_one(tmp_path: Path) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    judge = load_judge(tmp_path)
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"judge weights sha256 `([0-9a-f]{64})`", readme)
    assert documented and documented[1] == judge.sha256
    assert 0 < judge.blend <= 1


def test_onnx_runtime_gives_the_cross_encoders_probabilities(tmp_path: Path) -> None:
    """The app's judge (exported once under its home, weights in int8) and the trained
    CrossEncoder agree within a few hundredths and rank alike, for pairs longer than the judge
    reads too."""
    judge = load_judge(tmp_path)
    assert [p.name for p in (tmp_path / "models").iterdir()] == [
        f"judge-{judge.sha256[:16]}-int8.onnx"
    ]
    question = "Who asked Hillary Clinton to review the case of Omar Khadr?"
    sentences = [
        "Bernard Kouchner asked Clinton to review the case.",
        "The bakery sells bread.",
        "A sentence far longer than the judge reads, " * 30,
        "Médecins sans frontières — “quoted” words, 1939–2010.",
    ]
    onnx = judge.score(question, sentences)
    torch_scores = judge_scores(load_judge_model(), question, sentences)
    assert max(abs(a - b) for a, b in zip(onnx, torch_scores, strict=True)) < 0.08
    assert sorted(range(4), key=onnx.__getitem__) == sorted(range(4), key=torch_scores.__getitem__)
    assert judge.score(question, []) == []
    # Each pair is scored alone: a sentence's probability does not depend on its neighbours.
    assert judge.score(question, sentences[:1]) == onnx[:1]


def test_the_judge_prefers_the_sentence_that_answers(tmp_path: Path) -> None:
    judge = load_judge(tmp_path)
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
        load_judge(tmp_path, tmp_path)
    assert (JUDGE_DIR / "judge.json").is_file()


def test_the_pipeline_ranks_with_the_judge_by_default(real_pipeline: Pipeline) -> None:
    judged = real_pipeline
    assert judged.judge is not None and judged.judge.blend == 0.4
    answered = judged.ask("Who asked Hillary Clinton to review Omar Khadr's case?")
    assert not answered.refused and "Kouchner" in answered.answer
    assert judged.ask("What is the boiling point of mercury?").refused


def test_the_judge_reads_a_readers_paraphrase(real_pipeline: Pipeline) -> None:
    """Support alone quotes the article's memo sentence, which names Kouchner; no source says
    "significant other", and the judge lifts the sentence naming his partner."""
    question = "Who's Kouchner's significant other?"
    unjudged = real_pipeline.settings.model_copy(update={"judge": False})
    assert "Ockrent" not in Pipeline(unjudged, real_pipeline.store).ask(question).answer
    assert "Christine Ockrent" in real_pipeline.ask(question).answer
