"""Salesforce error values, shared by the store and the HTTP layer."""

from __future__ import annotations


class ApiError(ValueError):
    """An error Salesforce reports as ``{message, errorCode, fields}`` (or, per record in
    collections, ``{statusCode, message, fields}``). ``status`` is the HTTP status when the
    error fails a whole request."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None,
                 status: int = 400, extra: dict | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.fields = list(fields or [])
        self.status = status
        #: further keys of the error object (``duplicateResult`` of DUPLICATES_DETECTED)
        self.extra = dict(extra or {})

    def as_body(self) -> list[dict]:
        """The REST error body: a JSON array with one error."""
        body: dict = {**self.extra, "message": self.message, "errorCode": self.code}
        if self.fields:
            body["fields"] = self.fields
        return [body]

    def as_item(self) -> dict:
        """One entry of a collections result's ``errors`` list."""
        return {**self.extra, "statusCode": self.code, "message": self.message,
                "fields": self.fields}


def not_found() -> ApiError:
    return ApiError("NOT_FOUND", "The requested resource does not exist", status=404)
