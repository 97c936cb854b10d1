"""The fair share of idle workers (issue 14), on plain objects: a client with a query running
never takes the last idle worker; a newcomer does; spares idle for a quiet spell go."""

from __future__ import annotations

import time

from cubegraph.api.web.fair_share import FairShare


def test_a_busy_client_leaves_the_last_idle_worker_to_a_newcomer():
    share = FairShare()
    for w in ("w1", "w2", "w3"):
        share.put(w)
    soon = time.monotonic() + 0.05
    a1, a2 = share.take("a", soon), share.take("a", soon)
    assert {a1, a2} == {"w2", "w3"}  # one client has every worker but the kept one
    assert share.take("a", soon) is None  # ... never the last
    assert share.take("b", soon) == "w1"  # a newcomer gets it at once
    share.done("a")
    share.put(a1)
    assert share.take("a", soon) is None and share.idle == 1  # still the last one
    share.done("a")  # a's other query ends: it has none running
    assert share.take("a", soon) == a1


def test_spares_idle_for_a_spell_are_taken_out_keeping_one():
    share = FairShare()
    for w in ("w1", "w2", "w3"):
        share.put(w)
    assert share.stale(60, keep=1) == []  # not idle long enough
    time.sleep(0.02)
    gone = share.stale(0.01, keep=1)
    assert len(gone) == 2 and share.idle == 1


def test_a_freed_worker_goes_to_the_oldest_waiting_request_that_may_have_it():
    import threading

    share = FairShare()
    share.put("w1")
    assert share.take("a", time.monotonic() + 1) == "w1"  # a has one running, none idle
    got: dict[str, object] = {}
    order = []

    def wait_for(name, client):
        order.append(name)
        got[name] = share.take(client, time.monotonic() + 5)

    threads = []
    for name, client in (("a2", "a"), ("b1", "b"), ("c1", "c")):
        t = threading.Thread(target=wait_for, args=(name, client))
        t.start()
        threads.append(t)
        while len(order) < len(threads) or len(share._waiting) < len(threads):
            time.sleep(0.005)
    share.put("w2")  # one idle: a's second query may not take it, b (waiting longer than c) does
    threads[1].join(5)
    assert got == {"b1": "w2"}
    share.done("a", "w1")  # a has none running now: its waiting query gets its worker back
    threads[0].join(5)
    assert got["a2"] == "w1" and "c1" not in got
    share.done("b", "w2")
    threads[2].join(5)
    assert got["c1"] == "w2"


def test_a_newcomer_is_served_at_once_while_a_busy_client_waits():
    import threading

    share = FairShare()
    share.put("w1")
    share.put("w2")
    assert share.take("a", time.monotonic() + 1) is not None
    waiting = threading.Thread(target=share.take, args=("a", time.monotonic() + 0.5))
    waiting.start()  # a's second query waits: only the last worker is idle
    time.sleep(0.05)
    t0 = time.monotonic()
    assert share.take("b", time.monotonic() + 5) is not None
    assert time.monotonic() - t0 < 0.1
    waiting.join()
    assert share.idle == 0


def test_stale_spares_are_taken_out_no_more_than_asked():
    share = FairShare()
    for w in ("w1", "w2", "w3", "w4"):
        share.put(w)
    time.sleep(0.02)
    assert len(share.stale(0.01, keep=1, limit=1)) == 1 and share.idle == 3
