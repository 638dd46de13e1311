"""The server under test as a child process: start it on a free 127.0.0.1 port, wait until it
serves, read its CPU time and RSS from ``/proc``, stop it.

Knows nothing of what the server does; ``bench.fanout.serve`` runs it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.fanout.contract import READY_PATH
from bench.fanout.serve import HOST

REPO_ROOT = Path(__file__).resolve().parents[2]
CLOCK_TICKS_PER_S = os.sysconf("SC_CLK_TCK")
STOP_TIMEOUT_S = 10.0


class ServerProcessError(Exception):
    """The server did not come up, or died."""


def free_port() -> int:
    # The port could be taken between this close and the child's bind; on loopback that is rare
    # enough for a benchmark, and the start-up check reports it.
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """One ``python -m bench.fanout.serve <module>`` child."""

    def __init__(self, module: str, cpu: int | None = None) -> None:
        self.module = module
        self.port = free_port()
        self._cpu = cpu
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._process is None:
            raise ServerProcessError("not started")
        return self._process.pid

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def spawn(self) -> None:
        command = [
            sys.executable,
            "-m",
            "bench.fanout.serve",
            self.module,
            "--port",
            str(self.port),
        ]
        self._process = subprocess.Popen(command, cwd=REPO_ROOT)
        if self._cpu is not None:
            os.sched_setaffinity(self._process.pid, {self._cpu})

    async def wait_ready(self, timeout_s: float) -> None:
        """Return once the child answers ``READY_PATH``; raises ``ServerProcessError`` if it
        exits or stays silent for ``timeout_s``."""
        if self._process is None:
            raise ServerProcessError("not started")
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(base_url=self.base_url, timeout=1.0) as http:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise ServerProcessError(
                        f"{self.module} exited with {self._process.returncode}"
                    )
                try:
                    if (await http.get(READY_PATH)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise ServerProcessError(f"{self.module} not ready after {timeout_s} s")

    def cpu_s(self) -> float:
        """User plus system CPU seconds of the whole process (all threads), 1/CLK_TCK resolution."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()  # the command name may contain spaces
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS_PER_S  # utime, stime

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise ServerProcessError("no VmRSS line")

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(STOP_TIMEOUT_S)
