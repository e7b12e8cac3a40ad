"""The SMS with a registration code. It is a legally plain message to a number that has no
account yet, so it bypasses the rules; without an SMS gateway (the demo) the code is written to
the log instead, where the person trying the demo finds it."""
from __future__ import annotations

import logging

from .enqueue import add
from .recipients import Recipient

log = logging.getLogger(__name__)


def on_code_requested(uow, event) -> None:
    phone, code = event.payload["phone"], event.payload["code"]
    if not uow.settings.sms_url:
        log.warning("no SMS gateway (CIVICFLOW_SMS_URL): verification code for %s is %s", phone, code)
        return
    add(uow, None, None, event.name, "verification_code", "sms", Recipient(None, "", None, phone),
        lambda: {"code": code, "minutes": 10})
