"""Public schedule exports under polling load: ``schedule.json`` of a real conference (the frab
export of camp2019, imported and released), served by one node as a child process, fetched by
many concurrent clients, with the node's render cache switched off (the baseline) and on, each
also with ``If-None-Match`` (304s), in the same run.

Prints requests/s, latency percentiles and the server's CPU per request; asserts on no timing.
``python -m bench.schedule_exports serve ...`` is the child it starts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import aiohttp
import uvicorn
import uvloop

from bench.fanout.serve import HOST
from bench.fanout.server_process import REPO_ROOT, ServerProcess, ServerProcessError
from bench.orders import fresh_database
from bench.stats import Latency
from catalog.talk.frab_json_import import import_frab_json
from catalog.talk.schedule_import import import_schedule
from core.clock import utc_now
from core.database import Database, running_database
from core.gc_tuning import tune_for_serving
from core.migrate import prepare_schema
from core.settings import DatabaseSettings, load_settings
from web.app import create_app
from web.schedule_exports import EXPORT_TTL_S, use_export_cache

EVENT = "bench/camp2019"
EXPORT_PATH = f"/{EVENT}/schedule.json"
DEFAULT_FILE = Path("/work/shared/data/schedule/example-frab-camp2019.json")
READY_TIMEOUT_S = 30.0
WARM_UP_S = 1.0
REQUEST_TIMEOUT_S = 30.0


# --- the server (child process) -------------------------------------------------------------


def serve(args: argparse.Namespace) -> None:
    """One node as ``eventyay run`` makes it (tuned GC, uvloop, httptools), without the demo
    seed and the access log, with the export cache on or off."""
    settings = load_settings(
        environ={},
        data_dir=args.data_dir,
        db_url=args.db_url,
        node_id="bench-exports",
        live={"seed_demo": False},
    )
    app = create_app(settings, tune_gc=True)
    if not args.cache:
        use_export_cache(app, None)
    config = uvicorn.Config(
        app,
        host=HOST,
        port=args.port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    tune_for_serving()
    uvicorn.Server(config).run()


class ExportServer(ServerProcess):
    """``python -m bench.schedule_exports serve`` as a child, on a free port."""

    def __init__(self, *, data_dir: Path, db_url: str, cache: bool) -> None:
        super().__init__(module="bench.schedule_exports")
        self.data_dir, self.db_url, self.cache = data_dir, db_url, cache

    def spawn(self) -> None:
        command = [sys.executable, "-m", "bench.schedule_exports", "serve"]
        command += ["--port", str(self.port), "--data-dir", str(self.data_dir)]
        command += ["--db-url", self.db_url, "--cache" if self.cache else "--no-cache"]
        self._process = subprocess.Popen(command, cwd=REPO_ROOT)

    async def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        async with aiohttp.ClientSession(base_url=self.base_url) as http:
            while time.monotonic() < deadline:
                if self._process is None or self._process.poll() is not None:
                    raise ServerProcessError("the export server exited")
                try:
                    async with http.get("/healthz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise ServerProcessError(f"the export server is not ready after {timeout_s} s")


@asynccontextmanager
async def running_server(
    data_dir: Path, db_url: str, *, cache: bool
) -> AsyncIterator[ExportServer]:
    server = ExportServer(data_dir=data_dir, db_url=db_url, cache=cache)
    server.spawn()
    try:
        await server.wait_ready(READY_TIMEOUT_S)
        yield server
    finally:
        server.stop()


# --- the load -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    seconds: float
    latencies_ns: list[int]
    statuses: Counter[int]
    body_bytes: int
    server_cpu_s: float
    client_cpu_s: float

    @property
    def rate(self) -> float:
        return len(self.latencies_ns) / self.seconds

    def text(self) -> str:
        requests = len(self.latencies_ns)
        statuses = ", ".join(f"{n:,} {code}s" for code, n in sorted(self.statuses.items()))
        latency = Latency.of_ns(self.latencies_ns)
        return (
            f"{self.name}\n"
            f"  throughput  {self.rate:,.0f} requests/s ({statuses} in {self.seconds:.1f} s, "
            f"{self.body_bytes / max(requests, 1) / 1024:,.0f} KiB a reply)\n"
            f"  latency     p50 {latency.p50_us / 1000:,.1f} ms, p99 {latency.p99_us / 1000:,.1f}"
            f" ms, max {latency.max_us / 1000:,.0f} ms\n"
            f"  CPU         server {self.server_cpu_s / max(requests, 1) * 1e6:,.0f} µs a request"
            f" ({self.server_cpu_s / self.seconds:.0%} of a core), "
            f"client {self.client_cpu_s / self.seconds:.0%} of a core"
        )


def client_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drive(
    server: ExportServer, name: str, *, clients: int, seconds: float, etag: str | None
) -> Phase:
    """``clients`` concurrent clients, each fetching the export again as soon as it has the
    last answer, for ``seconds`` (after ``WARM_UP_S`` of the same, not counted)."""
    headers = {"If-None-Match": etag} if etag else {}
    latencies: list[int] = []
    statuses: Counter[int] = Counter()
    received = 0
    clock = time.perf_counter_ns
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(
        base_url=server.base_url, connector=connector, timeout=timeout
    ) as http:

        async def client(until_ns: int, record: bool) -> None:
            nonlocal received
            while clock() < until_ns:
                sent = clock()
                async with http.get(EXPORT_PATH, headers=headers) as answer:
                    body = await answer.read()
                if record:
                    latencies.append(clock() - sent)
                    statuses[answer.status] += 1
                    received += len(body)

        warm_until = clock() + int(WARM_UP_S * 1e9)
        await asyncio.gather(*(client(warm_until, record=False) for _ in range(clients)))
        cpu_before, own_before, started = server.cpu_s(), client_cpu_s(), clock()
        await asyncio.gather(*(client(started + int(seconds * 1e9), True) for _ in range(clients)))
        elapsed = (clock() - started) / 1e9
        server_cpu, own_cpu = server.cpu_s() - cpu_before, client_cpu_s() - own_before
    return Phase(name, elapsed, latencies, statuses, received, server_cpu, own_cpu)


async def current_etag(server: ExportServer) -> str:
    async with (
        aiohttp.ClientSession(base_url=server.base_url) as http,
        http.get(EXPORT_PATH) as answer,
    ):
        if answer.status != 200:
            raise ServerProcessError(f"{EXPORT_PATH} answered {answer.status}")
        return answer.headers["ETag"]


async def measure(data_dir: Path, db_url: str, args: argparse.Namespace) -> dict[str, Phase]:
    phases: dict[str, Phase] = {}
    for cache in (False, True):
        label = "cache" if cache else "no cache (baseline)"
        async with running_server(data_dir, db_url, cache=cache) as server:
            etag = await current_etag(server)
            for revalidate in (False, True):
                name = f"{label}, {'If-None-Match → 304' if revalidate else 'GET → 200'}"
                phase = await drive(
                    server,
                    name,
                    clients=args.clients,
                    seconds=args.seconds,
                    etag=etag if revalidate else None,
                )
                print(phase.text())
                phases[name] = phase
    return phases


# --- the data -------------------------------------------------------------------------------


async def import_release(database: Database, file: Path) -> str:
    """Import and release ``file`` as the event ``EVENT``, as ``eventyay schedule import`` does."""
    imported = import_frab_json(await asyncio.to_thread(file.read_bytes))
    async with database.transaction() as session:
        report = await import_schedule(session, EVENT, imported.snapshot, now=utc_now())
    return (
        f"{file.name} released as {report.version.version!r}: {report.talks} talks, "
        f"{report.speakers} speakers, {report.rooms} rooms"
    )


async def on_sqlite(args: argparse.Namespace) -> dict[str, Phase]:
    with tempfile.TemporaryDirectory(prefix="eyl-bench-exports-") as folder:
        data_dir = Path(folder)
        url = f"sqlite:///{data_dir / 'eventyay.sqlite3'}"
        async with running_database(url, DatabaseSettings()) as database:
            await prepare_schema(database, auto_migrate=True)
            print(f"SQLite: {await import_release(database, args.file)}")
        return await measure(data_dir, url, args)


async def on_postgres(args: argparse.Namespace) -> dict[str, Phase]:
    with tempfile.TemporaryDirectory(prefix="eyl-bench-exports-") as folder:
        async with fresh_database(DatabaseSettings().pool_size) as database:
            print(f"PostgreSQL: {await import_release(database, args.file)}")
            url = database.engine.url.render_as_string(hide_password=False)
            return await measure(Path(folder), url, args)


def compare(phases: dict[str, Phase]) -> None:
    base, cached = phases["no cache (baseline), GET → 200"], phases["cache, GET → 200"]
    base_304, cached_304 = (
        phases["no cache (baseline), If-None-Match → 304"],
        phases["cache, If-None-Match → 304"],
    )
    print(
        f"cache / baseline, same run: GET {cached.rate / base.rate:.1f} times the requests/s, "
        f"304 {cached_304.rate / base_304.rate:.1f} times the requests/s"
    )


async def main(args: argparse.Namespace) -> None:
    print(
        f"Python {platform.python_version()}, uvicorn {version('uvicorn')}, "
        f"uvloop {version('uvloop')}, aiohttp {version('aiohttp')} (client), "
        f"SQLAlchemy {version('sqlalchemy')}"
    )
    print(
        f"{args.clients} concurrent clients for {args.seconds:.0f} s a phase (after "
        f"{WARM_UP_S:.0f} s of warm-up), GET {EXPORT_PATH}; cache TTL {EXPORT_TTL_S} s\n"
    )
    compare(await on_sqlite(args))
    if args.postgres:
        print()
        compare(await on_postgres(args))


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command")
    child = commands.add_parser("serve", help="the server under test (started by the benchmark)")
    child.add_argument("--port", type=int, required=True)
    child.add_argument("--data-dir", type=Path, required=True)
    child.add_argument("--db-url", required=True)
    child.add_argument("--cache", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="a frab schedule.json")
    parser.add_argument(
        "--postgres", action="store_true", help="also on a throwaway PostgreSQL database"
    )
    args = parser.parse_args()
    if args.command == "serve":
        serve(args)
        return
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main(args))
    print(
        f"({time.perf_counter() - started:.1f} s in all; 1-minute load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after)"
    )


if __name__ == "__main__":
    cli()
