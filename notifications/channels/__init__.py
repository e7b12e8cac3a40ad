"""Channels that leave the building: e-mail over SMTP and SMS through an HTTP gateway. Each
sends one outbox row and returns the provider's reference; a channel that cannot raises
:class:`DeliveryFailed` (``permanent`` when retrying cannot help, e.g. a refused address)."""
from __future__ import annotations

from engine.errors import CivicFlowError


class DeliveryFailed(CivicFlowError):
    code = "delivery_failed"

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def open_channels(settings) -> dict:
    """One sender per configured channel, for one delivery batch (an SMTP connection is kept
    open across the batch and closed by :func:`close_channels`)."""
    from engine.blobs import blob_store

    from .email import SmtpChannel
    from .sms import SmsGateway
    channels = {}
    if settings.smtp_url:
        channels["email"] = SmtpChannel(settings.smtp_url, blob_store(settings))
    if settings.sms_url:
        channels["sms"] = SmsGateway(settings.sms_url, settings.sms_mapping)
    return channels


def close_channels(channels: dict) -> None:
    for channel in channels.values():
        channel.close()
