"""一件事一次办 from the citizen's pages: the catalogue (/services), the questionnaire one
question per screen, and the guide with its 一次性告知单. The questionnaire needs no JavaScript:
each screen posts the answers so far in hidden fields, and the guide's links carry them in the
query string (so they survive signing in). The one form and its review are in application.py."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine import services
from engine.bundles.guide import limit_text
from engine.errors import InvalidInput
from engine.services.bundles import questionnaire_step

from ..api.bundles import decode_answers, encode_answers
from ..calls import run
from ..i18n import N_, current_language, translation_or_none
from . import bp

ANSWER = "a_{}"  # the input holding a question's answer
MAX_QUERY = 50
MAX_STEP_DIGITS = 3  # a questionnaire has a few questions; a longer number is not a step
THEMES = ("personal", "enterprise")


@bp.context_processor
def _bundle_words() -> dict:
    """Time limits and bundle texts in the page's language, for the one-thing pages."""
    english = current_language() == "en"
    return {"limit_text": lambda limit: limit_text(limit, "en" if english else "zh-CN") if limit else "",
            "in_language": lambda zh, en: en if english and en else zh}


def page_errors(fields: dict) -> dict[str, list[str]]:
    """The engine's messages (English) in the page's language; one without a translation reads
    as a plain request to check the entry, so a Chinese page never shows an English fragment.
    "required when <condition>" (a field's required_if) says it in words."""
    fallback = gettext("Please check this entry.")
    return {name: [translation_or_none(N_("fill this in: your choice above needs it") if str(m).startswith("required when ")
                                       else str(m)) or fallback for m in messages] for name, messages in fields.items()}


@bp.route("/services")
def catalogue() -> ResponseReturnValue:
    """Every one-thing service, by theme (个人 / 法人) and life event; ``?q=`` searches the
    services' and their items' names."""
    q = request.args.get("q", "").strip()[:MAX_QUERY]
    bundles = run(services.list_bundles, q or None)
    groups = [(theme, _by_life_event([b for b in bundles if b["theme"] == theme])) for theme in THEMES]
    return render_template("citizen/services.html", groups=[g for g in groups if g[1]], q=q, found=len(bundles))


def _by_life_event(bundles: list[dict]) -> list[tuple[dict, list[dict]]]:
    events: dict[str, tuple[dict, list[dict]]] = {}
    for b in bundles:
        name = {"zh": b["life_event"] or b["name"], "en": b["life_event_en"] or b["name_en"]}
        events.setdefault(name["zh"], (name, []))[1].append(b)
    return list(events.values())


def _posted_answers(key: str) -> dict:
    """The answers on the posted screen, booleans back from text; anything else stays as
    typed so that the service names the question."""
    out = {}
    for q in run(services.get_questionnaire, key)["questions"]:
        value = request.form.get(ANSWER.format(q["id"]), "").strip()
        if value:
            out[q["id"]] = {"true": True, "false": False}.get(value, value) if q["type"] == "boolean" else value
    return out


def _question_page(step: dict, at: int, errors: dict | None = None, status: int = 200) -> ResponseReturnValue:
    if not step["questions"]:  # a bundle that asks nothing: straight to its guide
        return redirect(url_for("citizen.guide", key=step["key"], answers=encode_answers({})), 303)
    at = max(0, min(at, len(step["questions"]) - 1))
    question = step["questions"][at]
    return render_template("citizen/questionnaire.html", step=step, at=at, question=question, options=_options(question),
                           errors=errors or {}, answer_name=ANSWER), status


def _options(question: dict) -> list[tuple[str, str]]:
    """A question's answers as (value, label) in the page's language."""
    if question["type"] == "boolean":
        return [("true", gettext("Yes")), ("false", gettext("No"))]
    english = current_language() == "en"
    return [(c["value"], c["label_en"] if english and c["label_en"] else c["label"]) for c in question["choices"]]


@bp.route("/services/<key>/questionnaire", methods=["GET", "POST"])
def questionnaire(key: str) -> ResponseReturnValue:
    """One question per screen: Next keeps the answer and shows the next question still asked
    (``show_if``), Back the one before; after the last, the guide for these answers."""
    if request.method == "GET":
        answers = decode_answers(request.args["answers"]) if request.args.get("answers") else {}
        return _question_page(run(questionnaire_step, key, answers), 0)
    answers = _posted_answers(key)
    at = request.form.get("step", "0")
    at = int(at) if at.isdigit() and len(at) <= MAX_STEP_DIGITS else 0
    try:
        step = run(questionnaire_step, key, answers)
    except InvalidInput as exc:  # a value the question does not offer: ask that question again
        bad = {name.removeprefix("answers.") for name in exc.fields}
        step = run(questionnaire_step, key, {k: v for k, v in answers.items() if k not in bad})
        shown = next((n for n, q in enumerate(step["questions"]) if q["id"] in bad), at)
        return _question_page(step, shown, page_errors(exc.fields), 400)
    if request.form.get("go") == "back":
        return _question_page(step, at - 1)
    current = step["questions"][min(at, len(step["questions"]) - 1)]
    if current["answer"] is None:
        return _question_page(step, at, page_errors({f"answers.{current['id']}": [N_("choose an answer")]}), 400)
    if at + 1 >= len(step["questions"]):
        return redirect(url_for("citizen.guide", key=key, answers=encode_answers(step["answers"])), 303)
    return _question_page(step, at + 1)


@bp.route("/services/<key>/guide")
def guide(key: str) -> ResponseReturnValue:
    """What these answers call for: the items, the materials with their 审核要点, the
    一次性告知单 and the blank and sample forms; applying needs signing in."""
    found = run(services.guide_bundle, key, decode_answers(request.args.get("answers")))
    code = encode_answers(found["answers"])
    return render_template("citizen/guide.html", guide=found, answers=code)
