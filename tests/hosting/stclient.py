"""A Streamlit client that speaks the browser's websocket protocol (no browser): for the hosting tests and
bench/class_load.py. No pytest here.

    async with Student(base_url) as s:                  # GET / first (nginx's cookie), then /_stcore/stream
        await s.open("/activations?x0=1.5")             # BackMsg rerun_script: page + query string
        await s.until(lambda s: s.chart_with("step 300 of 300"))   # reads ForwardMsgs until it holds
        t = await s.press("activations.xmax", 6.5, lambda s: s.redrawn("activations.xmax", ':6.50"'))

What a browser would do, as far as the server can tell: it sends the Origin and the cookies a page load
got (nginx's sticky cookie), opens /_stcore/stream with the "streamlit" subprotocol, asks for a page by
its URL path and query string, and reruns a section (st.fragment) with a changed widget state. It keeps
what it needs of the page: the query string the app writes, the slider widgets by key, the latest chart
spec per position, every exception or error shown, and the script runs that finished.
"""

from __future__ import annotations

import asyncio
import http.cookies
import time
import urllib.request
from urllib.parse import urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


def http_get(url: str, cookies: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    """(status, Set-Cookie values by name, body) of a GET; an HTTP error status is returned, not raised."""
    req = urllib.request.Request(url, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, headers, body = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, headers, body = err.code, err.headers, err.read()
    jar = http.cookies.SimpleCookie()
    for raw in headers.get_all("Set-Cookie") or []:
        jar.load(raw)
    return status, {k: m.value for k, m in jar.items()}, body


class Student:
    """One browser tab's Streamlit session, through whatever serves `base` (nginx or one replica)."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None):
        self.base = base.rstrip("/")
        self.cookies = dict(cookies or {})
        self.ws = None
        self.query = ""
        self.page_hash = ""
        self.sliders: dict[str, tuple[str, str, list[float]]] = {}  # key -> (widget id, fragment id, value)
        self.charts: dict[tuple, tuple[int, str, str]] = {}  # delta path -> (message no., fragment id, spec)
        self.mark = 0  # the message count when the last press was sent
        self.errors: list[str] = []  # exceptions and st.error texts the page showed
        self.runs_done = 0  # script runs (whole page or one section) that finished
        self.messages = 0

    async def __aenter__(self) -> Student:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self) -> None:
        status, got, _ = await asyncio.to_thread(http_get, self.base + "/", self.cookies)
        if status != 200:
            raise ConnectionError(f"GET / answered {status}")
        self.cookies.update(got)
        url = urlparse(self.base)
        self.ws = await websockets.connect(
            f"ws://{url.netloc}{url.path}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=f"{url.scheme}://{url.netloc}",
            additional_headers={"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())},
            max_size=None,
            open_timeout=30,
        )

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def open(self, link: str) -> None:
        """Ask for a page as a browser opening `link` ("/activations?x0=1.5") would."""
        path, _, query = link.partition("?")
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = path.strip("/")
        self.query = query
        await self.ws.send(msg.SerializeToString())

    async def set_slider(self, key: str, value: float) -> None:
        """Move a slider (by its parameter key, e.g. "activations.xmax"): reruns its section only."""
        widget_id, fragment, _ = self.sliders[key]
        self.mark = self.messages
        msg = BackMsg()
        run = msg.rerun_script
        run.query_string, run.page_script_hash, run.fragment_id = self.query, self.page_hash, fragment
        state = run.widget_states.widgets.add()
        state.id = widget_id
        state.double_array_value.data.append(value)
        await self.ws.send(msg.SerializeToString())

    async def press(self, key: str, value: float, done, timeout: float = 60) -> float:
        """Move a slider and wait until `done(self)` holds: seconds from the press to that message."""
        start = time.perf_counter()
        await self.set_slider(key, value)
        await self.until(done, timeout)
        return time.perf_counter() - start

    def chart_with(self, text: str) -> bool:
        """Whether a chart on the page now holds `text` (a title, a value)."""
        return any(text in spec for _, _, spec in self.charts.values())

    def redrawn(self, key: str, text: str = "", since: int | None = None) -> bool:
        """Whether the section of slider `key` has drawn a chart holding `text` since the last press (or since
        message number `since`)."""
        fragment, since = self.sliders[key][1], self.mark if since is None else since
        return any(n > since and f == fragment and text in spec for n, f, spec in self.charts.values())

    async def until(self, done, timeout: float = 60) -> None:
        """Read messages until `done(self)` holds; TimeoutError after `timeout` seconds."""
        deadline = time.perf_counter() + timeout
        while not done(self):
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"not done after {timeout:.0f} s ({self.messages} messages)")
            self.take(await asyncio.wait_for(self.ws.recv(), left))

    def take(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        self.messages += 1
        kind = msg.WhichOneof("type")
        if kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "script_finished":
            self.runs_done += 1
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, msg.delta.fragment_id, tuple(msg.metadata.delta_path))

    def _element(self, el, fragment: str, path: tuple) -> None:
        kind = el.WhichOneof("type")
        if kind == "slider":
            key = el.slider.id.split("-", 2)[-1]
            self.sliders[key] = (el.slider.id, fragment, list(el.slider.value) or list(el.slider.default))
        elif kind == "plotly_chart":
            self.charts[path] = (self.messages, fragment, el.plotly_chart.spec)
        elif kind == "exception":
            self.errors.append(f"{el.exception.type}: {el.exception.message}")
        elif kind == "alert" and el.alert.format == el.alert.ERROR:
            self.errors.append(el.alert.body)
