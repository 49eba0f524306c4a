"""Plain results of the clients: tokens and per-item write outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class TokenSet:
    """OAuth tokens of one connection. ``expires_at`` is None when the service does not
    say (Salesforce). ``identity_url`` is Salesforce's ``id`` URL, when known."""

    access_token: str
    refresh_token: str
    expires_at: datetime | None = None
    instance_url: str = ""
    identity_url: str = ""

    def __repr__(self) -> str:
        # Never print tokens, even in a debugger or a failing test's output.
        return f"TokenSet(expires_at={self.expires_at!r}, instance_url={self.instance_url!r})"


@dataclass
class SaveResult:
    """One record's outcome in an sObject Collections write, at its input ``index``.

    ``errors`` are ``{"code", "message", "fields", "kind"}`` dicts (Salesforce's
    ``statusCode`` renamed to ``code``, to show or store; ``kind`` one of
    :data:`~connector.clients.errors.ITEM_KINDS` — or, for a call that failed as a whole,
    of :data:`~connector.clients.errors.KINDS` — to decide on). ``kind`` is the first
    error's.
    """

    index: int
    id: str | None
    success: bool
    errors: list[dict] = field(default_factory=list)

    @property
    def kind(self) -> str | None:
        if self.success:
            return None
        return (self.errors[0].get("kind") if self.errors else None) or "invalid"


@dataclass
class RowResult:
    """One row's outcome in a Smartsheet add/update, at its input ``index``.

    On success ``row`` is the raw row JSON the service returned (with its ``id``).
    ``version`` is the sheet version the call carrying this row answered with (None
    when the call failed as a whole). On failure ``kind`` is a
    :data:`~connector.clients.errors.ITEM_KINDS` value for a refused row (``row_not_found``:
    the row is not in the sheet; ``picklist``: a value outside a column's options...) or
    a :data:`~connector.clients.errors.KINDS` value for a call that failed as a whole, and
    ``error_code`` the service's own code, to show or store.
    """

    index: int
    row_id: int | None
    success: bool
    error_code: str | None = None
    message: str | None = None
    row: dict | None = None
    version: int | None = None
    kind: str | None = None
    #: The column a refused row was refused for, when the service says (by id or title).
    column_id: int | None = None
    column_title: str | None = None
