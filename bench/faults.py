"""Ingests killed at random points while a server answers: readers must never see a partial index.

A copy of the corpus is indexed in a temp data directory and served by `qa serve --no-ui`; a
reader thread asks a fixed question set every 200 ms. Each run changes the corpus (edits a
sentence, adds or removes a file, or rebuilds), starts `qa ingest` and kills it with SIGKILL after
a seeded random delay. After the runs, one ingest runs to the end (resume_s), then two are started
at once (concurrent trials). Prints one JSON object; the must-be-0 fields:

- failed_answers: replies other than 200;
- answers_from_partial_index: answers given while the served generation lacked entries (the
  served generation is checked after every answer);
- citations_to_missing_chunks: cited chunks in neither the served generation nor the one before;
- quotes_not_in_source: a quote that is not text[start:end] of any version of its source written
  during the run;
- lost / duplicated / stale: after the last ingest, corpus files missing from the index, entries
  stored twice, sources indexed from an older version;
- concurrent_both_worked: trials where two simultaneous ingests both went ahead.

    .venv/bin/python bench/faults.py [--runs 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from ui import free_port, get

from qa.config import PROJECT_ROOT, Settings
from qa.corpus import load_sources
from qa.environment import apply_offline_defaults
from qa.store import make_client

QUESTIONS = [
    "Who asked Clinton to review Khadr's case?",
    "What did Clinton call the Guantanamo Bay prison?",
    "When did Kouchner and Clinton meet?",
    "Who released the memo?",
]
COUNTED = (
    "answers_served",
    "failed_answers",
    "answers_from_partial_index",
    "citations_to_missing_chunks",
    "quotes_not_in_source",
)
QA = str(Path(sys.executable).with_name("qa"))
MAX_KILL_DELAY_S = 8.0  # an incremental ingest here takes ~5 s, a rebuild ~10 s


class Watch:
    """The served index as a reader would meet it, read straight from Chroma."""

    def __init__(self, settings: Settings) -> None:
        self.client = make_client(settings)
        self.base = settings.collection

    def generations(self) -> tuple[int, list[dict[str, Any]], set[str]]:
        """The live generation's number, its entries' metadata, and the chunk ids of it and the
        generation before (a reader mid-question may still use that one)."""
        live = int((self.client.get_collection(f"{self.base}-catalog").metadata or {})["live"])
        metadatas: list[dict[str, Any]] = []
        chunks: set[str] = set()
        for number in (live, live - 1):
            try:
                found = self.client.get_collection(f"{self.base}-g{number}").get(
                    include=["metadatas"]
                )
            except Exception:  # the one before may be gone already
                continue
            metadatas = metadatas or [dict(m) for m in found["metadatas"]]
            chunks |= {str(m["chunk_id"]) for m in found["metadatas"]}
        return live, metadatas, chunks


def incomplete(metadatas: list[dict[str, Any]]) -> bool:
    """Whether some source has fewer entries than each of its entries says it has."""
    counts = Counter(str(m["source"]) for m in metadatas)
    return any(counts[str(m["source"])] != int(m["source_entries"]) for m in metadatas)


class Reader(threading.Thread):
    """Asks the questions in turn every 200 ms and checks each answer against the index."""

    def __init__(self, url: str, watch: Watch, versions: dict[str, set[str]]) -> None:
        super().__init__(daemon=True)
        self.url, self.watch, self.versions = url, watch, versions
        self.stop = threading.Event()
        self.counts = Counter[str]()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            reply = httpx.post(
                f"{self.url}/api/ask", json={"question": QUESTIONS[n % 4]}, timeout=60
            )
            n += 1
            if reply.status_code != 200:
                self.counts["failed_answers"] += 1
                continue
            self.counts["answers_served"] += 1
            _, metadatas, chunks = self.watch.generations()
            self.counts["answers_from_partial_index"] += incomplete(metadatas)
            for c in reply.json()["citations"]:
                self.counts["citations_to_missing_chunks"] += c["chunk_id"] not in chunks
                texts = self.versions.get(c["source"], set())
                self.counts["quotes_not_in_source"] += not any(
                    t[c["start"] : c["end"]] == c["quote"] for t in texts
                )
            time.sleep(0.2)


def change_corpus(corpus: Path, rng: random.Random, run: int) -> list[str]:
    """One seeded change to the corpus; returns the extra `qa ingest` options it needs."""
    notes = sorted(corpus.glob("note-*.txt"))
    kind = rng.choice(["edit", "edit", "add", "remove", "rebuild"])
    if kind == "add" or (kind == "remove" and not notes):
        text = f"Editor's note {run}: the reader asked about the Khadr file on day {run}.\n"
        (corpus / f"note-{run}.txt").write_text(text)
    elif kind == "remove":
        rng.choice(notes).unlink()
    elif kind == "edit":
        path = rng.choice(sorted(p for p in corpus.glob("*.md") if p.name != "README.md"))
        lines = path.read_text(encoding="utf-8").splitlines()
        at = rng.choice([i for i, line in enumerate(lines) if len(line) > 80])
        lines[at] = f"{lines[at]} (Revised in run {run}.)"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["--rebuild"] if kind == "rebuild" else []


def record_versions(corpus: Path, versions: dict[str, set[str]]) -> None:
    sources, _ = load_sources(corpus)
    for source in sources:
        versions.setdefault(source.id, set()).add(source.text)


def ingest(env: dict[str, str], options: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [QA, "ingest", "--json", *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def embedded(process: subprocess.Popen[bytes]) -> bool:
    """Whether an ingest ran to the end and embedded something (the refused one exits 1)."""
    out, _ = process.communicate()
    return process.returncode == 0 and json.loads(out)["embedded"] > 0


def after_recovery(settings: Settings, watch: Watch) -> dict[str, int]:
    """lost / duplicated / stale once an ingest has run to the end."""
    sources, _ = load_sources(settings.corpus)
    _, metadatas, _ = watch.generations()
    spans = Counter((m["source"], m["sentence_start"], m["sentence_end"]) for m in metadatas)
    hashes = {str(m["source"]): str(m["source_hash"]) for m in metadatas}
    return {
        "lost": sum(s.id not in hashes for s in sources),
        "duplicated": sum(n - 1 for n in spans.values()),
        "stale": sum(s.id in hashes and hashes[s.id] != s.content_hash for s in sources),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=3, help="trials of two ingests at once")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    apply_offline_defaults()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(PROJECT_ROOT / "corpus", corpus)
        settings = Settings(home=Path(tmp) / "home", corpus=corpus)
        env = {**os.environ, "QA_HOME": str(settings.home), "QA_CORPUS": str(corpus)}
        env["QA_RATE_LIMIT_PER_MINUTE"] = "100000"  # one reader asking five times a second
        subprocess.run([QA, "ingest", "--json"], env=env, check=True, capture_output=True)
        versions: dict[str, set[str]] = {}
        record_versions(corpus, versions)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [QA, "serve", "--no-ui", "--no-access-log", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_healthy(url)
            reader = Reader(url, Watch(settings), versions)
            reader.start()
            for run in range(args.runs):
                options = change_corpus(corpus, rng, run)
                record_versions(corpus, versions)
                process = ingest(env, options)
                time.sleep(rng.uniform(0, MAX_KILL_DELAY_S))
                process.send_signal(signal.SIGKILL)
                process.wait()
            started = time.perf_counter()
            finish = ingest(env, [])
            finish.wait()
            resume_s = time.perf_counter() - started
            both = 0
            for _ in range(args.concurrent):
                change_corpus(corpus, rng, args.runs + 1)
                record_versions(corpus, versions)
                pair = [ingest(env, []), ingest(env, [])]
                both += all([embedded(p) for p in pair])  # a list: wait for both
            last = ingest(env, [])  # bring the index up to date after the races
            last.communicate()
            time.sleep(1)
            reader.stop.set()
            reader.join(timeout=60)
            result: dict[str, Any] = {
                "runs": args.runs,
                "seed": args.seed,
                **{key: reader.counts[key] for key in COUNTED},
                **after_recovery(settings, Watch(settings)),
                "resume_s": round(resume_s, 2),
                "resume_ok": finish.returncode == 0 and last.returncode == 0,
                "concurrent_trials": args.concurrent,
                "concurrent_both_worked": both,
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(result))
    must_be_zero = [k for k in (*COUNTED[1:], "lost", "duplicated", "stale") if result[k]]
    must_be_zero += ["concurrent_both_worked"] if both else []
    sys.exit(1 if must_be_zero or not result["resume_ok"] else 0)


def wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 120
    while not get(f"{url}/healthz"):
        if time.monotonic() > deadline:
            raise RuntimeError("qa serve did not start")
        time.sleep(0.2)


if __name__ == "__main__":
    main()
