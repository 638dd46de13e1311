"""A diagnostic variant of the baseline: stock python-socketio with the cyclic GC switched off.

Not a candidate design (nothing would collect cycles); it shows how much of the stock cost is GC.
"""

from __future__ import annotations

import gc

from starlette.types import ASGIApp

from bench.fanout import stock_server


def create_app() -> ASGIApp:
    gc.disable()
    return stock_server.create_app()
