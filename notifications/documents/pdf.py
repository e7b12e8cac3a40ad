"""WeasyPrint, configured once per process: one font configuration (fontconfig's Noto Sans CJK
SC, subset and embedded), parsed stylesheets kept, and no fetching outside the templates folder."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_FONTS = FontConfiguration()


class _TemplatesOnly(URLFetcher):
    """Templates may link images and CSS beside them; nothing else is fetched (no network, no
    file elsewhere), whatever the context data says."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",))
        self._prefix = root.as_uri() + "/"

    def fetch(self, url, headers=None):
        if not url.startswith(self._prefix):
            raise ValueError(f"document resource outside the templates: {url}")
        return super().fetch(url, headers)


@lru_cache(maxsize=None)
def _stylesheet(path: Path) -> CSS:
    # parsing the CSS is a good part of a one-page document's render time
    return CSS(filename=str(path), font_config=_FONTS)


@lru_cache(maxsize=None)
def _fetcher(root: Path) -> _TemplatesOnly:
    return _TemplatesOnly(root)


def write_pdf(html: str, folder: Path, stylesheets: list[Path]) -> bytes:
    """``html`` (relative links resolved in ``folder``) with ``stylesheets`` as PDF bytes."""
    document = HTML(string=html, base_url=folder.as_uri() + "/", url_fetcher=_fetcher(folder.parent))
    return document.write_pdf(stylesheets=[_stylesheet(p) for p in stylesheets], font_config=_FONTS)
