"""`eventyay run` processes sharing one Redis and one PostgreSQL form a cluster by themselves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.processes import ROOT, free_port

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres]


def start_node(
    node_id: str, env: dict[str, str], log_dir: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    node_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EVENTYAY_")},
        **env,
        "EVENTYAY_NODE_ID": node_id,
    }
    with (log_dir / f"{node_id}.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "run", "--port", str(port)],
            cwd=ROOT,
            env=node_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}"


def readiness(url: str, timeout_s: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            reply = httpx.get(f"{url}/readyz", timeout=2)
            if reply.status_code == 200:
                body: dict[str, Any] = reply.json()
                return body
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


@pytest.mark.timeout(60)
def test_two_run_processes_see_each_other_and_part_cleanly(
    postgres_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    env = {
        "EVENTYAY_DB_URL": postgres_url,
        "EVENTYAY_REDIS_URL": redis_url,
        "EVENTYAY_REDIS__KEY_PREFIX": redis_prefix,
        "EVENTYAY_DATA_DIR": str(tmp_path / "data"),
        "EVENTYAY_LIVE__SEED_DEMO": "false",  # no demo schedule: no actors active at start
    }
    # Both start at once: the schema migration must serialise on its lock.
    first, first_url = start_node("run-a", env, tmp_path)
    second, second_url = start_node("run-b", env, tmp_path)
    try:
        for url, node in ((first_url, "run-a"), (second_url, "run-b")):
            body = readiness(url)
            deadline = time.monotonic() + 10
            while body["nodes"] != ["run-a", "run-b"] and time.monotonic() < deadline:
                time.sleep(0.1)
                body = readiness(url)
            assert body == {
                "status": "ready",
                "node": node,
                "mode": "cluster",
                "active_actors": 0,
                "nodes": ["run-a", "run-b"],
            }
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=20) == 0
        # A node that stops cleanly leaves the cluster at once, not after its liveness expires.
        assert readiness(first_url)["nodes"] == ["run-a"]
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()
                process.wait()
