"""The one error a workflow draft fails with."""

from __future__ import annotations


class WorkflowValidationError(Exception):
    """Every problem of a draft, per field (``{"mappings": ["Row 2: ..."]}``).

    Field keys are the API's field names; ``salesforce`` / ``smartsheet`` carry problems
    with a connection or the service itself (not connected, token revoked, ...).
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = {k: list(v) for k, v in errors.items() if v}
        first = next(iter(self.errors.values()), ["Invalid workflow."])[0]
        super().__init__(first)

    @classmethod
    def single(cls, field: str, message: str) -> WorkflowValidationError:
        return cls({field: [message]})
