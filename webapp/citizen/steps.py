"""The steps a diagram gives the citizen (/my/tasks/<id>): 缴费确认, a supplement answered once,
the evaluation of a completed event-loop case, or any other form assigned to them. The page
follows the task's own form (enum → large radio buttons, attachments → POST /my/uploads or the
form itself without JavaScript) and shows what the departments said before the step. Only the
one who may do the step opens it (404 for anyone else, as for a task that does not exist)."""
from __future__ import annotations

import re

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine import services
from engine.errors import InvalidInput, NotFound
from engine.services.step_notes import step_notes

from ..calls import run
from ..i18n import name_of
from ..posted_forms import KEPT, submitted_data
from . import bp
from .access import citizen_required
from .application import attachment_rows
from .apply import page_errors

SIMPLE_CONDITION = re.compile(r"^\s*(\w+)\s*==\s*'([^']*)'\s*$")  # required_if such as satisfaction == 'unsatisfied'


def _my_task(task_id: int) -> dict:
    """The task if the citizen may do it now or did it (their own step, done); else 404."""
    task = run(services.get_task, task_id, g.user_id)
    if not task["can_act"] and task["assignee"] != g.username:
        raise NotFound(f"no task {task_id}")
    return task


def _fields(task: dict) -> list[dict]:
    """The form's fields, enum choices as (value, label) in the page's language, each with the
    choice its ``required_if`` depends on when it is that simple."""
    fields = [f | {"options": [(c["value"], name_of(c["label"] or str(c["value"]))) for c in f["choices"]]}
              for f in task["form"]["fields"] if not f.get("readonly")]
    by_name = {f["name"]: f for f in fields}
    for f in fields:
        match = SIMPLE_CONDITION.match(f.get("required_if") or "")
        other = by_name.get(match.group(1)) if match else None
        if other is not None:
            f["required_when"] = next((c["label"] for c in other["choices"] if c["value"] == match.group(2)), None)
    return fields


def _step_page(task: dict, values: dict | None = None, errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    """The step's page; ``errors`` by field, in the page's language."""
    fields = _fields(task)
    kept = {f["name"]: list((values or {}).get(KEPT.format(f["name"]), [])) for f in fields}
    return render_template("citizen/step.html", task=task, fields=fields, values=values or {},
                           errors=errors or {}, files=attachment_rows(kept),
                           notes=run(step_notes, task["id"], g.user_id)), status


@bp.route("/my/tasks/<int:task_id>", methods=["GET", "POST"])
@citizen_required
def step(task_id: int) -> ResponseReturnValue:
    """GET: the step's form. POST: complete it (uploads first); a refusal shows the form again
    under the field it names, with the files kept; done, back to the case page."""
    task = _my_task(task_id)
    if not task["can_act"]:
        flash(gettext("This step is already done."), "info")
        return redirect(url_for("citizen.my_case", case_id=task["case_id"]))
    if request.method == "GET":
        return _step_page(task)
    data, kept, errors = submitted_data(_fields(task), task_id)
    removed = request.form.get("remove_upload")
    if removed:
        kept = {name: [i for i in ids if i != removed] for name, ids in kept.items()}
    values = request.form.to_dict() | kept
    if errors or removed:
        return _step_page(task, values, errors, 400 if errors else 200)
    try:
        run(services.complete_task, task_id, data, g.user_id)
    except InvalidInput as exc:
        return _step_page(task, values, page_errors(exc.fields), 400)
    flash(gettext("Thank you: %(step)s is done.", step=name_of(task["name"])), "success")
    return redirect(url_for("citizen.my_case", case_id=task["case_id"]))
