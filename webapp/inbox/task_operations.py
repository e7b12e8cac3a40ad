"""The task page's operations besides completing: which ones the viewer may see, which service
each calls and how its small form becomes that service's arguments."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import session
from werkzeug.datastructures import MultiDict

from engine import services
from engine.services import copies, delegation, handover, signers, supervision

from ..query_args import ascii_int


def _names(text: str | None) -> list[str]:
    """Usernames or org-unit codes typed as a list: commas (either width), 、 or spaces."""
    return [n for n in re.split(r"[\s,，、;；]+", text or "") if n]


def _optional(form: MultiDict, name: str) -> str | None:
    return (form.get(name) or "").strip() or None


def _working_days(form: MultiDict) -> dict:
    raw = (form.get("working_days") or "").strip()
    return {"working_days": ascii_int(raw)} if ascii_int(raw) is not None else {"working_days": None, "until": None}


@dataclass(frozen=True)
class Operation:
    service: Callable
    arguments: Callable[[MultiDict], dict]
    done: str       # the flash message (a msgid)
    stay: bool      # back to the task page (it is still theirs) rather than the inbox


OPERATIONS = {
    "take": Operation(services.claim_task, lambda f: {}, "Claimed: the task is yours now.", True),
    "return": Operation(handover.return_task, lambda f: {
        "reason": f.get("reason"), "to_element": _optional(f, "to_element")}, "Returned.", False),
    "transfer": Operation(handover.transfer, lambda f: {
        "reason": f.get("reason"), "to_user": _optional(f, "to_user"), "to_org_unit": _optional(f, "to_org_unit")},
        "Transferred.", False),
    "delegate": Operation(delegation.delegate, lambda f: {
        "to_user": _optional(f, "to_user"), "reason": f.get("reason")}, "Delegated; it comes back to you.", False),
    "add-signers": Operation(signers.add_signers, lambda f: {
        "users": _names(f.get("users")), "position": f.get("position") or "", "reason": f.get("reason")},
        "Signers added.", True),
    "remove-signers": Operation(signers.remove_signers, lambda f: {
        "users": _names(f.get("users")), "reason": f.get("reason")}, "Signers removed.", True),
    "copy": Operation(copies.copy_case, lambda f: {
        "users": _names(f.get("users")), "org_units": _names(f.get("org_units")), "note": f.get("note") or ""},
        "Copied.", True),
    "extend": Operation(supervision.extend, lambda f: {"reason": f.get("reason"), **_working_days(f)},
                        "Extension requested.", True),
}


def available_operations(task: dict) -> list[str]:
    """What this viewer may do with the task, as far as the page can tell without trying: the
    person working it may do everything here; a supervisor's own overrides live on their pages."""
    roles = session.get("roles", [])
    me = session.get("username")
    mine = task["can_act"] and task["state"] == "claimed" and task.get("assignee") == me
    if task.get("delegation") == "pending":
        return ["resolve"] if mine else []
    ops = []
    if task["can_act"] and task["state"] == "open":
        ops.append("take")
    if mine:
        ops += ["complete", "return", "transfer", "delegate", "add-signers", "remove-signers"]
    if mine or (task.get("owner") == me and task["state"] in ("open", "claimed")):
        ops.append("copy")
    if task.get("due_at") is not None and (mine or "supervisor" in roles):
        ops.append("extend")
    return ops
