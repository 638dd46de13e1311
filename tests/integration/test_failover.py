"""Three node processes, one durable counter, clients on every node: kill -9 the owner, restart
Redis, and the count stays exact (nothing lost, nothing applied twice)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from core.database import create_database
from core.settings import DatabaseSettings
from tests.integration.conftest import NodeLauncher
from tests.integration.processes import NodeProcess, RedisServer
from tests.support.sample_actors import counter_ops, counters

pytestmark = [pytest.mark.integration, pytest.mark.redis, pytest.mark.postgres]

CLIENTS = 6
OPS_PER_CLIENT = 60
KEY = "shared"


@dataclass
class Traffic:
    """Clients that send distinct increments and retry each until acknowledged."""

    nodes: list[NodeProcess]
    acked: dict[str, int] = field(default_factory=dict)
    ack_times: list[float] = field(default_factory=list)
    retries: int = 0

    async def run_client(self, client_no: int) -> None:
        node_index = client_no % len(self.nodes)
        async with httpx.AsyncClient(timeout=5) as http:
            for n in range(OPS_PER_CLIENT):
                op = f"c{client_no}-{n}"
                while True:
                    node = self.nodes[node_index]
                    try:
                        reply = await http.post(f"{node.url}/increment/{KEY}/{op}")
                        if reply.status_code == 200:
                            self.acked[op] = reply.json()["value"]
                            self.ack_times.append(time.monotonic())
                            break
                    except httpx.HTTPError:
                        pass
                    # Not acknowledged: retry the same increment, on the next node.
                    self.retries += 1
                    node_index = (node_index + 1) % len(self.nodes)
                    await asyncio.sleep(0.05)

    async def run(self) -> None:
        await asyncio.gather(*(self.run_client(c) for c in range(CLIENTS)))

    async def wait_for_acks(self, count: int) -> None:
        while len(self.acked) < count:  # noqa: ASYNC110 - polls a dict the clients fill
            await asyncio.sleep(0.02)


async def owner_of(node: NodeProcess) -> str:
    """The counter's owner as ``node`` sees it, asking again while the cluster fails over."""
    async with httpx.AsyncClient(timeout=10) as http:
        while True:
            try:
                reply = await http.get(f"{node.url}/where/{KEY}")
            except httpx.TransportError:
                continue  # the node closed a kept-alive connection: ask again
            if reply.status_code == 200:
                owner: str = reply.json()["owner"]
                return owner
            assert reply.json()["error"] in {"actor.timeout", "actor.node_unavailable"}


async def durable_state(db_url: str) -> tuple[int, int]:
    database = create_database(db_url, DatabaseSettings())
    try:
        async with database.transaction() as session:
            value = (await session.execute(select(counters.c.value))).scalar_one()
            ops = (
                await session.execute(select(func.count()).select_from(counter_ops))
            ).scalar_one()
    finally:
        await database.close()
    return value, ops


def start_cluster(launch_node: NodeLauncher, redis_url: str) -> list[NodeProcess]:
    nodes = [launch_node(f"node-{i}", redis_url) for i in range(3)]
    for node in nodes:
        node.wait_ready()
    return nodes


@pytest.mark.timeout(120)
async def test_killing_the_owner_loses_no_increment_and_applies_none_twice(
    launch_node: NodeLauncher, redis_url: str, counter_database: str
) -> None:
    nodes = start_cluster(launch_node, redis_url)
    traffic = Traffic(nodes)
    clients = asyncio.create_task(traffic.run())
    await traffic.wait_for_acks(CLIENTS * OPS_PER_CLIENT // 3)

    owner_id = await owner_of(nodes[0])
    owner = next(node for node in nodes if node.node_id == owner_id)
    owner.kill()
    killed_at = time.monotonic()
    survivor = next(node for node in nodes if node.alive)
    new_owner = await owner_of(survivor)
    failover_s = time.monotonic() - killed_at

    await asyncio.wait_for(clients, timeout=90)
    total = CLIENTS * OPS_PER_CLIENT
    assert len(traffic.acked) == total
    assert new_owner != owner_id
    assert failover_s < 5.0, f"the actor came back after {failover_s:.1f} s"
    assert await durable_state(counter_database) == (total, total)
    assert sorted(traffic.acked.values())[-1] == total


@pytest.mark.timeout(120)
async def test_the_cluster_recovers_from_a_redis_restart_without_restarting_nodes(
    launch_node: NodeLauncher, counter_database: str, tmp_path: Path
) -> None:
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        nodes = start_cluster(launch_node, redis.url)
        traffic = Traffic(nodes)
        clients = asyncio.create_task(traffic.run())
        await traffic.wait_for_acks(CLIENTS * OPS_PER_CLIENT // 3)

        redis.kill()  # every lease, fencing counter and subscription is gone
        await asyncio.sleep(1.0)
        acked_during_outage = len(traffic.acked)
        redis.start()
        restarted_at = time.monotonic()

        await asyncio.wait_for(clients, timeout=90)
        total = CLIENTS * OPS_PER_CLIENT
        assert all(node.alive for node in nodes)
        assert len(traffic.acked) == total
        assert acked_during_outage < total
        assert max(traffic.ack_times) > restarted_at
        assert await durable_state(counter_database) == (total, total)
    finally:
        redis.kill()
