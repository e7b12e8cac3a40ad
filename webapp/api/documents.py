"""Documents issued on a case (一次性告知单, 办理结果通知书, 决定书): listed per case, served as PDF."""
from __future__ import annotations

import re
from urllib.parse import quote

from flask import Response, g, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from notifications.documents import store

from ..calls import run
from .security import require_token

PREFIX = ""
blp = Blueprint("api_documents", __name__, description="Documents: generated PDFs of a case")
blp.before_request(require_token)


class DocumentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    url = fields.Function(lambda d: url_for("api_documents.download", document_id=d["id"]))
    sha256 = fields.String(allow_none=True)
    created_at = fields.DateTime()


def _disposition(document: dict) -> str:
    """inline, with an ASCII fallback name and the title as RFC 5987 UTF-8 (no quotes, slashes
    or control characters from the title reach the header)."""
    title = re.sub(r'[\x00-\x1f\x7f"\\/:*?<>|]+', "_", document["name"]).strip() or document["kind"]
    return f"inline; filename=\"{document['kind']}-{document['id']}.pdf\"; filename*=UTF-8''{quote(title + '.pdf')}"


@blp.route("/cases/<int:case_id>/documents", methods=["GET"])
@blp.response(200, DocumentOut(many=True))
def list_documents(case_id: int):
    """The case's documents, oldest first; 404 when the caller may not see the case."""
    return run(store.list_documents, case_id, g.user_id)


@blp.route("/documents/<int:document_id>", methods=["GET"])
@blp.response(200, {"format": "binary", "type": "string"}, content_type="application/pdf")
def download(document_id: int):
    """The PDF, rendered on the first request and identical on every later one."""
    document = run(store.document_summary, document_id, g.user_id)
    data = run(store.document_pdf, document_id, g.user_id)
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": _disposition(document)})
