"""A task form as posted from the page: text back into the values the service validates, and
attachment fields uploaded first (the page's multipart form, no JavaScript needed)."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext

from engine import services
from engine.errors import InvalidInput

from .calls import run
from .i18n import translation_or_none

FILE_TYPES = ("attachment", "attachments")
KEPT = "{}__kept"  # hidden inputs: files already uploaded when the form came back with an error


def refusal_text(exc: InvalidInput) -> str:
    """Why an upload was refused, in the page's language: the service's reason when it has a
    translation, else a plain sentence saying what is accepted."""
    said = (exc.fields.get("file") or [exc.message])[0]
    return translation_or_none(said) or gettext("This file was not accepted. Upload a photo (JPEG, PNG, WebP or HEIC) or a PDF.")


def upload_files(name: str, **target) -> tuple[list[str], list[str]]:
    """Upload the files posted under ``name`` (``target``: upload_attachment's task_id, field,
    process_key, material): ``(ids, refusals)``, each refusal naming its file."""
    ids, errors = [], []
    for upload in request.files.getlist(name):
        if not upload or not upload.filename:
            continue
        try:
            ids.append(run(services.upload_attachment, g.user_id, upload.filename, upload.read(), **target)["id"])
        except InvalidInput as exc:
            errors.append(f"{upload.filename}: {refusal_text(exc)}")
    return ids, errors


def submitted_data(fields: list[dict], task_id: int | None) -> tuple[dict, dict, dict]:
    """``(data, kept, errors)``: the form's data (empty inputs left out, so an optional number
    may stay blank), the attachment ids to keep on a re-render, and upload refusals by field."""
    data, kept, errors = {}, {}, {}
    for f in fields:
        name, kind = f["name"], f["type"]
        if f.get("readonly"):
            continue
        if kind in FILE_TYPES:
            uploaded, refused = upload_files(name, task_id=task_id, field=name)
            # ids posted under the field's own name come from POST /my/uploads (the upload row)
            posted = request.form.getlist(KEPT.format(name)) + request.form.getlist(name)
            ids = list(dict.fromkeys(i for i in posted if i)) + uploaded
            if refused:
                errors[name] = refused
            if ids:
                data[name] = ids if kind == "attachments" else ids[-1]
                kept[KEPT.format(name)] = ids
        elif kind == "boolean":
            posted = request.form.getlist(name)
            if posted:
                data[name] = "true" in posted
        elif (value := request.form.get(name, "").strip()) != "":
            data[name] = _number(value, kind)
    return data, kept, errors


def _number(value: str, kind: str):
    """Number inputs post text and the form's schema takes numbers: convert what parses, and
    leave the rest as typed so the schema names the field."""
    try:
        return int(value) if kind == "long" else float(value) if kind == "double" else value
    except ValueError:
        return value


def form_values(fields: list[dict], draft: dict, posted: dict | None) -> dict:
    """What each input shows: what was just posted, else the delegate's draft, else the default."""
    if posted is not None:
        return posted
    return {f["name"]: draft[f["name"]] for f in fields if f["name"] in draft}
