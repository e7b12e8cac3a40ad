"""The engine's public face: plain functions, one transaction each, called alike by the REST
API, the web pages, the CLI and the scheduler. Each takes a unit of work first."""
from .attachments import attachment_content, attachment_meta, upload_attachment
from .applications import import_beneficiaries
from .auth import authenticate
from .bundles import (get_questionnaire, guide_bundle, list_bundles, load_bundle, material_form_context,
                      notice_context)
from .calendar_admin import confirm_year, set_days, set_time_limit, year_status
from .case_diagram import case_diagram
from .cases import get_case, list_cases, start_case
from .definitions import deploy, get_definition, get_definition_bpmn, list_definitions
from .directory import create_org_unit, create_user, list_org_units, list_users
from .saved_filters import delete_saved_filter, list_saved_filters, save_filter  # noqa: F401
from .tasks import claim_task, complete_task, get_task, list_tasks, unclaim_task
from . import oversight  # noqa: F401  (the supervision pages: services.oversight.sla_matrix, …)

__all__ = [
    "get_questionnaire", "guide_bundle", "import_beneficiaries", "list_bundles", "load_bundle",
    "material_form_context", "notice_context",
    "authenticate", "claim_task", "confirm_year", "set_days", "set_time_limit", "year_status", "complete_task", "create_org_unit", "create_user", "deploy",
    "get_case", "get_definition", "get_definition_bpmn", "get_task", "list_cases",
    "list_definitions", "list_org_units", "list_tasks", "list_users", "start_case", "unclaim_task",
]
