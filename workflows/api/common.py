"""Translation of workflow errors into the API's error body."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from accounts.api.common import ApiError
from connector.api.common import connector_errors
from workflows.validation import WorkflowValidationError


@contextmanager
def workflow_errors() -> Iterator[None]:
    """WorkflowValidationError → 400 with its messages per field (plus connector errors)."""
    with connector_errors():
        try:
            yield
        except WorkflowValidationError as exc:
            first = next(m for msgs in exc.errors.values() for m in msgs) if exc.errors else (
                "Invalid workflow.")
            raise ApiError(first, status_code=400, errors=exc.errors) from exc
