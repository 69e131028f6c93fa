"""One error body for the whole API: {"error": {"code", "message", "fields"}} (DESIGN.md section 7)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

MSG_INVALID = _("Some fields are not valid.")
MSG_TOO_LARGE = _("A file is too large.")
MSG_UNSUPPORTED = _("A file is not of an accepted type.")
MSG_TOO_MANY_FILES = _("Too many files in one request: a complaint takes at most 10.")
MSG_BAD_REQUEST = _("The request could not be understood.")
MSG_BODY_TOO_LARGE = _("The request is too large.")
MSG_SERVER_ERROR = _("Something went wrong on our side. Please try again later.")

# Validation codes that name the whole error when every refused value shares them: (error code, status).
_ERROR_FOR_CODES = [
    ({"too_large"}, "too_large", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE),
    ({"unsupported_type", "type_mismatch"}, "unsupported_type", status.HTTP_415_UNSUPPORTED_MEDIA_TYPE),
    ({"too_many_files"}, "too_many_files", status.HTTP_400_BAD_REQUEST),
]
_MESSAGE_FOR_CODE = {"too_large": MSG_TOO_LARGE, "unsupported_type": MSG_UNSUPPORTED}


def error_body(*, code: str, message, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _leaves(detail) -> list:
    """The ErrorDetail messages of a DRF detail, however nested in dicts and lists."""
    if isinstance(detail, dict):
        return [leaf for value in detail.values() for leaf in _leaves(value)]
    if isinstance(detail, list):
        return [leaf for value in detail for leaf in _leaves(value)]
    return [detail]


def _flatten(detail) -> list[str]:
    return [str(leaf) for leaf in _leaves(detail)]


def _codes(detail) -> set[str]:
    return {getattr(leaf, "code", "invalid") for leaf in _leaves(detail)}


def _validation_response(detail) -> Response:
    if not isinstance(detail, dict):
        detail = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
    fields = {name: _flatten(value) for name, value in detail.items()}
    codes = _codes(detail)
    code, status_code, message = "invalid", status.HTTP_400_BAD_REQUEST, MSG_INVALID
    for family, family_code, family_status in _ERROR_FOR_CODES:
        if codes and codes <= family:
            code, status_code = family_code, family_status
            message = _MESSAGE_FOR_CODE.get(family_code) or _flatten(detail)[0]
    if list(fields) == ["non_field_errors"]:
        message = fields["non_field_errors"][0]
    set_rollback()
    return Response(error_body(code=code, message=message, fields=fields), status=status_code)


def _request_error(exc) -> Response | None:
    """Limits Django enforces while parsing a body; DRF lets them through, so they would become HTML."""
    if isinstance(exc, TooManyFilesSent):
        return Response(error_body(code="too_many_files", message=MSG_TOO_MANY_FILES), status=400)
    if isinstance(exc, TooManyFieldsSent):
        return Response(error_body(code="bad_request", message=MSG_BAD_REQUEST), status=400)
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body(code="too_large", message=MSG_BODY_TOO_LARGE), status=413)
    return None


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; get_error_detail keeps each message's code.
        return _validation_response(get_error_detail(exc))
    request_error = _request_error(exc)
    if request_error is not None:
        return request_error
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc.detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        # Still the one body for clients; the traceback goes to the log (and Django logs the 500).
        logger.exception("unhandled error in %s", type(context.get("view")).__name__)
        set_rollback()
        return Response(error_body(code="server_error", message=MSG_SERVER_ERROR), status=500)
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else "error"
    response.data = error_body(code=code, message=exc.detail)
    return response


# OpenAPI: the body above as a component, and the responses that carry it.


class ErrorSerializer(serializers.Serializer):
    class DetailSerializer(serializers.Serializer):
        code = serializers.CharField()
        message = serializers.CharField()
        fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

        class Meta:
            ref_name = "ErrorDetail"

    error = DetailSerializer()

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: _("The request is not valid; `fields` names each refused field."),
    401: _("Authentication is missing or not valid."),
    403: _("Authenticated, but not allowed to do this."),
    404: _("Not found, or not yours."),
    405: _("This method is not allowed here."),
    409: _("Not possible in the current state."),
    413: _("A file or the request is too large."),
    415: _("A file or the request body is not of an accepted type."),
    429: _("Too many requests; see the Retry-After header."),
}
