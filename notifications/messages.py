"""Message templates: one folder per message under notifications/templates (zh-CN, and English
in ``en/``), each with ``sample.json`` so that a test renders every one. The text is rendered
when the outbox row is written, so a retry sends exactly what the state change produced."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine.errors import InvalidInput, NotFound

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGS = ("zh-CN", "en")
SEGMENT = 70  # UCS-2 characters in one SMS; a longer text is split into 67-character parts


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    html: str | None = None


def names() -> list[str]:
    return sorted(p.parent.name for p in TEMPLATES.glob("*/subject.txt"))


def sample_context(name: str) -> dict:
    return json.loads((_folder(name) / "sample.json").read_text(encoding="utf-8"))


def sms_segments(text: str) -> int:
    """How many SMS segments ``text`` takes (any CJK character makes it UCS-2)."""
    return 1 if len(text) <= SEGMENT else math.ceil(len(text) / 67)


def _folder(name: str) -> Path:
    if name not in names():
        raise NotFound(f"no message template {name!r}")
    return TEMPLATES / name


def _clip(text: object, length: int) -> str:
    """Shorten free text (a reason, a place) so that an SMS stays in one segment."""
    text = str(text)
    return text if len(text) <= length else text[:length - 1] + "…"


@lru_cache(maxsize=1)
def _jinja() -> Environment:
    # StrictUndefined: a field missing from the context fails in the template tests, not as a
    # blank in a message to a citizen.
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, keep_trailing_newline=False)
    env.filters["clip"] = _clip
    return env


def _text(name: str, lang: str, file: str, context: dict) -> str:
    path = f"{name}/{file}" if lang == "zh-CN" else f"{name}/en/{file}"
    return _jinja().get_template(path).render(context).strip()


def render(name: str, channel: str, context: dict, lang: str = "zh-CN", signature: str = "") -> Rendered:
    """Message ``name`` for ``channel`` (email, sms, inapp) in ``lang``. An SMS is one line
    that starts with the registered ``signature`` (【…】), as carriers require."""
    _folder(name)
    if lang not in LANGS:
        raise InvalidInput(f"unknown language {lang!r}", fields={"lang": [f"one of {', '.join(LANGS)}"]})
    if channel == "sms":
        return Rendered("", signature + " ".join(_text(name, lang, "sms.txt", context).split()))
    subject = " ".join(_text(name, lang, "subject.txt", context).split())
    if channel == "email":
        return Rendered(subject, _text(name, lang, "body.txt", context) + "\n",
                        _text(name, lang, "body.html", context | {"subject": subject}) + "\n")
    return Rendered(subject, _text(name, lang, "inapp.txt", context))
