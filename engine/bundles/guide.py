"""智能导办: from the answers to the questionnaire (情形问答), exactly the items and materials that
apply, their time limits and departments, and the one form. Everything is computed from the
bundle's data; nothing here knows any particular bundle."""
from __future__ import annotations

from .. import expressions
from ..calendar.durations import parse_limit
from ..errors import InvalidInput

_LIMIT_TEXT = {"work_days": ("{n}个工作日", "{n} working days"), "work_hours": ("{n}个工作小时", "{n} working hours"),
               "days": ("{n}日", "{n} days"), "hours": ("{n}小时", "{n} hours"), "minutes": ("{n}分钟", "{n} minutes")}
_HOURS = {"work_days": 8, "work_hours": 1, "days": 24, "hours": 1, "minutes": 1 / 60}


def _scope(bundle: dict, answers: dict) -> dict:
    """The names a rule or ``show_if`` may read: every question id (None when unanswered)."""
    return {q["id"]: answers.get(q["id"]) for q in bundle["questions"]} | {"answers": dict(answers)}


def visible_questions(bundle: dict, answers: dict) -> list[dict]:
    """The questions asked for these answers, in order: ``show_if`` reads the answers so far."""
    scope = _scope(bundle, answers)
    return [q for q in bundle["questions"] if not q["show_if"] or expressions.evaluate(q["show_if"], scope)]


def _value_problem(question: dict, value) -> str | None:
    if question["type"] == "boolean" and not isinstance(value, bool):
        return "must be true or false"
    if question["type"] == "choice" and value not in [c["value"] for c in question["choices"]]:
        return f"one of {', '.join(c['value'] for c in question['choices'])}"
    return None


def check_answers(bundle: dict, answers: object) -> dict:
    """The answers as given, or InvalidInput naming each question that is unanswered, answered
    with a value it does not offer, or not asked for these answers."""
    if not isinstance(answers, dict):
        raise InvalidInput("answers must be an object", fields={"answers": ["must be an object"]})
    known = {q["id"]: q for q in bundle["questions"]}
    problems = {f"answers.{k}": ["no such question"] for k in answers if k not in known}
    visible = {q["id"] for q in visible_questions(bundle, {k: v for k, v in answers.items() if k in known})}
    for qid, question in known.items():
        value = answers.get(qid)
        if qid not in visible:
            if qid in answers:
                problems[f"answers.{qid}"] = ["not asked for these answers"]
        elif value is None:
            problems[f"answers.{qid}"] = ["answer this question"]
        elif (problem := _value_problem(question, value)) is not None:
            problems[f"answers.{qid}"] = [problem]
    if problems:
        raise InvalidInput("some answers are invalid", fields=problems)
    return dict(answers)


def answers_so_far(bundle: dict, answers: dict) -> tuple[list[dict], dict]:
    """Part way through the questionnaire: the questions asked for these answers, in order, and
    the answers kept (those to questions still asked; a changed earlier answer may hide a later
    question). A value a question does not offer is InvalidInput naming ``answers.q``."""
    known = {q["id"] for q in bundle["questions"]}
    asked = visible_questions(bundle, {k: v for k, v in answers.items() if k in known})
    kept = {q["id"]: answers[q["id"]] for q in asked if answers.get(q["id"]) is not None}
    problems = {f"answers.{q['id']}": [problem] for q in asked if q["id"] in kept
                and (problem := _value_problem(q, kept[q["id"]])) is not None}
    if problems:
        raise InvalidInput("some answers are invalid", fields=problems)
    return asked, kept


def applicable_items(bundle: dict, answers: dict) -> list[dict]:
    """Items with no rule always apply; an item with rules applies when one of them holds."""
    scope = _scope(bundle, answers)
    ruled: dict[str, bool] = {}
    for rule in bundle["rules"]["items"]:
        ruled[rule["item"]] = ruled.get(rule["item"], False) or bool(expressions.evaluate(rule["when"], scope))
    return [item for item in bundle["items"] if ruled.get(item["code"], True)]


def applicable_materials(bundle: dict, answers: dict) -> list[dict]:
    """The materials whose rule holds, in catalogue order; required if any holding rule says so."""
    scope = _scope(bundle, answers)
    required: dict[str, bool] = {}
    for rule in bundle["rules"]["materials"]:
        if expressions.evaluate(rule["when"], scope):
            required[rule["material"]] = required.get(rule["material"], False) or rule["required"]
    return [m | {"required": required[m["code"]]} for m in bundle["materials"] if m["code"] in required]


def form_fields(bundle: dict, items: list[dict]) -> list[tuple[str, dict]]:
    """一表申请: the union of the items' fields, each asked once, in the order items name them."""
    seen: dict[str, dict] = {}
    for item in items:
        for name in item["field_names"]:
            seen.setdefault(name, bundle["form_fields"][name])
    return list(seen.items())


def limit_text(limit: str, lang: str = "zh-CN") -> str:
    parsed = parse_limit(limit)
    zh, en = _LIMIT_TEXT[parsed.unit]
    if lang != "en":
        return zh.format(n=parsed.amount)
    text = en.format(n=parsed.amount)
    return text[:-1] if parsed.amount == 1 else text  # 1 working day


def longest_limit(items: list[dict]) -> str | None:
    """Departments approve in parallel, so the bundle takes as long as its slowest item."""
    if not items:
        return None
    return max((i["time_limit"] for i in items),
               key=lambda t: parse_limit(t).amount * _HOURS[parse_limit(t).unit])


def department_names(bundle: dict) -> dict[str, str]:
    return {d["code"]: d["name"] for d in bundle["departments"]}
