"""The in-transaction subscriber: an event, through the rules, becomes outbox rows (e-mail, SMS)
and in-app rows, added to the session of the state change that caused it, so that they commit
with it or not at all. Nothing here talks to a channel; a template that fails to render becomes
a dead letter for admins instead of failing the citizen's or caseworker's action."""
from __future__ import annotations

import logging
import uuid
from zoneinfo import ZoneInfo

from jinja2 import TemplateError
from sqlalchemy import select

from engine.errors import CivicFlowError
from engine.models import Case, Task
from engine.models.documents import Document

from . import digest, messages
from .models import InAppNotification, OutboxMessage
from .recipients import Recipient, resolve
from .rules import effective_rules

log = logging.getLogger(__name__)
SUPPLEMENT_WORDS = ("supplement", "补正")
MAX_PEOPLE = 50  # a task claimable by more than this many people notifies them in the inbox only


def status_url(settings, case: Case) -> str:
    return f"{settings.public_url}/status/{case.number}?code={case.query_code or ''}"


def _task_view(uow, task: Task | None) -> dict:
    if task is None:
        return {"name": "", "due": ""}
    due = task.due_at.astimezone(ZoneInfo(uow.settings.timezone)) if task.due_at else None
    return {"name": task.name, "due": f"{due.month}月{due.day}日 {due:%H:%M}" if due else ""}


def context(uow, case: Case, event, recipient: Recipient) -> dict:
    """What every template may use; the event's payload adds its own (reason, granted, note, …)."""
    ids = event.payload.get("task_ids") or ([event.task_id] if event.task_id else [])
    task = uow.session.get(Task, ids[0]) if ids else None
    url = status_url(uow.settings, case)
    base = {"reason": "", "note": "", "granted": False, "outcome": "", **event.payload}
    return base | {"case": {"number": case.number, "title": case.title, "query_code": case.query_code or "",
                            "status_url": url},
                   "task": _task_view(uow, task), "recipient": {"name": recipient.name},
                   "eval_url": f"{url}#evaluate"}


def derived(uow, event) -> list[str]:
    """The rule events one domain event stands for (a completion that asks for 补正 is also a
    supplement request; a bundle case's completion with its result notice is also its result)."""
    if event.name == "case.started":
        case = uow.session.get(Case, event.case_id)
        return [] if case is None or case.parent_case_id else [event.name]
    if event.name == "task.completed":
        values = (event.payload.get("data") or {}).values()
        return ["supplement.requested"] if any(str(v) in SUPPLEMENT_WORDS for v in values) else []
    if event.name == "case.completed":
        result = uow.session.scalar(select(Document.id).where(
            Document.case_id == event.case_id, Document.template == "bundle_result").limit(1))
        return [event.name, "bundle.result"] if result else [event.name]
    return [event.name]


def on_event(uow, event) -> None:
    if event.case_id is None:
        _without_case(uow, event)
        return
    for name in derived(uow, event):
        case = uow.session.get(Case, event.case_id)
        for rule in effective_rules(uow, case.process_key, name):
            people = resolve(uow.session, rule["recipients"], case, event)
            for person in people:
                for channel in rule["channels"]:
                    if channel in person.opted_out and not rule["legal"]:
                        continue
                    pooled = channel != "inapp" and "candidates" in rule["recipients"]
                    if pooled and len(people) > MAX_PEOPLE:
                        continue
                    add(uow, case, event.task_id, name, rule["message"], channel, person,
                        lambda p=person: context(uow, case, event, p), held=pooled)


def _without_case(uow, event) -> None:
    """An event about no case (平战切换): the people its rules name, the payload as the context."""
    for rule in effective_rules(uow, None, event.name):
        for person in resolve(uow.session, rule["recipients"], None, event):
            for channel in rule["channels"]:
                if channel not in person.opted_out or rule["legal"]:
                    add(uow, None, None, event.name, rule["message"], channel, person,
                        lambda p=person: event.payload | {"recipient": {"name": p.name}})


def add(uow, case: Case | None, task_id: int | None, event: str, message: str, channel: str,
        person: Recipient, make_context, held: bool = False, key: str | None = None,
        attachments: list[dict] | None = None) -> None:
    """One message to ``person`` on ``channel``, if they have an address there; ``held`` for
    their next digest (a task they may claim among others). ``key`` (default: a fresh one)
    makes a second message for the same thing fail the insert; ``attachments`` are e-mail's."""
    address = {"email": person.email, "sms": person.phone, "inapp": person.user_id}[channel]
    if not address:
        return
    s, now = uow.session, uow.clock.now()
    try:
        text = messages.render(message, channel, make_context(), person.lang, uow.settings.sms_signature)
        error = None
    except (TemplateError, CivicFlowError) as exc:
        log.exception("message %s for %s did not render", message, event)
        text, error = messages.Rendered("", ""), f"template {message}: {exc}"
    if channel == "inapp" and error is None:
        s.add(InAppNotification(user_id=person.user_id, case_id=case.id if case else None, task_id=task_id,
                                message=message, subject=text.subject, body=text.body, created_at=now))
        return
    row = OutboxMessage(key=key or uuid.uuid4().hex, channel=channel, message=message, event=event, lang=person.lang,
                        user_id=person.user_id, case_id=case.id if case else None, address=str(address),
                        subject=text.subject, body=text.body, html=text.html, created_at=now,
                        next_attempt_at=now, status="dead" if error else "pending", last_error=error,
                        attachments=attachments)
    if held and error is None:
        digest.hold(uow, row)
    s.add(row)
