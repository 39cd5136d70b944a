"""Pages of classroom visits, instructional-leadership time and differentiated support (planned
versus delivered coaching dosage, and its set-up). Thin: parse, one selector or service, render.
Outside scope 404; in scope, not allowed 403."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone

from trellis.authz.decorators import permission
from trellis.authz.policies import allows, has_grant_for
from trellis.authz.roles import Action
from trellis.coaching import selectors, services
from trellis.coaching.forms_support import (
    ClassroomFrameworkForm,
    FlagForm,
    GoalForm,
    ProfileForm,
    RuleForm,
    TierForm,
    VisitForm,
)
from trellis.coaching.models import SupportTier, TierRule
from trellis.core.exports import export_response
from trellis.core.forms import add_service_errors, form_status
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_date, get_int, get_text
from trellis.core.postonly import post_only
from trellis.core.refusals import Refused
from trellis.orgs.selectors import system_choice

FORMATS = ("csv", "xlsx")

# -- Classroom visits --------------------------------------------------------------------------


def _item_label(item: Any) -> str:
    code = f"{item.human_coding_scheme} " if item.human_coding_scheme else ""
    return code + (item.abbreviated_statement or item.full_statement)[:80]


VISIT_EXPORT = ExportSpec(
    filename="classroom-visits",
    headers=["Date and time", "Principal", "Teacher", "School", "Minutes", "Look-fors", "Feedback"],
    row=lambda v: [
        timezone.localtime(v.visited_at).strftime("%Y-%m-%d %H:%M"),
        v.principal.full_name,
        v.teacher.full_name,
        v.school.name,
        v.minutes,
        "; ".join(_item_label(i) for i in v.look_fors.all()),
        v.feedback,
    ],
)


@permission(Action.VISITS_VIEW)
def visit_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "principal_id": get_int(params, "principal"),
        "date_from": get_date(params, "from"),
        "date_to": get_date(params, "to"),
    }
    return render_list(
        request,
        template="coaching/visit_list.html",
        queryset=selectors.visit_list(request.user, **filters),
        export=VISIT_EXPORT,
        per_page=25,
        context={
            "filters": filters,
            "principals": selectors.visit_principals(request.user),
            "can_log": has_grant_for(request.user, Action.VISITS_LOG)
            and bool(getattr(request.user, "person_id", None)),
        },
    )


@permission(Action.VISITS_LOG)
def visit_new(request: HttpRequest) -> HttpResponseBase:
    """Choose a teacher of the school (`?teacher=`), then log the visit. A teacher the user may
    not see is a 404; one seen but not of their school a 403 (the service refuses either way)."""
    if not getattr(request.user, "person_id", None):
        raise PermissionDenied
    teacher_id = get_int(request.GET, "teacher")
    if teacher_id is None:
        return render(
            request,
            "coaching/visit_choose.html",
            {"teachers": selectors.visit_teachers(request.user)},
        )
    from trellis.people.selectors import person_get

    teacher = person_get(request.user, teacher_id)
    if not selectors.visit_teachers(request.user).filter(pk=teacher.pk).exists():
        raise Refused(
            f"{teacher.full_name} does not teach at your school: a classroom visit is to a "
            "teacher or a teacher leader of your school."
        )
    offered = selectors.look_fors(
        request.user, teacher, version_id=get_int(request.GET, "framework")
    )
    form = VisitForm(
        request.POST or None,
        # No time or length filled in: an untouched form must not log a visit that counts
        # towards the principal's instructional-leadership time (issue 10 walk).
        look_fors=offered.items,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_log(
                actor=request.user,
                teacher=teacher,
                visited_at=data["visited_at"],
                minutes=data["minutes"],
                look_fors=form.chosen(),
                feedback=data["feedback"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Visit to {teacher} logged.")
            return redirect("coaching_visits")
    return render(
        request,
        "coaching/visit_form.html",
        {"form": form, "teacher": teacher, "offered": offered},
        status=form_status(form),
    )


# -- Instructional-leadership time ----------------------------------------------------------------


def _bars(values: list[tuple[str, int]], goal: int | None, width: int = 560) -> dict[str, Any]:
    """Geometry of a horizontal bar chart (one bar per label) with an optional goal line."""
    top = max([v for _, v in values] + [goal or 0, 1])
    row, label_w = 22, 180
    scale = (width - label_w - 50) / top
    bars = [
        {
            "label": label,
            "value": value,
            "y": 10 + k * row,
            "w": round(value * scale, 1),
            "ty": 10 + k * row + 14,
        }
        for k, (label, value) in enumerate(values)
    ]
    return {
        "bars": bars,
        "width": width,
        "height": 20 + row * len(values),
        "x0": label_w,
        "goal_x": round(label_w + (goal or 0) * scale, 1) if goal else None,
        "goal": goal,
    }


@permission(Action.VISITS_VIEW)
def leadership_time(request: HttpRequest) -> HttpResponseBase:
    end = get_date(request.GET, "week") or timezone.localdate()
    query = get_text(request.GET, "q")
    mondays, rows = selectors.leadership_rows(request.user, end=end, query=query)
    fmt = get_choice(request.GET, "format", FORMATS)
    today = timezone.localdate()
    complete = selectors.weeks_complete(mondays, today)
    # A week not over yet: the current one is in progress, a later one (a future `week`) to come.
    states = [
        "" if k < complete else ("in progress" if m <= today else "to come")
        for k, m in enumerate(mondays)
    ]
    headers = ["Person", "Goal (minutes a week)"] + [
        f"Week of {m:%Y-%m-%d}" + (f" ({state})" if state else "")
        for m, state in zip(mondays, states, strict=True)
    ]
    headers += ["Average (complete weeks)", "Weeks at goal (complete weeks)", "Complete weeks"]
    if fmt:
        return export_response(
            fmt=fmt,
            filename="instructional-leadership-time",
            headers=headers,
            rows=(
                [r.person.full_name, r.goal, *r.minutes, r.average, r.weeks_at_goal, complete]
                for r in rows
            ),
        )
    goals = {r.goal for r in rows}
    chart = _bars(
        [(r.person.full_name, r.average) for r in rows[:40]],
        goals.pop() if len(goals) == 1 else None,
    )
    return render(
        request,
        "coaching/leadership_time.html",
        {
            "rows": rows,
            "mondays": mondays,
            "columns": list(zip(mondays, states, strict=True)),
            "chart": chart,
            "week": end,
            "query": query,
            "querystring": request.GET.urlencode(),
            "weeks": len(mondays),
            "complete": complete,
        },
    )


# -- Planned versus delivered dosage --------------------------------------------------------------


@permission(Action.DOSAGE_VIEW)
def dosage(request: HttpRequest) -> HttpResponseBase:
    today = timezone.localdate()
    params = request.GET
    start = get_date(params, "from") or today.replace(day=1)
    end = get_date(params, "to") or start
    if end < start:
        start, end = end, start
        if not get_choice(params, "format", FORMATS):
            messages.info(
                request,
                f"“From” came after “To”: the period is shown from {start:%b %Y} to {end:%b %Y}.",
            )
    group = get_choice(params, "by", selectors.DOSAGE_GROUPS) or "school"
    query = get_text(params, "q")
    network_id = get_int(params, "network")
    tier_id = get_int(params, "tier")
    refusal = selectors.dosage_period_refusal(start, end)
    if refusal:
        return _dosage_refused(
            request,
            refusal,
            {
                "start": start,
                "end": end,
                "group": group,
                "query": query,
                "network_id": network_id,
                "tier_id": tier_id,
            },
        )
    rows = selectors.dosage_report(
        request.user,
        start=start,
        end=end,
        group=group,
        query=query,
        network_id=network_id,
        tier_id=tier_id,
        today=today,
    )
    first, last = selectors.dosage_period(start, end, today=today)
    total = rows.total
    fmt = get_choice(params, "format", FORMATS)
    title = {"school": "School", "supervisor": "Supervisor", "network": "Network"}[group]
    if fmt:
        headers = [
            title,
            "Schools",
            "Planned hours",
            "Delivered hours",
            "Difference (hours)",
            "Delivered, % of planned",
        ]
        if group == "school":
            headers += ["Network", "Tier"]
        # The last line is the total, each school once (the same in every grouping).
        lines = list(rows) + ([total] if rows else [])
        return export_response(
            fmt=fmt,
            filename=f"coaching-dosage-{first:%Y-%m}-{last:%Y-%m}",
            headers=headers,
            rows=(
                [r.label, r.schools, r.planned, r.delivered, r.gap, r.percent]
                + ([r.network, r.tier] if group == "school" else [])
                for r in lines
            ),
        )
    from trellis.orgs.selectors import visible_networks

    shown = rows[:40]
    top = max([max(r.planned, r.delivered) for r in shown] + [Decimal(1)])
    # Drawn at its own size (not scaled to the column, where 12px labels shrank to 8): 560px
    # wide, scrolled sideways on a narrower screen; each bar carries its value in hours. The
    # label column holds 24 characters of the widest letters, the value column "999.9 h".
    width, label_w, row_h, values_w = 560, 220, 36, 84
    scale = (width - label_w - values_w) / float(top)
    chart = []
    for k, r in enumerate(shown):
        planned_w = round(float(r.planned) * scale, 1)
        delivered_w = round(float(r.delivered) * scale, 1)
        chart.append(
            {
                "row": r,
                "y": 8 + k * row_h,
                "planned_w": planned_w,
                "delivered_w": delivered_w,
                "planned_x": round(label_w + planned_w + 5, 1),
                "delivered_x": round(label_w + delivered_w + 5, 1),
            }
        )
    system_ids = {
        s
        for s in selectors.dosage_schools(request.user)
        .values_list("system_id", flat=True)
        .distinct()
    }
    # The schools whose need profile the viewer may open (a row links its tier there only then).
    profiles = (
        {str(pk) for pk in selectors.need_profile_readable(request.user, [r.key for r in rows])}
        if group == "school"
        else set()
    )
    return render(
        request,
        "coaching/dosage.html",
        {
            "rows": rows,
            "withheld": rows.withheld,
            "chart": chart,
            "chart_height": 16 + row_h * len(shown),
            "chart_width": width,
            "label_w": label_w,
            "group": group,
            "title": title,
            "start": start,
            "end": end,
            "first": first,
            "last": last,
            "months": len(selectors.months_between(first, last)),
            "query": query,
            "network_id": network_id,
            "tier_id": tier_id,
            "networks": visible_networks(request.user, Action.DOSAGE_VIEW),
            "tiers": selectors.support_tiers(system_ids),
            "total": total,
            "shared": rows.shared,
            "stops_today": last == today and last < selectors.month_end(last.replace(day=1)),
            "today": today,
            # Need profiles and tiers are read by every reader of the dosage they plan.
            "can_read_support": bool(system_ids),
            "profiles": profiles,
        },
    )


def _dosage_refused(
    request: HttpRequest, refusal: str, filters: dict[str, Any]
) -> HttpResponseBase:
    """The dosage page with its filters and the period's error, no report (400)."""
    from trellis.orgs.selectors import visible_networks

    system_ids = set(
        selectors.dosage_schools(request.user).values_list("system_id", flat=True).distinct()
    )
    return render(
        request,
        "coaching/dosage.html",
        {
            **filters,
            "period_error": refusal,
            "rows": [],
            "networks": visible_networks(request.user, Action.DOSAGE_VIEW),
            "tiers": selectors.support_tiers(system_ids),
            "can_read_support": bool(system_ids),
            "today": timezone.localdate(),
        },
        status=400,
    )


# -- Set-up: goal, flags, tiers, rules (one page, one URL), need profiles ------------------------


def _support_system(request: HttpRequest) -> tuple[Any, list[Any], bool]:
    """The system whose set-up the page shows, the systems to choose from, and whether the user
    keeps it (edits) or only reads it (a reader of its dosage: need profiles and tiers are
    read-only planning data to them). A POST by a reader is refused (403)."""
    editable = selectors.support_systems(request.user, Action.SUPPORT_CONFIGURE)
    readable = selectors.support_read_systems(request.user)
    systems = sorted({*editable, *readable}, key=lambda s: (s.name, s.pk))
    if not systems:
        raise PermissionDenied
    system = system_choice(systems, get_int(request.GET, "system"))
    can_edit = system in editable
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    return system, systems, can_edit


@permission(Action.DOSAGE_VIEW)
def support_setup(request: HttpRequest) -> HttpResponseBase:
    system, systems, can_edit = _support_system(request)
    flags = list(selectors.need_flags(system.pk))
    tiers = list(selectors.support_tiers({system.pk}))
    goal = selectors.leadership_goal({system.pk})[system.pk]
    posted = request.POST.get("form", "") if request.method == "POST" else ""
    goal_form = GoalForm(
        request.POST if posted == "goal" else None, initial={"leadership_goal_minutes": goal}
    )
    flag_form = FlagForm(request.POST if posted == "flag" else None, prefix="flag")
    tier_form = TierForm(request.POST if posted == "tier" else None, prefix="tier")
    rule_form = RuleForm(request.POST if posted == "rule" else None, flags=flags, tiers=tiers)
    frameworks = selectors.classroom_framework_choices(system.pk)
    designated = selectors.classroom_framework(system.pk)
    classroom_form = ClassroomFrameworkForm(
        request.POST if posted == "classroom" else None,
        frameworks=frameworks,
        initial={"classroom_framework": designated.pk if designated else ""},
    )
    done = ""
    try:
        if posted == "goal" and goal_form.is_valid():
            services.support_settings_save(
                actor=request.user,
                system=system,
                leadership_goal_minutes=goal_form.cleaned_data["leadership_goal_minutes"],
            )
            done = "Goal saved."
        elif posted == "classroom" and classroom_form.is_valid():
            chosen = classroom_form.cleaned_data["classroom_framework"]
            services.classroom_framework_set(
                actor=request.user,
                system=system,
                framework=next((f for f in frameworks if f.pk == chosen), None),
            )
            done = "Framework of classroom practice saved."
        elif posted == "flag" and flag_form.is_valid():
            services.need_flag_create(
                actor=request.user, system=system, name=flag_form.cleaned_data["name"]
            )
            done = "Flag added."
        elif posted == "tier" and tier_form.is_valid():
            data = tier_form.cleaned_data
            tier = SupportTier.objects.filter(system=system, name__iexact=data["name"]).first()
            services.support_tier_save(
                actor=request.user,
                system=system,
                tier=tier,
                name=data["name"],
                hours_per_month=data["hours_per_month"],
                is_default=data["is_default"],
            )
            done = "Tier saved."
        elif posted == "rule" and rule_form.is_valid():
            data = rule_form.cleaned_data
            services.tier_rule_add(
                actor=request.user,
                system=system,
                field=data["field"],
                operator=data["operator"],
                value=data["value"],
                flag=next((f for f in flags if f.pk == data["flag"]), None),
                tier=next(t for t in tiers if t.pk == data["tier"]),
            )
            done = "Rule added."
        elif posted in ("rule_delete", "rule_up", "rule_down"):
            rule = TierRule.objects.filter(
                pk=get_int(request.POST, "rule") or 0, system=system
            ).first()
            if rule is None:
                raise Http404
            if posted == "rule_delete":
                services.tier_rule_delete(actor=request.user, rule=rule)
                done = "Rule deleted."
            else:
                services.tier_rule_move(actor=request.user, rule=rule, up=posted == "rule_up")
                done = "Rule moved."
    except ValidationError as error:
        form = {
            "goal": goal_form,
            "flag": flag_form,
            "tier": tier_form,
            "rule": rule_form,
            "classroom": classroom_form,
        }.get(posted)
        if form is not None:
            add_service_errors(form, error)
    if done:
        messages.success(request, done)
        return redirect(f"{request.path}?system={system.pk}")
    return render(
        request,
        "coaching/support_setup.html",
        {
            "system": system,
            "systems": systems,
            "can_edit": can_edit,
            "goal": goal,
            "flags": flags,
            "tiers": tiers,
            "rules": list(selectors.tier_rules(system.pk)),
            "goal_form": goal_form,
            "flag_form": flag_form,
            "tier_form": tier_form,
            "rule_form": rule_form,
            "classroom_form": classroom_form,
            "designated": designated,
        },
        status=form_status(goal_form, flag_form, tier_form, rule_form, classroom_form),
    )


@permission(Action.DOSAGE_VIEW)
def support_schools(request: HttpRequest) -> HttpResponseBase:
    """Every school whose need profile the user reads (whoever reads its dosage); those who keep
    the set-up edit them from here."""
    from trellis.orgs.selectors import visible_schools

    query = get_text(request.GET, "q")
    network_id = get_int(request.GET, "network")
    schools = visible_schools(request.user, Action.DOSAGE_VIEW).select_related("network")
    if query:
        schools = schools.filter(name__icontains=query)
    if network_id:
        schools = schools.filter(network_id=network_id)
    schools = schools.order_by("name", "pk")

    def load(page: list[Any]) -> None:
        supports = selectors.school_supports(page)
        for school in page:
            school.support = supports[school.pk]

    headers = [
        "School",
        "Network",
        "Performance band",
        "Attendance rate",
        "Conditions score",
        "Flags",
        "Tier",
        "Planned hours per month",
        "Attendance rate: source",
        "Attendance rate: as of",
        "Conditions score: source",
        "Conditions score: as of",
    ]
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        every = list(schools)
        supports = selectors.school_supports(every)
        return export_response(
            fmt=fmt,
            filename="school-need-profiles",
            headers=headers,
            rows=(_profile_row(supports[school.pk]) for school in every),
        )

    from trellis.orgs.selectors import visible_networks

    response = render_list(
        request,
        template="coaching/support_schools.html",
        queryset=schools,
        # The export is answered above, with every school's tier read at once.
        export=ExportSpec(
            filename="school-need-profiles",
            headers=headers,
            row=lambda school: _profile_row(selectors.school_supports([school])[school.pk]),
        ),
        per_page=50,
        on_page=load,
        context={
            "query": query,
            "network_id": network_id,
            "networks": visible_networks(request.user, Action.DOSAGE_VIEW),
            "refresh_systems": selectors.support_systems(request.user, Action.SUPPORT_CONFIGURE),
            "can_configure": has_grant_for(request.user, Action.SUPPORT_CONFIGURE),
        },
    )
    return response


def _profile_row(s: selectors.SchoolSupport) -> list[Any]:
    p = s.profile
    return [
        s.school.name,
        s.school.network.name if s.school.network else "",
        p.performance_band if p else None,
        p.attendance_rate if p else None,
        p.conditions_score if p else None,
        "; ".join(f.name for f in s.flags),
        s.tier.name if s.tier else "",
        s.planned_per_month,
        _source(p.attendance_source) if p else "",
        p.attendance_as_of if p else None,
        _source(p.conditions_source) if p else "",
        p.conditions_as_of if p else None,
    ]


def _source(code: str) -> str:
    from trellis.coaching.models import FigureSource

    return str(FigureSource(code).label) if code in FigureSource.values else ""


@permission(Action.DOSAGE_VIEW)
def support_school(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A school's need profile: read by whoever reads its dosage, edited (POST) by those who keep
    the set-up (403 for a reader)."""
    school = selectors.support_school_get(request.user, pk, Action.DOSAGE_VIEW)
    can_edit = allows(request.user, Action.SUPPORT_CONFIGURE, school)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    support = selectors.school_supports([school])[school.pk]
    p = support.profile
    from_data = {
        figure: by.get(school.pk) for figure, by in selectors.need_data([school.pk]).items()
    }
    form = ProfileForm(
        request.POST or None,
        flags=list(selectors.need_flags(school.system_id)),
        from_data=from_data,
        initial={
            "performance_band": p.performance_band if p else None,
            "attendance_rate": p.attendance_rate if p else None,
            "conditions_score": p.conditions_score if p else None,
            "flags": [str(f.pk) for f in support.flags],
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.need_profile_save(
                actor=request.user,
                school=school,
                performance_band=data["performance_band"],
                attendance_rate=data.get("attendance_rate"),
                conditions_score=data.get("conditions_score"),
                flags=form.chosen_flags(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Need profile of {school} saved.")
            return redirect("coaching_support_schools")
    figures = [
        {
            "label": label,
            "unit": unit,
            "value": getattr(p, figure) if p else None,
            "source": getattr(p, f"{prefix}_source") if p else "",
            "as_of": getattr(p, f"{prefix}_as_of") if p else None,
            "basis": getattr(p, f"{prefix}_basis") if p else "",
            "data": from_data.get(figure),
            "where": selectors.NEED_SOURCES[figure],
        }
        for figure, prefix, label, unit in (
            ("attendance_rate", "attendance", "Attendance rate", "%"),
            ("conditions_score", "conditions", "Conditions score (1-4)", ""),
        )
    ]
    return render(
        request,
        "coaching/support_school.html",
        {
            "form": form if can_edit else None,
            "school": school,
            "support": support,
            "figures": figures,
        },
        status=form_status(form),
    )


@permission(Action.SUPPORT_CONFIGURE)
@post_only("coaching_support_schools", with_pk=False)
def support_refresh(request: HttpRequest) -> HttpResponseBase:
    """Read every school's attendance rate and conditions score from the data again, for a
    system whose set-up the user keeps (`system`, else their only one; another is a 404). A GET
    (a reload, a bookmark) goes to the need profiles, whose button this is."""
    systems = selectors.support_systems(request.user, Action.SUPPORT_CONFIGURE)
    wanted = get_int(request.POST, "system")
    if wanted:
        system = next((s for s in systems if s.pk == wanted), None)
    else:
        system = systems[0] if len(systems) == 1 else None
    if system is None:
        raise Http404  # a system whose set-up the user does not keep
    count = services.need_profiles_refresh(actor=request.user, system=system)
    messages.success(
        request,
        f"Figures read from the data: {count} school{'s' if count != 1 else ''} changed.",
    )
    return redirect("coaching_support_schools")
