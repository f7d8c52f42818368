"""A class on one box, for real: `python -m core.serve --replicas 2` (nginx, two Streamlit replicas, Redis on
free loopback ports; tests/hosting/served.py), driven through nginx by the browser's websocket protocol
(tests/hosting/stclient.py). Which replica served what is read from each replica's DLP_TIMING_LOG."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import time
from pathlib import Path

import pytest
import streamlit

from core import serve
from tests.hosting.conftest import need
from tests.hosting.served import serving
from tests.hosting.stclient import http_get

LINK, NEEDLE = "/activations?steps=200&d_steps=100&seed=5", "step 200 of 200"


def slow_get(base: str, path: str) -> bytes:
    """GET through a small receive window, read after a pause (a slow student's connection): nginx holds
    more than its memory buffers then — it must not need a temp file (its workers may not reach one)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, int(port)))
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        time.sleep(1.5)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    need("nginx", "redis-server")
    with serving(replicas=2, run_dir=tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture(scope="module")
def cookies(cluster) -> list[str]:
    """A sticky cookie for each replica."""
    found = cluster.sticky_cookies()
    assert found, "16 random sessions all went to one replica: nginx does not balance"
    return found


def test_nginx_hands_out_the_sticky_cookie_once_and_caps_uploads(cluster):
    status, got, body = http_get(cluster.url + "/")
    assert status == 200 and b"<html" in body.lower() and len(got.get("dlp_replica", "")) == 32
    status, again, _ = http_get(cluster.url + "/", {"dlp_replica": got["dlp_replica"]})
    assert status == 200 and "dlp_replica" not in again
    js = max((Path(streamlit.__file__).parent / "static/static/js").glob("*.js"), key=lambda p: p.stat().st_size)
    got, whole = slow_get(cluster.url, f"/static/js/{js.name}"), js.read_bytes()  # 4.7 MB of Plotly's bundle
    assert got.endswith(whole), f"{len(got)} bytes for a {len(whole)}-byte file"
    host, port = cluster.url.removeprefix("http://").split(":")
    limit = (serve.max_upload_mb() + serve.MULTIPART_SLACK_MB) * 2**20
    for size, refused in ((limit + 1, True), (limit // 4, False)):
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.putrequest("PUT", "/_stcore/upload_file/session/file")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        if not refused:
            conn.send(b"\0" * size)
        assert (conn.getresponse().status == 413) == refused, size
        conn.close()


def test_a_session_sticks_to_its_replica_across_reruns_and_reconnects(cluster, cookies):
    for replica, cookie in enumerate(cookies):
        before = cluster.counts("page")
        cluster.visit(cookie, "/", reruns=2)  # three script runs on one websocket
        for _ in range(3):  # new websockets (a reload, a reconnect) with the same cookie
            cluster.visit(cookie, "/")
        after = cluster.counts("page")
        assert after[replica] - before[replica] == 6 and after[1 - replica] == before[1 - replica]


def test_a_run_finished_on_one_replica_replays_on_the_other_without_training(cluster, cookies):
    chunks = cluster.counts("chunk")
    first = cluster.visit(cookies[0], LINK, NEEDLE)
    assert not first.errors and cluster.count(0, "chunk") > chunks[0]
    pages, chunks = cluster.counts("page"), cluster.counts("chunk")
    second = cluster.visit(cookies[1], LINK, NEEDLE)
    assert not second.errors
    assert cluster.count(1, "page") > pages[1]  # replica 1 served it ...
    assert cluster.counts("chunk") == chunks  # ... and nobody trained: replayed from Redis


def test_killing_a_replica_moves_its_new_sessions_to_the_other(cluster, cookies):
    victim = cluster.state["replicas"][1]
    cluster.proc.send_signal(signal.SIGSTOP)  # hold the launcher: no restart while we look
    try:
        os.kill(victim["pid"], signal.SIGKILL)
        pages, chunks = cluster.counts("page"), cluster.counts("chunk")
        status, _, body = http_get(cluster.url + "/", {"dlp_replica": cookies[1]})
        assert status == 200 and b"<html" in body.lower()  # not nginx's 502 page
        moved = cluster.visit(cookies[1], LINK, NEEDLE)  # a session whose cookie pointed at the dead replica
        fresh = cluster.visit(None, LINK, NEEDLE)  # and one with no cookie yet
        assert not moved.errors and not fresh.errors
        assert cluster.count(0, "page") == pages[0] + 2 and cluster.counts("chunk") == chunks
    finally:
        cluster.proc.send_signal(signal.SIGCONT)
    deadline = time.monotonic() + 180  # the launcher brings the replica back
    while cluster.reload_state()["replicas"][1]["restarts"] < 1:
        assert time.monotonic() < deadline, "the killed replica was not restarted"
        time.sleep(0.5)


def test_the_launcher_stops_everything_on_sigterm(cluster):
    state = cluster.reload_state()
    pids = [state["nginx_pid"], state["redis_pid"], *(r["pid"] for r in state["replicas"])]
    cluster.proc.send_signal(signal.SIGTERM)
    assert cluster.proc.wait(60) == 0
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
            alive.append(pid)
        except ProcessLookupError:
            pass
    assert not alive, f"{alive} outlived the launcher"
