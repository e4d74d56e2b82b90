"""Load test a running `qa serve`: N concurrent clients asking questions for T seconds.

Loopback only (a load test is not for someone else's server), bounded in clients and time, and
self-stopping. Prints one JSON object: requests, requests_per_s, p50/p95/p99 latency of answered
(200) requests in ms, errors (transport failures and any status other than 200 or 429) and
status_429 (requests the rate limiter turned away).

    .venv/bin/qa serve --no-access-log &
    .venv/bin/python bench/load.py --clients 50 --seconds 60
    .venv/bin/python bench/load.py --seconds 20 --during ".venv/bin/qa ingest --rebuild"
    .venv/bin/python bench/load.py --url http://127.0.0.1:8001 --url http://127.0.0.1:8002

With --url given more than once, client n asks the n-th server in turn (modulo their number), as
a round-robin load balancer in front of replicas would spread them.

With --during, the command runs beside the load from its start (a mixed run: readers asking while
an ingest embeds, with the server's QA_HOME in the environment), and its wall time and exit
status are printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

GOLD = Path(__file__).resolve().parent.parent / "corpus" / "eval" / "dev.jsonl"
MAX_CLIENTS = 500
MAX_SECONDS = 600
REQUEST_TIMEOUT_S = 30.0


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)


def is_loopback_url(url: str) -> bool:
    """True when every address the URL's host resolves to is a loopback address."""
    host = urlsplit(url).hostname
    if not host:
        return False
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror:
        return False
    return all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def read_questions(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


async def run_client(
    http: httpx.AsyncClient, target: str, questions: list[str], offset: int, deadline: float
) -> Tally:
    tally = Tally()
    i = offset
    while time.monotonic() < deadline:
        question = questions[i % len(questions)]
        i += 1
        started = time.perf_counter()
        try:
            response = await http.post(target, json={"question": question})
        except httpx.HTTPError as exc:
            tally.transport_errors[type(exc).__name__] += 1
            continue
        tally.statuses[response.status_code] += 1
        if response.status_code == 200:
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)
    return tally


async def run_load(urls: list[str], path: str, clients: int, seconds: float) -> dict[str, object]:
    questions = read_questions(GOLD)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S)
    started = time.monotonic()
    deadline = started + seconds
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as http:
        tallies = await asyncio.gather(
            *(
                run_client(http, urls[n % len(urls)] + path, questions, n * 7, deadline)
                for n in range(clients)
            )
        )
    elapsed = time.monotonic() - started
    latencies = [ms for t in tallies for ms in t.latencies_ms]
    statuses = sum((t.statuses for t in tallies), Counter[int]())
    failures = sum((t.transport_errors for t in tallies), Counter[str]())
    requests = sum(statuses.values()) + sum(failures.values())
    for status, n in statuses.items():
        if status not in (200, 429):
            failures[f"HTTP {status}"] += n
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "urls": [url + path for url in urls],
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": requests,
        "requests_per_s": round(requests / elapsed, 1),
        "ok": statuses[200],
        "ok_per_s": round(statuses[200] / elapsed, 1),
        "p50_ms": round(cuts[49], 1) if cuts else None,
        "p95_ms": round(cuts[94], 1) if cuts else None,
        "p99_ms": round(cuts[98], 1) if cuts else None,
        "errors": sum(failures.values()),
        "error_kinds": dict(failures.most_common(5)),
        "status_429": statuses[429],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url", action="append", help="a running qa serve (repeat for replicas; default :8000)"
    )
    parser.add_argument("--clients", type=int, default=50, help=f"1–{MAX_CLIENTS}")
    parser.add_argument("--seconds", type=float, default=60, help=f"1–{MAX_SECONDS}")
    parser.add_argument("--stream", action="store_true", help="use /api/ask/stream")
    parser.add_argument("--during", help="a command to run beside the load (e.g. an ingest)")
    args = parser.parse_args()
    if not 1 <= args.clients <= MAX_CLIENTS or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"use 1–{MAX_CLIENTS} clients for 1–{MAX_SECONDS} seconds")
    urls = [url.rstrip("/") for url in args.url or ["http://127.0.0.1:8000"]]
    for url in urls:
        if not is_loopback_url(url):
            sys.exit(
                f"Refusing {url}: bench/load.py only loads servers on this machine (loopback)."
            )
    path = "/api/ask/stream" if args.stream else "/api/ask"
    beside = Beside(args.during) if args.during else None
    result = asyncio.run(run_load(urls, path, args.clients, args.seconds))
    if beside:
        result["during"] = beside.finish()
    print(json.dumps(result))


class Beside(threading.Thread):
    """A command run beside the load, timed from its start to its own end."""

    def __init__(self, command: str) -> None:
        super().__init__(daemon=True)
        self.command, self.started = command, time.monotonic()
        self.process = subprocess.Popen(shlex.split(command), stdout=subprocess.DEVNULL)
        self.seconds = 0.0
        self.start()

    def run(self) -> None:
        self.process.wait()
        self.seconds = time.monotonic() - self.started

    def finish(self) -> dict[str, object]:
        self.join()
        return {
            "command": self.command,
            "exit_status": self.process.returncode,
            "seconds": round(self.seconds, 1),
        }


if __name__ == "__main__":
    main()
