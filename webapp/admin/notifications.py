"""Notification rules per process and the outbox. The rules page shows, for each event, the
rules in effect and where they come from (the process's own, the ``*`` ones for every process,
else the shipped default), and stores or deletes the admin's own; the outbox page lists messages
by status and queues a dead letter again. The services check the admin role again."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from engine import services
from engine.errors import InvalidInput, NotFound
from notifications import dead_letters, messages, rules
from notifications.models import ALL_PROCESSES

from ..account import notification_labels as labels
from ..calls import run
from ..i18n import name_of
from . import bp
from .forms import Refused, act, attempt


def _processes() -> dict[str, str]:
    """``*`` and every process key ever deployed (a retired one may still have rules to delete),
    with the newest version's name."""
    deployed: dict[str, str] = {}
    for d in run(services.list_definitions, all_versions=True):  # by key, newest version first
        deployed.setdefault(d["key"], f'{name_of(d["name"])} ({d["key"]})')
    return {ALL_PROCESSES: gettext("All processes (*)")} | deployed


def effective(stored: list[dict], process_key: str, event: str) -> tuple[str, list[dict]]:
    """Where ``event``'s rules for ``process_key`` come from ("process", "all" or "default") and
    the rules, inactive stored ones included (they silence the event), as the engine picks them."""
    for source, key in (("process", process_key), ("all", ALL_PROCESSES)):
        own = [r for r in stored if r["process_key"] == key and r["event"] == event]
        if own:
            return source, own
    return "default", [r for r in rules.DEFAULTS if r["event"] == event]


def _chosen_process(processes: dict[str, str], key: str | None) -> str:
    key = key or ALL_PROCESSES
    if key not in processes:
        raise NotFound(f"no deployed process {key!r}")
    return key


def _form_context(processes: dict[str, str]) -> dict:
    return {"processes": processes, "events": rules.EVENTS, "message_names": messages.names(),
            "recipients": rules.RECIPIENTS, "channels": rules.CHANNELS, "labels": labels}


@bp.route("/notifications/rules")
def notifications() -> ResponseReturnValue:
    processes = _processes()
    process_key = _chosen_process(processes, request.args.get("process"))
    stored = run(rules.list_rules, g.user_id)["rules"]
    rows = [(event, *effective(stored, process_key, event)) for event in rules.EVENTS]
    return render_template("admin/notification_rules.html", process_key=process_key, rows=rows,
                           **_form_context(processes))


def _rule_form(rule: dict, rule_id: int | None = None, refused: Refused | None = None,
               status: int = 200) -> ResponseReturnValue:
    return render_template("admin/notification_rule.html", rule=rule, rule_id=rule_id, refused=refused,
                           **_form_context(_processes())), status


def _stored(rule_id: int) -> dict:
    found = next((r for r in run(rules.list_rules, g.user_id)["rules"] if r["id"] == rule_id), None)
    if found is None:
        raise NotFound(f"no notification rule {rule_id}")
    return found


@bp.route("/notifications/rules/new")
def notifications_rule_new() -> ResponseReturnValue:
    """A new rule for the chosen process, filled in from the event's rule in effect there."""
    processes = _processes()
    process_key = _chosen_process(processes, request.args.get("process"))
    event = request.args.get("event") if request.args.get("event") in rules.EVENTS else rules.EVENTS[0]
    source, current = effective(run(rules.list_rules, g.user_id)["rules"], process_key, event)
    inherited = source == "default" or (source == "all" and process_key != ALL_PROCESSES)
    start = current[0] if current and inherited else {}  # a further rule of the process's own starts blank
    return _rule_form({"process_key": process_key, "event": event, "message": start.get("message"),
                       "recipients": start.get("recipients", []), "channels": start.get("channels", []),
                       "legal": start.get("legal", False), "active": True})


def _posted() -> dict:
    f = request.form
    return {"process_key": f.get("process_key", ""), "event": f.get("event"), "message": f.get("message"),
            "recipients": f.getlist("recipients"), "channels": f.getlist("channels"),
            "legal": f.get("legal") == "1", "active": f.get("active") == "1"}


def _save(rule_id: int | None) -> ResponseReturnValue:
    body = _posted()
    if body["process_key"] not in _processes():
        refused = Refused(InvalidInput("unknown process", fields={"process_key": ["a deployed process or *"]}))
        return _rule_form(body, rule_id, refused, refused.status)
    saved, refused = attempt(rules.save_rule, g.user_id, body, rule_id)
    if refused:
        return _rule_form(body, rule_id, refused, refused.status)
    flash(gettext("Rule saved: it applies from the next event."), "success")
    return redirect(url_for("admin.notifications", process=saved["process_key"]))


@bp.route("/notifications/rules", methods=["POST"])
def notifications_rule_create() -> ResponseReturnValue:
    return _save(None)


@bp.route("/notifications/rules/<int:rule_id>")
def notifications_rule(rule_id: int) -> ResponseReturnValue:
    return _rule_form(_stored(rule_id), rule_id)


@bp.route("/notifications/rules/<int:rule_id>", methods=["POST"])
def notifications_rule_update(rule_id: int) -> ResponseReturnValue:
    return _save(rule_id)


@bp.route("/notifications/rules/<int:rule_id>/delete", methods=["POST"])
def notifications_rule_delete(rule_id: int) -> ResponseReturnValue:
    process_key = _stored(rule_id)["process_key"]
    act(gettext("Rule deleted: the event falls back to the rules above it."), rules.delete_rule, g.user_id, rule_id)
    return redirect(url_for("admin.notifications", process=process_key))


@bp.route("/notifications/outbox")
def notifications_outbox() -> ResponseReturnValue:
    status = request.args.get("status") or "dead"
    found = run(dead_letters.list_outbox, g.user_id, status=status)  # InvalidInput (400) for a bad status
    return render_template("admin/notification_outbox.html", status=status, statuses=dead_letters.STATUSES,
                           labels=labels, **found)


@bp.route("/notifications/outbox/<int:message_id>/retry", methods=["POST"])
def notifications_retry(message_id: int) -> ResponseReturnValue:
    act(gettext("Message %(id)s queued again: it is sent within a minute.", id=message_id), dead_letters.retry,
        g.user_id, message_id)
    return redirect(url_for("admin.notifications_outbox", status="dead"))
