"""The in-app inbox and each user's own notification settings (contacts, channels off)."""
from __future__ import annotations

from sqlalchemy import delete, func, select, update

from engine.errors import InvalidInput, NotFound
from engine.services.common import load_actor

from .models import ChannelOptOut, InAppNotification
from .rules import CHANNELS

PAGE = 50


def _view(n: InAppNotification) -> dict:
    return {"id": n.id, "case_id": n.case_id, "task_id": n.task_id, "message": n.message, "subject": n.subject,
            "body": n.body, "created_at": n.created_at, "read_at": n.read_at}


def unread_count(uow, user_id: int) -> int:
    """How many of the user's notifications are unread: one query on (user_id, read_at), cheap
    enough for every page's header."""
    return uow.session.scalar(select(func.count()).select_from(InAppNotification).where(
        InAppNotification.user_id == user_id, InAppNotification.read_at.is_(None)))


def list_notifications(uow, actor_id: int, unread: bool = False, limit: int = PAGE,
                       before_id: int | None = None) -> dict:
    """The user's newest notifications (only unread ones with ``unread``; only those older than
    notification ``before_id`` with it, for the next page) and the unread count."""
    user = load_actor(uow.session, actor_id)
    query = select(InAppNotification).where(InAppNotification.user_id == user.id)
    if unread:
        query = query.where(InAppNotification.read_at.is_(None))
    if before_id is not None:
        query = query.where(InAppNotification.id < before_id)
    items = uow.session.scalars(query.order_by(InAppNotification.id.desc()).limit(max(1, min(limit, 200))))
    return {"items": [_view(n) for n in items], "unread": unread_count(uow, user.id)}


def mark_read(uow, actor_id: int, notification_id: int | None = None) -> dict:
    """Mark one notification (or, without an id, all of them) read; another user's is NotFound."""
    user = load_actor(uow.session, actor_id)
    query = update(InAppNotification).where(InAppNotification.user_id == user.id,
                                            InAppNotification.read_at.is_(None))
    if notification_id is not None:
        found = uow.session.get(InAppNotification, notification_id)
        if found is None or found.user_id != user.id:
            raise NotFound(f"no notification {notification_id}")
        query = query.where(InAppNotification.id == notification_id)
    uow.session.execute(query.values(read_at=uow.clock.now()))
    uow.commit()
    return list_notifications(uow, actor_id, unread=True, limit=1) | {"items": []}


def preferences(uow, actor_id: int) -> dict:
    user = load_actor(uow.session, actor_id)
    off = sorted(uow.session.scalars(select(ChannelOptOut.channel).where(ChannelOptOut.user_id == user.id)))
    return {"email": user.email, "phone": user.phone, "channels_off": off}


def set_preferences(uow, actor_id: int, email: str | None, phone: str | None, channels_off: list[str]) -> dict:
    """The user's contacts and the channels they turned off (legally required notices still
    come on every channel)."""
    user = load_actor(uow.session, actor_id)
    bad = [c for c in channels_off if c not in CHANNELS]
    if bad:
        raise InvalidInput("unknown channel", fields={"channels_off": [f"one of {', '.join(CHANNELS)}"]})
    if email and "@" not in email:
        raise InvalidInput("bad e-mail address", fields={"email": ["an e-mail address"]})
    if phone and not phone.replace("+", "").replace("-", "").isdigit():
        raise InvalidInput("bad phone number", fields={"phone": ["digits, + and - only"]})
    user.email, user.phone = (email or "").strip() or None, (phone or "").strip() or None
    uow.session.execute(delete(ChannelOptOut).where(ChannelOptOut.user_id == user.id))
    uow.session.add_all(ChannelOptOut(user_id=user.id, channel=c) for c in dict.fromkeys(channels_off))
    uow.commit()
    return preferences(uow, actor_id)
