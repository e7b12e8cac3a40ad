"""POST /my/uploads: one file from a citizen's page, stored at once (the report's photos, an
application's materials), answered with the row the page shows for it.

The contract the pages rely on: multipart ``file`` plus ``process_key`` and ``field`` (a start
form's attachment field), or ``task_id`` and ``field`` (a task form's), and optionally
``material`` (a one-thing bundle's material code, with ``process_key``). The answer is the
fragment ``citizen/_upload_row.html``: thumbnail, name, remove button and a hidden input named
``field`` holding the attachment id; a refused file is a 400 (413 over the size limit) with the
reason in the same fragment. A photo's location comes back as ``data-lat``/``data-lng`` when the
field keeps it."""
from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from engine import services
from engine.errors import InvalidInput

from ..calls import run
from ..errors import status_of
from ..posted_forms import refusal_text
from . import bp
from .access import citizen_required

NAME_MAX = 128  # process keys, field names and material codes are short identifiers


def _text(name: str) -> str | None:
    return request.form.get(name, "").strip()[:NAME_MAX] or None


def _task_id() -> int | None:
    raw = request.form.get("task_id", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise InvalidInput("task_id must be a task number", fields={"task_id": ["a task number"]})
    return int(raw)


@bp.route("/my/uploads", methods=["POST"])
@citizen_required
def upload() -> ResponseReturnValue:
    field, material = _text("field"), _text("material")
    parts = [p for p in request.files.getlist("file") if p and p.filename]
    name = parts[0].filename if parts else ""
    try:
        if len(parts) != 1:
            raise InvalidInput("upload exactly one file", fields={"file": ["upload exactly one file as 'file'"]})
        attachment = run(services.upload_attachment, g.user_id, name, parts[0].read(), process_key=_text("process_key"),
                         task_id=_task_id(), field=field, material=material)
    except InvalidInput as exc:
        return render_template("citizen/_upload_row.html", error=refusal_text(exc), name=name, field=field,
                               material=material), status_of(exc)
    return render_template("citizen/_upload_row.html", upload=attachment, field=field, material=material)
