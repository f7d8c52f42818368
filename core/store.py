"""Finished runs, kept for every session: in this process (`LocalStore`), or in Redis for all replicas.

    store = open_store()            # RedisStore when DLP_REDIS_URL is set, else LocalStore
    store.put(key, result); store.get(key) -> result | None

A key is a tuple of primitives: (page, experiment, frozen values). A finished run (a Result dataclass of
numpy arrays, replay frames included) is stored whole; a `get` returns it whole or None — None means
"train it", never a half run.

Redis entries are framed so that a bad entry is detected before anything is unpickled:

    MAGIC "DLPR" | format u16 | code version (16 B) | key digest (32 B) | payload length u64 | mac (32 B) | payload
    mac = HMAC-SHA256(DLP_STORE_KEY or b"", everything before the mac + payload)

A truncated, corrupted, misplaced (another key's) or foreign entry, or one written by another code version
(the version hashes core/**/*.py, Python and numpy), fails a check and reads as missing; the payload is then
unpickled by an unpickler that builds only core's and numpy's types. Bounds: the local store keeps at most
`max_entries` and `max_bytes` (numpy bytes, counted), Redis evicts by its own `maxmemory` + `allkeys-lru`
(set by core.serve) and a TTL; an entry over `max_entry_bytes` is not stored at all (it is trained again).

Runs *in progress* are not here: they stay in the replica that trains them (core/ui/live.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
import logging
import os
import pickle
import struct
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MAGIC = b"DLPR"
FORMAT = 1
_HEAD = struct.Struct(">4sH16s32sQ")  # magic, format, code version, key digest, payload length
_MAC = 32
MB = 2**20


@lru_cache(maxsize=1)
def code_version() -> bytes:
    """16 bytes that change whenever the code that computes or reads a Result may have changed."""
    h = hashlib.sha256(f"{FORMAT} {sys.version_info[:2]} numpy {np.__version__}".encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.digest()[:16]


def key_digest(key: Hashable) -> bytes:
    """A stable digest of a key of primitives (repr of str/int/float/bool/tuple is the same in every process)."""
    return hashlib.sha256(repr(key).encode()).digest()


def _mac(secret: bytes, data: bytes) -> bytes:
    return hmac.new(secret, data, hashlib.sha256).digest()


def encode(key: Hashable, value: Any, secret: bytes = b"") -> bytes:
    payload = pickle.dumps(value, protocol=5)
    head = _HEAD.pack(MAGIC, FORMAT, code_version(), key_digest(key), len(payload))
    return head + _mac(secret, head + payload) + payload


class BadEntry(ValueError):
    """A stored entry that must not be used (it reads as missing)."""


class _Unpickler(pickle.Unpickler):
    """Builds only what a Result holds: core's own classes, numpy arrays and scalars, plain containers."""

    SAFE_BUILTINS = {"complex", "frozenset", "set", "slice", "range", "bytearray", "tuple", "list", "dict"}

    def find_class(self, module: str, name: str):
        top = module.split(".")[0]
        if top in ("core", "numpy") or (module == "builtins" and name in self.SAFE_BUILTINS):
            return super().find_class(module, name)
        if (module, name) in (("collections", "OrderedDict"), ("copyreg", "_reconstructor")):
            return super().find_class(module, name)
        raise BadEntry(f"refused class {module}.{name}")


def decode(key: Hashable, blob: bytes, secret: bytes = b"") -> Any:
    """The value in `blob`, written by `encode(key, ...)` with this code version; raises BadEntry."""
    if len(blob) < _HEAD.size + _MAC:
        raise BadEntry("truncated header")
    magic, fmt, version, digest, length = _HEAD.unpack_from(blob)
    if magic != MAGIC or fmt != FORMAT:
        raise BadEntry("not an entry of this format")
    if version != code_version():
        raise BadEntry("written by another code version")
    if digest != key_digest(key):
        raise BadEntry("written for another key")
    payload = blob[_HEAD.size + _MAC :]
    if len(payload) != length:
        raise BadEntry(f"payload is {len(payload)} bytes, header says {length}")
    if not hmac.compare_digest(blob[_HEAD.size : _HEAD.size + _MAC], _mac(secret, blob[: _HEAD.size] + payload)):
        raise BadEntry("checksum mismatch")
    try:
        return _Unpickler(io.BytesIO(payload)).load()
    except BadEntry:
        raise
    except Exception as err:
        raise BadEntry(f"payload does not load: {err!r}") from err


def nbytes(value: Any, _depth: int = 0) -> int:
    """The memory a Result holds, roughly: its numpy arrays, counted through dataclasses and containers."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if _depth > 8:
        return 0
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    elif isinstance(value, Mapping):
        items = list(value.values())
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return sys.getsizeof(value)
    return 64 + sum(nbytes(v, _depth + 1) for v in items)


class LocalStore:
    """A thread-safe LRU of finished results in this process, bounded by count and by bytes."""

    def __init__(self, max_entries: int = 64, max_bytes: int = 512 * MB, max_entry_bytes: int = 32 * MB):
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._bytes = 0
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)

    def get(self, key: Hashable) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: Any, size: int | None = None) -> bool:
        """Keep `value` (False, and nothing kept, when it is over the size cap)."""
        size = nbytes(value) if size is None else size
        if size > self.max_entry_bytes:
            return False
        with self._lock:
            old = self._items.pop(key, None)
            self._bytes += size - (old[1] if old else 0)
            self._items[key] = (value, size)
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped
        return True

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        return self._bytes


class RedisStore:
    """Finished runs in Redis, shared by every replica, with a small LocalStore in front of it.

    Redis being down is not an error for a page: a failed call logs once, reads as missing (the run trains
    here) and Redis is not asked again for `retry_s` seconds."""

    def __init__(
        self,
        url: str,
        ttl_s: int = 86_400,
        max_entry_bytes: int = 32 * MB,
        secret: bytes = b"",
        front: LocalStore | None = None,
        retry_s: float = 5.0,
        prefix: str = "dlp:run:",
    ):
        import redis  # only needed where a Redis is configured

        self.url, self.ttl_s, self.max_entry_bytes, self.secret = url, ttl_s, max_entry_bytes, secret
        self.front = front if front is not None else LocalStore(max_entries=16, max_bytes=256 * MB)
        self.prefix, self.retry_s = prefix, retry_s
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
        self._down_until = 0.0

    def redis_key(self, key: Hashable) -> str:
        return f"{self.prefix}{code_version().hex()}:{key_digest(key).hex()}"

    def _call(self, fn, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return None
        try:
            return fn(*args, **kwargs)
        except Exception as err:  # redis.RedisError, OSError: the store is an optimisation, never a failure
            self._down_until = time.monotonic() + self.retry_s
            log.warning("run store %s unavailable for %.0f s: %r", self.url, self.retry_s, err)
            return None

    def get(self, key: Hashable) -> Any:
        value = self.front.get(key)
        if value is not None:
            return value
        blob = self._call(self._client.get, self.redis_key(key))
        if blob is None:
            return None
        try:
            value = decode(key, blob, self.secret)
        except BadEntry as err:
            log.warning("run store entry %s dropped: %s", self.redis_key(key), err)
            self._call(self._client.delete, self.redis_key(key))
            return None
        self.front.put(key, value)
        return value

    def put(self, key: Hashable, value: Any) -> bool:
        """Store `value` for every replica (False when it is over the size cap or Redis is unavailable)."""
        blob = encode(key, value, self.secret)
        if len(blob) > self.max_entry_bytes:
            log.info("run store: %.1f MB is over the cap, not stored", len(blob) / MB)
            return False
        self.front.put(key, value)
        return bool(self._call(self._client.set, self.redis_key(key), blob, ex=self.ttl_s))

    def clear(self) -> None:
        self.front.clear()
        keys = self._call(lambda: list(self._client.scan_iter(match=self.prefix + "*", count=500)))
        if keys:
            self._call(self._client.delete, *keys)

    def ping(self) -> bool:
        return bool(self._call(self._client.ping))


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        return max(0, int(env.get(name, default)))
    except ValueError:
        log.warning("%s=%r is not an integer; using %d", name, env.get(name), default)
        return default


def open_store(env: Mapping[str, str] = os.environ) -> LocalStore | RedisStore:
    """The store this process uses, from the environment:

    DLP_REDIS_URL        redis://host:port/db — share finished runs with every replica (else: this process only)
    DLP_STORE_MB         bytes of results the in-process store keeps (default 512)
    DLP_STORE_ENTRY_MB   a result larger than this is not stored (default 32)
    DLP_STORE_TTL_S      how long Redis keeps a run (default 86400, one day)
    DLP_STORE_KEY        a shared secret: entries without its HMAC are refused (default: none, a plain checksum)
    """
    entry = _env_int(env, "DLP_STORE_ENTRY_MB", 32) * MB
    url = env.get("DLP_REDIS_URL", "").strip()
    if url:
        try:
            front = LocalStore(max_entries=16, max_bytes=min(256, _env_int(env, "DLP_STORE_MB", 512)) * MB)
            return RedisStore(
                url,
                ttl_s=_env_int(env, "DLP_STORE_TTL_S", 86_400) or 86_400,
                max_entry_bytes=entry,
                secret=env.get("DLP_STORE_KEY", "").encode(),
                front=front,
            )
        except ImportError:
            log.error("DLP_REDIS_URL is set but the redis package is missing (pip install redis): runs stay local")
    return LocalStore(max_bytes=_env_int(env, "DLP_STORE_MB", 512) * MB, max_entry_bytes=entry)
