"""Process start-up, run once: device/thread settings, then gc.freeze().

Streamlit runs a full `gc.collect()` after every rerun. With torch, numpy, plotly and streamlit
loaded that walks hundreds of thousands of long-lived objects (115–155 ms on a 2-core box).
`gc.freeze()` moves everything alive at start-up into the permanent generation, so the collector
only looks at objects created since. Measured by bench/explorer_latency.py: gc.collect() with and without
the freeze, and a browser key press with DLP_GC_FREEZE=0 and without (figures in README).
"""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager
from functools import lru_cache

from core import device


@lru_cache(maxsize=1)
def once() -> dict:
    """Call after the app's imports (streamlit, plotly, torch, every concept module)."""
    device.setup()
    frozen = os.environ.get("DLP_GC_FREEZE", "1") != "0"
    if frozen:
        gc.collect()
        gc.freeze()
    return {"gc_frozen": frozen, "frozen_objects": gc.get_freeze_count()}


@contextmanager
def timed(kind: str = "page"):
    """Append `kind duration_ms` for the wrapped run to $DLP_TIMING_LOG, when set (bench/ reads it)."""
    log = os.environ.get("DLP_TIMING_LOG")
    start = time.perf_counter()
    try:
        yield
    finally:
        if log:
            with open(log, "a") as fh:
                fh.write(f"{kind} {(time.perf_counter() - start) * 1000:.2f}\n")
