"""JSON with ISO-8601 date-times (Flask's default writes HTTP dates)."""
from __future__ import annotations

from datetime import date, datetime

from flask.json.provider import DefaultJSONProvider


class IsoJSONProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    @staticmethod
    def default(o):
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)
