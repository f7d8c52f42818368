"""Where experiments run, how many threads they use, and the process-wide compute gate.

- Device: CUDA when present, else CPU. `DLP_DEVICE=cpu` (or `cuda`, `cuda:1`) forces a choice.
- Threads: `torch.set_num_threads(DLP_TORCH_THREADS or 1)`. Small tensors gain nothing from a
  second thread on a 2-core box and a second thread adds latency spikes under load.
- Gate: one bounded semaphore per process around heavy torch work, sized to the number of slots
  (`DLP_COMPUTE_SLOTS`, default: CPU cores / threads, or 2 per GPU). Light pages stay responsive
  while other sessions train, because trainings queue instead of oversubscribing the cores.
  `compute()` is re-entrant per thread (a gated run that gates its own parts takes one slot);
  `exclusive()` takes every slot, for work that must run alone (a measurement that changes torch's
  process-wide thread count, core/hardware).
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from functools import lru_cache

import torch


def _threads() -> int:
    try:
        return max(1, int(os.environ.get("DLP_TORCH_THREADS", "1")))
    except ValueError:
        return 1


@lru_cache(maxsize=1)
def setup() -> torch.device:
    """Apply thread settings once per process and return the compute device."""
    torch.set_num_threads(_threads())
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or parallel work already started
        pass
    wanted = os.environ.get("DLP_DEVICE", "").strip().lower()
    if wanted.startswith("cuda") and torch.cuda.is_available():
        return torch.device(wanted)
    if wanted == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda")


def device() -> torch.device:
    return setup()


def describe() -> dict:
    """What the server computes on, for the home page and the CLI."""
    dev = device()
    info = {
        "device": str(dev),
        "threads": torch.get_num_threads(),
        "cores": os.cpu_count() or 1,
        "slots": _slots(),
        "torch": torch.__version__,
    }
    if dev.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(dev)
    return info


def _slots() -> int:
    env = os.environ.get("DLP_COMPUTE_SLOTS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    if device().type == "cuda":
        return 2
    return max(1, (os.cpu_count() or 1) // _threads())


@lru_cache(maxsize=1)
def _gate() -> tuple[threading.BoundedSemaphore, int]:
    slots = _slots()
    return threading.BoundedSemaphore(slots), slots


_HELD = threading.local()  # .slots: how many compute slots this thread holds (0, 1, or all of them)
_EXCLUSIVE = threading.Lock()  # one thread at a time gathers every slot (two gathering at once could deadlock)


def _held() -> int:
    return getattr(_HELD, "slots", 0)


_GLOBAL_RNG = threading.Lock()


@contextmanager
def seeded(seed: int):
    """Seed torch's global RNG and keep it to this thread while the block draws from it (nn.Module
    default inits do): with two compute slots, another session's training could otherwise draw
    between the seeding and these draws, and the same link would give other initial weights."""
    with _GLOBAL_RNG:
        torch.manual_seed(seed)
        yield


@contextmanager
def compute():
    """Hold one compute slot for the duration of a heavy torch computation (a no-op when this thread already
    holds one: a gated run whose parts gate themselves takes one slot, not two)."""
    if _held():
        yield device()
        return
    gate, _ = _gate()
    gate.acquire()
    _HELD.slots = 1
    try:
        yield device()
    finally:
        _HELD.slots = 0
        gate.release()


@contextmanager
def exclusive(timeout: float = 10.0):
    """Hold every compute slot, so nothing else computes in this process meanwhile; yields True, or False when
    the slots could not all be had within `timeout` seconds (the caller skips its work: a busy class comes first).

    For work that changes process-wide settings (torch.set_num_threads: a training of another session must not
    run with a borrowed thread count). A slot this thread already holds is given back first and taken again
    afterwards, so a gated run may ask for exclusivity and two threads asking at once cannot deadlock."""
    gate, slots = _gate()
    own = _held()
    for _ in range(own):
        gate.release()
    _HELD.slots = 0
    got, deadline = 0, time.monotonic() + timeout
    locked = _EXCLUSIVE.acquire(timeout=timeout)
    try:
        while locked and got < slots and gate.acquire(timeout=max(0.0, deadline - time.monotonic())):
            got += 1
        ok = locked and got == slots
        if not ok:  # hand back what was gathered before the caller goes on without it
            for _ in range(got):
                gate.release()
            got = 0
        _HELD.slots = slots if ok else 0
        yield ok
    finally:
        for _ in range(got):
            gate.release()
        if locked:
            _EXCLUSIVE.release()
        for _ in range(own):
            gate.acquire()
        _HELD.slots = own
