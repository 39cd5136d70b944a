"""Pagination and id parameters shared by the API's routers."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

ID = Field(None, ge=1, le=2**31 - 1)


class Pages(LimitOffsetPagination):
    """Limit and offset, bounded so that no request can ask the database for an absurd page."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10**9)


class _MappedQuerySet:
    """A queryset that pagination can count and slice, mapped to dicts after slicing."""

    def __init__(self, queryset: Any, mapper: Any) -> None:
        self.queryset = queryset
        self.mapper = mapper

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [self.mapper(obj) for obj in self.queryset[item]]
