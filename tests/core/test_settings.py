"""Settings: defaults, environment and TOML sources, validation messages, and the deploy example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.errors import SettingsError
from core.settings import Settings, load_settings, setting_names
from tests.conftest import make_settings

ENV_EXAMPLE = Path(__file__).parents[2] / "deploy" / "env.example"
# `NAME=value` or, for settings without a fixed default, `# NAME=example`.
EXAMPLE_LINE = re.compile(r"^(#\s*)?(EVENTYAY_[A-Z0-9_]+)=(.*)$")


def bad_names(error: SettingsError) -> list[str]:
    """The variable names a SettingsError reports, in its order."""
    return [problem.split(":", 1)[0] for problem in error.problems]


def example_entries() -> list[tuple[str, str, bool]]:
    """(name, value, commented) for every variable line of ``deploy/env.example``."""
    entries = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = EXAMPLE_LINE.match(line)
        if match:
            entries.append((match[2], match[3], match[1] is not None))
    return entries


def test_defaults_describe_an_embedded_node_with_sqlite() -> None:
    settings = make_settings()

    assert settings.model_dump(exclude={"node_id"}) == {
        "data_dir": Path("data"),
        "db_url": "",
        "redis_url": None,
        "debug": False,
        "config_file": None,
        "secret_key": None,
        "db": {"pool_size": 10, "timeout_s": 10.0, "auto_migrate": True, "echo": False},
        "redis": {"key_prefix": "eventyay", "timeout_s": 2.0},
        "actors": {
            "ask_timeout_s": 5.0,
            "idle_ttl_s": 300.0,
            "lease_ttl_s": 3.0,
            "lease_renew_s": 1.0,
            "max_restarts": 3,
            "restart_window_s": 60.0,
            "restart_backoff_s": 0.1,
            "stopped_cooldown_s": 30.0,
            "mailbox_batch": 64,
        },
        "live": {
            "commands_per_s": 20.0,
            "command_burst": 60,
            "max_message_bytes": 65536,
            "command_timeout_s": 10.0,
            "cors_origins": "*",
            "seed_demo": True,
        },
        "web": {"host": "127.0.0.1", "port": 8000, "graceful_timeout_s": 10.0},
        "tickets": {
            "public_url": "",
            "jobs_interval_s": 5.0,
            "webhook_timeout_s": 10.0,
            "webhook_max_attempts": 16,
            "test_payments": True,
        },
        "mail": {
            "smtp_host": "",
            "smtp_port": 25,
            "smtp_user": "",
            "smtp_password": settings.mail.smtp_password,
            "smtp_security": "none",
            "sender": "eventyay <noreply@localhost>",
            "outbox_dir": None,
            "max_attempts": 16,
        },
        "log": {"level": "INFO", "json_lines": False},
    }
    assert settings.mail.smtp_password.get_secret_value() == ""
    assert not settings.cluster_mode


def test_default_node_ids_differ_between_settings_objects() -> None:
    first, second = make_settings(), make_settings()

    assert first.node_id != second.node_id
    assert re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", first.node_id)


def test_environment_sets_top_level_and_nested_values() -> None:
    settings = load_settings(
        environ={
            "EVENTYAY_ACTORS__ASK_TIMEOUT_S": "2.5",
            "EVENTYAY_DB__AUTO_MIGRATE": "false",
            "EVENTYAY_WEB__PORT": "9001",
            "EVENTYAY_LOG__LEVEL": "DEBUG",
            "EVENTYAY_NODE_ID": "node-a",
            "EVENTYAY_DEBUG": "1",
            "HOME": "/ignored",
            "EVENTYAYX_NOT_OURS": "ignored",
        }
    )

    assert settings.actors.ask_timeout_s == 2.5
    assert settings.actors.idle_ttl_s == 300.0
    assert settings.db.auto_migrate is False
    assert settings.web.port == 9001
    assert settings.log.level == "DEBUG"
    assert settings.node_id == "node-a"
    assert settings.debug is True


def test_environment_overrides_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "eventyay.toml"
    config.write_text(
        'db_url = "postgresql://db.example/eventyay"\n'
        "[actors]\nask_timeout_s = 1.5\nidle_ttl_s = 42.0\n"
        "[web]\nport = 8100\n"
    )

    settings = load_settings(
        environ={"EVENTYAY_CONFIG_FILE": str(config), "EVENTYAY_ACTORS__ASK_TIMEOUT_S": "2.5"}
    )

    assert settings.config_file == config
    assert settings.db_url == "postgresql://db.example/eventyay"
    assert settings.actors.ask_timeout_s == 2.5
    assert settings.actors.idle_ttl_s == 42.0
    assert settings.web.port == 8100


def test_unreadable_config_file_names_the_variable(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"

    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"EVENTYAY_CONFIG_FILE": str(missing)})

    assert bad_names(caught.value) == ["EVENTYAY_CONFIG_FILE"]
    assert str(missing) in caught.value.message


def test_bad_value_in_config_file_names_its_variable(tmp_path: Path) -> None:
    config = tmp_path / "eventyay.toml"
    config.write_text("[redis]\ntimeout_s = -1\n")

    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"EVENTYAY_CONFIG_FILE": str(config)})

    assert bad_names(caught.value) == ["EVENTYAY_REDIS__TIMEOUT_S"]


def test_bad_value_names_its_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"EVENTYAY_ACTORS__ASK_TIMEOUT_S": "soon"})

    error = caught.value
    assert error.code == "settings.invalid"
    assert bad_names(error) == ["EVENTYAY_ACTORS__ASK_TIMEOUT_S"]
    assert error.message.startswith("Invalid settings:\n  EVENTYAY_ACTORS__ASK_TIMEOUT_S: ")


def test_every_bad_variable_is_named_at_once() -> None:
    environ = {
        "EVENTYAY_DB_URL": "mysql://db.example/eventyay",
        "EVENTYAY_REDIS_URL": "http://redis.example",
        "EVENTYAY_NODE_ID": "has spaces",
        "EVENTYAY_DB__POOL_SIZE": "0",
        "EVENTYAY_REDIS__KEY_PREFIX": "bad prefix!",
        "EVENTYAY_ACTORS__MAILBOX_BATCH": "many",
        "EVENTYAY_WEB__PORT": "70000",
        "EVENTYAY_LOG__LEVEL": "LOUD",
        "EVENTYAY_COLOUR": "blue",
        "EVENTYAY_ACTORS__SPEED": "fast",
    }

    with pytest.raises(SettingsError) as caught:
        load_settings(environ=environ)

    error = caught.value
    assert sorted(bad_names(error)) == sorted(environ)
    for name in environ:
        assert f"\n  {name}: " in error.message


def test_a_section_or_a_plain_value_used_the_wrong_way_is_named() -> None:
    environ = {"EVENTYAY_ACTORS": "3", "EVENTYAY_DB_URL__HOST": "x", "EVENTYAY_WEB__PORT": "x"}

    with pytest.raises(SettingsError) as caught:
        load_settings(environ=environ)

    assert caught.value.problems == [
        "EVENTYAY_ACTORS: is a section; set its fields as EVENTYAY_ACTORS__<FIELD>",
        "EVENTYAY_DB_URL__HOST: EVENTYAY_DB_URL is not a section",
        "EVENTYAY_WEB__PORT: Input should be a valid integer, unable to parse string as an integer",
    ]


def test_log_level_is_case_insensitive() -> None:
    assert load_settings(environ={"EVENTYAY_LOG__LEVEL": "debug"}).log.level == "DEBUG"


def test_settings_are_frozen() -> None:
    settings = make_settings()

    with pytest.raises(ValidationError, match="frozen"):
        settings.debug = True  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        settings.actors.ask_timeout_s = 1.0  # type: ignore[misc]


def test_redis_url_switches_to_cluster_mode() -> None:
    assert make_settings(redis_url="redis://127.0.0.1:6379/0").cluster_mode
    assert load_settings(environ={"EVENTYAY_REDIS_URL": "rediss://r.example"}).cluster_mode
    assert not load_settings(environ={"EVENTYAY_REDIS_URL": ""}).cluster_mode
    assert not make_settings().cluster_mode


def test_empty_db_url_means_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = make_settings(data_dir=tmp_path / "node")

    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/node/eventyay.sqlite3"


def test_relative_data_dir_resolves_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    settings = load_settings(environ={"EVENTYAY_DATA_DIR": "state"})

    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/state/eventyay.sqlite3"


def test_given_db_url_is_used_as_is() -> None:
    url = "postgresql://eventyay@db.example:5432/eventyay"

    assert make_settings(db_url=url).database_url == url


def test_secret_key_never_appears_in_repr_or_dumps() -> None:
    hidden = "hunter2-do-not-print"
    settings = load_settings(environ={"EVENTYAY_SECRET_KEY": hidden})

    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == hidden
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert hidden not in shown


def test_env_example_lists_exactly_the_setting_names() -> None:
    assert [name for name, _, _ in example_entries()] == setting_names()


def test_env_example_values_are_the_defaults() -> None:
    environ = {name: value for name, value, commented in example_entries() if not commented}

    from_example = load_settings(environ=environ)

    assert from_example.model_dump(exclude={"node_id"}) == make_settings().model_dump(
        exclude={"node_id"}
    )


def test_setting_names_cover_every_field() -> None:
    sections = {"db", "redis", "actors", "live", "web", "tickets", "mail", "log"}
    expected = [
        f"EVENTYAY_{name.upper()}" for name in Settings.model_fields if name not in sections
    ]
    for section in sections:
        fields = Settings.model_fields[section].annotation.model_fields  # type: ignore[union-attr]
        expected += [f"EVENTYAY_{section.upper()}__{name.upper()}" for name in fields]

    assert sorted(setting_names()) == sorted(expected)
