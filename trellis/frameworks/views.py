from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from trellis.authz.decorators import permission
from trellis.authz.policies import allows
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.forms import add_service_errors
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_int, get_text
from trellis.frameworks import selectors, services
from trellis.frameworks.forms import RatingForm
from trellis.frameworks.models import Framework, Rating
from trellis.orgs.models import School, System
from trellis.orgs.selectors import systems_where
from trellis.people.models import Person

FRAMEWORK_EXPORT = ExportSpec(
    filename="frameworks",
    headers=["Framework", "Kind", "Owner", "Rates", "Latest version", "Status"],
    row=lambda f: [
        f.title,
        f.get_kind_display(),
        f.system.name if f.system else "Template",
        f.get_subject_kind_display(),
        f.latest.number if f.latest else "",
        f.latest.get_status_display() if f.latest else "",
    ],
)


@permission(Action.FRAMEWORKS_VIEW)
def framework_list(request: HttpRequest) -> HttpResponseBase:
    filters: dict[str, Any] = {
        "query": get_text(request.GET, "q"),
        "kind": get_choice(request.GET, "kind", Framework.Kind.values),
    }
    return render_list(
        request,
        template="frameworks/framework_list.html",
        queryset=selectors.framework_list(request.user, **filters),
        export=FRAMEWORK_EXPORT,
        context={
            "filters": filters,
            "kinds": Framework.Kind.choices,
            "can_import": systems_where(request.user, Action.FRAMEWORKS_MANAGE).exists(),
        },
    )


def csv_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """Rubric rows as spreadsheet rows; items without a code get one from their place."""
    codes: dict[int, str] = {}
    counters: dict[int | None, int] = {}
    out = []
    for row in rows:
        item = row["item"]
        counters[item.parent_id] = counters.get(item.parent_id, 0) + 1
        parent_code = codes.get(item.parent_id, "") if item.parent_id else ""
        code = item.human_coding_scheme or (
            f"{parent_code}.{counters[item.parent_id]}"
            if parent_code
            else str(counters[item.parent_id])
        )
        codes[item.pk] = code
        out.append([code, parent_code, item.full_statement, item.item_type, *row["cells"]])
    return out


@permission(Action.FRAMEWORKS_VIEW)
def framework_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    framework = selectors.framework_get(request.user, pk)
    version = selectors.version_get(framework, get_int(request.GET, "version"))
    query = get_text(request.GET, "q")
    levels, rows = selectors.rubric_grid(version, query=query)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"framework-{framework.pk}-v{version.number}",
            # The same columns the CSV import reads, so a spreadsheet can go out and back in.
            headers=["code", "parent_code", "statement", "type", *[lv.name for lv in levels]],
            rows=csv_rows(rows),
        )
    return render(
        request,
        "frameworks/framework_detail.html",
        {
            "framework": framework,
            "version": version,
            "levels": levels,
            "rows": rows,
            "query": query,
            "versions": list(framework.versions.all()),
            "can_manage": (
                request.user.is_superuser
                or (
                    framework.system_id is not None
                    and allows(request.user, Action.FRAMEWORKS_MANAGE, framework)
                )
            ),
            "can_start": systems_where(request.user, Action.FRAMEWORKS_MANAGE).exists(),
            "has_draft": any(not v.is_published for v in framework.versions.all()),
            "move_choices": [("up", "↑"), ("down", "↓")],
        },
    )


@permission(Action.FRAMEWORKS_VIEW)
def framework_case(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(request.user, pk)
    version = selectors.version_get(framework, get_int(request.GET, "version"))
    package = selectors.build_package(version, base_uri=settings.TRELLIS_BASE_URL)
    response = HttpResponse(
        json.dumps(package, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="framework-{framework.pk}-v{version.number}-case.json"'
    )
    return response


SUBJECT_MODELS: dict[str, Any] = {"person": Person, "school": School, "system": System}


def _subject(kind: str, pk: int) -> Any:
    model = SUBJECT_MODELS[kind]
    related = ("system",) if kind != "system" else ()
    return get_object_or_404(model.objects.select_related(*related), pk=pk)


def _subject_links(kind: str, subject: Any) -> dict[str, str]:
    if kind == "person":
        return {"back_url": reverse("person_detail", args=[subject.pk]), "name": subject.full_name}
    if kind == "school":
        return {"back_url": reverse("school_detail", args=[subject.pk]), "name": subject.name}
    return {"back_url": reverse("home"), "name": subject.name}


@permission(Action.SIGNED_IN)
def subject_ratings(request: HttpRequest, pk: int, kind: str = "person") -> HttpResponseBase:
    subject = _subject(kind, pk)
    purposes = selectors.readable_purposes(request.user, subject)
    purpose = get_choice(request.GET, "purpose", purposes)
    ratings = list(selectors.subject_ratings(subject, purposes, purpose))
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        return export_response(
            fmt=fmt,
            filename=f"ratings-{kind}-{subject.pk}",
            headers=[
                "Date",
                "Framework",
                "Version",
                "Code",
                "Competency",
                "Level",
                "Score",
                "Purpose",
                "Rater",
                "Evidence",
            ],
            rows=(
                [
                    r.rated_on,
                    r.version.framework.title,
                    r.version.number,
                    r.item.human_coding_scheme,
                    r.item.full_statement,
                    r.level.name,
                    r.level.score,
                    r.get_purpose_display(),
                    r.rater_label,
                    r.evidence,
                ]
                for r in ratings
            ),
        )
    return render(
        request,
        "frameworks/person_ratings.html",
        {
            "subject": subject,
            "kind": kind,
            **_subject_links(kind, subject),
            "ratings": ratings,
            "purpose": purpose,
            "purposes": [(p, Rating.Purpose(p).label) for p in purposes],
            "chart": selectors.progress_chart(ratings),
            "frameworks": selectors.rating_frameworks(request.user, subject)
            if selectors.rating_purposes(request.user, subject)
            else [],
            "rate_url": reverse(f"{kind}_rating_new", args=[subject.pk]),
        },
    )


@permission(Action.SIGNED_IN)
def subject_rating_new(request: HttpRequest, pk: int, kind: str = "person") -> HttpResponse:
    subject = _subject(kind, pk)
    purposes = selectors.rating_purposes(request.user, subject)
    if not purposes:
        selectors.readable_purposes(request.user, subject)  # 404 outside scope
        raise PermissionDenied
    framework = selectors.framework_get(request.user, get_int(request.GET, "framework") or 0)
    version = selectors.version_get(framework, None)
    if not version.is_published:
        raise Http404
    levels, rows = selectors.rubric_grid(version)
    form = RatingForm(
        request.POST or None,
        rows=rows,
        levels=levels,
        purposes=purposes,
        initial={"rated_on": timezone.localdate(), "purpose": purposes[0][0]},
    )
    if request.method == "POST" and form.is_valid():
        by_pk = {str(level.pk): level for level in levels}
        entries = [
            (item, by_pk[form.cleaned_data[level]], form.cleaned_data[evidence])
            for item, level, evidence in form.rubric
            if form.cleaned_data.get(level)
        ]
        try:
            services.ratings_record(
                actor=request.user,
                subject=subject,
                version=version,
                purpose=form.cleaned_data["purpose"],
                rated_on=form.cleaned_data["rated_on"],
                entries=entries,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            links = _subject_links(kind, subject)
            messages.success(request, f"{len(entries)} ratings recorded for {links['name']}.")
            return redirect(f"{kind}_ratings", pk=subject.pk)
    return render(
        request,
        "frameworks/rating_form.html",
        {
            "subject": subject,
            "kind": kind,
            **_subject_links(kind, subject),
            "ratings_url": reverse(f"{kind}_ratings", args=[subject.pk]),
            "framework": framework,
            "version": version,
            "form": form,
        },
    )


@permission(Action.FRAMEWORKS_MANAGE)
def framework_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    framework = selectors.framework_get(request.user, pk, action=Action.FRAMEWORKS_MANAGE)
    purpose = get_choice(request.GET, "purpose", Rating.Purpose.values)
    return render(
        request,
        "frameworks/agreement.html",
        {
            "framework": framework,
            "purpose": purpose,
            "purposes": Rating.Purpose.choices,
            **selectors.rater_agreement(framework, purpose=purpose),
        },
    )
