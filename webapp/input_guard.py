"""Text and numbers no field may hold, refused at the door with the field's name: a NUL byte
(PostgreSQL cannot store one, so it would fail deep inside a transaction), a lone surrogate
(not Unicode, so no database or PDF can encode it), JSON nested deeper than any of our
documents (Python's parser would run out of stack), and numbers no column holds (10^4000
digits, 1e400 as infinity). Checked once per request, before any view, for query arguments,
form fields and JSON bodies alike, so that every endpoint and page is covered, including the
ones written later."""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator

from flask import Flask, request

from engine.errors import InvalidInput

MAX_DEPTH = 64  # the deepest legitimate body (a form inside a bundle's answers) is under 10
MAX_INT = 2**63 - 1  # a BIGINT; anything larger is no id, count or amount of ours
FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
JSON_TYPES = ("application/json", "application/merge-patch+json")


def _named(path: str) -> str:
    """A field's name as the error may print it (the offending characters shown as ?)."""
    return FORBIDDEN.sub("?", path) or "body"


def _problem(text: str | None) -> str | None:
    match = FORBIDDEN.search(text) if isinstance(text, str) else None
    if match is None:
        return None
    return "must not contain a NUL byte" if match.group() == "\x00" else "is not valid Unicode (a lone surrogate)"


def _leaves(value, path: str, depth: int = 0) -> Iterator[tuple[str, object]]:
    """Every (dotted path, scalar) of a parsed JSON body, keys included as their own path."""
    if depth > MAX_DEPTH:
        raise InvalidInput("the JSON body is nested too deeply", fields={_named(path): [f"at most {MAX_DEPTH} levels"]})
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            yield inner, key
            yield from _leaves(item, inner, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}.{index}" if path else str(index), depth + 1)
    else:
        yield path or "body", value


def _scalar_problem(value) -> str | None:
    if isinstance(value, str):
        return _problem(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > MAX_INT:
        return f"is out of range (at most {MAX_INT})"
    if isinstance(value, float) and not math.isfinite(value):
        return "is out of range"
    return None


def _json_body():
    """The parsed body, or InvalidInput when it is not JSON we can read (Flask's own parser
    lets RecursionError through as a 500)."""
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw, parse_constant=lambda name: float("nan"))
    except RecursionError:
        raise InvalidInput("the JSON body is nested too deeply", fields={"body": [f"at most {MAX_DEPTH} levels"]}) from None
    except (ValueError, UnicodeDecodeError):
        return None  # malformed JSON: the view's own parser says so, as it always has


def check_request() -> None:
    """Raise InvalidInput naming the first field whose text or number no field may hold."""
    fields: dict[str, list[str]] = {}
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            problem = _problem(name) or _problem(value)
            if problem:
                fields.setdefault(_named(name or ""), []).append(problem)
    if request.mimetype in JSON_TYPES and request.content_length != 0:
        body = _json_body()
        for path, value in _leaves(body, "") if body is not None else ():
            problem = _scalar_problem(value)
            if problem:
                fields.setdefault(_named(path), []).append(problem)
    if fields:
        raise InvalidInput("some fields hold characters or numbers that cannot be stored", fields=fields)


def init_input_guard(app: Flask) -> None:
    app.before_request(check_request)
