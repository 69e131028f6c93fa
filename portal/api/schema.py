"""OpenAPI: every operation documents the one error body for the statuses it can answer with.

Derived from the view (method, path parameters, permissions, parsers) so the domain apps' APIs declare
only their success responses and never import portal.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny

from portal.api.errors import ERROR_DESCRIPTIONS, ErrorSerializer

_WRITES = {"POST", "PUT", "PATCH"}


class ErrorDocumentingAutoSchema(AutoSchema):
    def _error_statuses(self) -> list[int]:
        # A view lists the statuses only it can answer with, e.g. 409 for a refused workflow step.
        statuses = [405, 429, *getattr(self.view, "error_statuses", ())]
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            statuses += [401, 403]
        if "{" in self.path:
            statuses.append(404)
        if self.method in _WRITES:
            statuses.append(400)
            if any(isinstance(parser, MultiPartParser) for parser in self.view.get_parsers()):
                statuses += [413, 415]
        return sorted(statuses)

    def _get_response_bodies(self, direction="response"):
        # extend_schema replaces get_response_serializers, so the errors are added one level down.
        bodies = super()._get_response_bodies(direction=direction)
        for status in self._error_statuses():
            response = OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status])
            bodies.setdefault(str(status), self._get_response_for_code(response, str(status), direction=direction))
        return bodies
