"""Stopping background tasks for good, even when a library swallowed the first cancellation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

logger = logging.getLogger(__name__)


async def cancel_and_wait(tasks: Iterable[asyncio.Task[None]], attempt_s: float = 0.5) -> None:
    """Cancel ``tasks`` and wait until each has ended, cancelling again if it carried on.

    On Python 3.11 a cancellation that coincides with an ``asyncio.timeout`` expiring can turn
    into a ``TimeoutError`` that a retry loop then handles; a second cancel ends such a loop.
    """
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=attempt_s)
        for task in pending:
            logger.warning("task %s ignored a cancellation; cancelling again", task.get_name())
