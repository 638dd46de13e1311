"""Catalog services around the live core: tickets (entitlements) and talk (room timelines).

May import ``core`` and ``actors`` only; never ``media``.
"""
