"""Small helpers every API module uses: read one input serializer, turn a refusal into 409."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


def valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The validated input, or a 400 with the field errors."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
