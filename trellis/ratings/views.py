from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from trellis.authz.decorators import permission
from trellis.authz.policies import allows, has_grant_for
from trellis.authz.roles import Action
from trellis.core.exports import FORMATS, export_response
from trellis.core.forms import add_service_errors
from trellis.core.listing import querystring_without
from trellis.core.params import get_choice, get_int
from trellis.core.postonly import post_only
from trellis.core.suppression import people_count
from trellis.frameworks.selectors import framework_get, rubric_grid, version_get
from trellis.orgs.models import School, System
from trellis.people.models import Person
from trellis.ratings import selectors, services
from trellis.ratings.forms import CorrectForm, RatingForm, RoundForm, RoundRatingForm
from trellis.ratings.models import Purpose, Rating, RatingRound
from trellis.ratings.subjects import name_of, subject_of

SUBJECT_MODELS: dict[str, Any] = {"person": Person, "school": School, "system": System}


def _subject(kind: str, pk: int) -> Any:
    model = SUBJECT_MODELS[kind]
    related = ("system",) if kind != "system" else ()
    return get_object_or_404(model.objects.select_related(*related), pk=pk)


def _subject_links(user: Any, kind: str, subject: Any) -> dict[str, str]:
    """The subject's name and, only when the viewer may open it, its page (issue 7 item 22)."""
    if kind == "person":
        url = (
            reverse("person_detail", args=[subject.pk])
            if allows(user, Action.PEOPLE_VIEW, subject)
            else ""
        )
        return {"back_url": url, "name": subject.full_name}
    if kind == "school":
        url = (
            reverse("school_detail", args=[subject.pk])
            if allows(user, Action.SCHOOLS_VIEW, subject)
            else ""
        )
        return {"back_url": url, "name": subject.name}
    return {"back_url": reverse("home"), "name": subject.name}


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@permission(Action.SIGNED_IN)
def subject_ratings(request: HttpRequest, pk: int, kind: str = "person") -> HttpResponseBase:
    subject = _subject(kind, pk)
    purposes = selectors.readable_purposes(request.user, subject)
    # Progress ratings by default (issue 7 item 20); "all" shows every purpose one may read.
    requested = request.GET.get("purpose")
    if requested is None:
        purpose = Purpose.PROGRESS if Purpose.PROGRESS in purposes else ""
    else:
        purpose = get_choice(request.GET, "purpose", purposes)
    ratings = list(selectors.subject_ratings(request.user, subject, purposes, purpose))
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
                "Kind of rater",
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
                    r.rater_name,
                    selectors.rater_kind_label(r),
                    r.evidence,
                ]
                for r in ratings
            ),
        )
    for rating in ratings:
        rating.kind_label = selectors.rater_kind_label(rating)  # type: ignore[attr-defined]
        rating.mine = (  # type: ignore[attr-defined]
            rating.rater_id == request.user.pk and not (rating.round and rating.round.is_locked)
        )
    may_rate = bool(selectors.rating_purposes(request.user, subject))
    return render(
        request,
        "ratings/subject_ratings.html",
        {
            "subject": subject,
            "kind": kind,
            **_subject_links(request.user, kind, subject),
            "ratings": ratings,
            "purpose": purpose,
            "purposes": [(p, Purpose(p).label) for p in purposes],
            "chart": selectors.progress_chart(ratings),
            "frameworks": selectors.rating_frameworks(request.user, subject) if may_rate else [],
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
    offered = selectors.rating_frameworks(request.user, subject)
    chosen = get_int(request.GET, "framework")
    if chosen is None:
        # Without a framework: the only one, or a page to choose (never a bare 404).
        if len(offered) == 1:
            return redirect(
                reverse(f"{kind}_rating_new", args=[subject.pk]) + f"?framework={offered[0].pk}"
            )
        return render(
            request,
            "ratings/choose_framework.html",
            {
                "subject": subject,
                "kind": kind,
                **_subject_links(request.user, kind, subject),
                "ratings_url": reverse(f"{kind}_ratings", args=[subject.pk]),
                "rate_url": reverse(f"{kind}_rating_new", args=[subject.pk]),
                "frameworks": offered,
            },
        )
    framework = framework_get(request.user, chosen)
    if framework not in offered:
        raise Http404  # not a framework this subject is rated on (issue 7 item 21)
    version = version_get(framework, None)
    if not version.is_published:
        raise Http404
    levels, rows = rubric_grid(version)
    form = RatingForm(
        request.POST or None,
        rows=rows,
        levels=levels,
        purposes=purposes,
        initial={"rated_on": timezone.localdate(), "purpose": purposes[0][0]},
    )
    links = _subject_links(request.user, kind, subject)
    if request.method == "POST" and form.is_valid():
        entries = form.entries()
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
            messages.success(
                request,
                f"{plural(len(entries), 'rating', 'ratings')} recorded for {links['name']}.",
            )
            return redirect(f"{kind}_ratings", pk=subject.pk)
    return render(
        request,
        "ratings/rating_form.html",
        {
            "subject": subject,
            "kind": kind,
            **links,
            "ratings_url": reverse(f"{kind}_ratings", args=[subject.pk]),
            "framework": framework,
            "version": version,
            "form": form,
        },
    )


def _own_rating(request: HttpRequest, pk: int) -> Rating:
    """A rating the user made: anyone else's is not found (404), never revealed."""
    rating = (
        Rating.objects.select_related(
            "item", "level", "version__framework", "round", "subject_person", "subject_school"
        )
        .filter(pk=pk, rater_id=request.user.pk, is_consensus=False)
        .first()
    )
    if rating is None:
        raise Http404
    return rating


def _after_change(rating: Rating) -> str:
    if rating.round_id:
        return reverse("round_detail", args=[rating.round_id])
    subject = subject_of(rating)
    kind = (
        "person"
        if isinstance(subject, Person)
        else "school"
        if isinstance(subject, School)
        else "system"
    )
    return reverse(f"{kind}_ratings", args=[subject.pk])


@permission(Action.SIGNED_IN)
def rating_correct(request: HttpRequest, pk: int) -> HttpResponse:
    rating = _own_rating(request, pk)
    levels = list(rating.version.levels.all())
    form = CorrectForm(
        request.POST or None,
        levels=levels,
        initial={
            "level": str(rating.level_id),
            "rated_on": rating.rated_on,
            "evidence": rating.evidence,
        },
    )
    back = _after_change(rating)
    if request.method == "POST" and form.is_valid():
        level = next(lv for lv in levels if str(lv.pk) == form.cleaned_data["level"])
        try:
            services.rating_correct(
                actor=request.user,
                rating=rating,
                level=level,
                evidence=form.cleaned_data["evidence"],
                rated_on=form.cleaned_data["rated_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your rating is corrected.")
            return redirect(back)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": f"Correct your rating of {name_of(subject_of(rating))} on {rating.item}",
            "back_url": back,
            "back_label": "Ratings",
        },
    )


@permission(Action.SIGNED_IN)
# A GET goes where the withdrawal would: the rating's round or its subject's ratings, once
# the rating is found among the user's own (anyone else's is the POST's 404).
@post_only(lambda request, pk: _after_change(_own_rating(request, pk)))
def rating_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    rating = _own_rating(request, pk)
    back = _after_change(rating)
    try:
        services.rating_withdraw(actor=request.user, rating=rating)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your rating is withdrawn.")
    return redirect(back)


@permission(Action.FRAMEWORKS_MANAGE)
def framework_agreement(request: HttpRequest, pk: int) -> HttpResponseBase:
    framework = framework_get(request.user, pk, action=Action.FRAMEWORKS_MANAGE)
    purpose = get_choice(request.GET, "purpose", Purpose.values)
    table = selectors.rater_agreement(request.user, framework, purpose=purpose)
    fmt = get_choice(request.GET, "format", FORMATS)
    if fmt:
        # The same rows and the same rules as the page: pairs with fewer than 5 shared ratings
        # show no figures, and kappa without variation is "not defined", never 0.
        rows = [(" and ".join(r["raters"]), r["result"]) for r in table["rows"]]
        if table["overall"] is not None:
            rows.append(("All pairs", table["overall"]))
        return export_response(
            fmt=fmt,
            filename=f"agreement-{framework.pk}",
            headers=["Raters", "Shared ratings", "Exact", "Within one level", "Weighted kappa"],
            rows=(
                [name, str(people_count(result.n)), *_agreement_figures(result)]
                for name, result in rows
            ),
        )
    return render(
        request,
        "ratings/agreement.html",
        {
            "framework": framework,
            "purpose": purpose,
            "purposes": Purpose.choices,
            "querystring_nopage": querystring_without(request, "page", "format"),
            **table,
        },
    )


def _agreement_figures(result: Any) -> list[str]:
    if result.n < AGREEMENT_MINIMUM:
        return ["not shown (fewer than 5 shared ratings)"] * 3
    return [f"{result.exact:.0%}", f"{result.within_one:.0%}", result.kappa_text]


# Pairs of raters with fewer shared ratings than this show no figures (agreement.html too).
AGREEMENT_MINIMUM = 5


# Rounds ---------------------------------------------------------------------------------


@permission(Action.SIGNED_IN)
def round_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ratings/round_list.html",
        {
            "rounds": selectors.rounds_for(request.user),
            "can_create": bool(selectors.round_actions(request.user)),
            "oversees": has_grant_for(request.user, Action.RATINGS_ROUNDS_OVERSEE),
        },
    )


@permission(Action.SIGNED_IN)
def round_new(request: HttpRequest) -> HttpResponse:
    kinds = selectors.round_actions(request.user)
    if not kinds:
        raise PermissionDenied
    purposes = list(dict.fromkeys((p, Purpose(p).label) for p, _k, _a in kinds))
    frameworks = selectors.round_frameworks(request.user)
    form = RoundForm(
        request.POST or None,
        purposes=purposes,
        frameworks=[
            (f.pk, f"{f.title} ({f.get_subject_kind_display().lower()})") for f in frameworks
        ],
        initial={"opens_on": timezone.localdate(), "closes_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = dict(((p, k), a) for p, k, a in kinds).get((data["purpose"], data["subject_kind"]))
        if action is None:
            form.add_error("subject_kind", "You may not run a round of this purpose over these.")
        else:
            subjects, problems = selectors.resolve_subjects(
                request.user, action, data["subject_kind"], RoundForm.lines(data["subjects"])
            )
            raters, rater_problems = selectors.resolve_raters(RoundForm.lines(data["raters"]))
            for problem in problems:
                form.add_error("subjects", problem)
            for problem in rater_problems:
                form.add_error("raters", problem)
            if not problems and not rater_problems:
                framework = next(f for f in frameworks if str(f.pk) == data["framework"])
                try:
                    round_ = services.round_create(
                        actor=request.user,
                        title=data["title"],
                        purpose=data["purpose"],
                        version=version_get(framework, None),
                        subjects=subjects,
                        raters=raters,
                        opens_on=data["opens_on"],
                        closes_on=data["closes_on"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, f"The round “{round_}” is open.")
                    return redirect("round_detail", pk=round_.pk)
    return render(
        request,
        "simple_form.html",
        {
            "form": form,
            "heading": "New rating round",
            "back_url": reverse("round_list"),
            "back_label": "Rating rounds",
        },
    )


@permission(Action.SIGNED_IN)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_get(request.user, pk)
    is_owner = round_.owner_id == request.user.pk or request.user.is_superuser
    return render(
        request,
        "ratings/round_detail.html",
        {
            "round": round_,
            "is_owner": is_owner,
            # A system administrator sees who submitted, never the scores (blind rule).
            "sees_progress": is_owner or selectors.oversees(request.user, round_),
            "is_rater": selectors.is_rater(request.user, round_),
            "subjects": selectors.round_subjects(request.user, round_),
            "raters": [r.rater for r in selectors.round_rater_rows(round_)],
            "agreement": selectors.round_agreement(round_) if is_owner else None,
            "next_state": services.NEXT_STATE.get(RatingRound.State(round_.state)),
            "states": RatingRound.State,
        },
    )


@permission(Action.SIGNED_IN)
def round_rate(request: HttpRequest, pk: int, subject_pk: int) -> HttpResponse:
    """The rater's form for one subject: drafts, then submit; after submitting, the others'
    submitted scores of this subject appear."""
    round_ = selectors.round_get(request.user, pk)
    if not selectors.is_rater(request.user, round_):
        raise PermissionDenied
    subject = selectors.round_subject_get(round_, subject_pk)
    levels, rows = rubric_grid(round_.version)
    # In the rubric's tree order (1.1, 1.2, … 2.1), as the form and the spread list them.
    order = {row["item"].pk: index for index, row in enumerate(rows)}
    ratings = sorted(
        selectors.round_ratings(round_, subject).filter(is_consensus=False),
        key=lambda r: (order.get(r.item_id, len(order)), r.pk),
    )
    mine = [r for r in ratings if r.rater_id == request.user.pk]
    submitted = selectors.has_submitted(request.user, subject)
    initial: dict[str, Any] = {}
    for rating in mine:
        initial[f"level_{rating.item_id}"] = str(rating.level_id)
        initial[f"evidence_{rating.item_id}"] = rating.evidence
    form = RoundRatingForm(request.POST or None, rows=rows, levels=levels, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.round_ratings_save(
                actor=request.user,
                round_=round_,
                subject=subject,
                entries=form.entries(),
                submit=submit,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Submitted." if submit else "Draft saved: only you see it.")
            return redirect("round_rate", pk=round_.pk, subject_pk=subject.pk)
    others = (
        [r for r in ratings if r.rater_id != request.user.pk and not r.is_draft]
        if selectors.may_see_others(request.user, round_, subject)
        else []
    )
    return render(
        request,
        "ratings/round_rate.html",
        {
            "round": round_,
            "subject": subject,
            "name": name_of(subject_of(subject)),
            "form": form,
            "submitted": submitted,
            "mine": mine,
            "others": others,
            "editable": round_.state == RatingRound.State.OPEN and not submitted,
            "may_correct": not round_.is_locked,
        },
    )


@permission(Action.SIGNED_IN)
def round_spread(request: HttpRequest, pk: int, subject_pk: int) -> HttpResponse:
    """The owner's view of one subject: each rater's submitted level per competency, and the
    consensus to record."""
    round_ = selectors.round_get(request.user, pk, as_owner=True)
    subject = selectors.round_subject_get(round_, subject_pk)
    if not selectors.may_see_others(request.user, round_, subject):
        raise PermissionDenied  # an owner who also rates submits first
    levels, rows = rubric_grid(round_.version)
    spread = selectors.round_spread(round_, subject)
    initial: dict[str, Any] = {}
    for row in spread:
        if row["consensus"] is not None:
            initial[f"level_{row['item'].pk}"] = str(row["consensus"].level_id)
            initial[f"evidence_{row['item'].pk}"] = row["consensus"].evidence
    form = RoundRatingForm(request.POST or None, rows=rows, levels=levels, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.round_consensus_record(
                actor=request.user, round_=round_, subject=subject, entries=form.entries()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Consensus recorded.")
            return redirect("round_spread", pk=round_.pk, subject_pk=subject.pk)
    return render(
        request,
        "ratings/round_spread.html",
        {
            "round": round_,
            "subject": subject,
            "name": name_of(subject_of(subject)),
            "levels": levels,
            "spread": spread,
            "form": form,
            "consensus_open": round_.state == RatingRound.State.CONSENSUS,
        },
    )


@permission(Action.SIGNED_IN)
@require_http_methods(["GET", "POST"])
def round_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """Moving a round on is one-way: the GET asks first (the shared confirmation page), the
    POST moves it, only from the state the confirmation was shown for."""
    round_ = selectors.round_get(request.user, pk, as_owner=True)
    next_state = services.NEXT_STATE.get(RatingRound.State(round_.state))
    if request.method == "GET":
        if next_state is None:
            messages.info(request, "This round is locked: nothing in it can change.")
            return redirect("round_detail", pk=round_.pk)
        return render(request, "confirm.html", _advance_confirmation(round_, next_state))
    shown_for = get_choice(request.POST, "from", RatingRound.State.values)
    if shown_for and shown_for != round_.state:
        messages.error(
            request,
            f"The round is already {round_.get_state_display().lower()}: nothing changed.",
        )
        return redirect("round_detail", pk=round_.pk)
    try:
        round_ = services.round_advance(actor=request.user, round_=round_)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The round is now: {round_.get_state_display().lower()}.")
    return redirect("round_detail", pk=round_.pk)


def _advance_confirmation(round_: RatingRound, next_state: str) -> dict[str, Any]:
    progress = selectors.round_progress(round_)
    if next_state == RatingRound.State.CONSENSUS:
        heading = f"Close ratings of “{round_.title}” and move to consensus?"
        lines = [
            f"So far {progress['submitted']} of {progress['expected']} submissions are in "
            f"({plural(progress['raters'], 'rater', 'raters')}, each rating "
            f"{plural(progress['subjects'], 'subject', 'subjects')}).",
            "Closing ends the rating window: raters can no longer draft or submit, and drafts "
            "that were never submitted are discarded. This cannot be undone.",
            "You then record a consensus rating for each subject from the submitted ones.",
        ]
        button = "Close ratings and move to consensus"
    else:
        heading = f"Lock “{round_.title}”?"
        lines = [
            "Locking is final: no rating, consensus or correction in this round can change "
            "afterwards, and every attempt is refused and recorded in the audit log.",
            "The round's ratings then appear on their subjects' ratings pages.",
        ]
        button = "Lock the round"
    return {
        "heading": heading,
        "lines": lines,
        "action": reverse("round_advance", args=[round_.pk]),
        "hidden": [("from", round_.state)],
        "button": button,
        "danger": True,
        "back_url": reverse("round_detail", args=[round_.pk]),
        "back_label": round_.title,
    }
