"""Loading a bundle folder into the database (its diagram deployed with it, its departments
created), and finding the bundle a process or a key belongs to."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import func, select

from .. import audit
from ..errors import InvalidInput, NotFound
from ..models import Bundle, OrgUnit
from . import spec

MAX_FILE_BYTES = 1024 * 1024


def read_folder(folder: Path) -> dict[str, bytes]:
    """A bundle folder's files as uploads would send them: name → bytes (the diagram included)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"{folder} is not a folder", fields={"folder": ["not a folder"]})
    files = {name: (folder / name).read_bytes() for name in spec.FILES if (folder / name).is_file()}
    for diagram in folder.glob("*.bpmn"):
        files[diagram.name] = diagram.read_bytes()
    return files


def _parse(files: dict[str, bytes]) -> dict:
    documents, problems = {}, {}
    for name in spec.FILES:
        if name not in files:
            continue
        if len(files[name]) > MAX_FILE_BYTES:
            problems[name] = ["larger than 1 MB"]
            continue
        try:
            documents[name] = json.loads(files[name].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems[name] = [f"not UTF-8 JSON: {exc}"]
    if problems:
        raise InvalidInput("the bundle is invalid", fields=problems)
    return spec.load_files(documents)


def _checksum(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def _add_departments(uow, definition: dict, actor) -> None:
    """Departments the bundle names and the org tree lacks are created under their parent."""
    from ..services.directory import add_org_unit

    s = uow.session
    known = set(s.scalars(select(OrgUnit.code)))
    declared = {d["code"]: d for d in definition["departments"]}
    problems = {}
    for n, item in enumerate(definition["items"]):
        if item["department"] not in known and item["department"] not in declared:
            problems[f"bundle.json.items.{n}.department"] = [
                f"{item['department']!r} is neither an org unit nor in departments"]
    for n, dept in enumerate(definition["departments"]):
        if dept["code"] not in known and dept["parent"] not in known:
            problems[f"bundle.json.departments.{n}.parent"] = [f"no org unit {dept['parent']!r}"]
    if problems:
        raise InvalidInput("the bundle is invalid", fields=problems)
    for dept in definition["departments"]:
        if dept["code"] not in known:
            add_org_unit(uow, dept["code"], dept["name"], "department", dept["parent"], actor)
            known.add(dept["code"])


def add_bundle(uow, files: dict[str, bytes], actor) -> tuple[Bundle, bool]:
    """Check everything, then store the diagram, the departments and the bundle in the caller's
    transaction. The same files again are a no-op (returns the stored version, False)."""
    from ..services.definitions import add_definition

    s = uow.session
    definition = _parse(files)
    if definition["diagram"] not in files:
        raise InvalidInput("the bundle's diagram is missing",
                           fields={"bundle.json.diagram": [f"no file {definition['diagram']!r}"]})
    checksum = _checksum(files)
    existing = s.scalar(select(Bundle).where(Bundle.key == definition["key"], Bundle.checksum == checksum))
    if existing is not None:
        return existing, False
    _add_departments(uow, definition, actor)
    process, _ = add_definition(uow, [(definition["diagram"], files[definition["diagram"]])], actor)
    if process.key != definition["process_key"]:
        raise InvalidInput("the diagram is another process", fields={"bundle.json.process_key": [
            f"the diagram's process id is {process.key!r}"]})
    version = (s.scalar(select(func.max(Bundle.version)).where(Bundle.key == definition["key"])) or 0) + 1
    bundle = Bundle(key=definition["key"], version=version, name=definition["name"],
                    process_key=definition["process_key"], definition=definition, checksum=checksum,
                    loaded_by_id=actor.id if actor else None, loaded_at=uow.clock.now())
    s.add(bundle)
    s.flush()
    uow.cache.forget("bundle-of")
    audit.append(s, uow.clock.now(), actor, "bundle.loaded", detail={
        "key": bundle.key, "version": version, "checksum": checksum, "process": process.key,
        "process_version": process.version})
    return bundle, True


def latest_bundles(session) -> list[Bundle]:
    newest = select(Bundle.key, func.max(Bundle.version).label("v")).group_by(Bundle.key).subquery()
    return list(session.scalars(select(Bundle).join(newest, (Bundle.key == newest.c.key)
                                                    & (Bundle.version == newest.c.v)).order_by(Bundle.key)))


def bundle_by_key(session, key: str) -> Bundle:
    bundle = session.scalar(select(Bundle).where(Bundle.key == key).order_by(Bundle.version.desc()).limit(1))
    if bundle is None:
        raise NotFound(f"no bundle {key!r}")
    return bundle


def bundle_for_process(uow, process_key: str) -> Bundle | None:
    """The newest bundle run by this process, or None for an ordinary process (cached: asked on
    every case start)."""
    bundle_id = uow.cache.get_or_load(("bundle-of", process_key), lambda: uow.session.scalar(
        select(Bundle.id).where(Bundle.process_key == process_key).order_by(Bundle.version.desc()).limit(1)))
    return uow.session.get(Bundle, bundle_id) if bundle_id is not None else None
