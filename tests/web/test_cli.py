"""The ``eventyay`` command: settings errors, ``migrate``, and a node that stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.migrate import head_revision
from tests.integration.processes import free_port
from web.cli import main

REPO_ROOT = Path(__file__).parents[2]


def node_env(**values: str) -> dict[str, str]:
    """The process environment without any EVENTYAY_* variable, plus ``values``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("EVENTYAY_")}
    env.update(values)
    return env


def eventyay(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the command in a process of its own, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def wait_until_alive(url: str, node: subprocess.Popen[str], within_s: float) -> httpx.Response:
    deadline = time.monotonic() + within_s
    while True:
        if node.poll() is not None:
            raise AssertionError(f"node exited early with {node.returncode}")
        try:
            return httpx.get(url, timeout=1.0)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_bad_variables_exit_2_naming_each_of_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith("EVENTYAY_"):
            monkeypatch.delenv(name)
    bad = {
        "EVENTYAY_WEB__PORT": "eighty",
        "EVENTYAY_ACTORS__ASK_TIMEOUT_S": "-1",
        "EVENTYAY_REDIS_URL": "http://not-redis",
        "EVENTYAY_UNKNOWN_THING": "1",
    }
    for name, value in bad.items():
        monkeypatch.setenv(name, value)

    status = main(["run"])

    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("Invalid settings:\n")
    reported = [line.strip().split(":", 1)[0] for line in err.splitlines()[1:]]
    assert sorted(reported) == sorted(bad)


def test_missing_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([])

    assert caught.value.code == 2
    assert "usage: eventyay" in capsys.readouterr().err


def test_migrate_brings_a_fresh_sqlite_data_dir_to_head(tmp_path: Path) -> None:
    env = node_env(EVENTYAY_DATA_DIR=str(tmp_path / "data"))

    first = eventyay("migrate", env=env)
    again = eventyay("migrate", env=env)

    assert (first.returncode, first.stdout) == (0, f"database at {head_revision()} (was empty)\n")
    assert (again.returncode, again.stdout) == (
        0,
        f"database at {head_revision()} (was {head_revision()})\n",
    )
    assert (tmp_path / "data" / "eventyay.sqlite3").is_file()


def test_migrate_reports_an_unreachable_database(tmp_path: Path) -> None:
    env = node_env(
        EVENTYAY_DATA_DIR=str(tmp_path),
        EVENTYAY_DB_URL="postgresql://postgres@127.0.0.1:1/x",
        EVENTYAY_DB__TIMEOUT_S="2",
    )

    result = eventyay("migrate", env=env)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("eventyay migrate: database unavailable: ")


def test_run_serves_healthz_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    node = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "run", "--port", str(port)],
        cwd=REPO_ROOT,
        env=node_env(EVENTYAY_DATA_DIR=str(tmp_path), EVENTYAY_NODE_ID="node-cli"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        response = wait_until_alive(f"http://127.0.0.1:{port}/healthz", node, within_s=15)
        node.send_signal(signal.SIGTERM)
        output, _ = node.communicate(timeout=15)
    finally:
        if node.poll() is None:
            node.kill()
            node.communicate()

    assert response.status_code == 200
    assert response.json() == {"status": "alive", "node": "node-cli"}
    assert node.returncode == 0, output
    assert "Traceback" not in output


def test_run_exits_nonzero_when_the_database_is_unreachable(tmp_path: Path) -> None:
    env = node_env(
        EVENTYAY_DATA_DIR=str(tmp_path),
        EVENTYAY_DB_URL="postgresql://postgres@127.0.0.1:1/x",
        EVENTYAY_DB__TIMEOUT_S="1",
    )

    result = eventyay("run", "--port", str(free_port()), env=env)

    assert result.returncode != 0
    assert "Application startup failed" in result.stderr
