"""What people outside the administration see of a case, in one place so that the API, the
pages, the PDFs and the messages cannot disagree (办理过程公开):

- the **public status**, for anyone holding the number and the query code: the step, the
  responsible department, the deadline and a timeline of steps and departments, never a name,
  a phone number, a note or an attachment (API.md §Public status);
- the **requester's view**, for the citizen or enterprise whose case it is: the public status
  plus what they themselves submitted, their documents and the steps waiting for them.

A reporter merged into a master case, or a follower, sees the master through its public status
only. Staff see cases through engine/services/queries.case_view instead. Each view ends in
engine/case_fields.only, the table of who sees which field.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .bpmn.loader import load_definition
from .bpmn.specs import human_config
from .bundles.items import item_statuses
from .case_fields import only, told_fields
from .forms_runtime import schema_for
from .models import Case, OrgUnit, ProcessDefinition, Task, User
from .models.cases import TASK_OPEN_STATES
from .models.documents import Document
from .permissions import can_act

# documents the administration keeps to itself (a 督办单 is addressed to the department urged);
# every other kind (receipts, notices, decisions, a bundle's results) is addressed to the requester
INTERNAL_DOCUMENTS = ("urging_notice",)
# what an applicant gave (answers, the one form, materials) and was told (秒批, the subsidy)
BUNDLE_KEYS = {"answers": "答题", "form": "申请表", "attachments": "材料", "instant_approved": "秒批",
               "subsidy_amount": "补贴金额"}


def _public_title(case: Case, process_name: str) -> str:
    """A bundle case's title carries the applicant's name: the public sees the service's name."""
    return process_name if case.data.get("bundle") else case.title


def _steps(session: Session, case: Case) -> list[tuple[Task, str | None]]:
    return list(session.execute(
        select(Task, OrgUnit.name).outerjoin(OrgUnit, OrgUnit.id == Task.org_unit_id)
        .where(Task.case_id == case.id, Task.kind == "step").order_by(Task.created_at, Task.id)).all())


def public_status(session: Session, case: Case, with_tasks: bool = False) -> dict:
    """The case as API.md §Public status shows it to anyone with its query code; ``with_tasks``
    adds the open steps by id, without people, for the signed-in views."""
    name = session.scalar(select(ProcessDefinition.name).where(ProcessDefinition.id == case.definition_id)) \
        or case.process_key
    steps = _steps(session, case)
    open_ = [(t, unit) for t, unit in steps if t.state in TASK_OPEN_STATES]
    history = [{"at": case.created_at, "step": "受理", "department": None, "state": "completed"}]
    history += [{"at": t.completed_at or t.created_at, "step": t.name, "department": unit,
                 "state": "open" if t.state in TASK_OPEN_STATES else t.state} for t, unit in steps]
    if case.closed_at:
        history.append({"at": case.closed_at, "step": "办结" if case.status == "completed" else "终止",
                        "department": None, "state": "completed"})
    dues = [t.due_at for t, _ in open_ if t.due_at]
    out = {"number": case.number, "title": _public_title(case, name), "process_name": name,
           "status": case.status, "current_step": "、".join(dict.fromkeys(t.name for t, _ in open_)) or None,
           "department": "、".join(dict.fromkeys(u for _, u in open_ if u)) or None,
           "due_at": min(dues) if dues else None, "created_at": case.created_at, "closed_at": case.closed_at,
           "history": history}
    if with_tasks:
        out["tasks"] = [{"id": t.id, "case_id": case.id, "case_number": case.number, "name": t.name,
                         "element_id": t.element_id, "state": t.state, "due_at": t.due_at, "org_unit_name": unit}
                        for t, unit in open_]
    return only(out, "public") | ({"tasks": out["tasks"]} if with_tasks else {})


def _field_labels(form, owner, told_only: bool = False) -> dict[str, tuple[str, dict]]:
    """Field name → (label, {choice value: choice label}) of a form (a registered form's fields
    label themselves by name); ``told_only``: the fields marked ``to_requester`` alone."""
    schema = schema_for(form, owner) if form is not None else None
    labels = {f.name: (f.label or f.name, {str(v): lbl for v, lbl in f.choices}) for f in form.fields} \
        if form is not None else {}
    if told_only:
        return {name: labels[name] for name in (told_fields(form) if form is not None else ())}
    return {name: labels.get(name, (name, {})) for name in (schema.fields if schema is not None else ())}


def _human_steps(parsed) -> list:
    return [ts for spec in (parsed.spec, *parsed.subprocess_specs.values()) for ts in spec.task_specs.values()
            if human_config(ts) is not None]


def own_fields(session: Session, case: Case, user: User) -> dict[str, tuple[str, dict]]:
    """The data keys the requester sees, with their labels: what they gave (the start form, the
    steps they did, a bundle's application) and what the staff's fields marked ``to_requester``
    told them."""
    parsed = load_definition(session.get(ProcessDefinition, case.definition_id))
    if case.data.get("bundle"):
        names = {k: (label, {}) for k, label in BUNDLE_KEYS.items()}
    else:
        names = {}
        for ts in parsed.spec.task_specs.values():
            if hasattr(ts, "civicflow_form"):  # the start event's form
                names |= _field_labels(ts.civicflow_form, ts)
    done = set(session.scalars(select(Task.element_id).where(Task.case_id == case.id, Task.completed_by_id == user.id)))
    for spec in _human_steps(parsed):
        mine = spec.bpmn_id in done
        names |= _field_labels(human_config(spec).form, spec, told_only=not mine)
    return names


def requester_step_case(session: Session, case: Case, user: User) -> dict:
    """The case as a step of the requester's carries it (GET /tasks/{id}, /my/tasks/<id>): their
    own data keys and, for a bundle, the fees of its items (缴费)."""
    own = own_fields(session, case, user)
    fees = [{"name": i.get("name"), "fee": i["fee"]} for i in case.data.get("items") or [] if i.get("fee")]
    return only({"id": case.id, "number": case.number, "title": case.title, "status": case.status,
                 "process_key": case.process_key, "data": {k: v for k, v in case.data.items() if k in own},
                 "fees": fees}, "requester_step")


def requester_view(session: Session, case: Case, user: User) -> dict:
    """The requester's own case: the public status, what they submitted, their documents, the
    departments' progress of a bundle, and the steps waiting for them (pay, supplement,
    evaluate)."""
    own = own_fields(session, case, user)
    documents = session.scalars(select(Document).where(
        Document.case_id == case.id, Document.kind.not_in(INTERNAL_DOCUMENTS)).order_by(Document.created_at, Document.id))
    mine = [t for t in session.scalars(select(Task).where(Task.case_id == case.id, Task.state.in_(TASK_OPEN_STATES)))
            if can_act(user, t)]
    out = public_status(session, case, with_tasks=True) | {
        "id": case.id, "query_code": case.query_code, "process_key": case.process_key,
        "data": {k: v for k, v in case.data.items() if k in own},
        "labels": {k: label for k, (label, _) in own.items() if k in case.data},
        "choice_labels": {k: choices for k, (_, choices) in own.items() if k in case.data and choices},
        "documents": [{"id": d.id, "kind": d.kind, "name": d.title, "created_at": d.created_at} for d in documents],
        "my_steps": [{"id": t.id, "name": t.name, "due_at": t.due_at} for t in mine]}
    if case.data.get("bundle"):
        out["items"] = item_statuses(session, case)
    return only(out, "requester")


def follower_view(session: Session, case: Case) -> dict:
    """A case the viewer follows without being its requester (merged into it, or 关注)."""
    return only(public_status(session, case, with_tasks=True) | {"id": case.id, "following": True}, "follower")
