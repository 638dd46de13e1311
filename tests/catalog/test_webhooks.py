"""Webhooks: managing hooks, queuing thin notifications with the order change, and delivering
them signed to a real aiohttp server, with retries, 410 and giving up; SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from catalog.tickets import (
    ORDER_PAID,
    ORDER_PLACED,
    Deliverer,
    InvalidWebhookError,
    RunCounts,
    WebhookCarrier,
    WebhookNotFoundError,
    create_webhook,
    delete_webhook,
    delivery_tables,
    enqueue_webhook_calls,
    get_webhook,
    list_webhook_calls,
    list_webhooks,
    update_webhook,
    verify_signature,
)
from catalog.tickets.webhook_delivery import sign
from core.clock import utc_now
from core.database import Database
from tests.catalog.outbox_support import (
    POSTGRES,
    Receiver,
    call_row,
    empty_outboxes,
    hooked_event,
    make_webhook,
    organizer_of,
    queue,
    running_receiver,
)
from tests.catalog.ticket_rows import make_event
from tests.conftest import make_settings

calls = delivery_tables.webhook_calls


@pytest.fixture(params=["sqlite", POSTGRES])
def dialect_database(request: pytest.FixtureRequest) -> Database:
    found: Database = request.getfixturevalue(f"{request.param}_database")
    return found


@pytest.fixture
async def database(dialect_database: Database) -> AsyncIterator[Database]:
    """The database of each dialect, with empty outboxes before and after the test."""
    await empty_outboxes(dialect_database)
    yield dialect_database
    await empty_outboxes(dialect_database)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver(Receiver()) as running:
        yield running


def make_deliverer(database: Database, max_attempts: int = 8) -> Deliverer:
    settings = make_settings(
        tickets={"webhook_max_attempts": max_attempts, "webhook_timeout_s": 5}
    ).tickets
    return Deliverer(database, [WebhookCarrier(settings)], interval_s=3600, rng=random.Random(4))


@pytest.fixture
async def deliverer(database: Database) -> AsyncIterator[Deliverer]:
    made = make_deliverer(database)
    yield made
    await made.stop()


async def test_a_call_arrives_signed_with_the_thin_payload(
    database: Database, deliverer: Deliverer, receiver: Receiver
) -> None:
    organizer_id, slug, hook_id = await hooked_event(database, receiver.url)
    call_id = await queue(database, organizer_id, slug)

    assert await deliverer.run_once() == {"webhooks": RunCounts(claimed=1, delivered=1)}

    [(headers, body)] = receiver.requests
    async with database.transaction() as session:
        hook = await get_webhook(session, organizer_id, hook_id)
    org_slug, event_slug = slug.split("/")
    assert json.loads(body) == {
        "notification_id": call_id,
        "organizer": org_slug,
        "event": event_slug,
        "code": "ABC12",
        "action": "order.paid",
    }
    assert headers["X-Eventyay-Webhook-Id"] == call_id
    assert headers["Content-Type"] == "application/json"
    assert verify_signature(
        hook.secret, headers["X-Eventyay-Timestamp"], body, headers["X-Eventyay-Signature"]
    )
    assert not verify_signature(
        "other", headers["X-Eventyay-Timestamp"], body, headers["X-Eventyay-Signature"]
    )
    row = await call_row(database, call_id)
    assert (row["state"], row["attempts"], row["last_status"]) == ("delivered", 1, 200)
    assert row["last_response"] == "answer 200"
    assert row["delivered_at"] is not None


def test_a_signature_is_refused_when_altered_or_old() -> None:
    now = time.time()
    stamp = str(int(now))
    header = sign("s3cret", stamp, b'{"a":1}')
    assert verify_signature("s3cret", stamp, b'{"a":1}', header, now=now)
    assert not verify_signature("s3cret", stamp, b'{"a":2}', header, now=now)
    assert not verify_signature("s3cret", stamp, b'{"a":1}', header, now=now + 301)
    assert verify_signature("s3cret", stamp, b'{"a":1}', header, now=now + 301, max_age_s=None)
    assert not verify_signature("s3cret", "soon", b'{"a":1}', header, now=now)


async def test_a_failing_receiver_gets_the_call_again_after_the_back_off(
    database: Database, deliverer: Deliverer, receiver: Receiver
) -> None:
    receiver.statuses = [500]
    organizer_id, slug, _ = await hooked_event(database, receiver.url)
    call_id = await queue(database, organizer_id, slug)
    start = utc_now()

    assert await deliverer.run_once(start) == {"webhooks": RunCounts(claimed=1, retried=1)}
    row = await call_row(database, call_id)
    assert (row["state"], row["attempts"], row["last_status"]) == ("pending", 1, 500)
    assert row["last_error"] == "HTTP 500"
    assert await deliverer.run_once(start + timedelta(seconds=7)) == {"webhooks": RunCounts()}
    counts = await deliverer.run_once(start + timedelta(seconds=11))

    assert counts == {"webhooks": RunCounts(claimed=1, delivered=1)}
    assert [json.loads(body)["notification_id"] for _, body in receiver.requests] == [call_id] * 2
    row = await call_row(database, call_id)
    assert (row["state"], row["attempts"], row["last_status"]) == ("delivered", 2, 200)
    assert row["last_error"] is None


async def test_410_gone_fails_the_call_and_disables_the_hook(
    database: Database, deliverer: Deliverer, receiver: Receiver
) -> None:
    receiver.statuses = [410]
    organizer_id, slug, hook_id = await hooked_event(database, receiver.url)
    call_id = await queue(database, organizer_id, slug)

    assert await deliverer.run_once() == {"webhooks": RunCounts(claimed=1, failed=1)}

    row = await call_row(database, call_id)
    assert (row["state"], row["last_status"]) == ("failed", 410)
    async with database.transaction() as session:
        assert not (await get_webhook(session, organizer_id, hook_id)).enabled
        later = await enqueue_webhook_calls(
            session,
            organizer_id=organizer_id,
            event_slug=slug,
            action_type=ORDER_PAID,
            payload={"code": "ABC12"},
        )
    assert later == []


async def test_a_call_is_given_up_after_the_last_attempt(
    database: Database, receiver: Receiver
) -> None:
    receiver.statuses = [503, 503, 503]
    deliverer = make_deliverer(database, max_attempts=3)
    organizer_id, slug, _ = await hooked_event(database, receiver.url)
    call_id = await queue(database, organizer_id, slug)
    moment = utc_now()
    try:
        for step in range(3):
            await deliverer.run_once(moment)
            moment += timedelta(minutes=5)
            assert len(receiver.requests) == step + 1
        assert await deliverer.run_once(moment + timedelta(hours=2)) == {"webhooks": RunCounts()}
    finally:
        await deliverer.stop()

    row = await call_row(database, call_id)
    assert (row["state"], row["attempts"], row["last_error"]) == ("failed", 3, "HTTP 503")


async def test_an_unreachable_receiver_is_retried(
    database: Database, deliverer: Deliverer, receiver: Receiver
) -> None:
    organizer_id, slug, _ = await hooked_event(database, "http://127.0.0.1:9/nothing-listens")
    call_id = await queue(database, organizer_id, slug)

    assert await deliverer.run_once() == {"webhooks": RunCounts(claimed=1, retried=1)}

    row = await call_row(database, call_id)
    assert row["state"] == "pending"
    assert row["last_status"] is None
    assert str(row["last_error"]).startswith("request failed: ")


async def test_hooks_match_by_event_and_action(database: Database, receiver: Receiver) -> None:
    async with database.transaction() as session:
        organizer_id, slug = await organizer_of(session, await make_event(session))
        short = slug.split("/")[1]
        every = await make_webhook(session, organizer_id, receiver.url)
        paid_here = await make_webhook(
            session, organizer_id, receiver.url, all_events=False, events=[short],
            action_types=[ORDER_PAID],
        )  # fmt: skip
        elsewhere = await make_webhook(
            session, organizer_id, receiver.url, all_events=False, events=["other"]
        )
        await make_webhook(session, organizer_id, receiver.url, enabled=False)
        placed = await enqueue_webhook_calls(
            session, organizer_id=organizer_id, event_slug=slug, action_type=ORDER_PLACED,
            payload={"code": "X"},
        )  # fmt: skip
        paid = await enqueue_webhook_calls(
            session, organizer_id=organizer_id, event_slug=short, action_type=ORDER_PAID,
            payload={"code": "X"},
        )  # fmt: skip
        hooks_of = {
            row.id: row.webhook_id
            for row in await session.execute(select(calls).where(calls.c.id.in_(placed + paid)))
        }
    assert [hooks_of[call] for call in placed] == [every.id]
    assert sorted(hooks_of[call] for call in paid) == sorted([every.id, paid_here.id])
    assert elsewhere.id not in hooks_of.values()


async def test_calls_exist_only_when_the_transaction_commits(
    database: Database, receiver: Receiver
) -> None:
    organizer_id, slug, hook_id = await hooked_event(database, receiver.url)

    async def failing_order_change() -> None:
        async with database.transaction() as session:
            await enqueue_webhook_calls(
                session,
                organizer_id=organizer_id,
                event_slug=slug,
                action_type=ORDER_PAID,
                payload={"code": "ABC12"},
            )
            raise RuntimeError("the order change failed")

    with pytest.raises(RuntimeError):
        await failing_order_change()
    async with database.transaction() as session:
        assert (await list_webhook_calls(session, organizer_id, hook_id)).count == 0


async def test_the_delivery_log_is_newest_first_and_paged(
    database: Database, receiver: Receiver
) -> None:
    organizer_id, slug, hook_id = await hooked_event(database, receiver.url)
    start = utc_now()
    async with database.transaction() as session:
        made = [
            (
                await enqueue_webhook_calls(
                    session,
                    organizer_id=organizer_id,
                    event_slug=slug,
                    action_type=ORDER_PAID,
                    payload={"code": f"C{number}"},
                    now=start + timedelta(seconds=number),
                )
            )[0]
            for number in range(5)
        ]
        first = await list_webhook_calls(session, organizer_id, hook_id, limit=2)
        last = await list_webhook_calls(session, organizer_id, hook_id, limit=2, offset=4)
    assert first.count == last.count == 5
    assert [call.id for call in first.results] == [made[4], made[3]]
    assert [call.id for call in last.results] == [made[0]]
    assert first.results[0].payload["code"] == "C4"
    assert first.results[0].state == "pending"
    assert first.results[0].created_at.tzinfo is not None


async def test_hooks_are_created_listed_updated_and_deleted(database: Database) -> None:
    async with database.transaction() as session:
        organizer_id, slug = await organizer_of(session, await make_event(session))
        hook = await create_webhook(
            session,
            organizer_id=organizer_id,
            target_url="https://example.org/hook",
            action_types=[ORDER_PAID],
        )
        assert len(hook.secret) == 64
        assert await list_webhooks(session, organizer_id) == [hook]
        changed = await update_webhook(
            session, organizer_id, hook.id, all_events=False, events=[slug], enabled=False
        )
        assert (changed.all_events, changed.events, changed.enabled) == (
            False,
            (slug.split("/")[1],),
            False,
        )
        assert changed.secret == hook.secret
        await enqueue_webhook_calls(
            session,
            organizer_id=organizer_id,
            event_slug=slug,
            action_type=ORDER_PAID,
            payload={},
        )
        await delete_webhook(session, organizer_id, hook.id)
        assert await list_webhooks(session, organizer_id) == []
        with pytest.raises(WebhookNotFoundError):
            await get_webhook(session, organizer_id, hook.id)
        with pytest.raises(WebhookNotFoundError):
            await get_webhook(session, "another-organizer", hook.id)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"target_url": "ftp://example.org/x"}, "target_url"),
        ({"target_url": "https:///nohost"}, "target_url"),
        ({"action_types": ["order.exploded"]}, "action_types"),
        ({"action_types": []}, "action_types"),
        ({"all_events": False, "events": []}, "events"),
    ],
)
async def test_invalid_hooks_are_refused_naming_the_field(
    sqlite_database: Database, options: dict[str, object], field: str
) -> None:
    values: dict[str, object] = {"target_url": "https://example.org/", "action_types": ["*"]}
    async with sqlite_database.transaction() as session:
        organizer_id, _ = await organizer_of(session, await make_event(session))
        with pytest.raises(InvalidWebhookError) as refused:
            await create_webhook(session, organizer_id=organizer_id, **(values | options))  # type: ignore[arg-type]
    assert refused.value.details["field"] == field
    assert refused.value.code == "tickets.invalid_webhook"


async def test_a_disabled_hook_gets_no_queued_call(
    database: Database, deliverer: Deliverer, receiver: Receiver
) -> None:
    organizer_id, slug, hook_id = await hooked_event(database, receiver.url)
    call_id = await queue(database, organizer_id, slug)
    async with database.transaction() as session:
        await session.execute(
            update(delivery_tables.webhooks)
            .where(delivery_tables.webhooks.c.id == hook_id)
            .values(enabled=False)
        )

    assert await deliverer.run_once() == {"webhooks": RunCounts(claimed=1, failed=1)}

    assert receiver.requests == []
    assert (await call_row(database, call_id))["last_error"] == "the webhook is disabled"
