"""Who a human task is for: candidate groups (``role``, ``ORGCODE``, ``role@ORGCODE``), lanes as roles."""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import expressions
from .errors import ProcessRefusal
from .models import ROLES

_EXPR = re.compile(r"[$#]\{([^}]*)\}")  # Camunda reads #{…} as ${…}
_LANE_ALIASES = {label.lower(): name for name, (zh, en) in ROLES.items() for label in (zh, en)}


@dataclass(frozen=True)
class Candidate:
    role: str | None
    org_code: str | None


def parse_group(text: str) -> Candidate:
    """``handler`` → role; ``handler@JH-CG`` → role in org unit; anything else → org unit code."""
    text = text.strip()
    if "@" in text:
        role, _, code = text.partition("@")
        return Candidate(role.strip() or None, code.strip() or None)
    if text in ROLES:
        return Candidate(text, None)
    return Candidate(None, text)


def lane_role(lane: str | None) -> str | None:
    """A lane named after a role (``Dispatcher``, ``dispatcher`` or ``分拨员``) means that role."""
    if not lane:
        return None
    name = lane.strip().lower()
    return name if name in ROLES else _LANE_ALIASES.get(name)


def expressions_in(text: str) -> list[str]:
    return _EXPR.findall(text or "")


def substitute(text: str, evaluate) -> str:
    """Replace each ``${expr}`` in ``text`` with ``str(evaluate(expr))``."""
    return _EXPR.sub(lambda m: str(evaluate(m.group(1))), text)


def split_entries(text: str) -> list[str]:
    """``a, handler@${unit}, ${f(x, y)}`` → three entries: commas inside ``${…}`` do not split."""
    entries, depth, current = [], 0, ""
    for i, ch in enumerate(text):
        if ch == "{" and i and text[i - 1] in "$#":
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        if ch == "," and not depth:
            entries.append(current)
            current = ""
        else:
            current += ch
    return [e.strip() for e in [*entries, current] if e.strip()]


def expand(entries, evaluate) -> list[str]:
    """Each entry with its ``${…}`` parts evaluated. An entry that is one expression yielding a
    list (``${approvers}``) gives one entry per item, as Camunda's candidate expressions do."""
    out = []
    for entry in entries:
        whole = _EXPR.fullmatch(entry.strip())
        if whole:
            value = evaluate(whole.group(1))
            items = value if isinstance(value, (list, tuple, set)) else str(value).split(",")
            out += [str(v).strip() for v in items if str(v).strip() and v is not None]
        else:
            out += split_entries(substitute(entry, evaluate))
    return out


def task_priority(text: str | None, data: dict, element: str, default: int) -> int:
    """``camunda:priority`` / ``camunda:taskPriority``: a whole number or ``${expression}`` on the
    task's data. Anything else stops the step with a refusal naming it, never a silent default."""
    if not text:
        return default
    try:
        return int(substitute(text, lambda expr: expressions.evaluate(expr, data)))
    except ValueError as exc:
        raise ProcessRefusal(f"task {element}: priority is not a whole number ({exc})",
                             fields={element: ["priority is not a whole number"]}) from exc
