"""The task page (/tasks/<id>): the case it belongs to, its form, and the operations the viewer
may perform. Every action calls the same engine service as the API; a refusal is shown in place
on the page it came from, with the rest of the input kept."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine import services
from engine.errors import CivicFlowError, InvalidInput, NotFound
from engine.services import delegation, handover

from ..auth import login_required, signed_in_as_staff
from ..calls import run
from ..errors import status_of
from ..i18n import name_of
from . import bp
from .cases import case_context
from ..posted_forms import form_values, submitted_data
from .task_operations import OPERATIONS, available_operations


def task_page(task_id: int, *, values: dict | None = None, errors: dict | None = None,
              problem: dict | None = None, status: int = 200) -> ResponseReturnValue:
    """Render the task page; ``problem`` is ``{op, message, fields}`` of a refused operation."""
    task = run(services.get_task, task_id, g.user_id)
    context = case_context(task["case_id"])
    ops = available_operations(task)
    targets = []
    if "return" in ops:
        try:
            targets = run(handover.return_targets, task_id, g.user_id)
        except CivicFlowError:
            targets = []
        if not targets:
            ops.remove("return")
    fields = task["form"]["fields"]
    return render_template("inbox/task.html", task=task, ops=ops, return_targets=targets, fields=fields,
                           values=form_values(fields, task.get("draft") or {}, values),
                           errors=errors or {}, problem=problem or {}, **context), status


@bp.route("/tasks/<int:task_id>")
@login_required
def task(task_id: int) -> ResponseReturnValue:
    if not signed_in_as_staff():  # a citizen's own step has its own page
        return redirect(url_for("citizen.step", task_id=task_id))
    return task_page(task_id)


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@login_required
def task_complete(task_id: int) -> ResponseReturnValue:
    """完成 (or, for a delegate, 办理完毕交回): uploads first, then one completion; any bad field
    re-renders the form with the messages under their fields and nothing changed."""
    task = run(services.get_task, task_id, g.user_id)
    data, kept, errors = submitted_data(task["form"]["fields"], task_id)
    comment = request.form.get("comment", "")
    values = request.form.to_dict() | kept | {"comment": comment}
    if errors:
        return task_page(task_id, values=values, errors=errors, status=400)
    resolving = task.get("delegation") == "pending"
    try:
        if resolving:
            run(delegation.resolve, task_id, g.user_id, data, comment=comment)
        else:
            done = run(services.complete_task, task_id, data, g.user_id, comment=comment)
    except NotFound:
        raise  # the error page: the task is gone or never was theirs
    except CivicFlowError as exc:
        fields = exc.fields or {}
        if isinstance(exc, InvalidInput) and fields:
            return task_page(task_id, values=values, errors=fields, status=400)
        return task_page(task_id, values=values, problem={"op": "complete", "message": exc.message,
                                                          "fields": fields}, status=status_of(exc))
    if resolving:
        flash(gettext("Handed back to the task's owner."), "success")
    else:
        flash(next_step_message(done), "success")
    return redirect(url_for("inbox.index"))


def next_step_message(done: dict) -> str:
    """The flash after a completion: what comes next, and where it went."""
    steps = [name_of(t["name"]) + (f"（{t['org_unit']}）" if t.get("org_unit") else "")
             for t in done.get("next_tasks") or []]
    if steps:
        return gettext("Done. Next step: %(steps)s.", steps="、".join(steps))
    if done["case"]["status"] == "completed":
        return gettext("Done. The case %(number)s is completed.", number=done["case"]["number"])
    return gettext("Done. The case %(number)s moves on.", number=done["case"]["number"])


@bp.route("/tasks/<int:task_id>/<any({}):op>".format(", ".join(f'"{op}"' for op in OPERATIONS)), methods=["POST"])
@login_required
def task_operation(task_id: int, op: str) -> ResponseReturnValue:
    """One operation from the task page; a refusal re-renders the page with it under that form."""
    operation = OPERATIONS[op]
    try:
        run(operation.service, task_id, g.user_id, **operation.arguments(request.form))
    except NotFound:
        raise
    except CivicFlowError as exc:
        return task_page(task_id, values=None, problem={"op": op, "message": exc.message, "fields": exc.fields or {},
                                                        "form": request.form.to_dict()},
                         status=status_of(exc))
    flash(gettext(operation.done), "success")
    return redirect(url_for("inbox.task", task_id=task_id) if operation.stay else url_for("inbox.index"))
