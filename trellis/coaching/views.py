"""Pages of coaching: sessions, a coachee's history, next steps, protocols and settings. Thin:
parse, call one selector or service, render. Outside scope 404; in scope, not allowed 403.
Notes and comments are shown only where `selectors.notes_access` says (pages and exports)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from trellis.authz.decorators import permission
from trellis.authz.policies import roles_of, user_may
from trellis.authz.roles import Action, Role
from trellis.coaching import selectors, services
from trellis.coaching.access import (
    NO_PERSON,
    coaching_page,
    opens_coaching,
    reads_sessions,
    refuse_without_person,
)
from trellis.coaching.forms import CommentForm, ProtocolForm, SessionForm, SettingsForm
from trellis.coaching.models import CoachingSession, Mode
from trellis.core.forms import add_service_errors, form_status
from trellis.core.listing import ExportSpec, render_list
from trellis.core.params import get_choice, get_date, get_int, get_text
from trellis.core.postonly import post_only
from trellis.core.refusals import Refused

NOT_SHOWN = "(not shown: coaching notes)"


LOGGING_ROLES = {Role.COACH, Role.SUPERVISOR}


def _export(access: selectors.NotesAccess) -> ExportSpec:
    def row(s: CoachingSession) -> list[Any]:
        steps = list(s.next_steps.all())
        return [
            s.held_on,
            s.coachee.full_name,
            s.coach.full_name,
            s.minutes,
            s.get_mode_display(),
            s.protocol.name if s.protocol else "",
            "; ".join(_label(item) for item in s.focus.all()),
            "; ".join(
                f"{step.text} ({step.owner.full_name}"
                + (f", due {step.due_on:%Y-%m-%d}" if step.due_on else "")
                + (", done" if step.done_on else "")
                + ")"
                for step in steps
            ),
            sum(1 for step in steps if step.done_on is None),
            "yes" if s.is_shared else "no",
            s.notes if access.reads(s) else NOT_SHOWN,
        ]

    return ExportSpec(
        filename="coaching-sessions",
        headers=[
            "Date",
            "Coachee",
            "Coach",
            "Minutes",
            "Mode",
            "Protocol",
            "Focus competencies",
            "Next steps",
            "Open next steps",
            "Shared by the coachee",
            "Notes",
        ],
        row=row,
    )


def _label(item: Any) -> str:
    code = f"{item.human_coding_scheme} " if item.human_coding_scheme else ""
    return code + (item.abbreviated_statement or item.full_statement)[:80]


@permission(Action.SIGNED_IN)
def session_list(request: HttpRequest) -> HttpResponseBase:
    """The sessions the user reads; for whoever keeps the coaching set-up, also its links. An
    account without a person that reads no sessions (a coaching lead's) is told why the list
    is not there, under the links its role allows (coach5)."""
    if not opens_coaching(request.user):
        refuse_without_person(request.user)
        raise PermissionDenied
    params = request.GET
    filters: dict[str, Any] = {
        "query": get_text(params, "q"),
        "coachee_id": get_int(params, "coachee"),
        "mode": get_choice(params, "mode", Mode.values),
        "date_from": get_date(params, "from"),
        "date_to": get_date(params, "to"),
    }
    access = selectors.notes_access(request.user)
    return render_list(
        request,
        template="coaching/session_list.html",
        queryset=selectors.session_list(request.user, **filters),
        export=_export(access),
        per_page=25,
        context={
            "filters": filters,
            "modes": Mode.choices,
            "coachees": selectors.coachee_choices(request.user),
            "caseload": selectors.caseload(request.user),
            "may_configure": user_may(request.user, Action.COACHING_CONFIGURE),
            "may_read_dosage": user_may(request.user, Action.DOSAGE_VIEW),
            "reads_sessions": reads_sessions(request.user),
            "no_person": NO_PERSON,
        },
    )


def _session_form(
    request: HttpRequest,
    *,
    coach: Any,
    coachee: Any,
    initial: Any = None,
    session: CoachingSession | None = None,
) -> SessionForm:
    """The session form; editing keeps the session's protocol and focus on offer even when the
    protocol was retired or the framework has a newer version since."""
    focus = selectors.focus_choices(request.user, coachee)
    if session is not None:
        focus += [item for item in session.focus.all() if item not in focus]
    return SessionForm(
        request.POST or None,
        initial=initial,
        protocols=selectors.protocol_choices(
            coachee.system_id, keep=session.protocol_id if session else None
        ),
        focus=focus,
        coach=coach,
        coachee=coachee,
        evaluative=selectors.evaluative_roles(coach, coachee),
    )


@coaching_page
def session_new(request: HttpRequest) -> HttpResponseBase:
    """Choose someone on the caseload, then log the session (`?coachee=`). Whoever may not see
    the person gets a 404, whoever sees them off their caseload a 403 (`selectors.log_target`)."""
    coachee_id = get_int(request.GET, "coachee")
    if coachee_id is None:
        # Coaches and supervisors log sessions (with an empty caseload the page says so);
        # other roles have nothing to log here.
        if not user_may(request.user, Action.COACHING_LOG) and not (
            roles_of(request.user) & LOGGING_ROLES
        ):
            raise Refused(
                "Sessions are logged by coaches and supervisors, with the people assigned to "
                "them (Assignments): your roles do not log coaching sessions."
            )
        return render(
            request, "coaching/session_choose.html", {"caseload": selectors.caseload(request.user)}
        )
    coachee = selectors.log_target(request.user, coachee_id)
    coach = request.user.person  # type: ignore[union-attr]
    form = _session_form(
        request,
        coach=coach,
        coachee=coachee,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_log(
                actor=request.user,
                coachee=coachee,
                held_on=data["held_on"],
                minutes=data["minutes"],
                mode=data["mode"],
                protocol=data["protocol"],
                focus=list(data["focus"]),
                notes=data["notes"],
                next_steps=form.next_steps(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Session with {coachee} logged.")
            return redirect("coaching_session", pk=session.pk)
    return render(
        request,
        "coaching/session_form.html",
        {
            "form": form,
            "coachee": coachee,
            "heading": f"Log a session with {coachee}",
            "carried": selectors.open_next_steps(request.user, coachee_id=coachee.pk),
            "back_url": reverse("coaching_sessions"),
        },
        status=form_status(form),
    )


@coaching_page
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, selectors.session_get(request.user, pk))


def _session_page(
    request: HttpRequest, session: CoachingSession, comment_form: CommentForm | None = None
) -> HttpResponse:
    """The session, with the comment form shown again with its errors (400) when given."""
    reads_notes = selectors.notes_visible(request.user, session)
    participant = selectors.is_participant(request.user, session)
    next_steps = list(session.next_steps.all())
    carried = selectors.carried_over(session)
    for step in [*next_steps, *carried]:
        step.may_mark = selectors.may_mark_done(request.user, step)  # type: ignore[attr-defined]
    return render(
        request,
        "coaching/session_detail.html",
        {
            "session": session,
            "focus": list(session.focus.all()),
            "next_steps": next_steps,
            "carried": carried,
            "reads_notes": reads_notes,
            "comments": list(selectors.session_comments(session)) if reads_notes else [],
            "comment_form": (comment_form or CommentForm()) if participant else None,
            "participant": participant,
            "can_edit": selectors.may_edit(request.user, session),
            "is_coachee": request.user.person_id == session.coachee_id,  # type: ignore[union-attr]
        },
        status=form_status(comment_form),
    )


@coaching_page
def session_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = selectors.session_get(request.user, pk)
    if not selectors.may_edit(request.user, session):
        raise PermissionDenied
    form = _session_form(
        request,
        coach=session.coach,
        coachee=session.coachee,
        session=session,
        initial={
            "held_on": session.held_on,
            "minutes": session.minutes,
            "mode": session.mode,
            "protocol": session.protocol_id,
            "focus": [item.pk for item in session.focus.all()],
            "notes": session.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_update(
                actor=request.user,
                session=session,
                held_on=data["held_on"],
                minutes=data["minutes"],
                mode=data["mode"],
                protocol=data["protocol"],
                focus=list(data["focus"]),
                notes=data["notes"],
                next_steps=form.next_steps(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Session saved.")
            return redirect("coaching_session", pk=session.pk)
    return render(
        request,
        "coaching/session_form.html",
        {
            "form": form,
            "coachee": session.coachee,
            "session": session,
            "heading": f"Edit the session of {session.held_on:%b %-d, %Y}",
            "back_url": reverse("coaching_session", args=[session.pk]),
        },
        status=form_status(form),
    )


@coaching_page
def session_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = selectors.session_get(request.user, pk)
    if not selectors.may_edit(request.user, session):
        raise PermissionDenied
    if request.method == "POST":
        coachee_id = session.coachee_id
        services.session_delete(actor=request.user, session=session)
        messages.success(request, "Session deleted.")
        return redirect("coaching_coachee", pk=coachee_id)
    return render(
        request,
        "confirm.html",
        {
            "heading": "Delete this session?",
            "lines": [
                f"The session with {session.coachee} on {session.held_on:%b %-d, %Y}, its next "
                "steps and its comments are deleted. The audit log keeps that it was deleted.",
            ],
            "button": "Delete the session",
            "danger": True,
            "action": request.path,
            "back_url": reverse("coaching_session", args=[session.pk]),
            "back_label": "Session",
        },
    )


@coaching_page
@post_only("coaching_session")
def session_comment(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = selectors.session_get(request.user, pk)
    if not selectors.is_participant(request.user, session):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                actor=request.user, session=session, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Comment added.")
            return redirect("coaching_session", pk=session.pk)
    # Shown again with what was typed and the reason (400).
    return _session_page(request, session, form)


@coaching_page
@post_only("coaching_session")
def session_share(request: HttpRequest, pk: int) -> HttpResponseBase:
    session = selectors.session_get(request.user, pk)
    if request.user.person_id != session.coachee_id:  # type: ignore[union-attr]
        raise PermissionDenied
    shared = request.POST.get("shared") != "0"
    services.session_share(actor=request.user, session=session, shared=shared)
    messages.success(
        request,
        "Shared with your supervisor and evaluator."
        if shared
        else "No longer shared: only you and your coaches read the notes.",
    )
    return redirect("coaching_session", pk=session.pk)


@coaching_page
@post_only("coaching_sessions", with_pk=False)
def next_step_done(request: HttpRequest, pk: int) -> HttpResponseBase:
    step = selectors.next_step_get(request.user, pk)
    done = request.POST.get("done") != "0"
    services.next_step_done(actor=request.user, step=step, done=done)
    back = request.POST.get("next", "")
    if back.startswith("/coaching/") and "//" not in back:
        return redirect(back)
    return redirect("coaching_session", pk=step.session_id)


@coaching_page
def coachee_history(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = selectors.coachee_get(request.user, pk)
    access = selectors.notes_access(request.user)
    sessions = selectors.session_list(request.user, coachee_id=person.pk)
    return render_list(
        request,
        template="coaching/coachee_history.html",
        queryset=sessions,
        export=_export(access),
        per_page=25,
        context={
            "person": person,
            "open_steps": list(selectors.open_next_steps(request.user, coachee_id=person.pk)),
            "can_log": person in selectors.caseload(request.user),
            "is_self": request.user.person_id == person.pk,  # type: ignore[union-attr]
        },
    )


# -- Protocols and settings ----------------------------------------------------------------------


@permission(Action.SIGNED_IN)
def protocol_list(request: HttpRequest) -> HttpResponse:
    """The protocol library: for whoever reads sessions, and whoever keeps it (linked to a
    person or not)."""
    if not opens_coaching(request.user):
        refuse_without_person(request.user)
        raise PermissionDenied
    query = get_text(request.GET, "q")
    protocols = list(selectors.protocol_list(request.user, query=query))
    editable = {p.pk for p in protocols if selectors.may_edit_protocol(request.user, p)}
    return render(
        request,
        "coaching/protocol_list.html",
        {
            "protocols": protocols,
            "editable": editable,
            "query": query,
            "can_create": bool(selectors.protocol_systems(request.user)),
        },
    )


@permission(Action.COACHING_CONFIGURE)
def protocol_new(request: HttpRequest) -> HttpResponseBase:
    systems = selectors.protocol_systems(request.user)
    if not systems:
        raise PermissionDenied
    form = ProtocolForm(request.POST or None, systems=systems)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            protocol = services.protocol_create(
                actor=request.user,
                system=data["system"],
                name=data["name"],
                description=data["description"],
                steps=data["steps"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Protocol added: {protocol}.")
            return redirect("coaching_protocols")
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": "New protocol",
            "back_url": reverse("coaching_protocols"),
            "back_label": "Protocols",
        },
        status=form_status(form),
    )


@permission(Action.COACHING_CONFIGURE)
def protocol_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    protocol = selectors.protocol_get(request.user, pk)
    if not selectors.may_edit_protocol(request.user, protocol):
        raise PermissionDenied  # built-in protocols are read-only
    form = ProtocolForm(
        request.POST or None,
        systems=[protocol.system],
        editing=True,
        initial={
            "name": protocol.name,
            "description": protocol.description,
            "steps": protocol.steps,
            "is_active": protocol.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.protocol_update(
                actor=request.user,
                protocol=protocol,
                name=data["name"],
                description=data["description"],
                steps=data["steps"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Protocol saved.")
            return redirect("coaching_protocols")
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Edit {protocol}",
            "back_url": reverse("coaching_protocols"),
            "back_label": "Protocols",
        },
        status=form_status(form),
    )


@permission(Action.COACHING_CONFIGURE)
def coaching_settings(request: HttpRequest) -> HttpResponseBase:
    systems = selectors.protocol_systems(request.user)
    if not systems:
        raise PermissionDenied
    current = selectors.unseen_weeks({s.pk for s in systems})
    form = SettingsForm(
        request.POST or None,
        systems=systems,
        initial={"unseen_weeks": current[systems[0].pk]} if len(systems) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.settings_save(
                actor=request.user, system=data["system"], unseen_weeks=data["unseen_weeks"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Coaching settings saved.")
            return redirect("coaching_settings")
    return render(
        request,
        "coaching/settings.html",
        {
            "form": form,
            "current": [(s, current[s.pk]) for s in systems],
        },
        status=form_status(form),
    )
