"""SMS through an HTTP gateway: a JSON POST to ``CIVICFLOW_SMS_URL`` whose body
``CIVICFLOW_SMS_MAPPING`` shapes, because every provider names its fields differently: a JSON
object whose string values may hold ``{phone}``, ``{text}`` and ``{key}``
(default ``{"phone": "{phone}", "text": "{text}", "key": "{key}"}``). The outbox key also goes
in the ``Idempotency-Key`` header: a gateway that honours it accepts a retry after a crash
without sending the SMS again (409 or 2xx both mean accepted)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

from . import DeliveryFailed

DEFAULT_MAPPING = {"phone": "{phone}", "text": "{text}", "key": "{key}"}
TIMEOUT_S = 10


def _shape(template, values: dict):
    if isinstance(template, dict):
        return {k: _shape(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_shape(v, values) for v in template]
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
    return template


class SmsGateway:
    def __init__(self, url: str, mapping: str = "") -> None:
        self.url = url
        self.mapping = json.loads(mapping) if mapping else DEFAULT_MAPPING
        if not isinstance(self.mapping, dict):
            raise ValueError("CIVICFLOW_SMS_MAPPING must be a JSON object")

    def body(self, row) -> dict:
        return _shape(self.mapping, {"phone": row.address, "text": row.body, "key": row.key})

    def send(self, row) -> str:
        data = json.dumps(self.body(row), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": row.key})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                reply = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 409:  # this key was accepted before: the SMS is on its way already
                return f"duplicate:{row.key}"
            raise DeliveryFailed(f"sms gateway: HTTP {exc.code}",
                                 permanent=400 <= exc.code < 500 and exc.code not in (408, 429)) from exc
        except OSError as exc:
            raise DeliveryFailed(f"sms gateway: {exc}") from exc
        try:
            return str(json.loads(reply or b"{}").get("id") or row.key)[:200]
        except (ValueError, AttributeError):
            return row.key

    def close(self) -> None:
        """Nothing held between messages."""
