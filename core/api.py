"""What every app's REST API shares: one error body, pagination, base classes.

It lives in ``core`` so that every interface may use it; ``core`` imports no app.

**Error body** (every 4xx/5xx answer of the API)::

    {"detail": "One sentence for a person.", "errors": {"field": ["message", ...]}}

``errors`` is ``{}`` when the problem is not about particular fields (401, 403, 404,
429, ...). Nested list errors (mappings, filters) are flattened to "Row N: ..." strings
under their field name. ``api.errors`` translates the domain's exceptions into
:class:`ApiError`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler
from rest_framework.viewsets import GenericViewSet

from core.ids import parse_id


class ApiError(exceptions.APIException):
    """An error with a status, a sentence and (optionally) messages per field."""

    def __init__(self, detail: str, *, status_code: int = 400,
                 errors: dict[str, list[str]] | None = None, headers: dict | None = None) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.errors = errors or {}
        self.headers = headers or {}


def _flatten(value: Any, prefix: str = "") -> list[str]:
    """DRF's nested error structures → flat, readable messages."""
    if isinstance(value, dict):
        out: list[str] = []
        for key, inner in value.items():
            label = "" if key == "non_field_errors" else f"{key}: "
            out.extend(_flatten(inner, prefix + label))
        return out
    if isinstance(value, list | tuple):
        out = []
        for i, inner in enumerate(value, start=1):
            if isinstance(inner, dict | list) and inner:
                out.extend(_flatten(inner, f"{prefix}Row {i}: "))
            elif inner:
                out.append(prefix + str(inner))
        return out
    return [prefix + str(value)] if str(value) else []


def error_body(detail: str, errors: dict[str, list[str]] | None = None) -> dict:
    return {"detail": detail, "errors": errors or {}}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """Answer every error in the one documented body format."""
    if isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        response.data = error_body(str(exc.detail), exc.errors)
        for key, value in exc.headers.items():
            response[key] = value
    elif isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            errors = {
                ("non_field_errors" if k == "non_field_errors" else k): _flatten(v)
                for k, v in detail.items()
            }
        else:
            errors = {"non_field_errors": _flatten(detail)}
        first = next((m for msgs in errors.values() for m in msgs), "Invalid input.")
        response.data = error_body(first, errors)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, dict | list):
            detail = "; ".join(_flatten(detail))
        response.data = error_body(str(detail))
    return response


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M`` (at most 200 per page)."""

    page_size_query_param = "page_size"
    max_page_size = 200


class ErrorFormatMixin:
    """Use :func:`api_exception_handler` whatever the project settings say."""

    def get_exception_handler(self):
        return api_exception_handler


class BaseAPIView(ErrorFormatMixin, APIView):
    pass


def id_param(request, name: str) -> int | None:
    """An optional id query parameter; a value that cannot be an id is a 400."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    value = parse_id(raw)
    if value is None:
        raise ApiError(_("'%(name)s' must be an id.") % {"name": name},
                       errors={name: [_("Enter a valid id.")]})
    return value


class BaseViewSet(ErrorFormatMixin, GenericViewSet):
    pagination_class = Pagination

    def get_object(self):
        # A path id that cannot be a database id is a plain 404 (not an overflow in SQL).
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if parse_id(lookup) is None:
            raise exceptions.NotFound()
        return super().get_object()


ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text=_("One sentence for a person.")),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text=_("Messages per field (request field names; 'salesforce' / 'smartsheet' "
                      "for connection problems; 'non_field_errors' otherwise). Empty when the "
                      "problem is not about fields.")),
    },
)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses in the error format for ``codes`` (401 is always added).

    Paginated lists document 404 too: DRF answers 404 for a page past the end.
    """
    wanted = sorted(set(codes) | {status.HTTP_401_UNAUTHORIZED})
    return {code: OpenApiResponse(ErrorSerializer) for code in wanted}
