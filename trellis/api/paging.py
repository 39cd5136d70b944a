"""Pagination and id parameters shared by the API's routers."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

ID = Field(None, ge=1, le=2**31 - 1)


class Pages(LimitOffsetPagination):
    """Limit and offset, bounded so that no request can ask the database for an absurd page."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10**9)


class NextPages(Pages):
    """Limit and offset without an exact count: a metro district's people would be counted on
    every request (repairs issue, item 29). `next` is the offset of the following page, or null
    on the last page; one extra row is read to know."""

    class Output(Schema):
        items: list[Any]
        next: int | None

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        offset = pagination.offset
        limit: int = min(pagination.limit, self.max_limit)
        items = queryset[offset : offset + limit + 1]
        return {
            "items": items[:limit],
            "next": offset + limit if len(items) > limit else None,
        }


class _MappedQuerySet:
    """A queryset that pagination can count and slice, mapped to dicts after slicing."""

    def __init__(self, queryset: Any, mapper: Any, prepare: Any = None) -> None:
        self.queryset = queryset
        self.mapper = mapper
        # prepare(objects): told the page's objects before they are mapped (to read their
        # figures in one query).
        self.prepare = prepare

    def count(self) -> int:
        return int(self.queryset.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        objects = list(self.queryset[item])
        if self.prepare is not None:
            self.prepare(objects)
        return [self.mapper(obj) for obj in objects]
