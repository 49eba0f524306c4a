"""Translation of domain errors into the API's error body (see ``core.api``).

Status codes: no connection, or a connection the service refused → 409 (the user must
connect or reconnect); the service says not found → 404, forbidden → 403, invalid → 400;
rate or API limit → 503 with ``Retry-After`` when known; anything transient → 502.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connector.clients import ClientError
from connector.services import ConnectionInvalid, ConnectionMissing, InstallInvalid
from core.api import ApiError
from workflows.validation import WorkflowValidationError

_STATUS_BY_KIND = {
    "auth": 409, "revoked": 409, "not_found": 404, "row_not_found": 404,
    "column_not_found": 400, "permission": 403, "invalid": 400,
    "limit": 503, "rate": 503, "transient": 502, "config": 409,
}


def client_error_to_api(exc: ClientError) -> ApiError:
    headers = {}
    if exc.retry_after:
        headers["Retry-After"] = str(int(exc.retry_after + 0.999))
    return ApiError(exc.message, status_code=_STATUS_BY_KIND.get(exc.kind, 502),
                    errors={exc.service: [exc.message]}, headers=headers)


@contextmanager
def connector_errors() -> Iterator[None]:
    """Turn ConnectionMissing / ConnectionInvalid / InstallInvalid / ClientError into
    :class:`ApiError`."""
    try:
        yield
    except InstallInvalid as exc:
        raise ApiError(exc.message, status_code=400, errors=exc.errors) from exc
    except ConnectionMissing as exc:
        raise ApiError(exc.message, status_code=409, errors={exc.service: [exc.message]}) from exc
    except ConnectionInvalid as exc:
        raise ApiError(exc.message, status_code=400,
                       errors={"access_token": [exc.message]}) from exc
    except ClientError as exc:
        raise client_error_to_api(exc) from exc


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
