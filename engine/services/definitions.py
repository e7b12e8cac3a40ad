"""Deploying diagrams: validate everything first, store nothing unless all of it holds."""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select, update

from .. import audit
from ..bpmn.loader import load_definition, parse_process
from ..bpmn.specs import human_config
from ..bpmn.validation import check_diagram
from ..candidates import lane_role
from ..errors import Conflict, InvalidInput, NotFound
from ..models import OrgUnit, ProcessDefinition, ProcessStart
from ..process_starts import register_starts
from .common import load_actor, require_reason, require_role


def _summary(parsed) -> dict:
    tasks, start_form = [], {"key": None, "fields": []}
    for spec in [parsed.spec, *parsed.subprocess_specs.values()]:
        for ts in spec.task_specs.values():
            cfg = human_config(ts)
            if cfg is not None:
                tasks.append({"id": ts.bpmn_id, "name": ts.bpmn_name or ts.bpmn_id,
                              "role": ",".join(cfg.candidate_groups) or cfg.assignee or lane_role(cfg.lane),
                              "form_key": cfg.form.key, "sla": cfg.due})
            if spec is parsed.spec and getattr(ts, "civicflow_form", None) is not None and ts.civicflow_form.fields:
                start_form = ts.civicflow_form.to_dict()
    return {"tasks": tasks, "start_form": start_form}


def _split(files: list[tuple[str, bytes]]) -> tuple[tuple[str, bytes], list[bytes]]:
    bpmn, dmn, other = [], [], []
    for name, body in files:
        lower = name.lower()
        if lower.endswith(".dmn"):
            dmn.append(body)
        elif lower.endswith((".bpmn", ".xml")):
            bpmn.append((name, body))
        else:
            other.append(name)
    if len(bpmn) != 1 or other:
        detail = f"got {len(bpmn)} BPMN file(s)" + (f"; not .bpmn or .dmn: {', '.join(other)}" if other else "")
        raise InvalidInput("upload exactly one .bpmn file and any number of .dmn files",
                           fields={"file": [detail]})
    for name, body in [bpmn[0], *[(f"table{i + 1}.dmn", b) for i, b in enumerate(dmn)]]:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{name} is not UTF-8", fields={name: ["must be UTF-8 encoded"]}) from exc
    return bpmn[0], dmn


def deploy(uow, files: list[tuple[str, bytes]], actor_id: int | None) -> tuple[dict, bool]:
    """Validate and store a diagram. Returns (definition summary, created). The same bytes again
    return the existing version with created=False; a new version never touches running cases."""
    actor = load_actor(uow.session, actor_id) if actor_id is not None else None
    if actor is not None:
        require_role(actor, "admin")
    definition, created = add_definition(uow, files, actor)
    uow.commit()
    return definition_view(definition), created


def add_definition(uow, files: list[tuple[str, bytes]], actor) -> tuple[ProcessDefinition, bool]:
    """:func:`deploy` inside the caller's transaction (a bundle stores its diagram and its data
    together): the definition, and whether it is a new version."""
    s = uow.session
    (filename, bpmn), dmn = _split(files)
    checksum = hashlib.sha256(b"\0".join([bpmn, *dmn])).hexdigest()
    parsed = parse_process(bpmn, dmn, filename, validate_schema=True)
    existing = s.scalar(select(ProcessDefinition).where(
        ProcessDefinition.key == parsed.key, ProcessDefinition.checksum == checksum))
    if existing is not None:
        return existing, False
    check_diagram(parsed, set(s.scalars(select(OrgUnit.code))))
    version = (s.scalar(select(func.max(ProcessDefinition.version))
                        .where(ProcessDefinition.key == parsed.key)) or 0) + 1
    now = uow.clock.now()
    definition = ProcessDefinition(
        key=parsed.key, version=version, name=parsed.name, bpmn_xml=bpmn.decode("utf-8"),
        dmn_xml=[d.decode("utf-8") for d in dmn], checksum=checksum, summary=_summary(parsed),
        deployed_by_id=actor.id if actor else None, deployed_at=now)
    s.add(definition)
    s.flush()
    register_starts(uow, definition, parsed)  # its start events replace the previous version's
    audit.append(s, now, actor, "process.deployed", detail={
        "key": parsed.key, "version": version, "checksum": checksum, "file": filename})
    return definition, True


def definition_view(d: ProcessDefinition) -> dict:
    return {"id": d.id, "key": d.key, "version": d.version, "name": d.name, "status": d.status,
            "deployed_at": d.deployed_at, "tasks": d.summary.get("tasks", []),
            "start_form": d.summary.get("start_form")}


def latest_definition(session, key: str) -> ProcessDefinition:
    d = session.scalar(select(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessDefinition.status == "active")
        .order_by(ProcessDefinition.version.desc()).limit(1))
    if d is None:
        raise NotFound(f"no active process with key {key!r} (unknown, or every version is retired)")
    return d


def list_definitions(uow, all_versions: bool = False) -> list[dict]:
    s = uow.session
    q = select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
    rows = s.scalars(q).all()
    if not all_versions:
        seen, latest = set(), []
        for d in rows:
            if d.status == "active" and d.key not in seen:
                seen.add(d.key)
                latest.append(d)
        rows = latest
    return [definition_view(d) for d in rows]


def get_definition(uow, key: str) -> dict:
    return definition_view(latest_definition(uow.session, key))


def get_definition_bpmn(uow, key: str) -> str:
    return latest_definition(uow.session, key).bpmn_xml


def _version(session, key: str, version: int) -> ProcessDefinition:
    d = session.scalar(select(ProcessDefinition).where(
        ProcessDefinition.key == key, ProcessDefinition.version == version))
    if d is None:
        raise NotFound(f"no version {version} of process {key!r}")
    return d


def _newest_active_id(session, key: str) -> int | None:
    return session.scalar(select(ProcessDefinition.id).where(
        ProcessDefinition.key == key, ProcessDefinition.status == "active")
        .order_by(ProcessDefinition.version.desc()).limit(1))


def _set_status(uow, key: str, version: int, status: str, reason: str, actor_id: int) -> dict:
    s = uow.session
    actor = load_actor(s, actor_id)
    require_role(actor, "admin")
    reason = require_reason(reason)
    d = _version(s, key, version)
    if d.status == status:
        raise Conflict(f"{key} v{version} is {status} already", fields={"status": [f"already {status}"]})
    starter = _newest_active_id(s, key)
    d.status = status
    s.flush()
    now_starter = _newest_active_id(s, key)
    if now_starter != starter:  # message, signal and timer starts follow the newest active version
        if now_starter is None:
            s.execute(update(ProcessStart).where(ProcessStart.process_key == key, ProcessStart.state == "active")
                      .values(state="retired", lease_owner=None, lease_expires_at=None))
        else:
            newest = s.get(ProcessDefinition, now_starter)
            register_starts(uow, newest, load_definition(newest))
    audit.append(s, uow.clock.now(), actor, f"process.{'retired' if status == 'retired' else 'activated'}",
                 detail={"key": key, "version": version}, reason=reason)
    uow.commit()
    return definition_view(d)


def retire_version(uow, key: str, version: int, reason: str, actor_id: int) -> dict:
    """Admins retire a version: it starts no new case (``POST /cases`` takes the newest active
    version, or 404 when none is active), while the cases already running on it go on. 409 when
    it is retired already."""
    return _set_status(uow, key, version, "retired", reason, actor_id)


def activate_version(uow, key: str, version: int, reason: str, actor_id: int) -> dict:
    """Undo :func:`retire_version`: if it is the newest active version again, new cases use it."""
    return _set_status(uow, key, version, "active", reason, actor_id)


def get_version_bpmn(uow, key: str, version: int) -> str:
    """The diagram of any version, retired or not (admins compare versions)."""
    return _version(uow.session, key, version).bpmn_xml
