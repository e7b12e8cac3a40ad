"""一表申请 from the citizen's pages: the one form pre-filled (信息复用), the materials uploaded
through POST /my/uploads or reused from earlier applications (材料复用), a review of
everything, then one start_case; its refusals come back under the field or material they
name (400, nothing created), and success shows the receipt. The answers stay in ``?answers=``."""
from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from engine import services
from engine.errors import InvalidInput, NotFound
from engine.services.applications import check_application

from ..api.bundles import decode_answers
from ..calls import run
from ..i18n import N_, current_language
from ..posted_forms import submitted_data, upload_files
from . import bp
from .access import citizen_required
from .apply import page_errors

MATERIAL = "material.{}"  # the inputs holding a material's attachment ids (and its files without JavaScript)


def _guide(key: str) -> dict:
    return run(services.guide_bundle, key, decode_answers(request.args.get("answers")), g.user_id)


def _chosen_ids(found: dict) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Material code → attachment ids (kept, reused, and files posted without JavaScript), and
    the refused files by material; a removed file is left out."""
    removed = request.form.get("remove_upload", "")
    reuse_code, _, reuse_id = request.form.get("reuse", "").partition(":")
    chosen, refused = {}, {}
    for m in found["materials"]:
        name = MATERIAL.format(m["code"])
        uploaded, errors = upload_files(name, process_key=found["process_key"], material=m["code"])
        ids = request.form.getlist(name) + uploaded + ([reuse_id] if reuse_code == m["code"] and reuse_id else [])
        chosen[m["code"]] = [i for i in dict.fromkeys(ids) if i and i != removed]
        if errors:
            refused[m["code"]] = errors
    return chosen, refused


def attachment_rows(chosen: dict[str, list[str]]) -> dict[str, list[dict]]:
    """Field or material → what the page shows of each chosen file (citizen/_upload_row.html);
    an id the citizen may not use is left out."""
    out: dict[str, list[dict]] = {}
    for code, ids in chosen.items():
        for attachment_id in ids:
            try:
                out.setdefault(code, []).append(run(services.attachment_meta, attachment_id, g.user_id))
            except NotFound:
                continue
    return out


def _form_page(found: dict, values: dict | None, chosen: dict, errors: dict | None = None,
               status: int = 200) -> ResponseReturnValue:
    """The form again; ``errors`` are in the page's language already (see _refusals)."""
    return render_template("citizen/apply_form.html", guide=found, values=values, files=attachment_rows(chosen),
                           errors=errors or {}, groups=_field_groups(found), material_name=MATERIAL), status


def _refusals(exc: InvalidInput) -> dict[str, list[str]]:
    """The engine's refusal in the page's language. It says "attach <material name>" for a
    missing material; the page shows the name above the message, so it says that plainly."""
    return page_errors({name: [N_("add this material: it is required") if str(m).startswith("attach ") else m
                               for m in messages] for name, messages in exc.fields.items()})


def _in_language(field: dict) -> dict:
    """A field of the one form labelled in the page's language, its choices as (value, label)."""
    english = current_language() == "en"
    label = field["label_en"] if english and field["label_en"] else field["label"]
    options = [(c["value"], c["label_en"] if english and c["label_en"] else c["label"]) for c in field["choices"]]
    return field | {"label": label, "options": options}


def _field_groups(found: dict) -> list[tuple[dict, list[dict]]]:
    """The one form's fields under the first item that asks for each (each field once)."""
    fields = {f["name"]: _in_language(f) for f in found["form"]["fields"]}
    groups = []
    for item in found["items"]:
        mine = [fields.pop(name) for name in item["fields"] if name in fields]
        if mine:
            groups.append((item, mine))
    return groups


@bp.route("/services/<key>/apply", methods=["GET", "POST"])
@citizen_required
def apply(key: str) -> ResponseReturnValue:
    """GET: the form. POST ``go``: review, edit (back from the review) or submit; ``reuse`` or
    ``remove_upload`` shows the form again with that file added or taken away."""
    found = _guide(key)
    if request.method == "GET":
        return _form_page(found, None, {})
    fields = found["form"]["fields"]
    data, _, _ = submitted_data(fields, None)
    values = request.form.to_dict()
    chosen, refused = _chosen_ids(found)
    if refused:
        return _form_page(found, values, chosen, {f"attachments.{c}": e for c, e in refused.items()}, 400)
    go = request.form.get("go")
    if go not in ("review", "submit"):
        return _form_page(found, values, chosen)
    application = {"answers": found["answers"], "form": data,
                   "attachments": {code: ids for code, ids in chosen.items() if ids}}
    try:
        if go == "review":
            clean = run(check_application, key, application, g.user_id)
            return render_template("citizen/apply_review.html", guide=found, data=clean["form"],
                                   files=attachment_rows(chosen), groups=_field_groups(found), material_name=MATERIAL)
        case = run(services.start_case, found["process_key"], application, g.user_id)
    except InvalidInput as exc:
        if any(name.startswith("answers") for name in exc.fields):
            raise  # the answers came with the link, not from this form: the error page names them
        return _form_page(found, values, chosen, _refusals(exc), 400)
    return redirect(url_for("citizen.application_receipt", key=key, case_id=case["id"]), 303)


@bp.route("/services/<key>/receipt/<int:case_id>")
@citizen_required
def application_receipt(key: str, case_id: int) -> ResponseReturnValue:
    """The applicant's receipt: the case number and query code, what happens next; another
    person's case is 404 (the case view names no query code to anyone but its requester)."""
    view = run(services.get_case, case_id, g.user_id)
    if not view.get("query_code"):
        raise NotFound(f"no case {case_id}")
    return render_template("citizen/apply_receipt.html", view=view)
