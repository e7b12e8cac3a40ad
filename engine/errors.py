"""The engine's error hierarchy; the web layer maps each class to one HTTP status."""
from __future__ import annotations


class CivicFlowError(Exception):
    """Root of every error the engine raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, fields: dict | None = None, case_id: int | None = None,
                 task_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.case_id = case_id
        self.task_id = task_id


class InvalidInput(CivicFlowError):
    """Bad input from outside; ``fields`` maps each bad field to its messages."""

    code = "invalid_input"


class DiagramInvalid(InvalidInput):
    """An uploaded diagram was refused; ``fields`` is keyed by element id (or ``file``)."""

    code = "diagram_invalid"


class TooLarge(InvalidInput):
    code = "too_large"


class Unauthenticated(CivicFlowError):
    code = "unauthenticated"


class Forbidden(CivicFlowError):
    code = "forbidden"


class NotFound(CivicFlowError):
    code = "not_found"


class Conflict(CivicFlowError):
    """The thing changed under the caller: a task no longer open, a stale case version."""

    code = "conflict"


class ProcessRefusal(CivicFlowError):
    """The process itself refuses the action (a business rule), as opposed to malformed input."""

    code = "process_refusal"


class RateLimited(CivicFlowError):
    code = "rate_limited"
