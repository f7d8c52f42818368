"""The finished-run store: a bounded in-process LRU, and Redis shared by replicas, whose entries are refused
(read as missing, so the run trains again) when truncated, corrupted, foreign, another key's or another
code version's — never half-read, never unpickled into something that is not a Result."""

from __future__ import annotations

import os

import numpy as np
import pytest

from core import store
from core.optimizers import concept as opt
from core.store import MB, BadEntry, LocalStore, RedisStore, decode, encode

KEY = ("optimizers", "race", (("seed", 0), ("steps", 300)))


@pytest.fixture(scope="module")
def result():
    """A real finished-run Result (dataclass of numpy arrays): the optimizer race's first chunk."""
    _, res = next(opt.RACE.stream(opt.RACE.params.defaults()))
    return res


def same(a, b) -> bool:
    pairs = zip(vars(a).values(), vars(b).values())
    return type(a) is type(b) and all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y for x, y in pairs)


def test_local_store_keeps_the_most_recently_used():
    s = LocalStore(max_entries=2)
    s.put("a", 1)
    s.put("b", 2)
    assert s.get("a") == 1  # a is now the most recent
    s.put("c", 3)
    assert s.get("b") is None and s.get("a") == 1 and s.get("c") == 3


def test_local_store_is_bounded_by_bytes_and_refuses_an_entry_over_the_cap():
    mb = np.zeros(MB, np.uint8)
    s = LocalStore(max_entries=100, max_bytes=3 * MB + 1000, max_entry_bytes=2 * MB)
    for k in "abcd":
        assert s.put(k, {"x": mb})
    assert s.get("a") is None and all(s.get(k) is not None for k in "bcd")
    assert 3 * MB <= s.bytes <= 3 * MB + 1000
    assert not s.put("big", np.zeros(3 * MB, np.uint8)) and s.get("big") is None
    s.put("b", {"x": mb})  # replacing an entry does not count it twice
    assert len(s) == 3 and s.bytes <= 3 * MB + 1000


def test_nbytes_counts_the_arrays_of_a_result(result):
    arrays = sum(v.nbytes for v in vars(result).values() if isinstance(v, np.ndarray))
    assert arrays > 0 and arrays <= store.nbytes(result) <= arrays + 64 * 1024


def test_an_entry_round_trips(result):
    assert same(decode(KEY, encode(KEY, result)), result)
    assert same(decode(KEY, encode(KEY, result, b"k"), b"k"), result)


@pytest.mark.parametrize(
    "spoil, why",
    [
        (lambda b: b[:10], "truncated header"),
        (lambda b: b[:-1], "payload is"),
        (lambda b: b[: len(b) // 2], "payload is"),
        (lambda b: b + b"x", "payload is"),
        (lambda b: b[:-5] + bytes([b[-5] ^ 1]) + b[-4:], "checksum"),
        (lambda b: b"XXXX" + b[4:], "format"),
        (lambda b: b"garbage", "truncated"),
    ],
)
def test_a_spoiled_entry_is_refused(result, spoil, why):
    with pytest.raises(BadEntry, match=why):
        decode(KEY, spoil(encode(KEY, result)))


def test_another_key_secret_or_code_version_is_refused(result, monkeypatch):
    blob = encode(KEY, result)
    with pytest.raises(BadEntry, match="another key"):
        decode(("optimizers", "race", (("seed", 1),)), blob)
    with pytest.raises(BadEntry, match="checksum"):
        decode(KEY, encode(KEY, result, b"one secret"), b"another")
    monkeypatch.setattr(store, "code_version", lambda: b"\0" * 16)
    with pytest.raises(BadEntry, match="another code version"):
        decode(KEY, blob)


class Trap:
    """A pickle that would delete a file when loaded by a plain unpickler."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return os.remove, (self.path,)


def test_a_well_framed_entry_that_builds_anything_but_a_result_is_refused_unrun(tmp_path):
    canary = tmp_path / "canary"
    canary.write_text("still here")
    with pytest.raises(BadEntry, match="refused class"):
        decode(KEY, encode(KEY, Trap(canary)))
    assert canary.exists()
    with pytest.raises(BadEntry, match="refused class"):
        decode(KEY, encode(KEY, Trap))  # a class from outside core and numpy


def test_the_code_version_hashes_the_source():
    v = store.code_version()
    assert len(v) == 16 and v == store.code_version()


def test_open_store_reads_the_environment():
    local = store.open_store({"DLP_STORE_MB": "7", "DLP_STORE_ENTRY_MB": "2"})
    assert isinstance(local, LocalStore) and local.max_bytes == 7 * MB and local.max_entry_bytes == 2 * MB
    assert isinstance(store.open_store({"DLP_STORE_MB": "lots"}), LocalStore)  # a bad number: the default
    pytest.importorskip("redis")
    shared = store.open_store({"DLP_REDIS_URL": "redis://127.0.0.1:1/0", "DLP_STORE_TTL_S": "60"})
    assert isinstance(shared, RedisStore) and shared.ttl_s == 60


# --- Redis: a real redis-server on a free loopback port -------------------------------------------------------


def replica(url, **kw) -> RedisStore:
    """A RedisStore as one replica holds it (its own front cache)."""
    return RedisStore(url, **kw)


def test_a_run_stored_by_one_replica_is_read_by_another(redis_url, result):
    a, b = replica(redis_url), replica(redis_url)
    a.clear()
    assert b.get(KEY) is None
    assert a.put(KEY, result)
    got = b.get(KEY)
    assert same(got, result) and got is not result  # from Redis, decoded
    assert b.get(KEY) is got  # then from b's front cache
    assert 0 < a._client.ttl(a.redis_key(KEY)) <= a.ttl_s


FLIP_100 = lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:]  # one payload bit flipped


@pytest.mark.parametrize("spoil", [lambda b: b[:-3], FLIP_100, lambda b: b"not ours"])
def test_a_corrupt_entry_in_redis_reads_as_missing_and_is_dropped(redis_url, result, spoil):
    a, b = replica(redis_url), replica(redis_url)
    a.put(KEY, result)
    client = a._client
    client.set(a.redis_key(KEY), spoil(client.get(a.redis_key(KEY))))
    assert b.get(KEY) is None
    assert client.get(a.redis_key(KEY)) is None  # dropped, so the next finished run stores a good one
    assert b.put(KEY, result) and same(replica(redis_url).get(KEY), result)


def test_an_entry_from_another_code_version_is_never_read(redis_url, result, monkeypatch):
    a = replica(redis_url)
    a.put(KEY, result)
    old = a._client.get(a.redis_key(KEY))
    monkeypatch.setattr(store, "code_version", lambda: b"\1" * 16)
    b = replica(redis_url)
    assert b.get(KEY) is None  # another version's key, and its header would not match either
    a._client.set(b.redis_key(KEY), old)  # an old entry under the new name
    assert b.get(KEY) is None


def test_an_entry_over_the_size_cap_is_not_stored(redis_url):
    a, key = replica(redis_url, max_entry_bytes=100_000), ("p", "big", ())
    assert not a.put(key, {"x": np.zeros(200_000, np.uint8)})
    assert a._client.get(a.redis_key(key)) is None and a.front.get(key) is None
    assert a.put(key, {"x": np.zeros(50_000, np.uint8)}) and a._client.get(a.redis_key(key)) is not None


def test_redis_evicts_old_runs_beyond_maxmemory(redis_url):
    a = replica(redis_url)
    a.clear()
    keys = [("p", "e", (("seed", i),)) for i in range(40)]
    for k in keys:  # 40 × 0.5 MB into a Redis of 8 MB maxmemory (allkeys-lru)
        assert a.put(k, {"x": np.full(MB // 2, len(k), np.uint8)})
    info = a._client.info("memory")
    assert info["used_memory"] <= info["maxmemory"] + MB
    b = replica(redis_url)
    held = [b.get(k) is not None for k in keys]
    assert not held[0] and held[-1] and 4 <= sum(held) < 20


def test_a_redis_that_is_down_reads_as_missing_and_is_not_asked_again_for_a_while(result):
    pytest.importorskip("redis")
    from core.serve import free_port

    down = replica(f"redis://127.0.0.1:{free_port()}/0", retry_s=30)  # nothing listens there
    assert down.get(KEY) is None and not down.put(KEY, result)
    calls = []
    down._client.get = lambda *a: calls.append(a)  # would be called if the store asked Redis again
    assert all(down.get(("x", i)) is None for i in range(20)) and calls == []
    assert same(down.get(KEY), result)  # put still kept it in this replica's front cache
    down._down_until = 0.0  # retry_s later: asked again
    assert down.get(("x", 0)) is None and len(calls) == 1


def test_clear_removes_only_finished_runs(redis_url, result):
    a = replica(redis_url)
    a._client.set("someone-else", b"1")
    a.put(KEY, result)
    a.clear()
    assert a.get(KEY) is None and a._client.get("someone-else") == b"1"
