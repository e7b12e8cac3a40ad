"""The one place errors become HTTP responses: ``{"error": {code, message, fields}}``."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from engine.errors import (CivicFlowError, Conflict, Forbidden, InvalidInput, NotFound,
                           ProcessRefusal, RateLimited, TooLarge, Unauthenticated)
from forms import messages_from

log = logging.getLogger(__name__)

STATUS = [(TooLarge, 413), (InvalidInput, 400), (Unauthenticated, 401), (Forbidden, 403),
          (NotFound, 404), (Conflict, 409), (ProcessRefusal, 422), (RateLimited, 429)]
HTTP_CODES = {400: "invalid_input", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
              422: "invalid_input", 429: "rate_limited"}


def status_of(exc: CivicFlowError) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 500)


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        resp = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
        resp.status_code = status
        if status == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="civicflow"'
        return resp
    return render_template("error.html", status=status, message=message, fields=fields or {}), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CivicFlowError)
    def _engine_error(exc: CivicFlowError):
        return error_response(status_of(exc), exc.code, exc.message, exc.fields)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        fields = _webargs_fields(data.get("messages")) if data.get("messages") else {}
        status = 400 if exc.code == 422 and fields else exc.code
        message = "some fields are invalid" if fields else (exc.description or exc.name)
        if status == 413:  # the request body as a whole is over the limit: that is the uploaded file
            most = f"at most {(request.max_content_length or 0) // (1024 * 1024)} MB"
            message, fields = f"the file is too large ({most})", {"file": [most]}
        return error_response(status, HTTP_CODES.get(status, "error"), message, fields)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "internal error; it has been logged")


def _webargs_fields(messages: dict) -> dict:
    """webargs nests messages by location (``{"json": {"field": [...]}}``); drop the location."""
    out: dict = {}
    for location, fields in messages.items():
        out.update(messages_from(ValidationError(fields if isinstance(fields, dict) else {location: fields})))
    return out
