"""``eventyay api-token``: the first set-up path prints a token that the API accepts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.api.api_client import fresh_slug, running_api
from tests.web.test_cli import eventyay
from web.cli import main


def api_token(*args: str, data_dir: Path, db_url: str = "") -> tuple[int, str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("EVENTYAY_")}
    env.update(EVENTYAY_DATA_DIR=str(data_dir), EVENTYAY_LIVE__SEED_DEMO="false")
    if db_url:
        env["EVENTYAY_DB_URL"] = db_url
    done = eventyay("api-token", *args, env=env)
    return done.returncode, done.stdout, done.stderr


async def test_a_new_organizer_gets_created_and_its_token_works(tmp_path: Path) -> None:
    org = fresh_slug()

    status, stdout, stderr = api_token("--organizer", org, "--name", "ci", data_dir=tmp_path)
    again_status, again_stdout, again_stderr = api_token("--organizer", org, data_dir=tmp_path)

    assert status == 0, stderr
    assert f"created the organizer {org}" in stderr
    assert again_status == 0
    assert "created" not in again_stderr
    token = stdout.removesuffix("\n")
    assert token
    assert "\n" not in token
    assert token != again_stdout.strip()
    async with running_api(tmp_path) as api:
        headers = {"Authorization": f"Token {token}"}
        made = await api.http.post(
            f"/api/v1/organizers/{org}/events/", headers=headers, json={"slug": "c", "name": "C"}
        )
        listed = await api.http.get("/api/v1/organizers/", headers=headers)
    assert made.status_code == 201
    assert [o["slug"] for o in listed.json()["results"]] == [org]


@pytest.mark.postgres
async def test_the_token_works_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    org = fresh_slug()

    status, stdout, stderr = api_token("--organizer", org, data_dir=tmp_path, db_url=postgres_url)

    assert status == 0, stderr
    async with running_api(tmp_path, postgres_url) as api:
        headers = {"Authorization": f"Token {stdout.strip()}"}
        response = await api.http.get(f"/api/v1/organizers/{org}/", headers=headers)
    assert response.json() == {"slug": org, "name": org}


@pytest.mark.parametrize("slug", ["bad slug", "_under", "a/b", "x" * 51])
def test_a_bad_slug_exits_2_with_a_message(
    tmp_path: Path,
    slug: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in list(os.environ):
        if name.startswith("EVENTYAY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("EVENTYAY_DATA_DIR", str(tmp_path))

    status = main(["api-token", "--organizer", slug])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.startswith("eventyay api-token: --organizer")
    assert not (tmp_path / "eventyay.sqlite3").exists()
