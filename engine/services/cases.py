"""Starting cases and reading them."""
from __future__ import annotations

from forms import FormSpec
from sqlalchemy import select

from ..attachments.links import check_attachment_ids, form_attachment_ids, link_form_attachments
from ..bpmn.loader import load_definition
from ..bundles.store import bundle_for_process
from ..candidates import parse_group
from ..case_fields import sees_all
from ..case_public import follower_view, requester_view
from ..case_start import open_case
from ..errors import Forbidden
from ..forms_runtime import declared_defaults, validate
from ..models import OrgUnit, TaskCandidate
from ..permissions import matches
from .applications import open_application
from .common import load_actor
from .definitions import latest_definition
from .queries import case_list, case_view, visible_case


def _start_event(spec):
    starts = [ts for ts in spec.task_specs.values() if hasattr(ts, "civicflow_form")]
    return starts[0] if starts else None


def _may_start(session, user, parsed) -> bool:
    groups = parsed.starter_groups
    if not groups:
        return True
    candidates = []
    for group in groups:
        cand = parse_group(group)
        org_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == cand.org_code)) if cand.org_code else None
        if cand.org_code and org_id is None:
            continue
        candidates.append(TaskCandidate(role=cand.role, org_unit_id=org_id))
    return matches(user, candidates)


def start_case(uow, process_key: str, data: object, actor_id: int, business_key: str | None = None) -> dict:
    """Validate ``data`` against the start form, run the process to its first wait states, and
    store the case with its inbox rows and audit row in one transaction."""
    s = uow.session
    user = load_actor(s, actor_id)
    definition = latest_definition(s, process_key)
    parsed = load_definition(definition)
    if not _may_start(s, user, parsed):
        raise Forbidden(f"you may not start {process_key!r}")
    bundle = bundle_for_process(uow, process_key)
    if bundle is not None:
        case = open_application(uow, bundle, definition, data, user, business_key=business_key)
        uow.commit()
        return _view_for(s, user, case, uow.clock.now(), with_history=False)
    start = _start_event(parsed.spec)
    clean = validate(start.civicflow_form if start else FormSpec(), start or parsed.spec, data)
    files = form_attachment_ids(start.civicflow_form if start else FormSpec(), start or parsed.spec, clean)
    check_attachment_ids(s, user, files)
    if start is not None and start.civicflow_initiator:
        clean[start.civicflow_initiator] = user.username
    initial = (declared_defaults(start.civicflow_form) if start else {}) | clean
    case = open_case(uow, definition, initial, user, business_key=business_key)
    link_form_attachments(s, case.id, files, at=uow.clock.now())
    uow.commit()
    return _view_for(s, user, case, uow.clock.now(), with_history=False)


def _view_for(s, user, case, now, with_history: bool = True) -> dict:
    """Staff see the case; its requester their own view; anyone else who may see it (a merged
    reporter, a follower) its public status."""
    if sees_all(user, case):
        return case_view(s, case, with_history=with_history, now=now, with_incidents=True)
    if case.requester_id == user.id:
        return requester_view(s, case, user)
    return follower_view(s, case)


def get_case(uow, case_id: int, actor_id: int) -> dict:
    s = uow.session
    user = load_actor(s, actor_id)
    return _view_for(s, user, visible_case(s, user, case_id), uow.clock.now())


def list_cases(uow, actor_id: int, status: str | None = None, process_key: str | None = None,
               q: str | None = None, page: int = 1, per_page: int = 50) -> dict:
    s = uow.session
    user = load_actor(s, actor_id)
    return case_list(s, user, status=status, process_key=process_key, q=q, page=page, per_page=per_page)
