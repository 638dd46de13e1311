"""A missing Redis or PostgreSQL skips their tests on a laptop and fails them in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.processes import free_port

ROOT = Path(__file__).resolve().parents[1]
REDIS_TEST = (
    "tests/actors/test_topics.py::test_a_node_subscribes_once_per_topic_and_only_while_needed"
)


def run_redis_test(require: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEST_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    env.pop("TEST_REQUIRE_SERVICES", None)
    if require:
        env["TEST_REQUIRE_SERVICES"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", REDIS_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("require", "exit_code", "outcome"), [(False, 0, "1 skipped"), (True, 1, "1 error")]
)
def test_a_missing_service_skips_or_fails_as_configured(
    require: bool, exit_code: int, outcome: str
) -> None:
    result = run_redis_test(require)
    assert result.returncode == exit_code, result.stdout
    assert outcome in result.stdout
    assert "is not reachable; start it (redis-server" in result.stdout
