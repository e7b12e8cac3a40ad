"""Request and response schemas of the external-task API (Camunda 7's, in snake_case)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from engine.models.integration import EXTERNAL_TASK_STATES
from forms import FormSchema

from .schemas import MAX_PAGE, CaseOut, record_id

WEEK_MS = 7 * 24 * 3600 * 1000


def _worker_id() -> fields.Field:
    return fields.String(required=True, validate=validate.Length(min=1, max=128))


def _variables() -> fields.Field:
    return fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=128)), load_default=dict)


class TopicIn(FormSchema):
    topic_name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    lock_duration_ms = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=WEEK_MS))
    variables = fields.List(fields.String(validate=validate.Length(min=1, max=128)), load_default=None,
                            allow_none=True)


class FetchAndLockIn(FormSchema):
    worker_id = _worker_id()
    max_tasks = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    topics = fields.List(fields.Nested(TopicIn), required=True, validate=validate.Length(min=1, max=50))


class CompleteIn(FormSchema):
    worker_id = _worker_id()
    variables = _variables()


class FailureIn(FormSchema):
    worker_id = _worker_id()
    error_message = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    retries = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1000))
    retry_timeout_ms = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=WEEK_MS))


class BpmnErrorIn(FormSchema):
    worker_id = _worker_id()
    error_code = fields.String(required=True, validate=validate.Length(min=1, max=128))
    error_message = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    variables = _variables()


class ExtendLockIn(FormSchema):
    worker_id = _worker_id()
    new_duration_ms = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=WEEK_MS))


class ExternalTaskQuery(FormSchema):
    topic = fields.String(validate=validate.Length(min=1, max=128))
    case_id = record_id()
    state = fields.String(validate=validate.OneOf(EXTERNAL_TASK_STATES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class LockedTaskOut(Schema):
    id = fields.Integer()
    topic_name = fields.String()
    case_id = fields.Integer()
    case_number = fields.String()
    business_key = fields.String(allow_none=True)
    element_id = fields.String()
    variables = fields.Dict()
    retries = fields.Integer(allow_none=True)
    error_message = fields.String(allow_none=True)
    priority = fields.Integer()
    lock_expires_at = fields.DateTime()


class HandledOut(Schema):
    id = fields.Integer()
    state = fields.String()
    case = fields.Nested(CaseOut)
    caught_by = fields.String(allow_none=True)


class FailureOut(Schema):
    id = fields.Integer()
    state = fields.String()
    retries = fields.Integer()
    attempts = fields.Integer()


class LockOut(Schema):
    id = fields.Integer()
    lock_owner = fields.String()
    lock_expires_at = fields.DateTime()


class ExternalTaskOut(Schema):
    id = fields.Integer()
    topic_name = fields.String()
    case_id = fields.Integer()
    case_number = fields.String()
    element_id = fields.String()
    state = fields.String()
    priority = fields.Integer()
    lock_owner = fields.String(allow_none=True)
    lock_expires_at = fields.DateTime(allow_none=True)
    retries = fields.Integer(allow_none=True)
    error_message = fields.String(allow_none=True)
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
