"""The case page (/cases/<id>): summary, open tasks, history, attachments, documents, bundle
items and the BPMN diagram with where the case is. Also the downloads a session may fetch
(the API's need a bearer token) and 撤回, which the completer of a step finds here."""
from __future__ import annotations

import io
import re

from flask import flash, g, jsonify, redirect, render_template, request, send_file, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine import services
from engine.errors import CivicFlowError, Forbidden, NotFound
from engine.services import withdraw as withdrawing
from notifications.documents.store import document_pdf, list_documents

from ..auth import login_required, signed_in_as_staff
from ..calls import run
from ..errors import status_of
from . import bp

ATTACHMENT_ID = re.compile(r"^[0-9a-f]{32}$")  # uuid4 hex, as upload_attachment makes them
INLINE_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


def _attachment_ids(data: dict) -> list[str]:
    found: list[str] = []
    for value in data.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and ATTACHMENT_ID.match(item) and item not in found:
                found.append(item)
    return found


def case_attachments(data: dict) -> list[dict]:
    """The files the case's data refers to, each as the viewer may read it (others left out)."""
    out = []
    for attachment_id in _attachment_ids(data):
        try:
            out.append(run(services.attachment_meta, attachment_id, g.user_id))
        except NotFound:
            continue
    return out


def _withdrawable(case: dict) -> bool:
    """Offer 撤回 when the viewer completed the newest step of a running case: the service
    decides the rest (nobody acted on the next step yet) and refuses in place otherwise."""
    done = [h for h in case.get("history", []) if h["action"] in ("task.completed", "task.resolved")]
    return case["status"] == "running" and bool(done) and done[-1]["actor"] == session.get("username") \
        and bool(case["tasks"])


def case_context(case_id: int) -> dict:
    """What the case page and the task page both show of a case."""
    case = run(services.get_case, case_id, g.user_id)
    return {"case": case, "attachments": case_attachments(case.get("data") or {}),
            "documents": run(list_documents, case_id, g.user_id),
            "staff": signed_in_as_staff()}


def case_page(case_id: int, problem: dict | None = None, status: int = 200) -> ResponseReturnValue:
    context = case_context(case_id)
    return render_template("inbox/case.html", withdrawable=_withdrawable(context["case"]),
                           problem=problem or {}, **context), status


@bp.route("/cases/<int:case_id>")
@login_required
def case(case_id: int) -> ResponseReturnValue:
    if not signed_in_as_staff():  # a citizen's case page is theirs
        return redirect(url_for("citizen.my_case", case_id=case_id))
    return case_page(case_id)


@bp.route("/cases/<int:case_id>/diagram.json")
@login_required
def case_diagram(case_id: int) -> ResponseReturnValue:
    """Read by static/case_diagram.js: the case's own diagram version and its markers."""
    return jsonify(run(services.case_diagram, case_id, g.user_id))


@bp.route("/cases/<int:case_id>/documents/<int:document_id>.pdf")
@login_required
def case_document(case_id: int, document_id: int) -> ResponseReturnValue:
    data = run(document_pdf, document_id, g.user_id)
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"{document_id}.pdf")


@bp.route("/files/<attachment_id>")
@login_required
def attachment(attachment_id: str) -> ResponseReturnValue:
    meta, data = run(services.attachment_content, attachment_id, g.user_id)
    resp = send_file(io.BytesIO(data), mimetype=meta["content_type"], download_name=meta["name"],
                     as_attachment=meta["content_type"] not in INLINE_TYPES)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.route("/cases/<int:case_id>/tasks/<int:task_id>/withdraw", methods=["POST"])
@login_required
def withdraw(case_id: int, task_id: int) -> ResponseReturnValue:
    """撤回 of the step before ``task_id``; a refusal (someone already acted) shows on the case page."""
    try:
        run(withdrawing.withdraw, task_id, g.user_id, request.form.get("reason"))
    except (NotFound, Forbidden):  # not theirs: the error page, not a case page they may not see
        raise
    except CivicFlowError as exc:
        return case_page(case_id, problem={"op": "withdraw", "task_id": task_id, "message": exc.message,
                                           "fields": exc.fields or {}, "form": request.form.to_dict()},
                         status=status_of(exc))
    flash(gettext("Withdrawn: the step is back in your inbox."), "success")
    return redirect(url_for("inbox.index"))
