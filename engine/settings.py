"""Settings, read from the environment only (never from the repository)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str
    instance_path: Path
    secret_key: str
    timezone: str
    smtp_url: str | None
    sms_url: str | None
    work_periods: str = ""  # "08:30-12:00,14:00-17:30" (the default when empty)
    escalate_after: str = "2wd"  # still overdue this long after a breach: climb one more level
    upload_limit_bytes: int = 5 * 1024 * 1024
    attachment_limit_bytes: int = 10 * 1024 * 1024  # CIVICFLOW_MAX_ATTACHMENT_MB
    s3_url: str | None = None  # http(s)://KEY:SECRET@host:port/bucket[/prefix][?region=R]: blobs in S3
    token_ttl_s: int = 12 * 3600
    secure_cookies: bool = False  # the session cookie only over HTTPS; on whenever a real secret key is set
    proxy_hops: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto (the sign-in limits key on the client)
    public_url: str = "http://127.0.0.1:5000"  # links in notices: status page, evaluation
    sms_signature: str = "【市民服务】"  # the registered SMS signature, 【…】
    sms_mapping: str = ""  # JSON: the gateway's body fields from {phone, text, key, signature}
    outbox_max_attempts: int = 8  # then a message is a dead letter
    digest_minutes: int = 10  # candidates' e-mail/SMS about claimable tasks is gathered this long; 0: at once
    map_tiles: str = ""  # a tile URL template, https://tiles.example.cn/{z}/{x}/{y}.png; empty: no map
    map_attribution: str = ""  # the tile provider's credit line shown on the map
    map_center: str = "39.9288,116.4164"  # "lat,lng" where the map opens before a point is set
    long_open_wd: int = 20  # 久拖不决: a case open longer than this many working days (CIVICFLOW_LONG_OPEN_WD)
    command_centre: str = "CITY"  # org unit whose dispatchers take new cases in emergency mode (平战切换)


def _demo_secret(instance_path: Path) -> str:
    """A per-instance secret for the demo, so that nothing secret lives in the repository."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _megabytes(text: str) -> int:
    """A size in MB (``10``, ``2.5``) as bytes; a typo fails at start-up, not at the first upload."""
    try:
        mb = float(text)
    except ValueError:
        raise ValueError(f"CIVICFLOW_MAX_ATTACHMENT_MB: {text!r} is not a number of megabytes") from None
    if not 0 < mb <= 1024:
        raise ValueError(f"CIVICFLOW_MAX_ATTACHMENT_MB: {text!r} must be above 0 and at most 1024")
    return int(mb * 1024 * 1024)


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
        raise ValueError(f"CIVICFLOW_SECURE_COOKIES: 1 or 0, not {value!r}")
    return value.strip().lower() in ("1", "true", "yes", "on")


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build settings from ``environ`` (default ``os.environ``), creating the instance folder."""
    env = os.environ if environ is None else environ
    instance = Path(env.get("CIVICFLOW_INSTANCE_PATH", "instance")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    return Settings(
        database_url=env.get("DATABASE_URL") or f"sqlite:///{instance / 'civicflow.db'}",
        instance_path=instance,
        secret_key=env.get("CIVICFLOW_SECRET_KEY") or _demo_secret(instance),
        secure_cookies=_flag(env.get("CIVICFLOW_SECURE_COOKIES"), default=bool(env.get("CIVICFLOW_SECRET_KEY"))),
        proxy_hops=int(env.get("CIVICFLOW_PROXY_HOPS", "0")),
        timezone=env.get("CIVICFLOW_TIMEZONE", "Asia/Shanghai"),
        smtp_url=env.get("CIVICFLOW_SMTP_URL") or None,
        sms_url=env.get("CIVICFLOW_SMS_URL") or None,
        work_periods=env.get("CIVICFLOW_WORK_PERIODS", ""),
        escalate_after=env.get("CIVICFLOW_ESCALATE_AFTER", "2wd"),
        attachment_limit_bytes=_megabytes(env.get("CIVICFLOW_MAX_ATTACHMENT_MB", "10")),
        s3_url=env.get("CIVICFLOW_S3_URL") or None,
        public_url=env.get("CIVICFLOW_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        sms_signature=env.get("CIVICFLOW_SMS_SIGNATURE", "【市民服务】"),
        sms_mapping=env.get("CIVICFLOW_SMS_MAPPING", ""),
        outbox_max_attempts=int(env.get("CIVICFLOW_OUTBOX_MAX_ATTEMPTS", "8")),
        digest_minutes=int(env.get("CIVICFLOW_DIGEST_MINUTES", "10")),
        map_tiles=env.get("CIVICFLOW_MAP_TILES", ""),
        map_attribution=env.get("CIVICFLOW_MAP_ATTRIBUTION", ""),
        map_center=env.get("CIVICFLOW_MAP_CENTER", Settings.map_center),
        long_open_wd=int(env.get("CIVICFLOW_LONG_OPEN_WD", "20")),
        command_centre=env.get("CIVICFLOW_COMMAND_CENTRE", Settings.command_centre),
    )
