"""Hosting fixtures: a real redis-server (and, in test_cluster.py, nginx) on free loopback ports.

Without redis-server, nginx or the redis package these tests skip with the reason; with
DLP_REQUIRE_SERVICES=1 (set by .ci/run, which installs them) a missing service is a failure instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

from core import serve


def missing(reason: str):
    if os.environ.get("DLP_REQUIRE_SERVICES") == "1":
        pytest.fail(f"hosting tests are required here but cannot run: {reason}")
    pytest.skip(reason)


def need(*binaries: str) -> None:
    for name in binaries:
        try:
            serve.find_binary(name)
        except SystemExit:
            missing(f"{name} is not installed (apt-get install -y nginx redis-server)")
    try:
        import redis  # noqa: F401
    except ImportError:
        missing("the redis package is not installed (pip install -r requirements.txt)")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A cache-only redis-server like core.serve starts (allkeys-lru), with 8 MB maxmemory."""
    need("redis-server")
    port = serve.free_port()
    run_dir = tmp_path_factory.mktemp("redis")
    svc = serve.redis_service(run_dir, port, maxmemory_mb=8).start()
    try:
        serve.wait_until(lambda: serve.redis_pong(port), svc, "PING", 30)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        svc.stop(timeout=5)
        shutil.rmtree(run_dir, ignore_errors=True)
