"""QR codes in documents (segno): inline SVG, so that nothing is fetched at render time."""
from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str) -> Markup:
    """``url`` as an inline SVG QR code (error correction M, a quiet zone of four modules)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=4, border=4))
