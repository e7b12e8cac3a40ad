"""One-thing bundles (一件事一次办): the catalogue, the questionnaire, the guide with its
one-time notice, the one form pre-filled for the applicant, and loading bundles (admins)."""
from __future__ import annotations

from forms import describe
from sqlalchemy import select

from ..bundles import guide
from ..bundles.application import form_schema
from ..bundles.store import add_bundle, bundle_by_key, latest_bundles
from ..errors import NotFound
from ..models import Attachment, Case, CaseAttachment
from .common import admin_or_server, load_actor

PREFILL_FROM_CASES = 20


def list_bundles(uow) -> list[dict]:
    return [{"key": b.key, "name": b.name, "name_en": b.definition["name_en"],
             "description": b.definition["description"], "process_key": b.process_key,
             "items_count": len(b.definition["items"]), "version": b.version} for b in latest_bundles(uow.session)]


def get_questionnaire(uow, key: str) -> dict:
    definition = bundle_by_key(uow.session, key).definition
    return {"key": key, "name": definition["name"], "questions": [
        {"id": q["id"], "text": q["text"], "text_en": q["text_en"], "type": q["type"],
         "choices": q["choices"], "show_if": q["show_if"]} for q in definition["questions"]]}


def _material_view(m: dict) -> dict:
    return {"code": m["code"], "name": m["name"], "name_en": m["name_en"], "required": m["required"],
            "copies": m["copies"], "form": m["form"], "review_points": m["review_points"], "note": m["note"]}


def guide_bundle(uow, key: str, answers: object, actor_id: int | None = None) -> dict:
    """Exactly the items, materials, time limits and departments these answers imply, and the
    one form; for a signed-in applicant the form is pre-filled (信息复用) and the materials they
    gave in earlier cases are offered again (材料复用)."""
    definition = bundle_by_key(uow.session, key).definition
    answers = guide.check_answers(definition, answers)
    items = guide.applicable_items(definition, answers)
    materials = guide.applicable_materials(definition, answers)
    names = guide.department_names(definition)
    fields = describe(form_schema(definition, items))
    user = load_actor(uow.session, actor_id) if actor_id is not None else None
    if user is not None:
        values = prefill(uow.session, definition, items, user)
        for f in fields:
            f["value"] = values.get(f["name"])
    longest = guide.longest_limit(items)
    return {"key": key, "name": definition["name"], "answers": answers,
            "items": [{"code": i["code"], "name": i["name"], "department": names.get(i["department"], i["department"]),
                       "department_code": i["department"], "time_limit": i["time_limit"],
                       "time_limit_text": guide.limit_text(i["time_limit"]), "fee": i["fee"]} for i in items],
            "materials": [_material_view(m) for m in materials], "form": {"fields": fields},
            "time_limit": longest, "time_limit_text": guide.limit_text(longest) if longest else None,
            "reusable_materials": reusable_materials(uow.session, [m["code"] for m in materials], user) if user else {}}


def notice_context(uow, key: str, answers: object, lang: str = "zh-CN") -> dict:
    """What the 一次性告知单 (guide_notice document) prints for these answers."""
    definition = bundle_by_key(uow.session, key).definition
    found = guide_bundle(uow, key, answers)
    questions = {q["id"]: q for q in definition["questions"]}
    answered = [{"question": questions[qid]["text"], "answer": _answer_label(questions[qid], value)}
                for qid, value in found["answers"].items()]
    return {"bundle": {k: definition[k] for k in ("key", "name", "description", "where", "how", "contact")},
            "answers": answered, "items": [i | {"time_limit": guide.limit_text(i["time_limit"], lang)} for i in found["items"]],
            "materials": found["materials"], "time_limit": found["time_limit_text"] or "",
            "issued_at": uow.clock.now().isoformat()}


def _answer_label(question: dict, value) -> str:
    if question["type"] == "boolean":
        return "是" if value else "否"
    return next((c["label"] for c in question["choices"] if c["value"] == value), str(value))


def material_form_context(uow, key: str, code: str, sample: bool) -> dict:
    """A material's blank form (空表) or its filled-in sample (样表)."""
    definition = bundle_by_key(uow.session, key).definition
    material = next((m for m in definition["materials"] if m["code"] == code), None)
    if material is None:
        raise NotFound(f"bundle {key!r} has no material {code!r}")
    labels = material["blank_fields"] or list(material["sample"])
    return {"material": {"code": code, "name": material["name"]}, "bundle": {"name": definition["name"]},
            "sample": sample, "fields": [{"label": lbl, "value": material["sample"].get(lbl, "") if sample else ""}
                                         for lbl in labels]}


def prefill(session, definition: dict, items: list[dict], user) -> dict:
    """Field values from the applicant's profile, then from their most recent applications."""
    wanted = dict(guide.form_fields(definition, items))
    values = {name: getattr(user, spec["profile"]) for name, spec in wanted.items() if spec["profile"]}
    earlier = session.scalars(select(Case.data).where(Case.requester_id == user.id)
                              .order_by(Case.id.desc()).limit(PREFILL_FROM_CASES))
    for data in earlier:
        for name, value in ((data or {}).get("form") or {}).items():
            if name in wanted and values.get(name) in (None, ""):
                values[name] = value
    return values


def reusable_materials(session, codes: list[str], user) -> dict[str, list[dict]]:
    """Material code → the attachments this applicant gave for it in earlier cases, newest first."""
    if not codes:
        return {}
    rows = session.execute(select(CaseAttachment.material_code, Attachment.id, Attachment.name, Attachment.created_at)
                           .join(Attachment, Attachment.id == CaseAttachment.attachment_id)
                           .join(Case, Case.id == CaseAttachment.case_id)
                           .where(Case.requester_id == user.id, Attachment.owner_id == user.id,
                                  CaseAttachment.material_code.in_(codes))
                           .order_by(CaseAttachment.id.desc()))
    out: dict[str, list[dict]] = {}
    for code, att_id, name, created_at in rows:
        if all(a["id"] != att_id for a in out.get(code, [])):
            out.setdefault(code, []).append({"id": att_id, "name": name, "created_at": created_at})
    return out


def load_bundle(uow, files: dict[str, bytes], actor_id: int | None) -> tuple[dict, bool]:
    """Admins (or the CLI) add a bundle without Python: its JSON files and diagram, checked first."""
    actor = admin_or_server(uow, actor_id)
    bundle, created = add_bundle(uow, files, actor)
    uow.commit()
    return {"key": bundle.key, "version": bundle.version, "name": bundle.name,
            "process_key": bundle.process_key, "items_count": len(bundle.definition["items"])}, created
