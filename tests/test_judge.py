"""The shipped answer judge: loaded offline from the package, used for ranking and refusal."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from qa.answering.judge import (
    EXPORT_RECIPE,
    JUDGE_DIR,
    judge_scores,
    load_judge,
    load_judge_model,
)
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
    reads too. (Quantised per tensor, the shipped judge moved 0.14 on these pairs.)"""
    judge = load_judge(tmp_path)
    assert [p.name for p in (tmp_path / "models").iterdir()] == [
        f"judge-{judge.sha256[:16]}-{EXPORT_RECIPE}.onnx"
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
    assert max(abs(a - b) for a, b in zip(onnx, torch_scores, strict=True)) < 0.05
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


def test_the_articles_retelling_follows_an_answer_the_judge_found_in_a_dossier(
    real_pipeline: Pipeline,
) -> None:
    """The judge reads the article's "calls the facility a 'cancer'" far below the closure plan's
    "Clinton described Guantanamo as a 'cancer'"; the article's sentence is quoted beside it as
    the same telling, by closeness in meaning."""
    answer = real_pipeline.ask(
        "What word did Clinton use to describe the Guantanamo prison in that meeting?"
    )
    assert [c.source for c in answer.citations][-1] == "article.txt"
    assert all("cancer" in c.quote for c in answer.citations) and len(answer.citations) == 2


def test_the_judge_refuses_what_the_sources_leave_open(
    real_pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sources name Kouchner and the cable, so the question is well supported by word
    overlap; none of them says what he said once it leaked, and the judge finds no sentence that
    answers (its refuse_below from training/calibrate_refusal.py)."""
    question = "What did Kouchner say publicly once the Khadr cable was published?"
    judge = real_pipeline.judge
    assert judge is not None and judge.refuse_below > 0
    assert real_pipeline.ask(question).refused
    monkeypatch.setattr(real_pipeline, "judge", replace(judge, refuse_below=0.0))
    assert not real_pipeline.ask(question).refused


def test_two_processes_exporting_the_judge_at_once_both_load_it(tmp_path: Path) -> None:
    """Replicas or parallel evals starting on one new home: each exports the judge, and neither
    may delete the other's scratch files on the way (one used to fail with FileNotFoundError)."""
    load = "import pathlib, sys; from qa.answering.judge import load_judge; load_judge(pathlib.Path(sys.argv[1]))"
    children = [
        subprocess.Popen([sys.executable, "-c", load, str(tmp_path)], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for child in children:
        _, errors = child.communicate(timeout=600)
        assert child.returncode == 0, errors.decode()
    assert [p.name for p in (tmp_path / "models").iterdir()] == [
        f"judge-{load_judge(tmp_path).sha256[:16]}-{EXPORT_RECIPE}.onnx"
    ]


def test_the_refusal_thresholds_are_chosen_by_how_often_their_additions_are_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """training/calibrate_refusal.py: a refusal threshold is kept while nine in ten of the
    refusals it adds withhold no right answer (the question is unanswerable, or the answer
    withheld was wrong), an answer threshold once nine in ten of the answers it adds are to
    answerable questions."""
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "training"))
    from calibrate_refusal import Asked, choose

    # Answered with the judge's part off: sums 0.005-0.045 unanswerable; 0.055, 0.065 and 0.085
    # answerable but answered wrong, 0.075 answered right.
    off = [Asked(t / 1000, False, True) for t in (5, 15, 25, 35, 45)]
    off += [Asked(t / 1000, False, False, correct=t == 75) for t in (55, 65, 75, 85)]
    # Refused for weak support, answered once the judge overrules it: its best probabilities.
    weak = [(0.2, False), (0.55, True), (0.6, True)] + [(0.65 + i / 25, False) for i in range(8)]
    off += [Asked(1.0, True, unanswerable, best) for best, unanswerable in weak]
    overruling = off[:9] + [Asked(1.0, False, unanswerable, best) for best, unanswerable in weak]
    chosen = choose(off, overruling)
    # 0.07 adds 7 right of 7: the two wrong answers it withholds count as right refusals (had only
    # unanswerable questions counted, 5 of 7). 0.08 withholds the right answer: 7 of 8.
    assert chosen["refuse_below"] == 0.07
    # 8 right of 8; 0.6 adds 8 of 9, under nine in ten. A reading of 0.2 never overrules: the
    # judge must read one sentence as more likely than not the answer.
    assert chosen["answer_above"] == 0.65
    # No question asked only whether: that floor refuses nothing.
    assert chosen["refuse_whether_below"] == 0.0


def test_questions_asking_only_whether_get_their_own_refusal_floor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """training/calibrate_refusal.py: refuse_whether_below is chosen by the same rule over the
    questions asking only whether, on a grid up to 1; they do not move refuse_below."""
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "training"))
    from calibrate_refusal import Asked, choose

    # Asking only whether: unanswerable ones summing 0.1-0.5, a right answer at 0.6, a wrong at 0.7.
    whether = [Asked(t / 10, False, True, whether=True) for t in range(1, 6)]
    whether += [Asked(0.6, False, False, correct=True, whether=True)]
    whether += [Asked(0.7, False, False, whether=True)]
    # Other questions: unanswerable at 0.01 and 0.02, a right answer at 0.03.
    others = [Asked(0.01, False, True), Asked(0.02, False, True)]
    others += [Asked(0.03, False, False, correct=True)]
    chosen = choose(whether + others, whether + others)
    # 0.60 adds the five unanswerable: 5 of 5; 0.61 withholds the right answer: 5 of 6.
    assert chosen["refuse_whether_below"] == 0.6
    # 0.03 adds 2 of 2; 0.04 withholds the right answer. The whether questions' sums, all above,
    # are not counted here.
    assert chosen["refuse_below"] == 0.03


def test_a_calibration_with_no_answer_threshold_leaves_none_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "training"))
    from calibrate_refusal import record

    calibration = {"blend": 0.4, "refuse_below": 0.09, "answer_above": 0.5}
    chosen = {"answer_above": math.inf, "left_out_above": 0.3}
    record(calibration, chosen | {"refuse_below": 0.2, "refuse_whether_below": 0.6})
    assert calibration == {
        "blend": 0.4,
        "refuse_below": 0.2,
        "refuse_whether_below": 0.6,
        "left_out_above": 0.3,
        "refusal_by": "training/calibrate_refusal.py",
    }


def test_the_left_out_gate_is_the_lowest_whose_declines_are_right_nine_times_in_ten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "training"))
    from calibrate_refusal import Asked, choose_left_out

    # The judge's readings of the listed detail each question was matched with; None: no match.
    readings = [(0.05, False), (0.12, False), (0.2, True), (0.3, True), (0.35, False)]
    readings += [(0.4 + i / 20, True) for i in range(9)]
    gated = [Asked(1.0, False, unanswerable, gate=g) for g, unanswerable in readings]
    gated.append(Asked(1.0, False, False))
    chosen = choose_left_out(gated)
    # From 0.15 on, 11 right of 12 declines; at 0.10, 11 of 13, under nine in ten.
    assert chosen["left_out_above"] == 0.15
    assert choose_left_out([Asked(1.0, False, False, gate=0.9)])["left_out_above"] == 0.5


def test_a_soup_averages_adaptations_of_one_first_stage(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """training/adapt_judge.py --soup-with: each weight becomes the mean of the judges', and only
    adaptations of the first stage it starts from are averaged with."""
    import torch

    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "training"))
    from adapt_judge import _average, _ingredient

    judge, other = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
    with torch.no_grad():
        judge.weight.copy_(torch.tensor([[1.0, 3.0]]))
        other.weight.copy_(torch.tensor([[3.0, -1.0]]))
    _average(judge, [other])
    assert judge.weight.tolist() == [[2.0, 1.0]]

    first = {"data": "halueval", "seed": 0, "calibration": {"blend": 0.5}}
    adapted = {**first, "adaptation": {"seed": 0}, "calibration": {"blend": 0.4}}
    (tmp_path / "judge.json").write_text(json.dumps(adapted), encoding="utf-8")
    assert _ingredient(tmp_path, first) == {"seed": 0}
    with pytest.raises(SystemExit):
        _ingredient(tmp_path, {**first, "seed": 1})  # another first stage
    (tmp_path / "judge.json").write_text(json.dumps(first), encoding="utf-8")
    with pytest.raises(SystemExit):
        _ingredient(tmp_path, first)  # not adapted


def test_the_adaptation_report_names_data_files_however_they_were_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """training/adapt_judge.py names its data files from the project's root: a path relative to
    the working directory once failed the report after the whole training had run."""
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "training"))
    from adapt_judge import _shown

    monkeypatch.chdir(PROJECT_ROOT)
    named = "training/data/reader-questions-train.jsonl"
    assert _shown(Path(named)) == named
    assert _shown(PROJECT_ROOT / named) == named
    assert _shown(tmp_path / "more.jsonl") == str((tmp_path / "more.jsonl").resolve())
