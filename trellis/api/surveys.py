"""The impact report in the API: the same JSON as `manage.py impact_report --format json`, under
the same scopes as the page (another system's report is a 404; a role without the report 403)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from trellis.api.auth import api_permission
from trellis.api.schemas import ErrorOut
from trellis.authz.roles import Action
from trellis.surveys import selectors

router = Router(tags=["impact"])


class ImpactFilters(Schema):
    system: str = Field(..., min_length=1, max_length=60, description="The system's code.")
    year: int = Field(..., ge=1990, le=2100, description="The year the school year ends.")
    program: int | None = Field(None, ge=1, le=2**31 - 1, description="A program's id.")


def _sees_report(request: HttpRequest, *args: Any, filters: ImpactFilters, **kwargs: Any) -> bool:
    return selectors.impact_reached(request.user, filters.system, filters.program)


@router.get("/impact", response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut})
@api_permission(Action.IMPACT_VIEW, in_scope=_sees_report)
def get_impact(request: HttpRequest, filters: Query[ImpactFilters]) -> Any:
    """Every figure of the impact report: a percentage to one decimal, others to two; a figure
    over fewer than 5 people is null with `<figure>_reason` beside it."""
    return selectors.impact_get(
        request.user, system_code=filters.system, year=filters.year, program_id=filters.program
    )
