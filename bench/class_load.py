"""A class through nginx: S students open one lesson link, T of them train their own variant, all move a
light slider — for 1 and 2 replicas (python -m core.serve). Websocket protocol, no browsers.

    python bench/class_load.py [--replicas 1,2] [--students 1,10,30] [--trainers 10] [--steps 1000]

For every replica count a fresh `core.serve` (nginx + replicas + Redis on loopback) is started, each replica
is warmed up (imports, first page run), and the light slider's idle latency is measured (one student,
nothing training). Then, for every class size S (T = min(trainers, S)), all S students at once:

1. open the lesson link `/activations?steps=N&d_steps=100&seed=<new>` (its trainer starts on page open:
   one shared run per replica) and wait until their page shows the finished run ("step N of N");
2. the first T students move the trainer's seed slider to a seed of their own: T distinct trainings;
3. every student presses the explorer's "x to" slider (its x range) `--presses` times, ~0.7 s apart, while
   those trainings run (a light section: press → the delta carrying that section's new chart is timed; the
   probe x₀ moves in the browser, so it no longer reaches the server);
4. the T trainers wait until their own run is finished.

Printed per row: errors (exceptions or st.error on a page, failed connections, timeouts), light-slider
p50/p90 under load (all presses; the watchers' — students not training; the trainers' — whose own section
trains on the same page) next to idle, seconds until every student saw the lesson's finished run, seconds until
every trainer's own run finished (from its seed press), replica RSS (sum over replicas, sampled every
0.5 s: peak and at the end), and the load average (1 min) before and after: the machine is shared with
other work, and this client runs on the same cores as the server (its own CPU seconds are printed too).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import threading
import time
from pathlib import Path

from common import fmt, pct

from tests.hosting.served import serving
from tests.hosting.stclient import Student

PROBE, SEED = "activations.xmax", "activations.seed"  # the explorer's light server-side slider; the trainer's seed


def rss_mb(pids: list[int]) -> float:
    """Resident memory of these processes, summed (MB); a process that is gone counts 0."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class RssSampler(threading.Thread):
    def __init__(self, pids: list[int], every: float = 0.5):
        super().__init__(daemon=True)
        self.pids, self.every, self.samples, self.halt = pids, every, [], threading.Event()

    def run(self) -> None:
        while not self.halt.wait(self.every):
            self.samples.append(rss_mb(self.pids))

    def stop(self) -> tuple[float, float]:
        self.halt.set()
        self.join()
        now = rss_mb(self.pids)
        return max(self.samples + [now]), now


async def press_probe(s: Student, presses: int) -> list[float]:
    """Milliseconds per press of the light slider, each until its section's new chart shows the new value."""
    times = []
    for i in range(presses):
        value = 6.5 + 0.5 * (i % 8)  # 6.5 … 10: never the value the link opened with (6)
        drawn = lambda s, v=value: s.redrawn(PROBE, f':{v:.2f}"')  # the chart's uirevision "xmin:xmax"
        times.append(1000 * await s.press(PROBE, value, drawn, 120))
        await asyncio.sleep(0.5 + 0.4 * random.random())
    return times


async def student(url: str, link: str, needle: str, trainer_seed: int | None, presses: int, out: dict) -> None:
    start = time.perf_counter()
    try:
        async with Student(url) as s:
            await s.open(link)
            await s.until(lambda s: s.runs_done >= 1 and s.chart_with(needle), out["limit"])
            out["lesson"].append(time.perf_counter() - start)
            mark, t_train = None, None
            if trainer_seed is not None:
                mark, t_train = s.messages, time.perf_counter()
                await s.set_slider(SEED, trainer_seed)
            times = await press_probe(s, presses)
            out["light_t" if trainer_seed is not None else "light_w"] += times
            if trainer_seed is not None:  # the first press right after the seed change, and the later ones
                out["first_t"].append(times[0])
                out["later_t"] += times[1:]
            if trainer_seed is not None:
                await s.until(lambda s: s.redrawn(SEED, needle, since=mark), out["limit"])
                out["trained"].append(time.perf_counter() - t_train)
            out["errors"] += s.errors
    except Exception as err:  # a failed connection or a timeout is an error of the run, not of the bench
        out["errors"].append(f"{type(err).__name__}: {err}")


def run_class(url: str, students: int, trainers: int, steps: int, seed: int, presses: int, limit: float) -> dict:
    link = f"/activations?steps={steps}&d_steps=100&seed={seed}&x0=1.0"
    out = {"lesson": [], "trained": [], "light_t": [], "light_w": [], "first_t": [], "later_t": [], "errors": []}
    out["limit"] = limit
    jobs = [
        student(url, link, f"step {steps} of {steps}", seed + 1 + i if i < trainers else None, presses, out)
        for i in range(students)
    ]

    async def together():
        await asyncio.wait_for(asyncio.gather(*jobs), limit + 60)

    try:
        asyncio.run(together())
    except TimeoutError:
        out["errors"].append(f"class did not finish within {limit + 60:.0f} s")
    return out


WARM = "/activations?steps=100&d_steps=100&seed=999&x0=1.0"


def warm(cluster) -> None:
    """Every replica: imports, the first page run and a short training, not measured."""
    for cookie in cluster.sticky_cookies():
        cluster.visit(cookie, WARM, "step 100 of 100")


def idle_light(url: str, presses: int) -> list[float]:
    """The light slider with one student and nothing training (the lesson link replays from the store)."""

    async def go():
        async with Student(url) as s:
            await s.open(WARM)
            await s.until(lambda s: s.runs_done >= 1, 120)
            return await press_probe(s, presses)

    return asyncio.run(go())


HEADER = (
    f"{'replicas':>8} {'students':>8} {'train':>5} {'errors':>6}  {'light p50/p90 ms: all':>21} {'watchers':>11}"
    f" {'trainers':>11}  {'idle':>9}  {'lesson done s':>13} {'own runs s':>10}  {'RSS peak/end MB':>15}  load 1-min"
)


def p50_90(xs: list[float], width: int) -> str:
    return f"{pct(xs, 0.5):.0f}/{pct(xs, 0.9):.0f}".rjust(width) if xs else "—".rjust(width)


def table_row(replicas, students, trainers, out, idle, rss, load) -> str:
    nan, light = float("nan"), out["light_w"] + out["light_t"]
    return (
        f"{replicas:>8} {students:>8} {trainers:>5} {len(out['errors']):>6}  {p50_90(light, 21)}"
        f" {p50_90(out['light_w'], 11)} {p50_90(out['light_t'], 11)}  {p50_90(idle, 9)}"
        f"  {max(out['lesson'], default=nan):>13.1f} {max(out['trained'], default=nan):>10.1f}"
        f"  {rss[0]:>7.0f}/{rss[1]:<7.0f}  {load[0]:.1f} → {load[1]:.1f}"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicas", default="1,2")
    ap.add_argument("--students", default="1,10,30")
    ap.add_argument("--trainers", type=int, default=10)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--presses", type=int, default=5)
    ap.add_argument("--limit-s", type=float, default=300, help="per class run; beyond it the run counts as failed")
    args = ap.parse_args()
    seed = 100 + secrets.randbelow(400)  # a fresh lesson every run of the bench
    rows = [HEADER]
    for replicas in (int(r) for r in args.replicas.split(",")):
        with serving(replicas) as cluster:
            warm(cluster)
            idle = idle_light(cluster.url, 10)
            print(f"{replicas} replica(s), idle light slider: {fmt(idle)}", flush=True)
            for students in (int(s) for s in args.students.split(",")):
                trainers = min(args.trainers, students)
                seed += 20
                load0, cpu0 = os.getloadavg()[0], time.process_time()
                sampler = RssSampler(cluster.pids())
                sampler.start()
                out = run_class(cluster.url, students, trainers, args.steps, seed, args.presses, args.limit_s)
                peak, end = sampler.stop()
                row = table_row(replicas, students, trainers, out, idle, (peak, end), (load0, os.getloadavg()[0]))
                rows.append(row)
                print(row, f"(client CPU {time.process_time() - cpu0:.1f} s)", flush=True)
                if out["first_t"]:
                    first, later = p50_90(out["first_t"], 0), p50_90(out["later_t"], 0)
                    print(f"   trainers' light presses: first after the seed change {first} ms, later {later} ms")
                for err in out["errors"][:5]:
                    print("   error:", err[:200], flush=True)
    print("\n".join(["", *rows]))


if __name__ == "__main__":
    main()
