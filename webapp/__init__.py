"""The Flask application: one blueprint per audience, all calling the engine's services."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.bootstrap import Container, bootstrap
from notifications import install as install_notifications

from .account import bp as account_bp
from .admin import bp as admin_bp
from .api import init_api
from .auth import bp as auth_bp
from .citizen import bp as citizen_bp
from .cockpit import bp as cockpit_bp
from .csrf import init_csrf
from .errors import register_error_handlers
from .i18n import init_i18n
from .inbox import bp as inbox_bp
from .input_guard import init_input_guard
from .json_provider import IsoJSONProvider
from .public import bp as public_bp
from .read_only import init_read_only
from .reports import bp as reports_bp
from .routing import init_routing
from .security_headers import init_security_headers
from .supervise import bp as supervise_bp
from .vendor import bp as vendor_bp

MULTIPART_ENVELOPE_BYTES = 64 * 1024  # boundaries, part headers and the small form fields beside the file


def create_app(test_config: dict | None = None, container: Container | None = None) -> Flask:
    container = container or install_notifications(bootstrap())
    app = Flask(__name__, instance_path=str(container.settings.instance_path))
    app.json = IsoJSONProvider(app)
    app.config.update(
        SECRET_KEY=container.settings.secret_key,
        # the larger of a diagram and an attachment; each service then checks its own limit
        MAX_CONTENT_LENGTH=max(container.settings.upload_limit_bytes, container.settings.attachment_limit_bytes)
        + MULTIPART_ENVELOPE_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=container.settings.secure_cookies,
        TOKEN_TTL_S=container.settings.token_ttl_s,
    )
    app.config.update(test_config or {})
    if container.settings.proxy_hops:  # the client's address and scheme as the proxies saw them
        hops = container.settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.extensions["civicflow"] = container

    init_routing(app)
    register_error_handlers(app)
    init_i18n(app)
    init_input_guard(app)
    init_security_headers(app)
    init_csrf(app)
    init_read_only(app)
    app.jinja_env.globals["tz"] = ZoneInfo(container.settings.timezone)
    init_api(app)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(citizen_bp)
    app.register_blueprint(cockpit_bp)
    app.register_blueprint(inbox_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(supervise_bp)
    app.register_blueprint(vendor_bp)
    return app
