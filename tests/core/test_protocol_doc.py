"""docs/protocol.md lists exactly the error codes the platform defines, with their HTTP status."""

from __future__ import annotations

import re
from pathlib import Path

import actors  # noqa: F401 - registers the runtime's error codes
import live.gateway  # noqa: F401 - registers the live core's error codes and commands
from core.errors import error_codes
from live.dispatch import registry

PROTOCOL_DOC = Path(__file__).parents[2] / "docs" / "protocol.md"
ROW = re.compile(r"^\| `([a-z_.]+)` \| (\d{3}) \|")
PROJECT_PACKAGES = ("core.", "actors.", "catalog.", "media.", "live.", "web.")


def test_the_protocol_reference_lists_every_error_code_with_its_status() -> None:
    documented = {
        match[1]: int(match[2])
        for line in PROTOCOL_DOC.read_text().splitlines()
        if (match := ROW.match(line))
    }
    defined = {
        code: cls.status
        for code, cls in error_codes().items()
        if cls.__module__.startswith(PROJECT_PACKAGES)
    }
    assert documented == defined


def test_the_protocol_reference_documents_every_command() -> None:
    text = PROTOCOL_DOC.read_text()
    undocumented = [name for name in registry.names if f"`{name}`" not in text]
    assert undocumented == []
