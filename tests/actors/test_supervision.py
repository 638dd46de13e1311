"""The failure ledger: restart delays with back-off, stopping, and forgetting old failures."""

from __future__ import annotations

import time

from actors import RestartPolicy
from actors.supervision import FailureLedger

ACTOR = ("kind", "key")


def test_restart_delays_double_up_to_the_cap_and_then_stop() -> None:
    ledger = FailureLedger()
    policy = RestartPolicy(max_restarts=4, within_s=60, backoff_s=0.1, max_backoff_s=0.3)
    delays = [ledger.record(ACTOR, policy) for _ in range(5)]
    assert delays == [0.1, 0.2, 0.3, 0.3, None]
    assert len(ledger) == 0  # a stop starts the count afresh


def test_failures_outside_the_window_do_not_count() -> None:
    ledger = FailureLedger()
    policy = RestartPolicy(max_restarts=1, within_s=0.05, backoff_s=0.1)
    assert ledger.record(ACTOR, policy) == 0.1
    time.sleep(0.06)
    assert ledger.record(ACTOR, policy) == 0.1
    assert ledger.record(ACTOR, policy) is None


def test_prune_forgets_actors_whose_failures_are_old() -> None:
    ledger = FailureLedger()
    ledger.record(("k", "old"), RestartPolicy(within_s=0.01))
    ledger.record(("k", "recent"), RestartPolicy(within_s=60))
    time.sleep(0.02)
    ledger.prune()
    assert len(ledger) == 1
