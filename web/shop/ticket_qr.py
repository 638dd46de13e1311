"""A ticket's QR code as inline SVG (segno); the code carries only the ticket's secret."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(secret: str, title: str) -> Markup:
    """SVG markup safe to place in a page as is (segno escapes the title)."""
    code = segno.make(secret, error="m", micro=False)
    return Markup(code.svg_inline(scale=6, border=4, title=title, svgclass="ticket-qr"))  # noqa: S704 - segno builds the markup from a fixed shape and escapes the title
