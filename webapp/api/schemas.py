"""API request and response schemas (they also generate the OpenAPI document)."""
from __future__ import annotations

from marshmallow import Schema, fields, post_dump, validate

from engine.models import CASE_STATUSES, ORG_KINDS, ROLES
from forms import FormSchema

from ..routing import MAX_ID

MAX_PAGE = 100_000  # as the pages (webapp/query_args.page_number): beyond any list, within any offset


def record_id(**kwargs) -> fields.Integer:
    """An id, a version or another row number given by a client: 1 up to the database's integer
    range (as in paths, webapp/routing.py), so no query is sent a number no column can hold."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class TokenRequest(FormSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TokenResponse(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    user = fields.Dict()


class FormField(Schema):
    name = fields.String()
    type = fields.String()
    required = fields.Boolean()
    label = fields.String()
    choices = fields.List(fields.Dict())
    min = fields.Raw(allow_none=True)
    max = fields.Raw(allow_none=True)


class TaskOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String()
    name = fields.String()
    title = fields.String()
    element_id = fields.String()
    role = fields.String(allow_none=True)
    org_unit = fields.String(allow_none=True)
    org_unit_name = fields.String(allow_none=True)
    assignee = fields.String(allow_none=True)
    state = fields.String()
    due_at = fields.DateTime(allow_none=True)
    warn_at = fields.DateTime(allow_none=True)
    due_provisional = fields.Boolean()
    sla_state = fields.String(validate=validate.OneOf(["ok", "warning", "overdue"]))
    priority = fields.Integer()
    form_key = fields.String(allow_none=True)
    created_at = fields.DateTime()
    owner = fields.String(allow_none=True)  # 委派: who delegated it and completes it after
    delegation = fields.String(allow_none=True, validate=validate.OneOf(["pending", "resolved"]))
    working_hours_left = fields.Float(allow_none=True)  # negative once overdue
    urged = fields.Raw(allow_none=True)  # open 督办 on the case: count, latest time and reason
    process_name = fields.String(allow_none=True)
    category_name = fields.String(allow_none=True)
    district = fields.String(allow_none=True)


class TaskDetail(TaskOut):
    form = fields.Dict()
    draft = fields.Dict()  # what a delegate filled in, before the owner completes
    duplicate_candidates = fields.List(fields.Dict())
    case = fields.Dict()
    can_act = fields.Boolean()


class HistoryOut(Schema):
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    task = fields.String(allow_none=True)
    detail = fields.Dict()
    reason = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    # the requester's and the public's timeline has steps and departments instead of actors
    step = fields.String(metadata={"description": "public timeline: the step"})
    department = fields.String(allow_none=True, metadata={"description": "public timeline: the department"})
    state = fields.String(metadata={"description": "public timeline: open, completed or cancelled"})


class DocumentRef(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    created_at = fields.DateTime()


class StepRef(Schema):
    id = fields.Integer()
    name = fields.String()
    due_at = fields.DateTime(allow_none=True)


class CaseOut(Schema):
    """Staff see the whole case; a citizen sees their own case's public status, what they
    submitted (``data``), their documents and ``my_steps``, and a case they only follow
    (merged into it, 关注) through its public status (engine/case_public.py)."""
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    process_key = fields.String()
    process_version = fields.Integer(allow_none=True)
    title = fields.String()
    category = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    version = fields.Integer()
    data = fields.Dict()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    tasks = fields.List(fields.Nested(TaskOut))
    history = fields.List(fields.Nested(HistoryOut))
    # a bundle case: every department's status (a dict's own ``items`` method must not leak in)
    items = fields.Function(lambda case: case.get("items"))

    @post_dump
    def _only_bundle_items(self, data: dict, **kwargs) -> dict:
        if data.get("items") is None:
            data.pop("items", None)
        return data
    merged = fields.List(fields.Dict())
    merged_into = fields.Dict(allow_none=True)
    children = fields.List(fields.Dict())  # child cases of call activities
    parent = fields.Dict(allow_none=True)
    incidents = fields.List(fields.Dict())  # open incidents (staff only)
    process_name = fields.String()
    current_step = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    query_code = fields.String(allow_none=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "a citizen's view: the label of each key of data"})
    choice_labels = fields.Dict(keys=fields.String(), values=fields.Dict(),
                                metadata={"description": "a citizen's view: the label of each enum value in data"})
    documents = fields.List(fields.Nested(DocumentRef))
    my_steps = fields.List(fields.Nested(StepRef))
    following = fields.Boolean()


class CasePage(Schema):
    items = fields.List(fields.Nested(CaseOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class CaseStart(FormSchema):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=128))
    data = fields.Dict(keys=fields.String(), load_default=dict)
    business_key = fields.String(validate=validate.Length(min=1, max=128), load_default=None)  # for messages


class CaseQuery(FormSchema):
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    process_key = fields.String()
    q = fields.String(validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class TaskQuery(FormSchema):
    scope = fields.String(load_default="inbox", validate=validate.OneOf(["mine", "group", "all", "inbox"]))
    overdue = fields.Boolean(load_default=False)
    process_key = fields.String()
    category = fields.String(validate=validate.Length(max=64))
    district = fields.String(validate=validate.Length(max=64))
    sla_state = fields.String(validate=validate.OneOf(["ok", "warning", "overdue"]))
    due_today = fields.Boolean(load_default=False)
    sort = fields.String(load_default="priority", validate=validate.OneOf(["priority", "due", "created"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class TaskComplete(FormSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)
    case_version = record_id()
    comment = fields.String(validate=validate.Length(max=2000), load_default=None)  # 审批意见


class CompleteOut(Schema):
    case = fields.Nested(CaseOut)
    next_tasks = fields.List(fields.Nested(TaskOut))


class ProcessOut(Schema):
    id = fields.Integer()
    key = fields.String()
    version = fields.Integer()
    name = fields.String()
    status = fields.String()
    deployed_at = fields.DateTime()
    tasks = fields.List(fields.Dict())
    start_form = fields.Dict(allow_none=True)


class ProcessQuery(FormSchema):
    all = fields.Boolean(load_default=False)


class OrgUnitIn(FormSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(ORG_KINDS))
    parent = fields.String(load_default=None, allow_none=True)


class OrgUnitOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    parent = fields.String(allow_none=True)
    level = fields.Integer()
    children = fields.List(fields.Nested(lambda: OrgUnitOut()))


class UserIn(FormSchema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.@-]{2,64}$"))
    password = fields.String(required=True, validate=validate.Length(min=8, max=256))
    display_name = fields.String(load_default="", validate=validate.Length(max=200))
    roles = fields.List(fields.String(validate=validate.OneOf(list(ROLES))), required=True,
                        validate=validate.Length(min=1))
    org_unit = fields.String(load_default=None, allow_none=True)


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    active = fields.Boolean()
    roles = fields.List(fields.String())
    org_units = fields.List(fields.String())


class UserPatch(FormSchema):
    """Only the fields sent change; ``org_unit: null`` means the roles apply everywhere."""

    display_name = fields.String(validate=validate.Length(min=1, max=200))
    active = fields.Boolean()
    roles = fields.List(fields.String(validate=validate.OneOf(list(ROLES))), validate=validate.Length(min=1))
    org_unit = fields.String(allow_none=True)


class PasswordIn(FormSchema):
    password = fields.String(required=True, validate=validate.Length(min=8, max=256))


class UserQuery(FormSchema):
    role = fields.String()
    org_unit = fields.String()


class ReasonIn(FormSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ReassignIn(ReasonIn):
    to_user = fields.String(load_default=None)
    to_org_unit = fields.String(load_default=None)


class ExtendIn(ReasonIn):
    working_days = fields.Integer(load_default=None, validate=validate.Range(min=1, max=60))
    until = fields.AwareDateTime(load_default=None, default_timezone=None)


class ExtensionDecisionIn(ReasonIn):
    decision = fields.String(required=True, validate=validate.OneOf(["grant", "refuse"]))


class ForceCompleteIn(ReasonIn):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class CalendarDayIn(FormSchema):
    day = fields.Date(required=True)
    working = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=100))


class CalendarDaysIn(FormSchema):
    days = fields.List(fields.Nested(CalendarDayIn), required=True, validate=validate.Length(min=1, max=400))


class ConfirmYearIn(FormSchema):
    days = fields.List(fields.Nested(CalendarDayIn), load_default=None)


class CalendarAddQuery(FormSchema):
    start = fields.DateTime(required=True)
    limit = fields.String(required=True, validate=validate.Length(min=1, max=32))


class TimeLimitIn(FormSchema):
    process_key = fields.String(required=True, validate=validate.Length(min=1, max=128))
    stage = fields.String(required=True, validate=validate.Length(min=1, max=128))
    category = fields.String(load_default="", validate=validate.Length(max=64))
    urgency = fields.String(load_default="", validate=validate.Length(max=16))
    limit = fields.String(required=True, validate=validate.Length(min=1, max=32))
    note = fields.String(load_default="", validate=validate.Length(max=200))


# --- what the OpenAPI document says beyond the schemas above -----------------------------

class ApiErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": (
        "invalid_input, diagram_invalid, unauthenticated, forbidden, not_found, conflict, too_large, "
        "process_refusal, rate_limited, …")})
    message = fields.String(required=True, metadata={"description": "for people; may change"})
    fields = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True,
                         metadata={"description": "each bad field (or diagram element id) with its messages"})


class ApiError(Schema):
    """Every error response, whatever the status: the shape webapp/errors.py renders."""

    error = fields.Nested(ApiErrorBody, required=True)


XML_TEXT = {"type": "string", "description": "BPMN 2.0 XML"}
PDF_FILE = {"type": "string", "format": "binary"}


def multipart_files(description: str, *, many: bool = False) -> dict:
    """The requestBody of an upload whose view reads ``request.files`` itself (several parts,
    or parts named after their files): multipart/form-data with a binary ``file``."""
    binary = {"type": "string", "format": "binary"}
    return {"required": True, "description": description, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "array", "items": binary} if many else binary}}}}}
