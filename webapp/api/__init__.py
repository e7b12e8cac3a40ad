"""The REST API, /api/v1 (see shared/API.md): bearer tokens, JSON, OpenAPI at /api/v1/openapi.json."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from . import approvals, auth, calendar, cases, directory, external_tasks, incidents, messages, processes, supervision, tasks
from . import returns
from . import signers
from . import attachments
from . import documents
from . import bundles
from . import saved_filters
from . import notifications
from . import public
from . import kpis
from . import command_mode
from . import docs
from .openapi import ContractPlugin, tags
from .schemas import ApiError

MODULES = (auth, processes, cases, tasks, directory, supervision, calendar, incidents, external_tasks,
           messages, approvals, returns, signers, documents, attachments, bundles, saved_filters,
           notifications, public, kpis, command_mode)


class CivicFlowApi(Api):
    ERROR_SCHEMA = ApiError  # every documented error response has the shape we render

    def _register_error_handlers(self) -> None:
        """Errors are rendered by webapp.errors for the whole app, in the contract's shape."""


def init_api(app: Flask) -> Api:
    app.config.update(
        API_TITLE="CivicFlow API", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}],
            "tags": tags(module.blp for module in MODULES)},
    )
    api = CivicFlowApi(app, spec_kwargs={"extra_plugins": [ContractPlugin()]})
    for module in MODULES:
        api.register_blueprint(module.blp, url_prefix=f"/api/v1{module.PREFIX}")
    app.register_blueprint(docs.bp)  # /api/docs: Swagger UI on the document above
    return api
