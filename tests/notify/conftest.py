"""Notifications tests: the local SMTP server and SMS gateway, wired into the test container."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bench.local_servers import SmsGateway, SmtpServer


@pytest.fixture
def smtp(tmp_path):
    with SmtpServer(tmp_path) as server:
        yield server


@pytest.fixture
def sms():
    with SmsGateway() as gateway:
        yield gateway


@pytest.fixture
def wired(container, smtp, sms):
    """The test container with both channels configured, three attempts before a dead letter."""
    container.settings = replace(container.settings, smtp_url=smtp.url, sms_url=sms.url, outbox_max_attempts=3)
    return container
