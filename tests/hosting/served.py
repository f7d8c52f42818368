"""`python -m core.serve` as a child process, for the hosting tests and bench/class_load.py (no pytest here).

    with serving(replicas=2) as cluster:           # nginx, 2 replicas, Redis on free loopback ports
        cluster.url; cluster.counts("page")         # script runs per replica, from their DLP_TIMING_LOG
        cookies = cluster.sticky_cookies()          # a dlp_replica cookie that nginx sends to each replica

Which replica served what is read from each replica's timing log: a "page" line per script run, a "chunk"
line per training chunk computed (core/ui/live.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from core import serve
from tests.hosting.stclient import Student

ROOT = Path(__file__).resolve().parents[2]


def run_async(coro):
    """asyncio.run in a thread of its own: also callable where an event loop already runs in this thread
    (Playwright's sync API keeps one in the test's thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


class Cluster:
    def __init__(self, proc: subprocess.Popen, run_dir: Path):
        self.proc, self.dir = proc, run_dir
        self.state = json.loads((run_dir / "serve.json").read_text())
        self.url = self.state["url"].rstrip("/")

    def reload_state(self) -> dict:
        self.state = json.loads((self.dir / "serve.json").read_text())
        return self.state

    def pids(self) -> list[int]:
        return [r["pid"] for r in self.reload_state()["replicas"]]

    def count(self, replica: int, kind: str) -> int:
        log = self.dir / f"replica-{replica}.timing"
        return sum(line.split()[0] == kind for line in log.read_text().splitlines()) if log.exists() else 0

    def counts(self, kind: str) -> list[int]:
        return [self.count(i, kind) for i in range(len(self.state["replicas"]))]

    def visit(self, cookie: str | None, link: str, needle: str | None = None, reruns: int = 0) -> Student:
        """A student opens `link` (and reruns it `reruns` times), waits for the page run (and `needle`)."""

        async def go():
            async with Student(self.url, {"dlp_replica": cookie} if cookie else None) as s:
                for i in range(reruns + 1):
                    await s.open(link)
                    await s.until(lambda s, n=i + 1: s.runs_done >= n and (not needle or s.chart_with(needle)), 180)
                return s

        return run_async(go())

    def sticky_cookies(self, tries: int = 16) -> list[str]:
        """A cookie per replica, found by opening the home page with random ones ([] if nginx never spread
        them over every replica in `tries` sessions)."""
        found: dict[int, str] = {}
        n = len(self.state["replicas"])
        for _ in range(tries):
            cookie = secrets.token_hex(16)
            before = self.counts("page")
            self.visit(cookie, "/")
            grew = [i for i, (a, b) in enumerate(zip(before, self.counts("page"))) if b > a]
            if len(grew) != 1:
                raise AssertionError(f"one page run went to replicas {grew}")
            found.setdefault(grew[0], cookie)
            if len(found) == n:
                return [found[i] for i in range(n)]
        return []


@contextmanager
def serving(replicas: int, run_dir: Path | None = None, timeout: float = 240):
    """Start the launcher (its own Redis: DLP_REDIS_URL is not passed on), wait until ready, stop it after
    (and remove the run folder if this made it)."""
    made, run_dir = run_dir is None, run_dir or Path(tempfile.mkdtemp(prefix="dlp-serve-"))
    argv = [sys.executable, "-m", "core.serve", "--replicas", str(replicas), "--host", "127.0.0.1"]
    argv += ["--port", str(serve.free_port()), "--run-dir", str(run_dir), "--timing-logs"]
    env = {k: v for k, v in os.environ.items() if k != "DLP_REDIS_URL"}
    with open(run_dir / "serve.out", "wb") as out:
        proc = subprocess.Popen(
            argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, preexec_fn=serve.die_with_parent
        )  # the launcher (and so everything it started) goes when this process goes
    try:
        deadline = time.monotonic() + timeout
        while not (run_dir / "serve.json").exists():
            if proc.poll() is not None:
                raise RuntimeError((run_dir / "serve.out").read_text())
            if time.monotonic() > deadline:
                raise TimeoutError(f"core.serve did not get ready in {timeout:.0f} s")
            time.sleep(0.5)
        yield Cluster(proc, run_dir)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(60)
        if made:
            shutil.rmtree(run_dir, ignore_errors=True)
