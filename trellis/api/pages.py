"""The API's pagination: limit and offset, bounded."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Pages(LimitOffsetPagination):
    """Limit and offset, bounded so that no request can ask the database for an absurd page."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10**9)
