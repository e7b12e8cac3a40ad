"""Notifications: the signed-in user's in-app inbox and settings; for admins, the rules (which
event notifies whom, per process) and the outbox's dead letters."""
from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from notifications import dead_letters, inbox, rules

from ..calls import run
from .security import require_token

PREFIX = "/notifications"
blp = Blueprint("api_notifications", __name__, description="Notifications: in-app inbox, rules, outbox")
blp.before_request(require_token)


class NotificationOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    task_id = fields.Integer(allow_none=True)
    message = fields.String()
    subject = fields.String()
    body = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class InboxOut(Schema):
    items = fields.List(fields.Nested(NotificationOut))
    unread = fields.Integer()


class InboxQuery(Schema):
    unread = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class PreferencesIn(Schema):
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    channels_off = fields.List(fields.String(validate=validate.OneOf(rules.CHANNELS)), load_default=list)


class PreferencesOut(Schema):
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    channels_off = fields.List(fields.String())


class RuleIn(Schema):
    process_key = fields.String(load_default="*", validate=validate.Length(min=1, max=128))
    event = fields.String(required=True, validate=validate.OneOf(rules.EVENTS))
    message = fields.String(required=True)
    recipients = fields.List(fields.String(validate=validate.OneOf(rules.RECIPIENTS)), required=True)
    channels = fields.List(fields.String(validate=validate.OneOf(rules.CHANNELS)), required=True)
    legal = fields.Boolean(load_default=False, metadata={"description": "legally required: sent despite opt-outs"})
    active = fields.Boolean(load_default=True, metadata={"description": "false silences the event for the process"})


class RuleOut(RuleIn):
    id = fields.Integer()
    updated_at = fields.DateTime()


class RulesOut(Schema):
    rules = fields.List(fields.Nested(RuleOut))
    defaults = fields.List(fields.Dict(), metadata={"description": "the shipped rules, used where none is stored"})


class RulesQuery(Schema):
    process_key = fields.String(load_default=None)


class OutboxOut(Schema):
    id = fields.Integer()
    key = fields.String()
    channel = fields.String()
    message = fields.String()
    event = fields.String()
    case_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    address = fields.String()
    subject = fields.String()
    body = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class OutboxListOut(Schema):
    items = fields.List(fields.Nested(OutboxOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class OutboxQuery(Schema):
    status = fields.String(load_default="dead", validate=validate.OneOf(dead_letters.STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


@blp.route("", methods=["GET"])
@blp.arguments(InboxQuery, location="query")
@blp.response(200, InboxOut)
def list_mine(args: dict):
    """The newest in-app notifications (``unread=1``: unread only) and the unread count."""
    return run(inbox.list_notifications, g.user_id, **args)


@blp.route("/<int:notification_id>/read", methods=["POST"])
@blp.response(200, InboxOut)
def read_one(notification_id: int):
    """Mark one notification read; answers the unread count."""
    return run(inbox.mark_read, g.user_id, notification_id)


@blp.route("/read", methods=["POST"])
@blp.response(200, InboxOut)
def read_all():
    return run(inbox.mark_read, g.user_id)


@blp.route("/preferences", methods=["GET"])
@blp.response(200, PreferencesOut)
def get_preferences():
    return run(inbox.preferences, g.user_id)


@blp.route("/preferences", methods=["PUT"])
@blp.arguments(PreferencesIn)
@blp.response(200, PreferencesOut)
def put_preferences(body: dict):
    """The user's e-mail and mobile number and the channels they turned off."""
    return run(inbox.set_preferences, g.user_id, **body)


@blp.route("/rules", methods=["GET"])
@blp.arguments(RulesQuery, location="query")
@blp.response(200, RulesOut)
def list_rules(args: dict):
    """Admins: the stored rules (per process, ``*`` for all) and the shipped defaults."""
    return run(rules.list_rules, g.user_id, args["process_key"])


@blp.route("/rules", methods=["POST"])
@blp.arguments(RuleIn)
@blp.response(201, RuleOut)
def create_rule(body: dict):
    """Admins: store a rule; one per (process, event, message), replaced when it exists. A
    process's rules for an event replace the ``*`` ones, which replace the defaults."""
    return run(rules.save_rule, g.user_id, body)


@blp.route("/rules/<int:rule_id>", methods=["PUT"])
@blp.arguments(RuleIn)
@blp.response(200, RuleOut)
def update_rule(body: dict, rule_id: int):
    return run(rules.save_rule, g.user_id, body, rule_id)


@blp.route("/rules/<int:rule_id>", methods=["DELETE"])
@blp.response(204)
def delete_rule(rule_id: int):
    run(rules.delete_rule, g.user_id, rule_id)


@blp.route("/outbox", methods=["GET"])
@blp.arguments(OutboxQuery, location="query")
@blp.response(200, OutboxListOut)
def list_outbox(args: dict):
    """Admins: outbox messages by status (dead letters by default) and the count per status."""
    return run(dead_letters.list_outbox, g.user_id, **args)


@blp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@blp.response(200, OutboxOut)
def retry_message(message_id: int):
    """Admins: queue a dead letter again (same idempotency key, attempts counted afresh)."""
    return run(dead_letters.retry, g.user_id, message_id)
