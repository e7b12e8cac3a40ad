"""E-mail over SMTP: ``CIVICFLOW_SMTP_URL`` is ``smtp://USER:PASSWORD@HOST:PORT?from=ADDRESS``
(STARTTLS, required unless ``starttls=0``), or ``smtps://…`` for TLS from the first byte.
``cafile=PATH`` trusts a private CA. The outbox key is the Message-ID, so a receiving system
(or a person) can tell a retried message from a new one. A row's ``attachments`` (files in the
blob store, e.g. the monthly report's PDF) go with it; one missing from the store makes the
message a dead letter, since no retry can bring it back."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit

from engine.blobs import BlobStore
from engine.errors import NotFound

from . import DeliveryFailed

TIMEOUT_S = 20


class SmtpChannel:
    def __init__(self, url: str, blobs: BlobStore) -> None:
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("CIVICFLOW_SMTP_URL: smtp://USER:PASSWORD@HOST:PORT?from=ADDRESS or smtps://…")
        self.host, self.port = parts.hostname, parts.port or (465 if parts.scheme == "smtps" else 587)
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = not self.implicit_tls and query.get("starttls", "1") != "0"
        self.user, self.password = unquote(parts.username or ""), unquote(parts.password or "")
        self.sender = query.get("from") or (self.user if "@" in self.user else f"civicflow@{self.host}")
        self.tls = ssl.create_default_context(cafile=query.get("cafile"))
        self.blobs = blobs  # where the rows' attachments are read from
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is None:
            if self.implicit_tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_S, context=self.tls)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
                if self.starttls:
                    smtp.starttls(context=self.tls)
            if self.user:
                smtp.login(self.user, self.password)
            self._smtp = smtp
        return self._smtp

    def send(self, row) -> str:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, row.address, row.subject
        mail["Date"], mail["Message-ID"] = formatdate(localtime=False), f"<{row.key}@civicflow>"
        mail.set_content(row.body)
        if row.html:
            mail.add_alternative(row.html, subtype="html")
        self._attach(mail, row.attachments or [])
        try:
            self._connect().send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryFailed(f"recipient refused: {exc.recipients}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryFailed(f"smtp: {exc}") from exc
        return mail["Message-ID"]

    def _attach(self, mail: EmailMessage, attachments: list[dict]) -> None:
        for item in attachments:
            try:
                data = self.blobs.get(item["sha256"])
            except NotFound as exc:
                raise DeliveryFailed(f"attachment {item['name']} is not in the blob store", permanent=True) from exc
            except OSError as exc:
                raise DeliveryFailed(f"attachment {item['name']}: {exc}") from exc
            maintype, _, subtype = item["content_type"].partition("/")
            mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=item["name"])

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass  # the connection is gone either way
            self._smtp = None
