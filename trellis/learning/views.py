"""Pages of professional learning: PD sessions (list, create, edit, register, cancel, the
facilitator's attendance list with the check-in code and its QR code, the attendee's check-in
page, certificates) and learning communities (list, create, edit, cycles, meetings). Thin:
parse, call one selector or service, render. Outside what the viewer may see 404; in it but not
allowed 403."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from trellis.authz.decorators import permission
from trellis.authz.roles import Action
from trellis.core.forms import add_service_errors, form_status
from trellis.core.listing import ExportSpec, form_page, render_list
from trellis.core.panels import panels_for
from trellis.core.params import get_choice, get_int, get_text
from trellis.core.postonly import post_only
from trellis.core.providers import provider
from trellis.learning import selectors, services
from trellis.learning.forms import (
    CheckinForm,
    CommunityForm,
    CycleForm,
    MeetingForm,
    ReportedStudentsForm,
    SessionForm,
    SystemChoiceForm,
    picker_added,
)
from trellis.learning.models import Community, PDSession, Registration
from trellis.learning.printing import certificate_filename, certificate_pdf


def _session_row(s: PDSession) -> list[Any]:
    return [
        s.title,
        timezone.localtime(s.starts_at).strftime("%Y-%m-%d %H:%M"),
        timezone.localtime(s.ends_at).strftime("%Y-%m-%d %H:%M"),
        s.audience_label,
        s.place,
        s.online_url,
        s.capacity,
        s.confirmed,  # type: ignore[attr-defined]
        s.waitlisted,  # type: ignore[attr-defined]
        s.attended,  # type: ignore[attr-defined]
        "; ".join(selectors.competency_label(item) for item in s.competencies.all()),
        "; ".join(person.full_name for person in s.facilitators.all()),
    ]


SESSION_EXPORT = ExportSpec(
    filename="pd-sessions",
    headers=[
        "Title",
        "Starts",
        "Ends",
        "Audience",
        "Place",
        "Online link",
        "Capacity",
        "Registered",
        "Waiting list",
        "Attended",
        "Aligned competencies",
        "Facilitators",
    ],
    row=_session_row,
)


@permission(Action.SIGNED_IN)
def session_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "when": get_choice(params, "when", ("upcoming", "past")),
        "competency_id": get_int(params, "competency"),
        "school_id": get_int(params, "school"),
        "program_id": get_int(params, "program"),
        "mine": get_choice(params, "mine", ("registered", "attended")),
    }
    choices = selectors.filter_choices(request.user)
    return render_list(
        request,
        template="learning/session_list.html",
        queryset=selectors.session_list(request.user, **filters),
        export=SESSION_EXPORT,
        per_page=25,
        context={
            "filters": filters,
            **choices,
            "can_create": selectors.may_create_sessions(request.user),
        },
    )


def _save_session(request: HttpRequest, form: SessionForm, system: Any, session: Any) -> Any:
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "description": data["description"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "place": data["place"],
        "online_url": data["online_url"],
        "capacity": data["capacity"],
        "school": data["school"],
        "program": data["program"],
    }
    if session is None:
        return services.session_create(
            actor=request.user,
            system=system,
            competencies=list(data["competencies"]),
            facilitators=list(data["facilitators"]),
            **fields,
        )
    return services.session_update(
        actor=request.user,
        session=session,
        competencies=list(data["competencies"]),
        facilitators=list(data["facilitators"]),
        **fields,
    )


def _session_form_page(
    request: HttpRequest, *, system: Any, session: PDSession | None, initial: Any
) -> HttpResponseBase:
    people = selectors.picker_people(request.user, system.pk, session=session)

    def make(data: Any = None, initial: Any = None) -> SessionForm:
        return SessionForm(
            data,
            initial=initial,
            system=system,
            choices=selectors.manager_choices(request.user),
            people=people,
            picker_for=f"session={session.pk}" if session else "",
        )

    form = make(request.POST or None, initial)
    if request.method == "POST" and "add" in request.POST:
        # The Add button: the person typed joins the facilitators; nothing is saved yet.
        added = picker_added(form)
        if added is not None:
            form = make(initial=added)
    elif request.method == "POST" and form.is_valid():
        try:
            saved = _save_session(request, form, system, session)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{saved.title} saved.")
            return redirect("learning_session", pk=saved.pk)
    back = (
        reverse("learning_session", args=[session.pk]) if session else reverse("learning_sessions")
    )
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Edit {session.title}" if session else f"New PD session in {system}",
            "back_url": back,
            "back_label": session.title if session else "PD sessions",
            "system": system if session is None else None,
        },
    )


@permission(Action.LEARNING_MANAGE)
def session_new(request: HttpRequest) -> HttpResponseBase:
    systems = selectors.manager_choices(request.user)["systems"]
    system_id = get_int(request.POST, "system_id") or get_int(request.GET, "system")
    system = systems.filter(pk=system_id).first() if system_id else None
    if system is None:
        if systems.count() != 1:
            form = SystemChoiceForm(systems=systems)
            return render(
                request,
                "learning/choose_system.html",
                {"form": form, "heading": "New PD session: which system?"},
            )
        system = systems.get()
    return _session_form_page(request, system=system, session=None, initial=None)


@permission(Action.SIGNED_IN)
def session_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = selectors.session_to_manage(request.user, pk)
    initial = {
        "title": session.title,
        "description": session.description,
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "place": session.place,
        "online_url": session.online_url,
        "capacity": session.capacity,
        "school": session.school_id,
        "program": session.program_id,
        "competencies": list(session.competencies.all()),
        "facilitators": list(session.facilitators.all()),
    }
    return _session_form_page(request, system=session.system, session=session, initial=initial)


@permission(Action.SIGNED_IN)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    user: Any = request.user
    person = user.person if user.person_id else None
    registration = selectors.registration_of(user.person_id, session)
    may_manage = selectors.may_manage(user, session)
    may_attend = may_manage or selectors.is_facilitator(user, session)
    return render(
        request,
        "learning/session_detail.html",
        {
            "session": session,
            "competencies": [
                selectors.competency_label(item)
                for item in selectors.in_framework_order(
                    session.competencies.select_related("version__framework")
                )
            ],
            "facilitators": list(session.facilitators.all()),
            "registration": registration,
            "in_audience": person is not None and selectors.in_audience(person, session),
            "is_over": session.ends_at < timezone.now(),
            "may_manage": may_manage,
            "may_attend": may_attend,
            "roster": selectors.roster(session) if may_attend else [],
            # What other apps add to the page (surveys: the session's satisfaction survey).
            "panels": panels_for("learning_session", request, session=session),
            # Certificates are issued once the session has ended, to those marked present; a
            # facilitator who does not manage the session opens none.
            "certificates": {
                r.pk
                for r in ([registration] if registration else [])
                + (selectors.roster(session) if may_manage else [])
                if r is not None
                and selectors.certificate_ready(r)
                and (may_manage or r.person_id == user.person_id)
            },
        },
    )


@permission(Action.SIGNED_IN)
@post_only("learning_session")
def session_register(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = selectors.session_get(request.user, pk)
    user: Any = request.user
    if not user.person_id:
        raise PermissionDenied
    try:
        registration = services.registration_create(actor=user, session=session, person=user.person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(request, f"You are registered for {session.title}.")
        else:
            messages.info(
                request,
                f"{session.title} is full: you are on the waiting list. You will get an e-mail "
                "if a seat opens.",
            )
    return redirect("learning_session", pk=session.pk)


@permission(Action.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Cancel one's own registration, or (a manager) anyone's: `registration` in the form.
    GET asks for confirmation (the session page's buttons lead here); POST cancels."""
    session = selectors.session_get(request.user, pk)
    user: Any = request.user
    params = request.POST if request.method == "POST" else request.GET
    registration_id = get_int(params, "registration")
    if registration_id is None:
        registration = selectors.registration_of(user.person_id, session)
    else:
        if not selectors.may_manage(user, session):
            raise PermissionDenied
        registration = (
            session.registrations.select_related("person").filter(pk=registration_id).first()
        )
    if registration is None:
        raise Http404
    if request.method == "GET":
        return render(
            request,
            "learning/cancel_confirm.html",
            {
                "session": session,
                "registration": registration,
                "own": registration.person_id == user.person_id,
                "active": registration.status != Registration.Status.CANCELLED
                and registration.attended_at is None,
            },
        )
    try:
        promoted = services.registration_cancel(actor=user, registration=registration)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = "Registration cancelled."
        if promoted is not None:
            # Who was waiting is named only to those who read the registrations: a teacher
            # giving up their seat learns that it went on, not to whom.
            if selectors.may_take_attendance(user, session):
                text += f" {promoted.person.full_name} moved up from the waiting list."
            else:
                text += " The first person on the waiting list has the seat."
        messages.success(request, text)
    return redirect("learning_session", pk=session.pk)


def _qr_svg(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code of the check-in page" ', 1)


@permission(Action.SIGNED_IN)
def session_attendance(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The facilitator's page on the day: the code and its QR code, and the list to tick."""
    session = selectors.session_for_attendance(request.user, pk)
    roster = selectors.roster(session)
    rows = [r for r in roster if r.status == Registration.Status.CONFIRMED]
    # Who is on the waiting list, in its order: ticking one who came seats them.
    waiting = [r for r in roster if r.status == Registration.Status.WAITLISTED]
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
        capacity = session.capacity
        try:
            services.attendance_record(actor=request.user, session=session, present_ids=ids)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            text = "Attendance saved."
            seated = [r.person.full_name for r in waiting if r.person_id in ids]
            if seated:
                text += f" Seated from the waiting list: {', '.join(seated)}."
                session.refresh_from_db(fields=["capacity"])
                if session.capacity != capacity:
                    text += f" Capacity raised from {capacity} to {session.capacity}."
            messages.success(request, text)
            return redirect("learning_session_attendance", pk=session.pk)
    # The QR code carries the code (scanned in the room); the address shown is typed, with the
    # code typed after it.
    checkin_page = request.build_absolute_uri(reverse("learning_checkin"))
    checkin_url = f"{checkin_page}?code={session.checkin_code}"
    return render(
        request,
        "learning/attendance.html",
        {
            "session": session,
            "rows": rows,
            "waiting": waiting,
            "seats_free": max(session.capacity - len(rows), 0),
            "checkin_page": checkin_page,
            "qr_svg": _qr_svg(checkin_url),
            "checkin_open": selectors.checkin_open(session),
            "margin": int(selectors.CHECKIN_MARGIN.total_seconds() // 60),
        },
    )


@permission(Action.SIGNED_IN)
@post_only("learning_session_attendance")
def session_code_renew(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = selectors.session_for_attendance(request.user, pk)
    services.code_renew(actor=request.user, session=session)
    messages.success(request, "A new check-in code is in force; the old one no longer works.")
    return redirect("learning_session_attendance", pk=session.pk)


@permission(Action.SIGNED_IN)
def checkin(request: HttpRequest) -> HttpResponseBase:
    """The attendee's phone page: type (or scan) the code shown in the room."""
    form = CheckinForm(request.POST or None, initial={"code": get_text(request.GET, "code")})
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.checkin(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"You are checked in to {registration.session.title}.")
            return redirect("learning_session", pk=registration.session_id)
    return render(request, "learning/checkin.html", {"form": form})


@permission(Action.SIGNED_IN)
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate's page, or (`?format=pdf`) the same certificate as a PDF: the same
    readers (the attendee and whoever manages the session; anyone else 404)."""
    registration = selectors.certificate_get(request.user, pk)
    session = registration.session
    context = {
        "registration": registration,
        "session": session,
        "competencies": [
            selectors.competency_label(item)
            for item in selectors.in_framework_order(
                session.competencies.select_related("version__framework")
            )
        ],
        "facilitators": list(session.facilitators.all()),
        "hours": selectors.attended_hours(registration),
        "arrived": selectors.arrived_at(registration),
    }
    if get_choice(request.GET, "format", ("pdf",)):
        response = HttpResponse(certificate_pdf(context), content_type="application/pdf")
        filename = certificate_filename(context)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "learning/certificate.html", context)


@permission(Action.SIGNED_IN)
@require_GET
def people_options(request: HttpRequest) -> HttpResponse:
    """A people picker's search box: up to 20 people matching what was typed, among those the
    user may choose on the form it serves (`community` or `session`: the one that form's fields
    accept, `selectors.picker_people`; a new one without), as <option>s for its datalist. For
    those who may offer sessions or edit a community (anyone else 403); a system outside their
    reach 404; a community or session they may not edit as the form answers it (404/403)."""
    user: Any = request.user
    if not selectors.may_pick_people(user):
        raise PermissionDenied
    system_id = get_int(request.GET, "system")
    if system_id is None or system_id not in selectors.picker_systems(user):
        raise Http404
    community_id, session_id = get_int(request.GET, "community"), get_int(request.GET, "session")
    community = selectors.community_to_edit(user, community_id) if community_id else None
    session = selectors.session_to_manage(user, session_id) if session_id else None
    owner = community or session
    if owner is not None and owner.system_id != system_id:
        raise Http404
    field = get_choice(request.GET, "field", ("facilitators", "facilitator", "members"))
    text = get_text(request.GET, f"{field}_add", max_length=255) if field else ""
    people = selectors.picker_people(user, system_id, community=community, session=session)
    found = selectors.people_suggestions(people, text)
    return render(
        request,
        "learning/person_options.html",
        {"options": [selectors.person_label(p) for p in found]},
    )


# -- learning communities ---------------------------------------------------------------------


def _community_row(c: Community) -> list[Any]:
    return [
        c.name,
        c.get_kind_display(),
        c.school.name if c.school else "System",
        c.facilitator.full_name if c.facilitator else "",
        c.member_count,  # type: ignore[attr-defined]
        c.meeting_count,  # type: ignore[attr-defined]
    ]


COMMUNITY_EXPORT = ExportSpec(
    filename="learning-communities",
    headers=["Name", "Kind", "School", "Facilitator", "Members", "Meetings"],
    row=_community_row,
)


@permission(Action.SIGNED_IN)
def community_list(request: HttpRequest) -> HttpResponseBase:
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "kind": get_choice(params, "kind", Community.Kind.values),
        "school_id": get_int(params, "school"),
    }
    return render_list(
        request,
        template="learning/community_list.html",
        queryset=selectors.community_list(request.user, **filters),
        export=COMMUNITY_EXPORT,
        per_page=25,
        context={
            "filters": filters,
            "kinds": Community.Kind.choices,
            "schools": selectors.filter_choices(request.user)["schools"],
            "can_create": selectors.may_create_sessions(request.user),
        },
    )


def _community_form_page(
    request: HttpRequest, *, system: Any, community: Community | None
) -> HttpResponseBase:
    initial = None
    if community is not None:
        initial = {
            "name": community.name,
            "kind": community.kind,
            "school": community.school_id,
            "description": community.description,
            "facilitator": [community.facilitator_id] if community.facilitator_id else [],
            "members": list(community.members.all()),
        }
    schools = selectors.manager_choices(request.user)["schools"]
    if community is not None and community.school_id:
        from trellis.orgs.models import School

        schools = schools | School.objects.filter(pk=community.school_id)
    people = selectors.picker_people(request.user, system.pk, community=community)

    def make(data: Any = None, initial: Any = None) -> CommunityForm:
        return CommunityForm(
            data,
            initial=initial,
            system=system,
            schools=schools,
            people=people,
            picker_for=f"community={community.pk}" if community else "",
        )

    form = make(request.POST or None, initial)
    adding = request.method == "POST" and "add" in request.POST
    if adding:
        # The Add button: the person typed joins the form; nothing is saved yet.
        added = picker_added(form)
        if added is not None:
            form = make(initial=added)

    def save(data: dict[str, Any]) -> Any:
        fields = {k: data[k] for k in ("name", "kind", "school", "description", "facilitator")}
        if community is None:
            made = services.community_create(
                actor=request.user, system=system, members=list(data["members"]), **fields
            )
        else:
            made = services.community_update(
                actor=request.user, community=community, members=list(data["members"]), **fields
            )
        return made

    if not adding and request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("learning_community", pk=saved.pk)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Edit {community.name}" if community else f"New community in {system}",
            "back_url": reverse("learning_community", args=[community.pk])
            if community
            else reverse("learning_communities"),
            "back_label": community.name if community else "Learning communities",
            "system": system if community is None else None,
        },
    )


@permission(Action.LEARNING_MANAGE)
def community_new(request: HttpRequest) -> HttpResponseBase:
    systems = selectors.manager_choices(request.user)["systems"]
    system_id = get_int(request.POST, "system_id") or get_int(request.GET, "system")
    system = systems.filter(pk=system_id).first() if system_id else None
    if system is None:
        if systems.count() != 1:
            return render(
                request,
                "learning/choose_system.html",
                {
                    "form": SystemChoiceForm(systems=systems),
                    "heading": "New learning community: which system?",
                },
            )
        system = systems.get()
    return _community_form_page(request, system=system, community=None)


@permission(Action.SIGNED_IN)
def community_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    community = selectors.community_to_edit(request.user, pk)
    return _community_form_page(request, system=community.system, community=community)


@permission(Action.SIGNED_IN)
def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    community = selectors.community_get(request.user, pk)
    return render(
        request,
        "learning/community_detail.html",
        {
            "community": community,
            "members": list(community.members.order_by("family_name", "given_name")),
            "cycles": selectors.community_cycles(community),
            "meetings": selectors.community_meetings(community),
            "may_edit": selectors.may_edit_community(request.user, community),
            # What other apps add (surveys: a leadership team's consensus rating of conditions).
            "panels": panels_for("learning_community", request, community=community),
        },
    )


@permission(Action.SIGNED_IN)
def reported_students_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The number of students each member of a team teaches, as reported for a school whose
    classes no roster holds (the impact report's reach counts it where there is no roster):
    the team's facilitator, or whoever may edit the team."""
    community = selectors.community_to_edit(request.user, pk)
    today = timezone.localdate()
    year = get_int(request.GET, "year") or (today.year + 1 if today.month >= 7 else today.year)
    form = ReportedStudentsForm(
        request.POST or None,
        initial={"school_year": year},
        members=community.members.order_by("family_name", "given_name", "pk"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reported_students_record(
                actor=request.user, community=community, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            person, saved_year = form.cleaned_data["person"], form.cleaned_data["school_year"]
            if person.pk in _rostered([person.pk], saved_year):
                messages.warning(
                    request,
                    f"The number is recorded, but the impact report does not count it: a class "
                    f"roster holds {person.full_name}'s classes in "
                    f"{saved_year - 1}-{str(saved_year)[-2:]}, and counts their students.",
                )
            else:
                messages.success(request, "The number of students is recorded.")
            url = reverse("learning_reported_students", args=[community.pk])
            return redirect(f"{url}?year={saved_year}")
    rows = selectors.reported_students(community, year)
    return render(
        request,
        "learning/reported_students.html",
        {
            "community": community,
            "form": form,
            "year": year,
            "year_label": f"{year - 1}-{str(year)[-2:]}",
            "rows": rows,
            "rostered": _rostered([p.pk for p, count in rows if count is not None], year),
        },
        status=form_status(form),
    )


@permission(Action.SIGNED_IN)
def reported_students_remove(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Remove a member's reported number of students (`?person=&year=`), after a confirmation:
    the same people who report it; 404 for a number not reported for a member of the team."""
    community = selectors.community_to_edit(request.user, pk)
    params = request.POST if request.method == "POST" else request.GET
    person = community.members.filter(pk=get_int(params, "person") or 0).first()
    year = get_int(params, "year")
    count = dict(selectors.reported_students(community, year or 0)).get(person)
    if person is None or year is None or count is None:
        raise Http404
    url = reverse("learning_reported_students", args=[community.pk])
    back = f"{url}?year={year}"
    label = f"{year - 1}-{str(year)[-2:]}"
    if request.method == "POST":
        services.reported_students_remove(
            actor=request.user, community=community, person=person, school_year=year
        )
        messages.success(request, f"The number reported for {person.full_name} is removed.")
        return redirect(back)
    return render(
        request,
        "confirm.html",
        {
            "heading": f"Remove the number of students reported for {person.full_name}?",
            "lines": [
                f"{count} students reported for {person.full_name} in {label} are removed: the "
                "impact report's reach no longer counts them. The audit log keeps the number."
            ],
            "button": "Remove the number",
            "danger": True,
            "action": request.path,
            "hidden": [("person", person.pk), ("year", year)],
            "back_url": back,
            "back_label": "Students taught",
        },
    )


def _rostered(person_ids: list[int], year: int) -> set[int]:
    """Those a class roster shows teaching in the year (surveys' provider: the impact report
    counts their roster's students, never a reported number)."""
    read = provider("rostered_teachers")
    return read(person_ids, year) if read is not None and person_ids else set()


@permission(Action.SIGNED_IN)
def cycle_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    community = selectors.community_to_edit(request.user, pk)
    return form_page(
        request,
        form=CycleForm(request.POST or None),
        save=lambda data: services.cycle_add(actor=request.user, community=community, **data),
        success_url=reverse("learning_community", args=[community.pk]),
        heading=f"New cycle of {community.name}",
        back_label=community.name,
        success_message="Cycle added.",
    )


def _meeting_page(request: HttpRequest, community: Community, meeting: Any) -> HttpResponseBase:
    initial = None
    if meeting is not None:
        initial = {
            "held_on": meeting.held_on,
            "cycle": meeting.cycle_id,
            "agenda": meeting.agenda,
            "notes": meeting.notes,
            "decisions": meeting.decisions,
            "attendees": list(meeting.attendees.all()),
        }
    form = MeetingForm(request.POST or None, initial=initial, community=community)

    def save(data: dict[str, Any]) -> Any:
        return services.meeting_save(
            actor=request.user,
            community=community,
            meeting=meeting,
            held_on=data["held_on"],
            cycle=data["cycle"],
            agenda=data["agenda"],
            notes=data["notes"],
            decisions=data.get("decisions", ""),
            attendees=list(data["attendees"]),
        )

    return form_page(
        request,
        form=form,
        save=save,
        success_url=reverse("learning_community", args=[community.pk]),
        heading=(f"Meeting of {meeting.held_on:%b %-d, %Y}" if meeting else "New meeting")
        + f" · {community.name}",
        back_label=community.name,
        success_message="Meeting saved.",
    )


@permission(Action.SIGNED_IN)
def meeting_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    community = selectors.community_to_edit(request.user, pk)
    return _meeting_page(request, community, None)


@permission(Action.SIGNED_IN)
def meeting_edit(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponseBase:
    community = selectors.community_to_edit(request.user, pk)
    meeting = selectors.meeting_get(request.user, community, meeting_pk)
    return _meeting_page(request, community, meeting)
