"""Messages and signals from department systems and IoT gateways (Camunda 7's correlation API).

A message goes to exactly one waiting case (or, with ``all``, to every one that matches), found
through the indexed subscription rows; a message start event starts a case when none waits. A
signal goes to every waiting case and starts a case at every signal start event. Each call is
one transaction: the case row is locked and its version checked, so a message that one call
delivered is gone for the next (404), never delivered twice."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..bpmn.event_delivery import catch_at, run_engine_steps
from ..bpmn.loader import case_workflow
from ..case_sync import persist
from ..case_trail import completed_ids
from ..errors import Conflict, InvalidInput, NotFound
from ..incidents import advance
from ..models import ROLES, Case, EventSubscription
from ..process_starts import active_starts, start_case_at
from .common import load_actor, require_role, run_engine

SENDERS = tuple(role for role in ROLES if role != "citizen")  # staff and machine clients


def _sender(uow, actor_id: int | None):
    """The acting user (``None``: the CLI, with the server's own authority)."""
    if actor_id is None:
        return None
    actor = load_actor(uow.session, actor_id)
    require_role(actor, *SENDERS)
    return actor


def _name(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} is required", fields={field: ["required"]})
    return value.strip()


def _variables(value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and k for k in value):
        raise InvalidInput("variables must be an object of named values", fields={"variables": ["not an object"]})
    return dict(value)


def _waiting(session, kind: str, name: str, case_number: str | None = None, business_key: str | None = None,
             correlation: dict | None = None) -> dict[int, list[EventSubscription]]:
    """Case id → its subscriptions to ``name``, for running cases that match every filter."""
    q = select(EventSubscription, Case.data).join(Case, Case.id == EventSubscription.case_id).where(
        EventSubscription.kind == kind, EventSubscription.name == name, Case.status == "running")
    if case_number is not None:
        q = q.where(Case.number == case_number)
    if business_key is not None:
        q = q.where(Case.business_key == business_key)
    found: dict[int, list[EventSubscription]] = defaultdict(list)
    for sub, data in session.execute(q.order_by(EventSubscription.case_id, EventSubscription.id)):
        if all((data or {}).get(var) == value for var, value in (correlation or {}).items()):
            found[sub.case_id].append(sub)
    return found


def _deliver(uow, case_id: int, subs: list[EventSubscription], kind: str, name: str, variables: dict,
             actor) -> bool:
    """Deliver to the case's waiting elements under a row lock; False if another call got there
    first (the element no longer waits)."""
    s, now = uow.session, uow.clock.now()
    case = s.scalar(select(Case).where(Case.id == case_id).with_for_update()
                    .execution_options(populate_existing=True))
    if case is None or case.status != "running":
        return False
    workflow = case_workflow(uow, case)
    before = completed_ids(workflow)
    caught = [sub.element_id for sub in subs if catch_at(workflow, sub.spiff_task_id, name, variables)]
    if not caught:
        return False
    failure = advance(workflow, lambda: run_engine_steps(workflow))
    run_engine(lambda: persist(uow, case, workflow, now, actor, f"{kind}.received", since=before, failure=failure,
                               detail={kind: name, "elements": caught, "variables": sorted(variables)}))
    return True


def correlate(uow, actor_id: int | None, message_name: str, case_number: str | None = None,
              business_key: str | None = None, correlation: dict | None = None,
              variables: dict | None = None, all: bool = False) -> dict:
    """Deliver a message: ``{case_id, started}`` (``started``: a message start event opened a
    new case because no case waited); with ``all``, ``{delivered, case_ids, started}``.
    No receiver and no start → NotFound; several receivers without ``all`` → Conflict. A start
    is considered only when the message names no case (no ``case_number`` or ``correlation``)."""
    actor = _sender(uow, actor_id)
    name, variables = _name("message_name", message_name), _variables(variables)
    if correlation is not None and not isinstance(correlation, dict):
        raise InvalidInput("correlation must be an object", fields={"correlation": ["not an object"]})
    waiting = _waiting(uow.session, "message", name, case_number, business_key, correlation)
    receivers = sum(len(subs) for subs in waiting.values())
    if receivers > 1 and not all:
        raise Conflict(f"{receivers} receivers wait for message {name!r}; name the case"
                       " (case_number, business_key or correlation) or send it to all")
    delivered = [cid for cid, subs in waiting.items()
                 if _deliver(uow, cid, subs, "message", name, variables, actor)]
    started = False
    if not delivered and case_number is None and not correlation:
        starts = active_starts(uow.session, "message", name)
        if starts:
            delivered = [start_case_at(uow, starts[0], variables, actor, business_key=business_key,
                                       detail={"message": name}).id]
            started = True
    if not delivered:
        raise NotFound(f"no case waits for message {name!r} and no process starts with it")
    uow.commit()
    if all:
        return {"delivered": len(delivered), "case_ids": delivered, "started": started}
    return {"case_id": delivered[0], "started": started}


def broadcast(uow, actor_id: int | None, signal_name: str, variables: dict | None = None) -> dict:
    """Throw a signal: every case waiting for it catches it (at every element waiting), and
    every signal start event opens a case. ``{delivered}`` counts the cases reached."""
    actor = _sender(uow, actor_id)
    name, variables = _name("signal_name", signal_name), _variables(variables)
    waiting = _waiting(uow.session, "signal", name)
    delivered = sum(_deliver(uow, cid, subs, "signal", name, variables, actor) for cid, subs in waiting.items())
    for start in active_starts(uow.session, "signal", name):
        start_case_at(uow, start, variables, actor, detail={"signal": name})
        delivered += 1
    uow.commit()
    return {"delivered": delivered}
