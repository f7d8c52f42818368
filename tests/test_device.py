"""The compute gate: re-entrant per thread, and exclusive() holding every slot without deadlocks."""

import threading
import time

from core import device


def _slots() -> int:
    return device._gate()[1]


def test_compute_is_reentrant_in_one_thread():
    with device.compute():
        with device.compute():  # would take a second slot (or hang with one slot) if not re-entrant
            assert device._held() == 1
        assert device._held() == 1
    assert device._held() == 0


def test_exclusive_holds_every_slot_and_gives_them_back():
    with device.exclusive(5) as ok:
        assert ok and device._held() == _slots()
        got = device._gate()[0].acquire(timeout=0.05)  # nothing left for anyone else
        assert not got
    assert device._held() == 0
    gate = device._gate()[0]
    taken = [gate.acquire(timeout=1) for _ in range(_slots())]  # all of them came back
    assert all(taken)
    for _ in taken:
        gate.release()


def test_exclusive_inside_a_gated_run_does_not_deadlock_and_restores_the_slot():
    """The CLI holds one slot around a run; a measurement inside asks for all of them."""
    with device.compute():
        with device.exclusive(5) as ok:
            assert ok and device._held() == _slots()
        assert device._held() == 1
    assert device._held() == 0


def test_another_session_waits_while_one_is_exclusive():
    order = []
    inside = threading.Event()

    def other():
        inside.wait(5)
        with device.compute():
            order.append("other")

    t = threading.Thread(target=other)
    t.start()
    with device.exclusive(5) as ok:
        assert ok
        inside.set()
        time.sleep(0.2)  # the other thread is blocked on the gate meanwhile
        order.append("exclusive")
    t.join(5)
    assert order == ["exclusive", "other"]


def test_exclusive_gives_up_after_its_timeout_when_a_slot_stays_taken():
    held, release = threading.Event(), threading.Event()

    def holder():
        with device.compute():
            held.set()
            release.wait(5)

    t = threading.Thread(target=holder)
    t.start()
    held.wait(5)
    start = time.monotonic()
    with device.exclusive(0.3) as ok:
        assert not ok and device._held() == 0
    assert time.monotonic() - start < 3
    release.set()
    t.join(5)
    with device.exclusive(1) as ok:  # nothing leaked: every slot is free again
        assert ok


def test_two_threads_asking_for_exclusivity_at_once_both_get_it_in_turn():
    results, errors = [], []

    def ask():
        try:
            with device.compute():  # each already holds one slot, as a gated run would
                with device.exclusive(10) as ok:
                    results.append(ok)
                    time.sleep(0.05)
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors and results == [True, True]
