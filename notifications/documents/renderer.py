"""HTML + CSS to PDF. Every document uses the system's Noto Sans CJK SC through fontconfig, so
the PDF embeds a subset of it and reads the same on any reader, with or without CJK fonts."""
from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine.errors import InvalidInput, NotFound

from .qr import qr_svg

HERE = Path(__file__).resolve().parent
LANGS = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"


def names() -> list[str]:
    """The document templates: every folder here with a ``template.html``."""
    return sorted(p.parent.name for p in HERE.glob("*/template.html"))


def _folder(name: str) -> Path:
    if name not in names():
        raise NotFound(f"no document template {name!r}")
    return HERE / name


def sample_context(name: str) -> dict:
    """The folder's ``sample.json``: what a designer previews the template with."""
    return json.loads((_folder(name) / "sample.json").read_text(encoding="utf-8"))


def _day(value, lang: str = DEFAULT_LANG) -> str:
    """An ISO date or date-time (or a date object) as a calendar day in the document's language,
    taken in the zone it is written in (callers pass local times, e.g. +08:00)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise InvalidInput(f"not a date: {value!r}")
    return f"{value:%d %B %Y}" if lang == "en" else f"{value.year}年{value.month}月{value.day}日"


def _money(value) -> str:
    return f"¥{float(value):,.2f}"


@lru_cache(maxsize=1)
def _jinja() -> Environment:
    # StrictUndefined: a template naming a field the caller did not supply fails loudly in the
    # tests instead of printing a blank box on an official notice.
    env = Environment(loader=FileSystemLoader(HERE), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["money"] = _money
    env.filters["qr"] = qr_svg
    return env


def render(name: str, context: dict, lang: str = DEFAULT_LANG) -> bytes:
    """The PDF of template ``name`` with ``context``; the same inputs give the same content.
    Labels are zh-CN unless ``lang`` is ``"en"``; the data itself is printed as given."""
    from . import pdf  # WeasyPrint takes most of a second to import; most processes never render
    if lang not in LANGS:
        raise InvalidInput(f"unknown language {lang!r}", fields={"lang": [f"one of {', '.join(LANGS)}"]})
    folder = _folder(name)
    html = _jinja().get_template(f"{name}/template.html").render(
        {**context, "lang": lang, "t": lambda zh, en: en if lang == "en" else zh,
         "day": lambda value: _day(value, lang)})
    return pdf.write_pdf(html, folder, [HERE / "base.css", folder / "theme.css"])
