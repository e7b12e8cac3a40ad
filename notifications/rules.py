"""Rules as data: which event notifies whom on which channels. The shipped defaults are
``rules.json``; admins override them per process (or for every process, ``*``) through the API.
For one (process, event) the process's own rows win, then the ``*`` rows, then the defaults; an
inactive row silences the event there."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from engine.errors import InvalidInput, NotFound
from engine.services.common import admin_or_server

from . import messages
from .models import ALL_PROCESSES, NotificationRule

DEFAULTS: list[dict] = json.loads((Path(__file__).with_name("rules.json")).read_text(encoding="utf-8"))
EVENTS = tuple(dict.fromkeys(r["event"] for r in DEFAULTS))
RECIPIENTS = ("requester", "assignee", "candidates", "supervisor", "owner", "copied", "staff_in_scope")
CHANNELS = ("email", "sms", "inapp")
_CACHE = "notification-rules"


def _view(rule: NotificationRule) -> dict:
    return {"id": rule.id, "process_key": rule.process_key, "event": rule.event, "message": rule.message,
            "recipients": rule.recipients, "channels": rule.channels, "legal": rule.legal,
            "active": rule.active, "updated_at": rule.updated_at}


def _load(uow) -> dict[tuple[str, str], list[dict]]:
    rows: dict[tuple[str, str], list[dict]] = {}
    for rule in uow.session.scalars(select(NotificationRule).order_by(NotificationRule.id)):
        rows.setdefault((rule.process_key, rule.event), []).append(_view(rule))
    return rows


def effective_rules(uow, process_key: str | None, event: str) -> list[dict]:
    """The active rules for ``event`` in ``process_key`` (cached per process for a minute: the
    engine publishes many events and admins change rules rarely)."""
    stored = uow.cache.get_or_load((_CACHE,), lambda: _load(uow))
    for key in ((process_key or ALL_PROCESSES, event), (ALL_PROCESSES, event)):
        if key in stored:
            return [r for r in stored[key] if r["active"]]
    return [r for r in DEFAULTS if r["event"] == event]


def _clean(body: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if body.get("event") not in EVENTS:
        errors["event"] = [f"one of {', '.join(EVENTS)}"]
    if body.get("message") not in messages.names():
        errors["message"] = [f"one of {', '.join(messages.names())}"]
    for name, allowed in (("recipients", RECIPIENTS), ("channels", CHANNELS)):
        values = body.get(name)
        if not isinstance(values, list) or not values or any(v not in allowed for v in values):
            errors[name] = [f"a non-empty list of {', '.join(allowed)}"]
    if errors:
        raise InvalidInput("bad notification rule", fields=errors)
    return {"process_key": (body.get("process_key") or ALL_PROCESSES).strip(), "event": body["event"],
            "message": body["message"], "recipients": list(dict.fromkeys(body["recipients"])),
            "channels": list(dict.fromkeys(body["channels"])), "legal": bool(body.get("legal", False)),
            "active": bool(body.get("active", True))}


def list_rules(uow, actor_id: int | None, process_key: str | None = None) -> dict:
    """The stored rules (of one process, with ``process_key``) and the shipped defaults."""
    admin_or_server(uow, actor_id)
    query = select(NotificationRule).order_by(NotificationRule.process_key, NotificationRule.event, NotificationRule.id)
    if process_key:
        query = query.where(NotificationRule.process_key == process_key)
    return {"rules": [_view(r) for r in uow.session.scalars(query)], "defaults": DEFAULTS}


def save_rule(uow, actor_id: int | None, body: dict, rule_id: int | None = None) -> dict:
    """Create a rule, or replace rule ``rule_id``; one per (process, event, message)."""
    actor = admin_or_server(uow, actor_id)
    clean = _clean(body)
    s = uow.session
    rule = s.get(NotificationRule, rule_id) if rule_id is not None else s.scalar(select(NotificationRule).where(
        NotificationRule.process_key == clean["process_key"], NotificationRule.event == clean["event"],
        NotificationRule.message == clean["message"]))
    if rule is None and rule_id is not None:
        raise NotFound(f"no notification rule {rule_id}")
    if rule is None:
        rule = NotificationRule()
        s.add(rule)
    for name, value in clean.items():
        setattr(rule, name, value)
    rule.updated_at, rule.updated_by_id = uow.clock.now(), actor.id if actor else None
    uow.flush()
    uow.commit()
    uow.cache.forget(_CACHE)
    return _view(rule)


def delete_rule(uow, actor_id: int | None, rule_id: int) -> None:
    admin_or_server(uow, actor_id)
    rule = uow.session.get(NotificationRule, rule_id)
    if rule is None:
        raise NotFound(f"no notification rule {rule_id}")
    uow.session.delete(rule)
    uow.commit()
    uow.cache.forget(_CACHE)
