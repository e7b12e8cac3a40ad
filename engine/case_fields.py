"""Who sees which fields of a case, per audience, as data (issue #16 §2; docs/visibility.md is
this table in prose). The views of engine/case_public.py end in :func:`only`, so a field added
to a view by mistake is dropped before any API answer, page, PDF or message carries it; staff
views (engine/services/queries.case_view) carry everything, and a leader is refused every change
instead (webapp/read_only.py).

Data keys follow the audience's rule: a requester gets back what they gave (the start form, the
steps they did, a bundle's application) and what a form field marked ``to_requester`` told them
(补正要求, 审批意见); the public and followers get no data key at all.
"""
from __future__ import annotations

from dataclasses import dataclass

from .models import Case, User
from .permissions import is_read_only, is_staff

# the form field property naming a staff field whose answer is addressed to the requester
TO_REQUESTER = "to_requester"

PUBLIC_STATUS = ("number", "title", "process_name", "status", "current_step", "department", "due_at",
                 "created_at", "closed_at", "history")
HISTORY_ROW = ("at", "step", "department", "state")  # a department, never a person or a note
OPEN_STEP = ("id", "case_id", "case_number", "name", "element_id", "state", "due_at", "org_unit_name")
BUNDLE_ITEM = ("code", "name", "department", "department_name", "status", "outcome", "reason", "due_at")


@dataclass(frozen=True)
class Audience:
    """``fields``: the case fields shown (None: all, the staff's view); ``data``: which data keys
    ("none", "own": what the requester gave or was told, "all", "variables": the external task
    topic's). Who may change what is engine/permissions.py's."""
    fields: tuple[str, ...] | None
    data: str


AUDIENCES = {
    "public": Audience(PUBLIC_STATUS, "none"),
    "follower": Audience(PUBLIC_STATUS + ("id", "tasks", "following"), "none"),
    "requester": Audience(PUBLIC_STATUS + ("id", "tasks", "query_code", "process_key", "data", "labels",
                                           "choice_labels", "documents", "my_steps", "items"), "own"),
    # the case as a step of the requester's carries it (评价, 补正, 缴费: GET /tasks/{id})
    "requester_step": Audience(("id", "number", "title", "status", "process_key", "data", "fees"), "own"),
    "staff": Audience(None, "all"),
    "leader": Audience(None, "all"),  # and read-only: permissions.is_read_only
    "worker": Audience(("id", "number", "status", "process_key"), "variables"),
}


def sees_all(user: User, case: Case) -> bool:
    """Whether the user gets the staff's view of a case they may see (staff and leaders do)."""
    return AUDIENCES[audience_of(user, case)].data == "all"


def audience_of(user: User, case: Case) -> str:
    """The audience a signed-in person belongs to for this case (one who may see it at all)."""
    if is_staff(user):
        return "leader" if is_read_only(user) else "staff"
    return "requester" if case.requester_id == user.id else "follower"


def told_fields(form) -> list[str]:
    """The fields of a staff step's form whose answers are addressed to the requester."""
    return [f.name for f in form.fields if f.properties.get(TO_REQUESTER) == "true"]


def only(view: dict, audience: str) -> dict:
    """The view cut to what the audience sees: its fields, history rows and open steps."""
    shown = AUDIENCES[audience].fields
    if shown is None:
        return view
    out = {k: v for k, v in view.items() if k in shown}
    if "history" in out:
        out["history"] = [{k: h.get(k) for k in HISTORY_ROW} for h in out["history"]]
    if "tasks" in out:
        out["tasks"] = [{k: t.get(k) for k in OPEN_STEP} for t in out["tasks"]]
    if "items" in out:
        out["items"] = [{k: i.get(k) for k in BUNDLE_ITEM} for i in out["items"]]
    return out
