"""The one frozen settings object, read from ``EVENTYAY_*`` variables and an optional TOML file.

Built once by the composition root (``web``); every package receives only its own section.
Nothing here reads the environment at import time.
"""

from __future__ import annotations

import os
import socket
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from core.errors import SettingsError

ENV_PREFIX = "EVENTYAY_"
NESTED_DELIMITER = "__"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatabaseSettings(_Section):
    """Connection handling for SQLite (embedded) and PostgreSQL (cluster)."""

    pool_size: int = Field(10, ge=1, le=200)
    timeout_s: float = Field(10.0, gt=0, le=300)
    auto_migrate: bool = True
    echo: bool = False


class RedisSettings(_Section):
    """Redis client behaviour; the URL itself is ``EVENTYAY_REDIS_URL``."""

    key_prefix: str = Field("eventyay", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    timeout_s: float = Field(2.0, gt=0, le=60)


class ActorSettings(_Section):
    """Defaults of the actor runtime; actor classes may override idle time and restarts."""

    ask_timeout_s: float = Field(5.0, gt=0, le=600)
    idle_ttl_s: float = Field(300.0, gt=0)
    lease_ttl_s: float = Field(3.0, ge=0.5, le=60)
    lease_renew_s: float = Field(1.0, gt=0, le=30)
    max_restarts: int = Field(3, ge=0, le=100)
    restart_window_s: float = Field(60.0, gt=0)
    restart_backoff_s: float = Field(0.1, ge=0, le=60)
    stopped_cooldown_s: float = Field(30.0, ge=0)
    mailbox_batch: int = Field(64, ge=1, le=10_000)


class LiveSettings(_Section):
    """The live socket gateway."""

    commands_per_s: float = Field(20.0, gt=0)
    command_burst: int = Field(60, ge=1)
    max_message_bytes: int = Field(64 * 1024, ge=1024, le=16 * 1024 * 1024)
    command_timeout_s: float = Field(10.0, gt=0)
    cors_origins: str = Field("*", description="comma-separated origins; * allows any")
    seed_demo: bool = True

    @property
    def allowed_origins(self) -> list[str] | str:
        """``"*"`` or the list of origins, as python-socketio takes them."""
        origins = [o.strip() for o in self.cors_origins.split(",") if o.strip()]
        return "*" if "*" in origins else origins


class WebSettings(_Section):
    """The HTTP server."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    graceful_timeout_s: float = Field(10.0, ge=0, le=600)


class TicketSettings(_Section):
    """Selling tickets: links sent to buyers, background jobs, webhooks."""

    public_url: str = Field(
        "", description="base URL of the platform in links sent out; empty: from web host/port"
    )
    jobs_interval_s: float = Field(5.0, gt=0, le=3600)
    webhook_timeout_s: float = Field(10.0, gt=0, le=120)
    webhook_max_attempts: int = Field(16, ge=1, le=50)
    test_payments: bool = True


class MailSettings(_Section):
    """Outgoing email: SMTP when ``smtp_host`` is set, else files in the outbox folder."""

    smtp_host: str = ""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    sender: str = "eventyay <noreply@localhost>"
    outbox_dir: Path | None = None
    max_attempts: int = Field(16, ge=1, le=50)


class LogSettings(_Section):
    """Log output of the process."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_lines: bool = False

    @field_validator("level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class Settings(_Section):
    """Everything the platform can be told at start-up.

    ``redis_url`` unset means the embedded mode (in-process actor transport); an empty ``db_url``
    means SQLite in ``data_dir``.
    """

    data_dir: Path = Path("data")
    db_url: str = ""
    redis_url: str | None = None
    debug: bool = False
    config_file: Path | None = None
    node_id: str = Field(
        default_factory=lambda: _default_node_id(), pattern=r"^[A-Za-z0-9_.:-]{1,64}$"
    )
    secret_key: SecretStr | None = None

    db: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    actors: ActorSettings = ActorSettings()
    live: LiveSettings = LiveSettings()
    web: WebSettings = WebSettings()
    tickets: TicketSettings = TicketSettings()
    mail: MailSettings = MailSettings()
    log: LogSettings = LogSettings()

    @field_validator("db_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql", "postgres://")):
            msg = "must be a sqlite:// or postgresql:// URL (or empty for SQLite in the data dir)"
            raise ValueError(msg)
        return value

    @field_validator("redis_url")
    @classmethod
    def _known_redis(cls, value: str | None) -> str | None:
        if value == "":
            return None
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            msg = "must be a redis://, rediss:// or unix:// URL (or unset for the embedded mode)"
            raise ValueError(msg)
        return value

    @property
    def cluster_mode(self) -> bool:
        """True when nodes talk over Redis; False for the embedded, one-process mode."""
        return self.redis_url is not None

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL to use, SQLite in the data dir when none was given."""
        if self.db_url:
            return self.db_url
        return f"sqlite:///{(self.data_dir / 'eventyay.sqlite3').resolve()}"


def _default_node_id() -> str:
    return f"{socket.gethostname()[:32]}-{os.getpid()}-{uuid4().hex[:6]}"


def env_var_name(location: tuple[str | int, ...]) -> str:
    """The variable that sets the field at ``location``, e.g. ``("actors", "idle_ttl_s")``."""
    return ENV_PREFIX + NESTED_DELIMITER.join(str(part) for part in location).upper()


def _sections() -> dict[str, type[_Section]]:
    """The nested sections of ``Settings`` by field name."""
    return {
        name: field.annotation
        for name, field in Settings.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)
    }


def setting_names() -> list[str]:
    """Every ``EVENTYAY_*`` variable the settings understand, in declaration order."""
    sections = _sections()
    names: list[str] = []
    for name in Settings.model_fields:
        if name in sections:
            names.extend(env_var_name((name, sub)) for sub in sections[name].model_fields)
        else:
            names.append(env_var_name((name,)))
    return names


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings from ``environ`` (default: the process environment) and overrides.

    A TOML file named by ``EVENTYAY_CONFIG_FILE`` supplies defaults that the environment overrides.

    Raises:
        SettingsError: naming every bad variable, with the reason for each.
    """
    env = dict(os.environ if environ is None else environ)
    file_values = _read_config_file(env.get(ENV_PREFIX + "CONFIG_FILE"))
    source, problems = _environment_values(env)
    merged = _deep_merge(_deep_merge(file_values, source), overrides)
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        problems += [
            f"{env_var_name(tuple(error['loc']))}: {error['msg']}" for error in exc.errors()
        ]
    if problems:
        raise SettingsError(problems)
    return settings


def _environment_values(env: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The ``EVENTYAY_*`` variables as nested values, and the names that cannot be placed."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    sections = _sections()
    for raw_name, value in sorted(env.items()):
        name = raw_name.upper()
        if not name.startswith(ENV_PREFIX):
            continue
        path = name[len(ENV_PREFIX) :].lower().split(NESTED_DELIMITER)
        if len(path) > 1 and path[0] in Settings.model_fields and path[0] not in sections:
            problems.append(f"{name}: {ENV_PREFIX}{path[0].upper()} is not a section")
            continue
        if len(path) == 1 and path[0] in sections:
            problems.append(f"{name}: is a section; set its fields as {name}__<FIELD>")
            continue
        target = values
        for part in path[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                problems.append(f"{name}: {ENV_PREFIX}{part.upper()} is not a section")
                break
        else:
            target[path[-1]] = value
    return values, problems


def _read_config_file(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        with Path(path).open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError([f"{ENV_PREFIX}CONFIG_FILE: cannot read {path}: {exc}"]) from None


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
