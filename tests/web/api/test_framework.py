"""The /api/v1 conventions: token auth, permissions, pages, validation, money, idempotency,
Retry-After and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import insert, select
from starlette.routing import Route

from catalog.tickets.account_tables import idempotency_keys
from catalog.tickets.api_tokens import revoke_api_token, token_principal
from catalog.tickets.errors import BusyError
from catalog.tickets.permissions import Permission
from catalog.tickets.tables import ticket_events
from core.clock import utc_now
from tests.web.api.api_client import ApiClient, fresh_slug
from web.api import ApiCall, Endpoint
from web.api import api as registry
from web.api.dispatch import starlette_endpoint
from web.api.idempotency import request_hash

V1 = "/api/v1"


async def make_event(api_client: ApiClient, headers: dict[str, str], org: str, slug: str) -> None:
    done = await api_client.http.post(
        f"{V1}/organizers/{org}/events/", headers=headers, json={"slug": slug, "name": slug}
    )
    assert done.status_code == 201, done.text


def error_of(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert body["ok"] is False
    return body["error"]  # type: ignore[no-any-return]


async def test_requests_without_a_token_get_401_naming_the_scheme(api: ApiClient) -> None:
    response = await api.http.get(f"{V1}/organizers/")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert error_of(response)["code"] == "api.unauthenticated"


@pytest.mark.parametrize("header", ["Token nope", "Bearer x", "Token ", "Basic abc"])
async def test_an_unknown_token_or_scheme_gets_401(api: ApiClient, header: str) -> None:
    response = await api.http.get(f"{V1}/organizers/", headers={"Authorization": header})

    assert response.status_code == 401
    assert error_of(response)["code"] == "api.unauthenticated"


async def test_a_revoked_token_stops_working_at_once(api: ApiClient) -> None:
    headers = await api.token(fresh_slug())
    assert (await api.http.get(f"{V1}/organizers/", headers=headers)).status_code == 200
    token = headers["Authorization"].removeprefix("Token ")
    async with api.database.transaction() as session:
        principal = await token_principal(session, token)
        assert principal is not None
        assert await revoke_api_token(session, principal.id)

    response = await api.http.get(f"{V1}/organizers/", headers=headers)

    assert response.status_code == 401


async def test_another_organizer_is_not_found(api: ApiClient) -> None:
    mine, theirs = fresh_slug(), fresh_slug()
    await api.token(theirs)
    headers = await api.token(mine)

    response = await api.http.get(f"{V1}/organizers/{theirs}/", headers=headers)

    assert response.status_code == 404
    assert error_of(response) == {
        "code": "protocol.not_found",
        "message": "No such organizer",
        "details": {"organizer": theirs},
    }
    listed = (await api.http.get(f"{V1}/organizers/", headers=headers)).json()
    assert [o["slug"] for o in listed["results"]] == [mine]


async def test_a_missing_permission_is_refused_with_403(api: ApiClient) -> None:
    org = fresh_slug()
    await make_event(api, await api.token(org), org, "conf")
    viewer = await api.token(org, [Permission.ORDERS_VIEW])

    create = await api.http.post(
        f"{V1}/organizers/{org}/events/conf/products/",
        headers=viewer,
        json={"name": "T", "price": "1.00"},
    )
    vouchers = await api.http.get(f"{V1}/organizers/{org}/events/conf/vouchers/", headers=viewer)
    new_event = await api.http.post(
        f"{V1}/organizers/{org}/events/", headers=viewer, json={"slug": "x", "name": "x"}
    )

    assert create.status_code == 403
    assert error_of(create) == {
        "code": "auth.denied",
        "message": "Permission denied",
        "details": {"permission": "products.change"},
    }
    assert error_of(vouchers)["details"] == {"permission": "vouchers.view"}
    assert error_of(new_event)["details"] == {"permission": "events.create"}
    readable = await api.http.get(f"{V1}/organizers/{org}/events/conf/products/", headers=viewer)
    assert readable.status_code == 200


async def test_a_team_limited_to_some_events_sees_only_those(api: ApiClient) -> None:
    org = fresh_slug()
    admin = await api.token(org)
    for slug in ("one", "two"):
        await make_event(api, admin, org, slug)
    async with api.database.transaction() as session:
        one_id = (
            await session.execute(
                select(ticket_events.c.id).where(ticket_events.c.slug == f"{org}/one")
            )
        ).scalar_one()
    limited = await api.token(
        org, [Permission.PRODUCTS_CHANGE], all_events=False, event_ids=[one_id]
    )

    listed = await api.http.get(f"{V1}/organizers/{org}/events/", headers=limited)
    other = await api.http.get(f"{V1}/organizers/{org}/events/two/", headers=limited)

    assert [e["slug"] for e in listed.json()["results"]] == ["one"]
    assert other.status_code == 403
    assert (
        await api.http.get(f"{V1}/organizers/{org}/events/one/", headers=limited)
    ).status_code == 200


async def test_pages_link_absolute_urls_and_keep_filters(api: ApiClient) -> None:
    org = fresh_slug()
    headers = await api.token(org)
    await make_event(api, headers, org, "conf")
    base = f"{V1}/organizers/{org}/events/conf/categories/"
    for number in range(5):
        await api.http.post(base, headers=headers, json={"name": f"C{number}", "sort_key": number})

    first = (
        await api.http.get(base, headers=headers, params={"page_size": 2, "is_addon": "false"})
    ).json()
    second = (await api.http.get(first["next"], headers=headers)).json()
    last = (await api.http.get(second["next"], headers=headers)).json()

    assert first["count"] == 5
    assert first["previous"] is None
    assert first["next"] == f"http://node.test{base}?page_size=2&is_addon=false&page=2"
    assert [c["name"] for c in first["results"] + second["results"] + last["results"]] == [
        "C0", "C1", "C2", "C3", "C4",
    ]  # fmt: skip
    assert second["previous"].endswith("page=1")
    assert last["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [({"page": "0"}, "page"), ({"page_size": "201"}, "page_size"), ({"page": "x"}, "page")],
)
async def test_bad_page_parameters_are_422_with_the_field(
    api: ApiClient, params: dict[str, str], field: str
) -> None:
    headers = await api.token(fresh_slug())

    response = await api.http.get(f"{V1}/organizers/", headers=headers, params=params)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "protocol.invalid_payload"
    assert [e["field"] for e in error["details"]["errors"]] == [field]  # type: ignore[index]


async def test_money_is_a_string_on_input_and_output(api: ApiClient) -> None:
    org = fresh_slug()
    headers = await api.token(org)
    await make_event(api, headers, org, "conf")
    products = f"{V1}/organizers/{org}/events/conf/products/"

    as_float = await api.http.post(products, headers=headers, json={"name": "T", "price": 25.5})
    three_places = await api.http.post(
        products, headers=headers, json={"name": "T", "price": "1.005"}
    )
    made = await api.http.post(products, headers=headers, json={"name": "T", "price": "25.5"})

    assert as_float.status_code == 422
    assert error_of(as_float)["details"]["errors"][0]["field"] == "price"  # type: ignore[index]
    assert three_places.status_code == 422
    assert made.json()["price"] == "25.50"


async def test_validation_errors_name_nested_field_paths(api: ApiClient) -> None:
    org = fresh_slug()
    headers = await api.token(org)
    await make_event(api, headers, org, "conf")

    response = await api.http.post(
        f"{V1}/organizers/{org}/events/conf/products/",
        headers=headers,
        json={"name": "T", "price": "1.00", "variations": [{"name": "A"}, {"price": "x"}]},
    )

    assert response.status_code == 422
    fields = {e["field"] for e in error_of(response)["details"]["errors"]}  # type: ignore[index]
    assert fields == {"variations.1.name", "variations.1.price"}


async def test_malformed_json_is_422(api: ApiClient) -> None:
    org = fresh_slug()
    headers = await api.token(org)

    response = await api.http.post(
        f"{V1}/organizers/{org}/events/", headers=headers, content=b"{not json"
    )

    assert response.status_code == 422
    assert error_of(response)["code"] == "protocol.invalid_payload"


async def test_an_idempotency_key_replays_the_first_answer(api: ApiClient) -> None:
    org = fresh_slug()
    headers = {**await api.token(org), "Idempotency-Key": "create-conf"}
    url = f"{V1}/organizers/{org}/events/"
    body = {"slug": "conf", "name": "Conf"}

    first = await api.http.post(url, headers=headers, json=body)
    again = await api.http.post(url, headers=headers, json=body)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotency-Replayed"] == "true"
    assert "Idempotency-Replayed" not in first.headers
    listed = await api.http.get(url, headers=headers)
    assert listed.json()["count"] == 1


async def test_an_idempotency_key_with_another_body_is_refused(api: ApiClient) -> None:
    org = fresh_slug()
    headers = {**await api.token(org), "Idempotency-Key": "k"}
    url = f"{V1}/organizers/{org}/events/"
    await api.http.post(url, headers=headers, json={"slug": "a", "name": "A"})

    response = await api.http.post(url, headers=headers, json={"slug": "b", "name": "B"})

    assert response.status_code == 422
    assert error_of(response)["code"] == "api.idempotency_mismatch"
    assert (await api.http.get(url, headers=headers)).json()["count"] == 1


async def test_keys_are_per_token(api: ApiClient) -> None:
    org = fresh_slug()
    url = f"{V1}/organizers/{org}/events/"
    first = {**await api.token(org), "Idempotency-Key": "same"}
    second = {**await api.token(org), "Idempotency-Key": "same"}

    await api.http.post(url, headers=first, json={"slug": "a", "name": "A"})
    other = await api.http.post(url, headers=second, json={"slug": "b", "name": "B"})

    assert other.status_code == 201
    assert "Idempotency-Replayed" not in other.headers


async def test_a_key_still_running_gets_409_with_retry_after(api: ApiClient) -> None:
    org = fresh_slug()
    headers = {**await api.token(org), "Idempotency-Key": "slow"}
    token = headers["Authorization"].removeprefix("Token ")
    url = f"{V1}/organizers/{org}/events/"
    body = b'{"slug": "a", "name": "A"}'
    async with api.database.transaction() as session:
        principal = await token_principal(session, token)
        assert principal is not None
        await session.execute(
            insert(idempotency_keys).values(
                scope=principal.id,
                key="slow",
                request_hash=request_hash("POST", url, "", body),
                created_at=utc_now() - timedelta(seconds=5),
            )
        )

    response = await api.http.post(
        url, headers={**headers, "Content-Type": "application/json"}, content=body
    )

    assert response.status_code == 409
    assert response.headers["Retry-After"] == "1"
    assert error_of(response)["code"] == "api.idempotency_in_progress"


async def test_a_conflict_is_not_kept_so_a_retry_runs_again(api: ApiClient) -> None:
    org = fresh_slug()
    plain = await api.token(org)
    url = f"{V1}/organizers/{org}/events/"
    await make_event(api, plain, org, "taken")
    keyed = {**plain, "Idempotency-Key": "retry-me"}
    body = {"slug": "taken", "name": "X"}

    first = await api.http.post(url, headers=keyed, json=body)
    await api.http.patch(f"{url}taken/", headers=plain, json={"name": "renamed"})
    second = await api.http.post(url, headers=keyed, json=body)

    assert first.status_code == second.status_code == 409
    assert error_of(first) == {
        "code": "api.conflict",
        "message": "An event with this slug exists already",
        "details": {"field": "slug"},
    }
    assert "Idempotency-Replayed" not in second.headers


async def test_errors_saying_when_to_retry_get_retry_after(api: ApiClient) -> None:
    headers = await api.token(fresh_slug())

    async def busy(_call: ApiCall) -> None:
        raise BusyError(retry_after_s=2.5)

    endpoint = Endpoint("POST", "/test/busy/", busy, summary="busy", tag="test")
    app = api.http._transport.app  # type: ignore[attr-defined]
    app.router.routes.append(
        Route(endpoint.full_path, starlette_endpoint(endpoint), methods=["POST"])
    )

    response = await api.http.post(endpoint.full_path, headers=headers)

    assert response.status_code == 409
    assert response.headers["Retry-After"] == "3"
    assert error_of(response)["code"] == "tickets.busy"


async def test_the_openapi_document_is_valid_and_lists_every_endpoint(api: ApiClient) -> None:
    response = await api.http.get(f"{V1}/openapi.json")

    assert response.status_code == 200
    document = response.json()
    validate(document)
    listed = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert listed == {(e.method, e.full_path) for e in registry.endpoints}
    products = document["paths"][f"{V1}/organizers/{{organizer}}/events/{{event}}/products/"]
    assert {p["name"] for p in products["get"]["parameters"]} >= {
        "organizer", "event", "page", "page_size", "category", "active", "admission", "search",
    }  # fmt: skip
    price = document["components"]["schemas"]["Product"]["properties"]["price"]
    assert price["type"] == "string"
