"""The installation's secret key: from settings, or generated once into the data directory.

Other secrets are derived from it by their owners; this module must not log or return it elsewhere.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from core.errors import SettingsError
from core.settings import Settings

KEY_FILE_NAME = "secret_key"
_KEY_BYTES = 32


def load_secret_key(settings: Settings) -> str:
    """``EVENTYAY_SECRET_KEY`` if set, else the key in ``<data_dir>/secret_key``.

    The file is created on first use with 32 random bytes (hex) and mode 0600. Blocking file I/O:
    call it at start-up or from a thread.

    Raises:
        SettingsError: the file cannot be read or created, or it is empty.
    """
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.data_dir / KEY_FILE_NAME
    try:
        if not path.exists():
            _create_key_file(path)
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError([f"EVENTYAY_SECRET_KEY: unset, and {path}: {exc}"]) from None
    if not key:
        raise SettingsError([f"EVENTYAY_SECRET_KEY: unset, and {path} is empty"])
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key to a private temporary file and link it into place.

    Linking fails if another process created the key first; its key then wins, and readers never
    see a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(_KEY_BYTES) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)
