"""The caseworker's pages: the inbox (inbox_list), the task page (tasks) and the case page
(cases), one blueprint with its templates in templates/inbox/."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inbox", __name__, template_folder="templates")

from . import inbox_list  # noqa: E402,F401
from . import tasks, cases  # noqa: E402,F401
