"""Local stand-ins for the outside world of notifications: an aiosmtpd SMTP server that
requires STARTTLS and AUTH (with a throwaway certificate), and an SMS gateway over http.server
that honours ``Idempotency-Key`` the way a real provider does. Both listen on 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SMTP_USER, SMTP_PASSWORD = "civicflow", "mail-secret-42"


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok)


class SmtpServer:
    """``url`` is what CIVICFLOW_SMTP_URL says to reach it; ``messages`` what it received."""

    def __init__(self, folder: Path) -> None:
        cert, key = _certificate(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self.box, self.port = _Mailbox(), free_port()
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port, tls_context=context,
                                     require_starttls=True, authenticator=_authenticate, auth_require_tls=True)
        self.url = f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{self.port}?from=noreply@civicflow.test&cafile={cert}"

    @property
    def messages(self) -> list:
        return self.box.messages

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


class SmsGateway:
    """Accepts JSON posts; a repeated ``Idempotency-Key`` is answered as accepted but not sent
    again. ``fail`` answers 503; ``hold`` makes the first post wait (a crash window)."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.sent: dict[str, dict] = {}
        self.fail = False
        self.hold_s = 0.0
        self.received = threading.Event()
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # as real gateways do: Nagle and delayed ACKs cost 40 ms a post

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key")
                with gateway.lock:
                    gateway.posts.append(body)
                    status = 503 if gateway.fail else 200
                    if not gateway.fail:
                        gateway.sent.setdefault(key, body)
                gateway.received.set()
                if gateway.hold_s:
                    time.sleep(gateway.hold_s)
                reply = json.dumps({"id": f"sms-{key}"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except BrokenPipeError:
                    pass  # the client was killed while the gateway held its answer

            def log_message(self, *args):
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    @property
    def texts(self) -> list[tuple[str, str]]:
        return [(b["phone"], b["text"]) for b in self.sent.values()]

    def __enter__(self) -> SmsGateway:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
