"""Generated PDF documents: one folder per document (``template.html``, ``theme.css``,
``sample.json``) rendered with WeasyPrint, the CJK font embedded. ``store`` serves the stored ones."""
from .renderer import DEFAULT_LANG, LANGS, names, render, sample_context

__all__ = ["DEFAULT_LANG", "LANGS", "names", "render", "sample_context"]
