"""What the notification pages call events, recipients, channels and message templates, in
English msgids marked for extraction (translated where shown: zh-CN first). The notifications
package names them by code; people recognise 受理, 督办, 补正 instead."""
from __future__ import annotations

from ..i18n import N_

EVENTS = {
    "case.started": N_("Case accepted"),
    "task.created": N_("New task to do"),
    "task.transferred": N_("Task transferred"),
    "task.delegated": N_("Task delegated"),
    "task.returned": N_("Task returned"),
    "task.extension_decided": N_("Extension decided"),
    "deadline.warned": N_("Deadline warning"),
    "deadline.breached": N_("Deadline breached"),
    "case.urged": N_("Case urged"),
    "supplement.requested": N_("Supplement requested"),
    "case.copied": N_("Case copied to you"),
    "case.completed": N_("Case completed"),
    "case.terminated": N_("Case terminated"),
    "bundle.result": N_("One-thing result"),
}
RECIPIENTS = {
    "requester": N_("Requester"),
    "assignee": N_("Assignee"),
    "candidates": N_("Candidates (who may claim)"),
    "supervisor": N_("Supervisors"),
    "owner": N_("Task owner (delegated tasks)"),
    "copied": N_("People copied"),
}
CHANNELS = {"email": N_("E-mail"), "sms": N_("SMS"), "inapp": N_("In-app")}
MESSAGES = {
    "case_accepted": N_("Acceptance receipt"),
    "task_assigned": N_("New task notice"),
    "task_digest": N_("Digest of new tasks"),
    "task_transferred": N_("Transfer notice"),
    "task_delegated": N_("Delegation notice"),
    "task_returned": N_("Return notice"),
    "extension_decided": N_("Extension decision"),
    "sla_warning": N_("Deadline warning notice"),
    "sla_breached": N_("Overdue alert"),
    "case_urged": N_("Urging notice"),
    "supplement_requested": N_("Notice to supplement"),
    "case_copied": N_("Copy notice"),
    "case_completed": N_("Completion notice"),
    "case_terminated": N_("Termination notice (not accepted)"),
    "bundle_result": N_("One-thing result notice"),
    "pavement_advice": N_("Pavement advice (SMS)"),
}
