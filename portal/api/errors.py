"""One error body for the whole API: {"error": {"code", "message", "fields"}} (DESIGN.md section 7)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

MSG_INVALID = _("Some fields are not valid.")
MSG_TOO_LARGE = _("A file is too large.")
MSG_UNSUPPORTED = _("A file is not of an accepted type.")
MSG_TOO_MANY_FILES = _("Too many files in one request: a complaint takes at most 10.")

# Validation codes that earn a more specific status than 400.
_STATUS_FOR_CODE = {
    "too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    "unsupported_type": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    "type_mismatch": status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
}


class Conflict(exceptions.APIException):
    """An invalid state transition."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This action is not possible in the current state.")
    default_code = "conflict"


def error_body(*, code: str, message, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _codes(detail) -> set[str]:
    if isinstance(detail, dict):
        return {code for value in detail.values() for code in _codes(value)}
    if isinstance(detail, list):
        return {code for value in detail for code in _codes(value)}
    return {getattr(detail, "code", "invalid")}


def _validation_response(detail) -> Response:
    if not isinstance(detail, dict):
        detail = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
    fields = {name: _flatten(value) for name, value in detail.items()}
    codes = _codes(detail)
    statuses = {_STATUS_FOR_CODE[code] for code in codes if code in _STATUS_FOR_CODE}
    status_code = statuses.pop() if len(statuses) == 1 and codes <= set(_STATUS_FOR_CODE) else 400
    message = {413: MSG_TOO_LARGE, 415: MSG_UNSUPPORTED}.get(status_code, MSG_INVALID)
    if list(fields) == ["non_field_errors"]:
        message = fields["non_field_errors"][0]
    return Response(error_body(code="invalid", message=message, fields=fields), status=status_code)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; get_error_detail keeps each message's code.
        return _validation_response(get_error_detail(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc.detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = codes if isinstance(codes, str) else "error"
    response.data = error_body(code=code, message=exc.detail if hasattr(exc, "detail") else exc)
    return response
