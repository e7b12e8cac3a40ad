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


def list_bundles(uow, q: str | None = None) -> list[dict]:
    """The newest version of every bundle with what a service catalogue shows (theme, life
    event, items with their departments, the longest time limit, the fees); ``q`` keeps those
    whose name or an item's name contains it."""
    out = [_catalogue_entry(b) for b in latest_bundles(uow.session)]
    needle = (q or "").strip().casefold()
    if needle:
        out = [b for b in out if any(needle in text.casefold() for text in _searchable(b))]
    return out


def _catalogue_entry(bundle) -> dict:
    definition = bundle.definition
    names = guide.department_names(definition)
    items = [{"code": i["code"], "name": i["name"], "name_en": i["name_en"],
              "department": names.get(i["department"], i["department"]), "time_limit": i["time_limit"],
              "fee": i["fee"]} for i in definition["items"]]
    return {"key": bundle.key, "name": bundle.name, "name_en": definition["name_en"],
            "description": definition["description"], "process_key": bundle.process_key,
            "items_count": len(items), "version": bundle.version,
            # .get: a bundle stored before bundle.json had a theme reads as a personal service
            "theme": definition.get("theme", "personal"), "life_event": definition.get("life_event", ""),
            "life_event_en": definition.get("life_event_en", ""), "items": items,
            "departments": list(dict.fromkeys(i["department"] for i in items)),
            "time_limit": guide.longest_limit(definition["items"]), "fee": sum(i["fee"] for i in items)}


def _searchable(entry: dict) -> list[str]:
    return [entry["name"], entry["name_en"], entry["life_event"], entry["life_event_en"]] + \
        [text for i in entry["items"] for text in (i["name"], i["name_en"])]


def get_questionnaire(uow, key: str) -> dict:
    definition = bundle_by_key(uow.session, key).definition
    return {"key": key, "name": definition["name"], "questions": [
        {"id": q["id"], "text": q["text"], "text_en": q["text_en"], "type": q["type"],
         "choices": q["choices"], "show_if": q["show_if"]} for q in definition["questions"]]}


def questionnaire_step(uow, key: str, answers: dict) -> dict:
    """The questionnaire asked one question at a time: the questions asked so far for these
    (partial) answers, each with its answer or None, and the answers kept; a value a question
    does not offer is InvalidInput naming ``answers.q``."""
    definition = bundle_by_key(uow.session, key).definition
    asked, kept = guide.answers_so_far(definition, answers)
    return {"key": key, "name": definition["name"], "name_en": definition["name_en"], "answers": kept,
            "questions": [{"id": q["id"], "text": q["text"], "text_en": q["text_en"], "type": q["type"],
                           "choices": q["choices"], "answer": kept.get(q["id"])} for q in asked]}


def _material_view(m: dict) -> dict:
    return {"code": m["code"], "name": m["name"], "name_en": m["name_en"], "required": m["required"],
            "copies": m["copies"], "form": m["form"], "review_points": m["review_points"], "note": m["note"],
            "has_form": bool(m["blank_fields"] or m["sample"])}


def guide_bundle(uow, key: str, answers: object, actor_id: int | None = None) -> dict:
    """Exactly the items, materials, time limits and departments these answers imply, and the
    one form; for a signed-in applicant the form is pre-filled (信息复用) and the materials they
    gave in earlier cases are offered again (材料复用)."""
    definition = bundle_by_key(uow.session, key).definition
    answers = guide.check_answers(definition, answers)
    items = guide.applicable_items(definition, answers)
    materials = guide.applicable_materials(definition, answers)
    names = guide.department_names(definition)
    fields = _with_english(definition, describe(form_schema(definition, items)))
    user = load_actor(uow.session, actor_id) if actor_id is not None else None
    if user is not None:
        values = prefill(uow.session, definition, items, user)
        for f in fields:
            f["value"] = values.get(f["name"])
    longest = guide.longest_limit(items)
    return {"key": key, "name": definition["name"], "name_en": definition["name_en"],
            "process_key": definition["process_key"], "answers": answers,
            "items": [{"code": i["code"], "name": i["name"], "name_en": i["name_en"], "fields": i["field_names"],
                       "department": names.get(i["department"], i["department"]),
                       "department_code": i["department"], "time_limit": i["time_limit"],
                       "time_limit_text": guide.limit_text(i["time_limit"]), "fee": i["fee"]} for i in items],
            "materials": [_material_view(m) for m in materials], "form": {"fields": fields},
            "time_limit": longest, "time_limit_text": guide.limit_text(longest) if longest else None,
            "reusable_materials": reusable_materials(uow.session, [m["code"] for m in materials], user) if user else {}}


def _with_english(definition: dict, fields: list[dict]) -> list[dict]:
    """The form's field descriptions with the bundle's English labels beside the Chinese."""
    for f in fields:
        spec = definition["form_fields"][f["name"]]
        f["label_en"] = spec["label_en"]
        english = {c["value"]: c["label_en"] for c in spec["choices"]}
        for choice in f["choices"]:
            choice["label_en"] = english.get(choice["value"], "")
    return fields


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
