"""Uploading attachments and reading them back (the checks live in ``engine.attachments``)."""
from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import select

from .. import audit
from ..attachments.intake import check_upload
from ..attachments.links import usable_clause
from ..blobs import blob_store
from ..bpmn.loader import load_definition
from ..bpmn.specs import human_config
from ..bundles.store import bundle_for_process
from ..errors import InvalidInput, NotFound
from ..models import Attachment, User
from .common import load_actor, task_spec, visible_task
from .definitions import latest_definition

ATTACHMENT_TYPES = ("attachment", "attachments")


def _form_of(uow, user: User, process_key: str | None, task_id: int | None):
    if process_key is not None:
        spec = load_definition(latest_definition(uow.session, process_key)).spec
        start = next((ts for ts in spec.task_specs.values() if hasattr(ts, "civicflow_form")), None)
        return start.civicflow_form if start else None
    return human_config(task_spec(uow, visible_task(uow.session, user, task_id))).form


def _keeps_location(uow, user: User, process_key: str | None, task_id: int | None, field: str | None) -> bool:
    """Whether the named form field asks for the photo's location (``keep_location="true"``).
    Naming a field that is not an attachment field of that form is a 400, so a typo in a
    client cannot silently drop a location the form wanted."""
    if field is None and process_key is None and task_id is None:
        return False
    if field is None or (process_key is None) == (task_id is None):
        msg = "name the form field together with either process_key (a start form) or task_id (a task form)"
        raise InvalidInput(msg, fields={"field": [msg]})
    form = _form_of(uow, user, process_key, task_id)
    spec = next((f for f in (form.fields if form else ()) if f.name == field and f.type in ATTACHMENT_TYPES), None)
    if spec is None:
        raise InvalidInput("not an attachment field of this form", fields={"field": [f"{field!r} is not an attachment field of this form"]})
    return spec.properties.get("keep_location", "").strip().lower() == "true"


def _check_material(uow, process_key: str | None, material: str) -> None:
    """A material upload names a material of the bundle that ``process_key`` runs."""
    bundle = bundle_for_process(uow, process_key) if process_key else None
    if bundle is None or all(m["code"] != material for m in bundle.definition["materials"]):
        msg = "not a material of this process's one-thing bundle"
        raise InvalidInput(msg, fields={"material": [f"{material[:64]!r} is {msg}"]})


def _meta(att: Attachment) -> dict:
    out = {"id": att.id, "name": att.name, "content_type": att.content_type, "size": att.size,
           "sha256": att.sha256, "created_at": att.created_at}
    if att.lat is not None and att.lng is not None:
        out["location"] = {"lat": att.lat, "lng": att.lng}
    return out


def upload_attachment(uow, actor_id: int, filename: str | None, data: bytes, *, process_key: str | None = None,
                      task_id: int | None = None, field: str | None = None, material: str | None = None) -> dict:
    """Check and store one upload: ``{id, name, content_type, size, sha256}``, plus ``location``
    (``{lat, lng}`` or None) when ``field`` of that start or task form keeps it. ``material``
    (with ``process_key``) names a one-thing bundle's material instead of a form field: bundles
    have no start form, and a material never keeps a location. A refused file (errors name
    ``file``) leaves no row and no stored bytes; an accepted one an audit row."""
    s, now = uow.session, uow.clock.now()
    user = load_actor(s, actor_id)
    if material is not None:
        _check_material(uow, process_key, material)
        keep = False
    else:
        keep = _keeps_location(uow, user, process_key, task_id, field)
    checked = check_upload(filename, data, limit_bytes=uow.settings.attachment_limit_bytes, keep_location=keep)
    sha = hashlib.sha256(checked.data).hexdigest()
    loc = checked.location or {}
    att = Attachment(id=uuid.uuid4().hex, sha256=sha, name=checked.name, content_type=checked.content_type,
                     size=len(checked.data), owner_id=user.id, lat=loc.get("lat"), lng=loc.get("lng"), created_at=now)
    s.add(att)
    audit.append(s, now, user, "attachment.uploaded", detail={
        "attachment_id": att.id, "sha256": sha, "name": att.name, "size": att.size, "content_type": att.content_type})
    # the bytes last, just before the commit: a failed write leaves no row; a failed commit at
    # worst an unreferenced blob, which the next upload of the same bytes reuses
    blob_store(uow.settings).put(checked.data)
    uow.commit()
    out = {k: v for k, v in _meta(att).items() if k not in ("created_at", "location")}
    return out | ({"location": checked.location} if keep else {})


def _readable(uow, attachment_id: str, actor_id: int) -> Attachment:
    s = uow.session
    user = load_actor(s, actor_id)
    att = s.scalar(select(Attachment).where(Attachment.id == attachment_id, usable_clause(s, user)))
    if att is None:
        raise NotFound(f"no attachment {attachment_id[:64]!r}")
    return att


def attachment_meta(uow, attachment_id: str, actor_id: int) -> dict:
    """The metadata of an attachment the actor may read (owner, or a linked case they see);
    NotFound for anyone else, exactly as for an id that does not exist."""
    return _meta(_readable(uow, attachment_id, actor_id))


def attachment_content(uow, attachment_id: str, actor_id: int) -> tuple[dict, bytes]:
    """``(metadata, bytes)`` of an attachment the actor may read; NotFound otherwise."""
    att = _readable(uow, attachment_id, actor_id)
    return _meta(att), blob_store(uow.settings).get(att.sha256)
