"""One-thing bundles (一件事): the catalogue, the questionnaire and the guide with its one-time
notice are public, as a service hall's guide is; loading bundles and importing 免申即享
beneficiaries are for admins. Applying is ``POST /cases`` with the bundle's process."""
from __future__ import annotations

import base64
import binascii
import json

from flask import Response, g, request, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from engine import services
from engine.errors import InvalidInput
from forms import FormSchema
from notifications.documents import render

from ..calls import run
from .schemas import PDF_FILE, multipart_files
from .security import bearer_user_id, require_token

PREFIX = "/bundles"
blp = Blueprint("api_bundles", __name__, description="One-thing bundles (一件事一次办): guide and apply")
MAX_ANSWERS_PARAM = 4000


class GuideRequest(FormSchema):
    answers = fields.Dict(keys=fields.String(), required=True)


class BundleOut(Schema):
    key = fields.String()
    name = fields.String()
    name_en = fields.String()
    description = fields.String()
    process_key = fields.String()
    items_count = fields.Integer()
    version = fields.Integer()
    theme = fields.String(metadata={"description": "personal (个人) or enterprise (法人)"})
    life_event = fields.String()
    life_event_en = fields.String()


class QuestionOut(Schema):
    id = fields.String()
    text = fields.String()
    text_en = fields.String()
    type = fields.String()
    choices = fields.List(fields.Dict())
    show_if = fields.Raw(allow_none=True, metadata={"description": "the answer that makes this question asked"})


class QuestionnaireOut(Schema):
    key = fields.String()
    name = fields.String()
    questions = fields.List(fields.Nested(QuestionOut))


class GuideOut(Schema):
    key = fields.String()
    name = fields.String()
    name_en = fields.String()
    process_key = fields.String()
    answers = fields.Dict(metadata={"description": "the answers that count (questions not asked left out)"})
    items = fields.List(fields.Dict(), metadata={"description": "the items (事项) these answers imply"})
    materials = fields.List(fields.Dict(), metadata={"description": "with blank_url and sample_url"})
    form = fields.Dict(metadata={"description": "the one form: {fields: [...]}, pre-filled for a signed-in caller"})
    time_limit = fields.String(allow_none=True)
    time_limit_text = fields.String(allow_none=True)
    reusable_materials = fields.Dict()
    notice_url = fields.String(metadata={"description": "the 一次性告知单 (PDF) for these answers"})


class EligibilityOut(Schema):
    created = fields.Integer()
    existing = fields.Integer()
    errors = fields.List(fields.Dict(), metadata={"description": "each refused row: line, beneficiary_id, error"})


def _optional_user() -> int | None:
    """The caller when a token is sent (the guide pre-fills their form); anonymous otherwise."""
    return bearer_user_id() if request.headers.get("Authorization") else None


def encode_answers(answers: dict) -> str:
    raw = json.dumps(answers, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_answers(text: str | None) -> dict:
    """The answers :func:`encode_answers` put into a link (``?answers=``); InvalidInput otherwise."""
    try:
        if not text or len(text) > MAX_ANSWERS_PARAM:
            raise ValueError("missing or too long")
        answers = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(answers, dict):
            raise ValueError("not an object")
        return answers
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput("answers must be the guide's encoded answers", fields={"answers": [str(exc)]}) from exc


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})


@blp.route("", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, BundleOut(many=True))
def list_bundles():
    return run(services.list_bundles)


@blp.route("", methods=["POST"])
@blp.doc(requestBody=multipart_files("the bundle folder's files, each a `file` part named as in the folder", many=True))
@blp.response(201, BundleOut)
@blp.alt_response(200, schema=BundleOut, description="the same files again: the stored version")
def load_bundle():
    """Admins upload a bundle folder's files (bundle.json, questionnaire.json, rules.json,
    materials.json and the diagram), each as a ``file`` part named as in the folder."""
    g.user_id = bearer_user_id()
    files = {f.filename: f.read() for name in request.files for f in request.files.getlist(name) if f.filename}
    if not files:
        raise InvalidInput("no files uploaded", fields={"file": ["upload the bundle's files as 'file' parts"]})
    bundle, created = run(services.load_bundle, files, g.user_id)
    return bundle, 201 if created else 200


@blp.route("/<key>/questionnaire", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, QuestionnaireOut)
def questionnaire(key: str):
    return run(services.get_questionnaire, key)


@blp.route("/<key>/guide", methods=["POST"])
@blp.doc(security=[{}, {"bearer": []}])  # a token only pre-fills the form
@blp.arguments(GuideRequest)
@blp.response(200, GuideOut)
def guide(body: dict, key: str):
    """Exactly what these answers imply; ``notice_url`` is their 一次性告知单 (PDF)."""
    out = run(services.guide_bundle, key, body["answers"], _optional_user())
    code = encode_answers(out["answers"])
    out["notice_url"] = url_for("api_bundles.notice", key=key, answers=code)
    for m in out["materials"]:
        m["blank_url"] = url_for("api_bundles.material_form", key=key, code=m["code"], kind="blank")
        m["sample_url"] = url_for("api_bundles.material_form", key=key, code=m["code"], kind="sample")
    return out


@blp.route("/<key>/notice.pdf", methods=["GET"])
@blp.doc(security=[], parameters=[  # read by decode_answers, which names a bad value as a 400
    {"in": "query", "name": "answers", "required": True, "schema": {"type": "string", "maxLength": MAX_ANSWERS_PARAM},
     "description": "the guide's encoded answers, as in its notice_url"},
    {"in": "query", "name": "lang", "schema": {"type": "string", "enum": ["zh-CN", "en"]},
     "description": "en: in English; otherwise zh-CN"}])
@blp.response(200, PDF_FILE, content_type="application/pdf", description="the 一次性告知单")
def notice(key: str):
    lang = "en" if request.args.get("lang") == "en" else "zh-CN"
    context = run(services.notice_context, key, decode_answers(request.args.get("answers")), lang)
    return _pdf(render("guide_notice", context, lang), f"{key}-notice")


@blp.route("/<key>/materials/<code>/<any(blank, sample):kind>.pdf", methods=["GET"])
@blp.doc(security=[])
@blp.response(200, PDF_FILE, content_type="application/pdf", description="a blank or filled-in sample form")
def material_form(key: str, code: str, kind: str):
    context = run(services.material_form_context, key, code, kind == "sample")
    return _pdf(render("material_form", context), f"{code}-{kind}")


@blp.route("/<key>/eligibility", methods=["POST"])
@blp.doc(requestBody=multipart_files("the eligibility table (CSV) as `file`"))
@blp.response(200, EligibilityOut)
def import_eligibility(key: str):
    """免申即享: an admin uploads the eligibility table (CSV, ``file``); each eligible person or
    enterprise gets a pre-approved case once, however often the same table is sent."""
    require_token()
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("no file uploaded", fields={"file": ["upload the CSV table as 'file'"]})
    return run(services.import_beneficiaries, key, upload.read(), g.user_id)
