"""HTTP app, composition root (``create_app``) and the ``eventyay`` command line."""

from web.app import create_app

__all__ = ["create_app"]
