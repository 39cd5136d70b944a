from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from trellis.accounts.models import User
from trellis.authz.decorators import permission, public
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.forms import add_service_errors
from trellis.core.params import get_choice
from trellis.core.postonly import post_only
from trellis.frameworks.models import FrameworkItem
from trellis.frameworks.selectors import rubric_grid
from trellis.ratings.models import RatingRound
from trellis.selection import selectors, services
from trellis.selection.forms import (
    ApplicationForm,
    ConsensusForm,
    CycleForm,
    DecisionForm,
    InterviewForm,
    InvitationAcceptForm,
    InviteForm,
    LettersForm,
    RecommendationForm,
    ScreeningForm,
    questions_text,
    uploads_text,
)
from trellis.selection.models import Application


def plural(count: int, singular: str, many: str = "") -> str:
    """The word for `count` things, in texts written in views (templates use `pluralize`)."""
    return singular if count == 1 else (many or f"{singular}s")


def _link_base(request: HttpRequest) -> str:
    """Where e-mailed links point: this installation as the request reached it."""
    return request.build_absolute_uri("/")


def _competencies(version: Any) -> list[FrameworkItem]:
    _levels, rows = rubric_grid(version)
    return [row["item"] for row in rows if row["has_descriptors"]]


# Cycles ----------------------------------------------------------------------------------


@permission(Action.SIGNED_IN)
def selection_home(request: HttpRequest) -> HttpResponse:
    """Open applications and one's own (every member of staff); the cycles one runs or sits on
    the committee of."""
    return render(
        request,
        "selection/home.html",
        {
            "open_cycles": selectors.open_cycles(request.user),
            "own_applications": selectors.own_applications(request.user),
            "seats": selectors.panel_seats(request.user),
            "cycles": selectors.cycles_for(request.user)
            if selectors.may_run_selection(request.user)
            else [],
            "can_create": selectors.cohorts_without_cycle(request.user).exists(),
        },
    )


@permission(Action.PROGRAMS_MANAGE)
def cycle_new(request: HttpRequest) -> HttpResponse:
    cohorts = selectors.cohorts_without_cycle(request.user)
    form = CycleForm(request.POST or None, cohorts=cohorts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.cycle_version(data["cohort"])
            cycle = services.cycle_create(
                actor=request.user,
                cohort=data["cohort"],
                title=data["title"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                questions=data["questions"],
                uploads=data["uploads"],
                # A few competencies to start with; the edit page chooses others.
                recommendation_items=_competencies(version)[:3],
                instructions=data["instructions"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The selection cycle “{cycle}” is set up.")
            return redirect("selection_cycle", pk=cycle.pk)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": "New selection cycle",
            "back_url": reverse("selection_home"),
            "back_label": "Selection",
        },
    )


@permission(Action.SIGNED_IN)
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    cycle, roles = selectors.cycle_get(request.user, pk)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        # The slate is the committee's alone (its managers configure the form, read no scores).
        if not roles["committee"]:
            raise PermissionDenied
        return _slate_export(cycle, fmt)
    context: dict[str, Any] = {
        "cycle": cycle,
        "roles": roles,
        "today": timezone.localdate(),
        "cohort_url": reverse("cohort_detail", args=[cycle.cohort_id])
        if selectors.may_open_cohort(request.user, cycle)
        else "",
    }
    if roles["committee"]:
        context["slate"] = selectors.slate(cycle)
        context["counts"] = selectors.committee_counts(cycle)
    if roles["manager"]:
        context["letters"] = selectors.letter_templates(cycle)
        context["recommendation_items"] = list(cycle.recommendation_items.all())
    return render(request, "selection/cycle_detail.html", context)


SLATE_HEADERS = [
    "Rank",
    "Applicant",
    "Status",
    "Screening",
    "Recommendation",
    "Recommender is the principal of record",
    "Interviews",
    "Consensus (mean level)",
    "Panel mean",
    "Raters",
    "Decision",
    "Reason",
    "Letter sent",
]


def _slate_export(cycle: Any, fmt: str) -> HttpResponseBase:
    """The ranked slate as the committee sees it, one row per application."""

    def rows() -> Any:
        for row in selectors.slate(cycle):
            a = row.application
            recommendation = getattr(a, "recommendation", None)
            decision = getattr(a, "decision", None)
            yield [
                row.rank,
                a.applicant.full_name,
                a.get_status_display(),
                a.get_screening_display(),
                "received" if recommendation and recommendation.used_at else "awaited",
                bool(recommendation and recommendation.recommender_person_id),
                row.interviews,
                row.consensus,
                row.mean,
                row.raters,
                decision.get_outcome_display() if decision else "",
                decision.reason if decision else "",
                timezone.localtime(decision.letter_sent_at).date()
                if decision and decision.letter_sent_at
                else None,
            ]

    return export_response(
        fmt=fmt, filename=f"slate-{cycle.pk}", headers=SLATE_HEADERS, rows=rows()
    )


@permission(Action.PROGRAMS_MANAGE)
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for_manager(request.user, pk)
    items = _competencies(cycle.version)
    initial = {
        "title": cycle.title,
        "opens_on": cycle.opens_on,
        "closes_on": cycle.closes_on,
        "instructions": cycle.instructions,
        "questions": questions_text(cycle.questions),
        "uploads": uploads_text(cycle.uploads),
        "recommendation_items": [
            str(pk) for pk in cycle.recommendation_items.values_list("pk", flat=True)
        ],
    }
    form = CycleForm(request.POST or None, items=items, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = set(data["recommendation_items"])
        try:
            services.cycle_update(
                actor=request.user,
                cycle=cycle,
                title=data["title"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                instructions=data["instructions"],
                questions=data["questions"],
                uploads=data["uploads"],
                recommendation_items=[item for item in items if str(item.pk) in chosen],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The application form is saved.")
            return redirect("selection_cycle", pk=cycle.pk)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Application form: {cycle}",
            "back_url": reverse("selection_cycle", args=[cycle.pk]),
            "back_label": str(cycle),
        },
    )


@permission(Action.PROGRAMS_MANAGE)
def cycle_letters(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for_manager(request.user, pk)
    templates = selectors.letter_templates(cycle)
    initial: dict[str, str] = {}
    for outcome, template in templates.items():
        initial[f"{outcome}_subject"] = template.subject
        initial[f"{outcome}_body"] = template.body
    form = LettersForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.letters_update(actor=request.user, cycle=cycle, letters=form.letters())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The decision letters are saved.")
            return redirect("selection_cycle", pk=cycle.pk)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Decision letters: {cycle}",
            "back_url": reverse("selection_cycle", args=[cycle.pk]),
            "back_label": str(cycle),
        },
    )


@permission(Action.PROGRAMS_MANAGE)
def cycle_invite(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for_manager(request.user, pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made, problems = services.invitations_send(
            actor=request.user, cycle=cycle, emails=form.addresses(), link_base=_link_base(request)
        )
        for problem in problems:
            form.add_error("emails", problem)
        if not problems:
            messages.success(request, f"Invitations sent: {len(made)}.")
            return redirect("selection_cycle", pk=cycle.pk)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Invite staff to apply: {cycle}",
            "back_url": reverse("selection_cycle", args=[cycle.pk]),
            "back_label": str(cycle),
        },
    )


@permission(Action.SIGNED_IN)
def cycle_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for_committee(request.user, pk)
    return render(
        request,
        "selection/agreement.html",
        {"cycle": cycle, "rows": selectors.cycle_agreement(cycle)},
    )


def _confirm(request: HttpRequest, cycle: Any, **context: Any) -> HttpResponse:
    return render(
        request,
        "confirm.html",
        {
            "back_url": reverse("selection_cycle", args=[cycle.pk]),
            "back_label": str(cycle),
            **context,
        },
    )


@permission(Action.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def cycle_send_letters(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for_committee(request.user, pk)
    if request.method == "GET":
        counts = selectors.committee_counts(cycle)
        return _confirm(
            request,
            cycle,
            # The breadcrumb just above names the cycle: the heading does not repeat it.
            heading="Send the decision letters?",
            lines=[
                f"{counts['unsent']} decided {plural(counts['unsent'], 'applicant')} "
                f"{plural(counts['unsent'], 'receives', 'receive')} the letter for their "
                "decision by e-mail. Their decisions are final from then on.",
                "Withdrawn applicants receive no letter.",
            ],
            action=reverse("selection_send_letters", args=[cycle.pk]),
            button="Send the letters",
        )
    sent = services.letters_send(actor=request.user, cycle=cycle)
    messages.success(request, f"Letters sent: {sent}.")
    return redirect("selection_cycle", pk=cycle.pk)


@permission(Action.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def cycle_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_for_committee(request.user, pk)
    if request.method == "GET":
        counts = selectors.committee_counts(cycle)
        n = counts["to_enrol"]
        return _confirm(
            request,
            cycle,
            heading=f"Admit into {cycle.cohort.name}?",
            lines=[
                f"{n} admitted {plural(n, 'applicant')} whose letter has gone "
                f"{plural(n, 'becomes a participant', 'become participants')} of {cycle.cohort}.",
            ],
            action=reverse("selection_enrol", args=[cycle.pk]),
            button="Admit into the cohort",
        )
    try:
        enrolled = services.admitted_enrol(actor=request.user, cycle=cycle)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"New participants of {cycle.cohort.full_name}: {enrolled}.")
    return redirect("selection_cycle", pk=cycle.pk)


# Applying --------------------------------------------------------------------------------


@permission(Action.SIGNED_IN)
def cycle_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """The application form: a new application, or the applicant's draft to finish. "Save as
    a draft" keeps what is filled in (only the applicant sees it); "Submit" checks it all."""
    cycle = selectors.cycle_to_apply(request.user, pk)
    mine = selectors.own_application(request.user, cycle)
    if mine is not None and not mine.is_draft:
        return redirect("selection_application", pk=mine.pk)
    closed = ""
    try:
        services.window_check(cycle)
    except ValidationError as error:
        closed = " ".join(error.messages)
    draft = request.method == "POST" and "save_draft" in request.POST
    person_id = getattr(request.user, "person_id", None)
    principals = selectors.principals_of_record(person_id) if person_id else []
    if mine is not None:
        initial: dict[str, Any] = {
            f"answer_{key}": value for key, value in mine.answers.items()
        } | {
            "track_record": mine.track_record,
            "principal_name": mine.principal_name,
            "principal_email": mine.principal_email,
        }
    else:
        initial = {}
    if principals and not initial.get("principal_email"):
        initial["principal_name"] = principals[0].full_name
        initial["principal_email"] = principals[0].email
    stored = {f.slot: f for f in selectors.files_of(mine)} if mine is not None else {}
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        cycle=cycle,
        draft=draft,
        stored=stored,
        principal_of_record=bool(principals),
        initial=initial,
    )
    if request.method == "POST" and not closed and form.is_valid():
        try:
            application = services.application_save(
                actor=request.user,
                cycle=cycle,
                answers=form.answers(),
                track_record=form.cleaned_data["track_record"],
                principal_name=form.cleaned_data["principal_name"],
                principal_email=form.cleaned_data["principal_email"],
                files=form.uploaded_files(),
                link_base=_link_base(request),
                submit=not draft,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if draft:
                messages.success(
                    request,
                    "Your draft is saved; only you see it. Come back to finish it and submit it "
                    f"by {services.day(cycle.closes_on)}.",
                )
            else:
                messages.success(
                    request,
                    "Your application is submitted; your principal has been asked for a "
                    "recommendation.",
                )
            return redirect("selection_application", pk=application.pk)
    elif request.method == "POST" and closed:
        # Refused with the deadline shown, whatever was filled in.
        form.is_valid()
    status = 200 if not (request.method == "POST" and closed) else 400
    return render(
        request,
        "selection/apply.html",
        {"cycle": cycle, "form": form, "closed": closed, "draft": mine},
        status=status,
    )


def _detail_context(request: HttpRequest, application: Application, view: str) -> dict[str, Any]:
    context: dict[str, Any] = {
        "application": application,
        "cycle": application.cycle,
        "view": view,
        "answers": selectors.answers_of(application),
        "files": selectors.files_of(application),
    }
    decision = selectors.decision_of(application)
    if view == selectors.COMMITTEE:
        interviews = selectors.interviews_of(application)
        for row in interviews:
            if row["round"].state == RatingRound.State.CONSENSUS:
                row["consensus_form"] = ConsensusForm(
                    interview=row["interview"], lines=row["spread"], levels=row["levels"]
                )
        context.update(
            recommendation=selectors.recommendation_of(application),
            notes=selectors.screening_notes(application),
            interviews=interviews,
            decision=decision,
            screening_form=ScreeningForm(),
            interview_form=InterviewForm(initial={"held_on": timezone.localdate()}),
            decision_form=DecisionForm(
                initial={
                    "seen_version": decision.version if decision else 0,
                    "outcome": decision.outcome if decision else None,
                    "reason": decision.reason if decision else "",
                }
            ),
        )
    elif view == selectors.APPLICANT:
        recommendation = selectors.recommendation_of(application)
        sent = decision if decision and decision.letter_sent_at else None
        context.update(
            # The applicant learns whether their principal has written, never what.
            recommendation_received=bool(recommendation and recommendation.used_at),
            recommendation=recommendation,
            # The decision reaches the applicant with its letter.
            decision=sent,
            letter=selectors.letter_of(sent) if sent else None,
            today=timezone.localdate(),
        )
    else:
        context["panel"] = selectors.panel_round_subject(request.user, application)
    return context


@permission(Action.SIGNED_IN)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application, view = selectors.application_get(request.user, pk)
    return render(
        request,
        "selection/application_detail.html",
        _detail_context(request, application, view),
    )


@permission(Action.SIGNED_IN)
def application_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    application, _view = selectors.application_get(request.user, pk)
    upload = selectors.application_file(application, file_pk)
    try:
        handle = upload.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=upload.original_name,
        content_type=upload.content_type,
    )


@permission(Action.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application, view = selectors.application_get(request.user, pk)
    if view != selectors.APPLICANT:
        raise PermissionDenied
    back = reverse("selection_application", args=[application.pk])
    if request.method == "GET":
        return render(
            request,
            "confirm.html",
            {
                "heading": f"Withdraw your application to {application.cycle}?",
                "lines": [
                    "The committee stops considering it. Your application stays on record, "
                    "marked withdrawn; you cannot apply again in this cycle.",
                ],
                "action": reverse("selection_withdraw", args=[application.pk]),
                "button": "Withdraw my application",
                "danger": True,
                "back_url": back,
                "back_label": "Your application",
            },
        )
    try:
        services.application_withdraw(actor=request.user, application=application)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your application is withdrawn.")
    return redirect(back)


@permission(Action.SIGNED_IN)
@post_only("selection_application")
def application_request_again(request: HttpRequest, pk: int) -> HttpResponse:
    application, view = selectors.application_get(request.user, pk)
    if view != selectors.APPLICANT:
        raise PermissionDenied
    try:
        services.recommendation_request_again(
            actor=request.user, application=application, link_base=_link_base(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your principal has been sent a new link.")
    return redirect("selection_application", pk=application.pk)


# The committee's steps -------------------------------------------------------------------


def _detail_with(
    request: HttpRequest, application: Application, status: int = 400, **forms: Any
) -> HttpResponse:
    context = _detail_context(request, application, selectors.COMMITTEE)
    context.update(forms)
    return render(request, "selection/application_detail.html", context, status=status)


@permission(Action.SIGNED_IN)
@post_only("selection_application")
def application_screen(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_committee(request.user, pk)
    form = ScreeningForm(request.POST)
    if form.is_valid():
        try:
            services.screening_record(
                actor=request.user,
                application=application,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Screening recorded.")
            return redirect("selection_application", pk=application.pk)
    return _detail_with(request, application, screening_form=form)


@permission(Action.SIGNED_IN)
@post_only("selection_application")
def application_interview(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_committee(request.user, pk)
    form = InterviewForm(request.POST)
    if form.is_valid():
        raters, problems = selectors.panel_accounts(form.lines())
        for problem in problems:
            form.add_error("raters", problem)
        if not problems:
            try:
                services.interview_schedule(
                    actor=request.user,
                    application=application,
                    raters=raters,
                    held_on=form.cleaned_data["held_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The interview is scheduled; its panel can score it.")
                return redirect("selection_application", pk=application.pk)
    return _detail_with(request, application, interview_form=form)


@permission(Action.SIGNED_IN)
@post_only("selection_application")
def interview_advance(request: HttpRequest, pk: int, interview_pk: int) -> HttpResponse:
    """Any committee member moves an interview on: scoring closed (consensus), then locked."""
    application = selectors.application_for_committee(request.user, pk)
    interview = selectors.interview_of(application, interview_pk)
    try:
        moved = services.interview_advance(
            actor=request.user, interview=interview, seen_state=request.POST.get("state", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "The panel's scoring is closed: record the consensus."
            if moved.round.state == RatingRound.State.CONSENSUS
            else "The interview's scores are locked.",
        )
    return redirect("selection_application", pk=application.pk)


@permission(Action.SIGNED_IN)
@post_only("selection_application")
def interview_consensus(request: HttpRequest, pk: int, interview_pk: int) -> HttpResponse:
    """Any committee member records an interview's consensus; of two at once, the second sees
    the first's (409) and saves nothing."""
    application = selectors.application_for_committee(request.user, pk)
    interview = selectors.interview_of(application, interview_pk)
    if interview.round.state != RatingRound.State.CONSENSUS:
        messages.error(
            request,
            "The interview is not in consensus: "
            + (
                "close the panel's scoring first."
                if interview.round.state == RatingRound.State.OPEN
                else "its scores are locked."
            ),
        )
        return redirect("selection_application", pk=application.pk)
    context = _detail_context(request, application, selectors.COMMITTEE)
    row = next(r for r in context["interviews"] if r["interview"].pk == interview.pk)
    form = ConsensusForm(
        request.POST, interview=interview, lines=row["spread"], levels=row["levels"]
    )
    status = 400
    if form.is_valid():
        try:
            services.interview_consensus_record(
                actor=request.user,
                interview=interview,
                entries=form.entries(),
                seen_version=form.cleaned_data["seen_version"],
            )
        except services.ConsensusConflict as conflict:
            context = _detail_context(request, application, selectors.COMMITTEE)
            row = next(r for r in context["interviews"] if r["interview"].pk == interview.pk)
            row["consensus_conflict"] = conflict.messages[0]
            return render(request, "selection/application_detail.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The consensus is recorded.")
            return redirect("selection_application", pk=application.pk)
    row["consensus_form"] = form
    return render(request, "selection/application_detail.html", context, status=status)


@permission(Action.SIGNED_IN)
@post_only("selection_application")
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for_committee(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = services.decision_record(
                actor=request.user,
                application=application,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                seen_version=form.cleaned_data["seen_version"],
            )
        except services.DecisionConflict as conflict:
            # The second of two committee members sees the first's decision, not their own.
            current = conflict.decision
            fresh = DecisionForm(
                initial={
                    "seen_version": current.version,
                    "outcome": current.outcome,
                    "reason": current.reason,
                }
            )
            fresh.is_bound = False
            context = _detail_context(request, application, selectors.COMMITTEE)
            context.update(decision_form=fresh, conflict=conflict.messages[0])
            return render(request, "selection/application_detail.html", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Decided: {decision.get_outcome_display()}.")
            return redirect("selection_application", pk=application.pk)
    return _detail_with(request, application, decision_form=form)


# Links that need no account --------------------------------------------------------------


@public
@require_http_methods(["GET", "POST"])
def recommend(request: HttpRequest, token: str) -> HttpResponse:
    """The recommender's page, reached from the e-mailed link: a form while the link is fresh;
    a page saying why when it has been used or has expired."""
    recommendation = services.recommendation_for(token)
    if recommendation is None:
        return render(request, "selection/link_state.html", {"state": "unknown"}, status=404)
    application = recommendation.application
    state = ""
    if recommendation.used_at is not None:
        state = "used"
    elif recommendation.expires_at < timezone.now():
        state = "expired"
    if state:
        return render(
            request,
            "selection/link_state.html",
            {"state": state, "recommendation": recommendation, "application": application},
            status=410,
        )
    cycle = application.cycle
    levels, rows = rubric_grid(cycle.version)
    chosen = set(cycle.recommendation_items.values_list("pk", flat=True))
    rows = [row for row in rows if row["item"].pk in chosen and row["has_descriptors"]]
    form = RecommendationForm(request.POST or None, rows=rows, levels=levels)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_submit(
                token=token, text=form.cleaned_data["text"], scores=form.scores()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(
                request,
                "selection/link_state.html",
                {"state": "thanks", "recommendation": recommendation, "application": application},
            )
    return render(
        request,
        "selection/recommend.html",
        {"form": form, "recommendation": recommendation, "application": application},
    )


@public
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for(token)
    if invitation is None:
        return render(request, "selection/link_state.html", {"state": "unknown"}, status=404)
    state = ""
    if invitation.used_at is not None:
        state = "invitation_used"
    elif invitation.expires_at < timezone.now():
        state = "invitation_expired"
    if state:
        return render(
            request,
            "selection/link_state.html",
            {"state": state, "invitation": invitation},
            status=410,
        )
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user: User = services.invitation_accept(
                token=token, password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your account is ready. Apply below.")
            return redirect("selection_apply", pk=invitation.cycle_id)
    return render(
        request,
        "selection/invitation.html",
        {"form": form, "invitation": invitation},
    )
