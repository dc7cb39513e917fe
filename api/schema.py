"""The OpenAPI schema class: drf-spectacular's, with the error body documented for every
refusal an operation can answer with, so clients (and Schemathesis) can rely on it."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from api.errors import ErrorBody


class RoundtableSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PATCH", "PUT", "DELETE"):
            codes += ["409", "413", "415"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorBody, code, direction=direction)
        return responses
