"""The short, seeded fault run: three ingests killed at random while a real server answers, then
two ingests started at once (the long run is `bench/faults.py --runs 20`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qa.config import PROJECT_ROOT

pytestmark = pytest.mark.integration

MUST_BE_ZERO = (
    "failed_answers",
    "answers_from_partial_index",
    "citations_to_missing_chunks",
    "quotes_not_in_source",
    "lost",
    "duplicated",
    "stale",
    "concurrent_both_worked",
)


def test_readers_never_see_a_killed_ingest() -> None:
    done = subprocess.run(
        [sys.executable, "bench/faults.py", "--runs", "3", "--concurrent", "1", "--seed", "0"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert {key: result[key] for key in MUST_BE_ZERO} == dict.fromkeys(MUST_BE_ZERO, 0)
    assert result["answers_served"] > 20 and result["resume_ok"]
    assert done.returncode == 0
