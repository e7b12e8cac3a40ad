"""Attachments: upload a file (PDF or photo), download it, read its metadata."""
from __future__ import annotations

import io

from flask import g, request, send_file
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate

from engine import services
from engine.errors import InvalidInput

from ..calls import run
from .schemas import record_id
from .security import require_token

PREFIX = "/attachments"
blp = Blueprint("api_attachments", __name__, description="Attachments: uploaded PDFs and photos")
blp.before_request(require_token)


class UploadFor(Schema):
    """Which form field the upload is for; only needed where the field keeps the photo's location."""

    class Meta:
        unknown = EXCLUDE  # the multipart body also carries the file part

    process_key = fields.String(validate=validate.Length(min=1, max=128), load_default=None)
    task_id = record_id(load_default=None)
    field = fields.String(validate=validate.Length(min=1, max=128), load_default=None)


class AttachmentUpload(UploadFor):
    """The whole multipart body, for the document: the view reads the file part itself."""

    file = Upload(required=True, metadata={"description": "PDF, JPEG, PNG, WebP or HEIC"})


class Location(Schema):
    lat = fields.Float()
    lng = fields.Float()


class AttachmentOut(Schema):
    id = fields.String()
    name = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    created_at = fields.DateTime()
    location = fields.Nested(Location, allow_none=True)


@blp.route("", methods=["POST"])
@blp.arguments(UploadFor, location="form", content_type="multipart/form-data")
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": AttachmentUpload}}})
@blp.response(201, AttachmentOut)
def upload(target: dict):
    """multipart/form-data ``file`` (+ ``process_key`` or ``task_id``, and ``field``). The type
    is judged by the bytes; refused files (400, 413 over the limit) leave nothing stored."""
    parts = request.files.getlist("file")
    if len(parts) != 1:
        raise InvalidInput("upload exactly one file", fields={"file": ["upload exactly one file as 'file'"]})
    return run(services.upload_attachment, g.user_id, parts[0].filename, parts[0].read(), **target)


@blp.route("/<attachment_id>", methods=["GET"])
@blp.doc(responses={"200": {"description": "the file's bytes, as an attachment", "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in (
    "application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic")}}})
def download(attachment_id: str):
    """The bytes, for the owner and whoever may see a case it is linked to (others 404)."""
    meta, data = run(services.attachment_content, attachment_id, g.user_id)
    resp = send_file(io.BytesIO(data), mimetype=meta["content_type"], as_attachment=True,
                     download_name=meta["name"], etag=meta["sha256"], max_age=0)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "sandbox"  # even if a browser renders it, no script runs
    resp.cache_control.private = True
    return resp


@blp.route("/<attachment_id>/meta", methods=["GET"])
@blp.response(200, AttachmentOut)
def meta(attachment_id: str):
    return run(services.attachment_meta, attachment_id, g.user_id)
