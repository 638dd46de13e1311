"""``eventyay token`` and the secret key it derives event issuers from."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import stat
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from core.clock import utc_now
from core.errors import SettingsError
from core.secrets import load_secret_key
from core.settings import load_settings
from live.tokens import verify_token
from tests.conftest import make_settings
from tests.web.test_cli import eventyay
from web.token_command import add_token_arguments, event_issuer, token_command

REPO_ROOT = Path(__file__).parents[2]
EXPLICIT_KEY = "an-explicit-key-from-the-settings"


def eventyay_token(
    *args: str, data_dir: Path, **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run ``eventyay token`` as an operator would, with only the EVENTYAY_* variables given."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("EVENTYAY_")}
    env.update(variables, EVENTYAY_DATA_DIR=str(data_dir))
    return eventyay("token", *args, env=env)


def token_args(*args: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_token_arguments(parser)
    return parser.parse_args(args)


def test_the_command_prints_only_a_token_the_event_issuer_accepts(tmp_path: Path) -> None:
    done = eventyay_token(
        "--event", "org/conf", "--traits", "attendee,org-item-7", "--uid", "ada", "--name", "Ada",
        "--days", "3", data_dir=tmp_path,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    token = done.stdout.removesuffix("\n")
    assert token.count(".") == 2
    assert "\n" not in token
    issuer = asyncio.run(event_issuer(make_settings(data_dir=tmp_path), "org/conf"))
    claims = verify_token(token, [issuer])
    assert (claims.uid, claims.traits, claims.display_name, claims.issuer) == (
        "ada",
        frozenset({"attendee", "org-item-7"}),
        "Ada",
        "eventyay",
    )
    assert abs(claims.expires_at - (utc_now() + timedelta(days=3))) < timedelta(minutes=1)


def test_the_command_exits_2_on_bad_traits(tmp_path: Path) -> None:
    done = eventyay_token("--event", "org/conf", "--traits", "attendee,a|b", data_dir=tmp_path)

    assert (done.returncode, done.stdout) == (2, "")
    assert "--traits" in done.stderr


async def test_uid_defaults_to_a_random_hex_and_validity_to_one_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(data_dir=tmp_path)

    assert await token_command(settings, token_args("--event", "org/conf", "--traits", "a")) == 0
    assert await token_command(settings, token_args("--event", "org/conf", "--traits", "a")) == 0

    issuer = await event_issuer(settings, "org/conf")
    first, second = (verify_token(token, [issuer]) for token in capsys.readouterr().out.split())
    assert first.uid != second.uid
    assert len(first.uid) == 32
    assert int(first.uid, 16) >= 0
    assert first.display_name is None
    assert abs(first.expires_at - (utc_now() + timedelta(days=1))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--traits", "has space"], "--traits"),
        (["--traits", ""], "--traits"),
        (["--traits", "a,,b"], "--traits"),
        (["--traits", "x" * 201], "--traits"),
        (["--days", "0"], "--days"),
        (["--days", "366"], "--days"),
        (["--event", "conf"], "--event"),
        (["--event", "org/conf/extra"], "--event"),
        (["--uid", "u" * 201], "uid"),
        (["--name", "n" * 101], "display_name"),
    ],
)
async def test_bad_input_exits_2_with_a_message_and_prints_no_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], complaint: str
) -> None:
    defaults = {"--event": "org/conf", "--traits": "attendee"}
    defaults.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = [part for pair in defaults.items() for part in pair]

    status = await token_command(make_settings(data_dir=tmp_path), token_args(*argv))

    output = capsys.readouterr()
    assert (status, output.out) == (2, "")
    assert output.err.startswith("eventyay token: ")
    assert complaint in output.err


async def test_an_event_issuer_is_derived_from_the_secret_key_and_the_event(
    tmp_path: Path,
) -> None:
    settings = make_settings(data_dir=tmp_path, secret_key="k" * 40)

    issuer = await event_issuer(settings, "org/conf")

    expected = hmac.new(b"k" * 40, b"org/conf", hashlib.sha256).hexdigest()
    assert (issuer.issuer, issuer.audience, issuer.secret) == ("eventyay", "org/conf", expected)
    assert (await event_issuer(settings, "org/other")).secret != expected
    assert await event_issuer(settings, "org/conf") == issuer


def test_the_secret_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    settings = make_settings(data_dir=tmp_path / "data")

    key = load_secret_key(settings)

    key_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == key + "\n"
    assert len(bytes.fromhex(key)) == 32
    assert load_secret_key(settings) == key
    assert load_secret_key(make_settings(data_dir=tmp_path / "data")) == key
    assert sorted(path.name for path in (tmp_path / "data").iterdir()) == ["secret_key"]


def test_an_existing_secret_key_file_is_kept(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("kept-from-before\n")

    assert load_secret_key(make_settings(data_dir=tmp_path)) == "kept-from-before"


def test_an_empty_secret_key_file_is_a_settings_error(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("\n")

    with pytest.raises(SettingsError, match="is empty"):
        load_secret_key(make_settings(data_dir=tmp_path))


def test_an_explicit_secret_key_wins_and_no_file_is_written(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("from-the-file\n")
    environ = {"EVENTYAY_SECRET_KEY": EXPLICIT_KEY, "EVENTYAY_DATA_DIR": str(tmp_path / "fresh")}

    assert load_secret_key(load_settings(environ=environ)) == EXPLICIT_KEY
    assert (
        load_secret_key(make_settings(data_dir=tmp_path, secret_key=EXPLICIT_KEY)) == EXPLICIT_KEY
    )
    assert not (tmp_path / "fresh").exists()


def test_the_command_signs_with_an_explicit_secret_key(tmp_path: Path) -> None:
    done = eventyay_token(
        "--event", "org/conf", "--traits", "attendee", data_dir=tmp_path,
        EVENTYAY_SECRET_KEY=EXPLICIT_KEY,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    issuer = asyncio.run(event_issuer(make_settings(secret_key=EXPLICIT_KEY), "org/conf"))
    assert verify_token(done.stdout.strip(), [issuer]).traits == {"attendee"}
    assert list(tmp_path.iterdir()) == []
