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
