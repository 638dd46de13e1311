"""The one "keep the stored value" marker of the talk catalog, for keywords where ``None`` is a
value of its own (no deadline, no room, open on that side). Holds no behaviour.
"""

from __future__ import annotations

from enum import Enum
from typing import Final


class Unchanged(Enum):
    """The type of ``UNCHANGED``; its one member narrows with ``is`` and ``isinstance``."""

    UNCHANGED = "unchanged"


UNCHANGED: Final = Unchanged.UNCHANGED
