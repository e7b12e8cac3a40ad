"""zh-CN first, English complete: Flask-Babel with two catalogue domains.

- ``messages``: the pages' own strings, English msgids (``_("Sign in")`` in templates,
  ``gettext`` in Python), translated into ``zh`` (and ``en``, so wording can change without
  touching templates).
- ``processes``: names that come from the diagrams in Chinese (process, step, category names);
  msgids are the Chinese names, ``en`` holds the English. ``name_of(text)`` looks one up and
  falls back to the text itself, so an untranslated new step still shows its Chinese name.

The language is ``?lang=zh|en`` (remembered in the session), else the session's choice, else the
browser's Accept-Language, else zh-CN.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel, Domain, gettext

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
TRANSLATIONS = Path(__file__).parent / "translations"
processes = Domain(translation_directories=[str(TRANSLATIONS)], domain="processes")


def current_language() -> str:
    """``"zh"`` or ``"en"`` for this request."""
    chosen = request.args.get("lang") or session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(["zh", "zh-CN", "en"], default=DEFAULT_LANGUAGE)[:2]


def html_lang() -> str:
    """The value for ``<html lang>``: a BCP 47 tag screen readers pronounce correctly."""
    return "zh-CN" if current_language() == "zh" else "en"


def name_of(text: str | None) -> str:
    """A process, step or category name in the page's language (the Chinese name when untranslated)."""
    return processes.gettext(text) if text else ""


def N_(text: str) -> str:
    """Marks ``text`` for ``pybabel extract`` without translating it now: for a message stored or
    passed on in English and translated where it is shown (``translation_or_none``)."""
    return text


def translation_or_none(text: str | None) -> str | None:
    """``text`` in the page's language, or None when it is English with no translation for a
    Chinese page (engine messages are English): lets a page avoid mixing languages."""
    if not text:
        return None
    translated = gettext(text)
    return translated if translated != text or current_language() == "en" else None


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, default_locale=DEFAULT_LANGUAGE, locale_selector=current_language)

    @app.before_request
    def _remember_language() -> None:
        if request.args.get("lang") in LANGUAGES:
            session["lang"] = request.args["lang"]

    app.jinja_env.filters["name_of"] = name_of
    app.jinja_env.globals.update(current_language=current_language, html_lang=html_lang, name_of=name_of,
                                 translation_or_none=translation_or_none)
