"""One error body for every refusal of the API, so clients handle errors in one place:

    {"status": 409, "code": "used", "message": "…", "errors": {"field": ["…"]}}

``code`` is stable and meant for programs; ``message`` is for people (translated);
``errors`` appears on validation failures only, by field (``non_field_errors`` for the rest).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Refused(exceptions.APIException):
    """A domain rule said no (a service raised): 409 unless told otherwise."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "refused"
    default_detail = gettext_lazy("The request conflicts with the current state.")

    def __init__(self, code: str, message: str, status_code: int | None = None) -> None:
        super().__init__(detail=message, code=code)
        if status_code is not None:
            self.status_code = status_code


class ErrorBody(serializers.Serializer):
    """Documents the error body in the schema; never used to read input."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(required=False, child=serializers.JSONField())


def error_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)  # headers (WWW-Authenticate), rollback
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # not ours to shape: a real server error
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        body: dict[str, Any] = {
            "status": response.status_code,
            "code": "invalid",
            "message": _("Some of the data is not valid."),
            "errors": detail if isinstance(detail, dict) else {"non_field_errors": detail},
        }
    else:
        codes = exc.get_codes()
        body = {
            "status": response.status_code,
            "code": codes if isinstance(codes, str) else exc.default_code,
            "message": str(exc.detail) if isinstance(exc.detail, str) else str(exc.default_detail),
        }
    response.data = body
    return response
