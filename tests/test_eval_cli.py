"""`qa eval` end to end: JSON and report files, clear errors, the index left as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qa.cli import main
from qa.config import PROJECT_ROOT, Settings
from qa.indexing import ingest_corpus
from qa.runs import list_runs
from qa.store import open_store
from tests.conftest import CORPUS
from tests.fakes import fake_model
from tests.test_evaluation import assert_reproducible

DEV = CORPUS / "eval" / "dev.jsonl"
KEYS = [
    "n", "answer_accuracy", "refusal_precision", "refusal_recall", "refusal_f1",
    "false_premise_accuracy", "citation_precision", "evidence_recall", "retrieval_recall_at_k",
    "latency_ms", "by_type", "items",
]  # fmt: skip


@pytest.fixture
def fake_index(tmp_path: Path, corpus_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A persistent index of a corpus copy built with the hashing embedder, which `qa eval` uses."""
    monkeypatch.setattr("qa.chain.load_embedding_model", lambda _home: fake_model())
    settings = Settings(home=tmp_path / "home", corpus=corpus_copy)
    ingest_corpus(corpus_copy, open_store(settings, fake_model()), settings.chunk_chars)
    return settings


def invoke(settings: Settings, *args: str) -> Result:
    env = {"QA_HOME": str(settings.home), "QA_CORPUS": str(settings.corpus)}
    return CliRunner().invoke(main, ["eval", *args], env=env)


def test_eval_writes_json_and_report_and_leaves_the_index_alone(
    fake_index: Settings, tmp_path: Path
) -> None:
    entries = open_store(fake_index, fake_model()).entry_ids()
    # A new source and an edited one: an eval run must not index either.
    shutil.copy(fake_index.corpus / "article.txt", fake_index.corpus / "new-source.txt")
    with (fake_index.corpus / "bernard-kouchner-profile.md").open("a") as handle:
        handle.write("\nAn added closing sentence that was never indexed.\n")
    out, report = tmp_path / "out.json", tmp_path / "report"
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(DEV.read_text(encoding="utf-8").splitlines(True)[:8]))

    result = invoke(fake_index, str(gold), "--json", str(out), "--report", str(report))

    assert result.exit_code == 0, result.output
    assert "8 questions" in result.stdout and "Answer accuracy" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data) == KEYS and data["n"] == 8
    assert_reproducible(data)
    assert (report / "report.html").stat().st_size > 0 and (report / "items.csv").exists()
    assert open_store(fake_index, fake_model()).entry_ids() == entries


def test_malformed_gold_set_names_the_line(fake_index: Settings, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(DEV.read_text(encoding="utf-8").splitlines()[0] + "\n{oops\n")
    result = invoke(fake_index, str(gold))
    assert result.exit_code == 1
    assert "line 2" in result.output and "Traceback" not in result.output


def test_missing_quote_is_a_warning_not_a_failure(fake_index: Settings, tmp_path: Path) -> None:
    item = {"id": "w", "question": "Who met Clinton?", "answers": ["Kouchner"], "type": "factoid"}
    item["evidence"] = [{"doc": "article.txt", "quote": "a quote the article never had"}]
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(item))
    result = invoke(fake_index, str(gold))
    assert result.exit_code == 0
    assert "Warning: w: quote not found in article.txt" in result.stderr


def test_unknown_mode_is_rejected(fake_index: Settings) -> None:
    result = invoke(fake_index, str(DEV), "--mode", "psychic")
    assert result.exit_code == 2 and "psychic" in result.output


@pytest.mark.integration
@pytest.mark.browser
def test_dev_set_with_the_real_model_and_the_report_in_chromium(
    real_settings: Settings, real_pipeline: object, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    out, report = tmp_path / "dev.json", tmp_path / "report"
    env = {"QA_HOME": str(real_settings.home), "QA_CORPUS": str(CORPUS)}
    args = ["eval", str(DEV), "--json", str(out), "--report", str(report)]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["n"] == 61
    assert_reproducible(data)
    missed = sum("missed_refusal" in i["failures"] for i in data["items"])

    flags = [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ]  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto((report / "report.html").as_uri(), wait_until="load")
        assert page.locator("tr.item").count() == 61
        page.select_option("#failure-filter", "missed_refusal")
        assert page.locator("tr.item:visible").count() == missed
        assert page.locator("#shown").inner_text() == str(missed)
        page.select_option("#failure-filter", "")
        page.select_option("#type-filter", "follow_up")
        assert page.locator("tr.item:visible").count() == data["by_type"]["follow_up"]["n"]
        page.select_option("#type-filter", "")
        artifacts = PROJECT_ROOT / "artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "eval-report.png"), full_page=False)
        browser.close()


def test_every_run_is_stored_with_what_produced_it_and_listed(
    fake_index: Settings, tmp_path: Path
) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(DEV.read_text(encoding="utf-8").splitlines(True)[:4]))
    older = fake_index.home / "reports" / "dev-20260101-000000"  # a run from before run.json
    older.mkdir(parents=True)
    for _ in range(2):
        assert invoke(fake_index, str(gold)).exit_code == 0
    runs = list_runs(fake_index.home)
    assert runs[0].id == older.name and len(runs) == 3
    assert runs[0].meta == {}
    for run in runs[1:]:
        assert run.meta["gold_sha256"] == hashlib.sha256(gold.read_bytes()).hexdigest()
        assert run.meta["mode"] == "extractive" and run.meta["embedding_model"] == "fake-hashing"
        assert run.meta["index_generation"] >= 1 and run.meta["figures"]["n"] == 4
        assert (run.folder / "report.html").is_file() and (run.folder / "items.csv").is_file()
    listed = invoke(fake_index, "--list")
    assert listed.exit_code == 0
    assert "no stored metadata" in listed.stdout
    assert all(r.id in listed.stdout for r in runs)


def test_eval_needs_a_gold_set_or_list(fake_index: Settings) -> None:
    result = invoke(fake_index)
    assert result.exit_code != 0 and "--list" in result.output


@pytest.mark.integration
@pytest.mark.browser
def test_charts_trend_and_compare_render_in_chromium(fake_index: Settings, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    gold = tmp_path / "gold.jsonl"
    lines = DEV.read_text(encoding="utf-8").splitlines(True)[:10]
    gold.write_text("".join(lines))
    assert invoke(fake_index, str(gold)).exit_code == 0
    first = list_runs(fake_index.home)[0]
    passed = next(i["id"] for i in first.read_data()["items"] if i["correct"] and i["answers"])
    # The editor tightens one item's answers: that item, and only it, now fails.
    edited = [json.loads(line) for line in lines]
    for item in edited:
        if item["id"] == passed:
            item["answers"] = ["an answer no source gives"]
    gold.write_text("".join(json.dumps(item) + "\n" for item in edited))
    for _ in range(2):
        assert invoke(fake_index, str(gold)).exit_code == 0
    runs = list_runs(fake_index.home)
    compared = invoke(fake_index, "--compare", runs[0].id, runs[1].id, "--report", str(tmp_path))
    assert compared.exit_code == 0, compared.output
    assert "1 item(s) flipped" in compared.stdout and passed in compared.stdout

    data = runs[2].read_data()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto((runs[2].folder / "report.html").as_uri(), wait_until="load")
        bars = page.locator("svg.pass-rate rect.bar")
        assert bars.count() == len(data["by_type"])
        assert page.locator("svg.pass-rate g.type-row").evaluate_all(
            "rows => rows.map(r => r.dataset.type)"
        ) == list(data["by_type"])
        assert page.locator("svg.trend g.run").count() == 3  # one point per stored run
        assert page.locator("svg.trend circle[data-series='answer_accuracy']").count() == 3
        assert bars.first.bounding_box() is not None  # drawn, not just present in the markup
        page.goto((tmp_path / "compare.html").as_uri(), wait_until="load")
        flips = page.locator("tr.flip")
        assert flips.count() == 1 and flips.first.get_attribute("data-id") == passed
        assert "pass → fail" in flips.first.inner_text()
        browser.close()
