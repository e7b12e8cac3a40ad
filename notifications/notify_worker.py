"""The built-in worker of the BPMN topic ``civicflow.notify``: a service task with
``camunda:type="external" camunda:topic="civicflow.notify"`` sends a message as a step of the
diagram (e.g. 短信柔性劝导, processes/ and examples/pavement_advice.bpmn). It uses the same
fetch-and-lock and complete as any department's worker; the outbox row is written in the
completion's transaction, so a step completes exactly when its message is queued.

Variables read from the case: ``notify_message`` (a template, default ``pavement_advice``),
``notify_channel`` (``sms`` by default, or ``email``), the address in ``notify_phone`` /
``notify_email`` (not the requester's fields: the person told is not who reported the case) and whatever the template names (``place``, ``deadline``)."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from engine.errors import CivicFlowError
from engine.events import DomainEvent
from engine.models import Case, User, UserRole
from engine.passwords import hash_password
from engine.services.external_tasks import complete, failure, fetch_and_lock

from .enqueue import add, context
from .recipients import Recipient, _first

TOPIC = "civicflow.notify"
WORKER = "civicflow-notify"
LOCK_MS = 60_000


def _worker_user(container) -> int:
    """The machine user the worker acts as (role ``worker``), created on first use."""
    with container.uow() as uow:
        s = uow.session
        user = s.scalar(select(User).where(User.username == WORKER))
        if user is None:
            user = User(username=WORKER, password_hash=hash_password(secrets.token_urlsafe(32)),
                        display_name="通知发送程序", created_at=uow.clock.now(), roles=[UserRole(role="worker")])
            s.add(user)
            uow.flush()
            uow.commit()
        return user.id


def _notify(uow, actor_id: int, task: dict) -> None:
    data = task["variables"]
    case = uow.session.get(Case, task["case_id"])
    channel = data.get("notify_channel") or "sms"
    person = Recipient(None, _first(data, ("notify_name",)) or "", _first(data, ("notify_email",)),
                       _first(data, ("notify_phone",)))
    address = person.phone if channel == "sms" else person.email if channel == "email" else None
    if not address:
        raise CivicFlowError(f"civicflow.notify: no {channel} address in the case data")
    event = DomainEvent("notify.step", case.id, payload={k: v for k, v in data.items() if isinstance(k, str)})
    add(uow, case, None, event.name, data.get("notify_message") or "pavement_advice", channel, person,
        lambda: context(uow, case, event, person))
    complete(uow, actor_id, task["id"], WORKER, {"notified_at": uow.clock.now().isoformat()})


def run_notify_tasks(container, owner: str, max_tasks: int = 50) -> int:
    """The scheduler job: handle the open ``civicflow.notify`` tasks; returns how many."""
    actor_id = _worker_user(container)
    with container.uow() as uow:
        tasks = fetch_and_lock(uow, actor_id, WORKER, max_tasks, [{"topic_name": TOPIC, "lock_duration_ms": LOCK_MS}])
    for task in tasks:
        try:
            with container.uow() as uow:
                _notify(uow, actor_id, task)
        except CivicFlowError as exc:  # no address, a bad template: the case shows an incident
            with container.uow() as uow:
                failure(uow, actor_id, task["id"], WORKER, exc.message, retries=0)
    return len(tasks)
