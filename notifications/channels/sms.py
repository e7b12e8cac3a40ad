"""SMS through an HTTP gateway: a JSON POST to ``CIVICFLOW_SMS_URL`` whose body
``CIVICFLOW_SMS_MAPPING`` shapes, because every provider names its fields differently: a JSON
object whose string values may hold ``{phone}``, ``{text}`` and ``{key}``
(default ``{"phone": "{phone}", "text": "{text}", "key": "{key}"}``). The outbox key also goes
in the ``Idempotency-Key`` header: a gateway that honours it accepts a retry after a crash
without sending the SMS again (409 or 2xx both mean accepted). One keep-alive connection pool
serves a delivery batch: a new TCP (and TLS) connection per message capped a scheduler well
below the gateway's rate."""
from __future__ import annotations

import json

import urllib3

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
        self.pool = urllib3.PoolManager(maxsize=1, retries=False, timeout=urllib3.Timeout(total=TIMEOUT_S))

    def body(self, row) -> dict:
        return _shape(self.mapping, {"phone": row.address, "text": row.body, "key": row.key})

    def send(self, row) -> str:
        data = json.dumps(self.body(row), ensure_ascii=False).encode("utf-8")
        try:
            response = self.pool.request("POST", self.url, body=data, headers={
                "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": row.key})
        except urllib3.exceptions.HTTPError as exc:
            raise DeliveryFailed(f"sms gateway: {exc}") from exc
        if response.status == 409:  # this key was accepted before: the SMS is on its way already
            return f"duplicate:{row.key}"
        if response.status >= 300:
            raise DeliveryFailed(f"sms gateway: HTTP {response.status}",
                                 permanent=400 <= response.status < 500 and response.status not in (408, 429))
        try:
            return str(json.loads(response.data or b"{}").get("id") or row.key)[:200]
        except (ValueError, AttributeError):
            return row.key

    def close(self) -> None:
        self.pool.clear()
