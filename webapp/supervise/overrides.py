"""One task under supervision and every override on it, each with a reason: reassign, grant or
refuse an extension request, force-complete, and urge / suspend / resume / terminate its case.
A refused override (missing reason, a target who may not do the task, a case in the wrong
state) is shown in place on the task page and changes nothing."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from engine.errors import Conflict, InvalidInput, ProcessRefusal
from engine.services import complete_task, oversight, supervision

from ..calls import run
from ..errors import status_of
from ..i18n import translation_or_none
from ..posted_forms import submitted_data
from . import bp

IN_PLACE = (InvalidInput, Conflict, ProcessRefusal)  # the person can fix these on the page
CASE_ACTIONS = {"urge": supervision.urge, "suspend": supervision.suspend, "resume": supervision.resume,
                "terminate": supervision.terminate}


def _page(task_id: int, errors: dict | None = None, status: int = 200):
    task = run(oversight.supervised_task, task_id, g.user_id)
    return render_template("supervise/task.html", task=task, errors=errors or {},
                           values=request.form if errors else {}), status


def _attempt(task_id: int, form: str, done: str, service, *args, **kwargs):
    """Run the override; on success flash ``done`` and show the task again, else show the
    refusal beside the form it came from (``form``) with the status the API would give."""
    try:
        run(service, *args, **kwargs)
    except IN_PLACE as exc:
        return _page(task_id, {form: _refusal(exc.message, exc.fields)}, status_of(exc))
    flash(done, "success")
    return redirect(url_for("supervise.task", task_id=task_id))


def _refusal(message: str, fields: dict | None) -> dict:
    """The engine's English message and per-field messages, in the page's language."""
    fallback = gettext("Not done: see the marked fields.") if fields else gettext("This could not be done.")
    return {"message": translation_or_none(message) or fallback,
            "fields": {name: [translation_or_none(m) or gettext("Not accepted here.") for m in msgs]
                       for name, msgs in (fields or {}).items()}}


def _reason(form: str) -> str:
    return request.form.get(f"{form}_reason", "")


@bp.route("/tasks/<int:task_id>")
def task(task_id: int):
    return _page(task_id)


@bp.route("/tasks/<int:task_id>/reassign", methods=["POST"])
def reassign(task_id: int):
    to_user = request.form.get("to_user", "").strip() or None
    to_org_unit = request.form.get("to_org_unit", "").strip() or None
    return _attempt(task_id, "reassign", gettext("The task was reassigned."), supervision.reassign, task_id,
                    g.user_id, _reason("reassign"), to_user=to_user, to_org_unit=to_org_unit)


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
def extension(task_id: int):
    decision = request.form.get("decision")
    if decision not in ("grant", "refuse"):
        return _page(task_id, {"extension": _refusal("choose grant or refuse", {"decision": ["required"]})}, 400)
    done = gettext("The extension was granted.") if decision == "grant" else gettext("The extension was refused.")
    return _attempt(task_id, "extension", done, supervision.decide_extension, task_id, g.user_id,
                    decision == "grant", _reason("extension"))


@bp.route("/tasks/<int:task_id>/force-complete", methods=["POST"])
def force_complete(task_id: int):
    fields = run(oversight.supervised_task, task_id, g.user_id)["form"]["fields"]
    data, _, refused = submitted_data(fields, task_id)
    if refused:
        return _page(task_id, {"force": _refusal("some files were refused", refused)}, 400)
    return _attempt(task_id, "force", gettext("The task was completed on the handler's behalf."), complete_task,
                    task_id, data, g.user_id, force_reason=_reason("force"))


@bp.route("/cases/<int:case_id>/action", methods=["POST"])
def case_action(case_id: int):
    task_id = request.form.get("task_id", "")
    if not task_id.isdigit():
        return redirect(url_for("supervise.board"))
    action = request.form.get("action")
    if action not in CASE_ACTIONS:
        return _page(int(task_id), {"case": _refusal("choose an action", {"action": ["required"]})}, 400)
    done = {"urge": gettext("The case was urged."), "suspend": gettext("The case was suspended."),
            "resume": gettext("The case was resumed."), "terminate": gettext("The case was terminated.")}[action]
    return _attempt(int(task_id), "case", done, CASE_ACTIONS[action], case_id, g.user_id, _reason("case"))
