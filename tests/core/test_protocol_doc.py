"""docs/protocol.md (socket) and docs/api.md (REST) together list exactly the error codes the
platform defines, each with its HTTP status; the socket reference documents every command."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from core.errors import error_codes
from live.dispatch import registry

DOCS = Path(__file__).parents[2] / "docs"
PROTOCOL_DOC = DOCS / "protocol.md"
API_DOC = DOCS / "api.md"
ROW = re.compile(r"^\| `([a-z_.]+)` \| (\d{3}) \|")
PROJECT_PACKAGES = ("core.", "actors.", "catalog.", "media.", "live.", "web.")


def import_everything() -> None:
    """Every module of the project, so that every error class is registered."""
    for package in PROJECT_PACKAGES:
        root = importlib.import_module(package.rstrip("."))
        for module in pkgutil.walk_packages(root.__path__, package):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


def documented(path: Path) -> dict[str, int]:
    return {
        match[1]: int(match[2])
        for line in path.read_text().splitlines()
        if (match := ROW.match(line))
    }


def test_the_references_list_every_error_code_with_its_status() -> None:
    import_everything()
    socket, rest = documented(PROTOCOL_DOC), documented(API_DOC)
    defined = {
        code: cls.status
        for code, cls in error_codes().items()
        if cls.__module__.startswith(PROJECT_PACKAGES)
    }
    assert {**socket, **rest}.keys() == defined.keys()
    assert {code: status for code, status in {**socket, **rest}.items()} == defined
    assert {code: socket[code] for code in socket.keys() & rest.keys()} == {
        code: rest[code] for code in socket.keys() & rest.keys()
    }


def test_the_protocol_reference_documents_every_command() -> None:
    text = PROTOCOL_DOC.read_text()
    undocumented = [name for name in registry.names if f"`{name}`" not in text]
    assert undocumented == []
