"""The server process of the fan-out benchmark: load a server module's ``create_app()`` and run it
under uvicorn with the one configuration every implementation shares.

Binds 127.0.0.1 only; it measures nothing itself (the runner reads its CPU from ``/proc``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util

import uvicorn

HOST = "127.0.0.1"


def ws_implementation() -> str:
    """uvicorn's sans-I/O websockets protocol where this uvicorn has it, else its default."""
    sansio = "uvicorn.protocols.websockets.websockets_sansio_impl"
    return "websockets-sansio" if importlib.util.find_spec(sansio) else "auto"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("module", help="dotted module exposing create_app()")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = importlib.import_module(args.module).create_app()
    config = uvicorn.Config(
        app,
        host=HOST,
        port=args.port,
        loop="uvloop",
        ws=ws_implementation(),
        ws_per_message_deflate=False,
        lifespan="auto",
        log_level="warning",
        access_log=False,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
