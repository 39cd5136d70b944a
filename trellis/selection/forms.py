from __future__ import annotations

import re
from typing import Any

from django import forms

from trellis.core.forms import DateInput, StyledFormMixin
from trellis.selection.models import Application, Decision
from trellis.selection.uploads import KINDS

_UPLOAD_LINE = re.compile(r"^(?P<label>.+?)\s*\((?P<kind>[a-z]+)(?:\s*,\s*(?P<need>[a-z]+))?\)$")
OPTIONAL = "(optional)"


def questions_text(questions: list[dict[str, Any]]) -> str:
    return "\n".join(
        q["text"] if q.get("required") else f"{OPTIONAL} {q['text']}" for q in questions
    )


def uploads_text(uploads: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{u['label']} ({u['kind']}, {'required' if u.get('required') else 'optional'})"
        for u in uploads
    )


class CycleForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    opens_on = forms.DateField(label="Applications open on", widget=DateInput())
    closes_on = forms.DateField(label="Deadline (the last day to apply)", widget=DateInput())
    instructions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Instructions"
    )
    questions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"One question a line. Start a line with {OPTIONAL} for a question applicants "
        "may leave blank. Every application also asks for the evidence of the applicant's "
        "student-outcome track record and their principal's name and e-mail address.",
    )
    uploads = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Files to upload",
        help_text="One a line, as “Résumé (document, required)” or “Teaching video (video, "
        f"optional)”. Documents: {KINDS['document'].types_label}, up to "
        f"{KINDS['document'].limit_label}; videos: {KINDS['video'].types_label}, up to "
        f"{KINDS['video'].limit_label}.",
    )

    def __init__(self, *args: Any, cohorts: Any = None, items: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cohorts is not None:
            self.fields["cohort"] = forms.ModelChoiceField(queryset=cohorts, label="Cohort")
            self.order_fields(["cohort"])
        if items is not None:
            self.fields["recommendation_items"] = forms.MultipleChoiceField(
                choices=[(str(item.pk), str(item)) for item in items],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label="Competencies the principal rates in the recommendation",
            )

    def clean_questions(self) -> list[dict[str, Any]]:
        questions = []
        for line in self.cleaned_data["questions"].splitlines():
            text = line.strip()
            if not text:
                continue
            optional = text.lower().startswith(OPTIONAL)
            text = text[len(OPTIONAL) :].strip() if optional else text
            if len(text) > 500:
                raise forms.ValidationError("A question is at most 500 characters long.")
            questions.append({"text": text, "required": not optional})
        return questions

    def clean_uploads(self) -> list[dict[str, Any]]:
        uploads = []
        for number, line in enumerate(self.cleaned_data["uploads"].splitlines(), start=1):
            text = line.strip()
            if not text:
                continue
            match = _UPLOAD_LINE.match(text)
            if (
                match is None
                or match["kind"] not in KINDS
                or (match["need"] or "required") not in ("required", "optional")
            ):
                raise forms.ValidationError(
                    f"Line {number}: write “Name (document, required)” or “Name (video, optional)”."
                )
            uploads.append(
                {
                    "label": match["label"][:200],
                    "kind": match["kind"],
                    "required": (match["need"] or "required") == "required",
                }
            )
        return uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", "The deadline is before the day applications open.")
        return data


class LettersForm(StyledFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Decision.Outcome.choices:
            self.fields[f"{value}_subject"] = forms.CharField(
                max_length=200, label=f"{label}: subject"
            )
            self.fields[f"{value}_body"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 6}),
                label=f"{label}: letter",
                help_text="{name}, {program}, {cohort} and {reason} are filled in when it is sent.",
            )

    def letters(self) -> dict[str, tuple[str, str]]:
        return {
            value: (self.cleaned_data[f"{value}_subject"], self.cleaned_data[f"{value}_body"])
            for value in Decision.Outcome.values
        }


class InviteForm(StyledFormMixin, forms.Form):
    emails = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="E-mail addresses",
        help_text="One a line: staff of the program's systems who have no Trellis account yet.",
    )

    def addresses(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["emails"].splitlines() if line.strip()]


class ApplicationForm(StyledFormMixin, forms.Form):
    """The application. Saving a draft requires nothing (the files it has are checked);
    submitting requires what the cycle requires, where a draft's stored file counts as an
    upload. The principal fields come filled in with the applicant's principal of record."""

    def __init__(
        self,
        *args: Any,
        cycle: Any,
        draft: bool = False,
        stored: dict[int, Any] | None = None,
        principal_of_record: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        stored = stored or {}
        for index, question in enumerate(cycle.questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question["text"],
                required=bool(question.get("required")),
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=10000,
            )
        self.fields["track_record"] = forms.CharField(
            label="Your track record of student outcomes",
            help_text="The results your students reached (assessments, attendance, growth), "
            "with the years and the source of the figures.",
            widget=forms.Textarea(attrs={"rows": 5}),
            max_length=10000,
        )
        for index, slot in enumerate(cycle.uploads):
            kind = KINDS[slot["kind"]]
            kept = stored.get(index)
            self.fields[f"file_{index}"] = forms.FileField(
                label=slot["label"],
                required=bool(slot.get("required")) and kept is None,
                help_text=f"{kind.types_label}, up to {kind.limit_label}."
                + (f" Saved: {kept.original_name} (upload another to replace it)." if kept else ""),
                widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(kind.endings))}),
            )
        self.fields["principal_name"] = forms.CharField(
            max_length=200, label="Your principal's name", required=False
        )
        self.fields["principal_email"] = forms.EmailField(
            label="Your principal's e-mail address",
            required=False,
            help_text=(
                "Your principal by your school's staff record: they receive a link to write "
                "your recommendation when you submit; they need no account."
                if principal_of_record
                else "No principal is on record for you: name the principal who knows your "
                "work. They receive a link when you submit; the committee sees that they are "
                "not a principal of record."
            ),
        )
        if draft:
            for field in self.fields.values():
                field.required = False
        self.cycle = cycle

    def answers(self) -> dict[str, str]:
        return {
            str(index): self.cleaned_data.get(f"answer_{index}", "")
            for index in range(len(self.cycle.questions))
        }

    def uploaded_files(self) -> dict[int, Any]:
        return {
            index: self.cleaned_data[f"file_{index}"]
            for index in range(len(self.cycle.uploads))
            if self.cleaned_data.get(f"file_{index}")
        }


class RecommendationForm(StyledFormMixin, forms.Form):
    """The recommender's form: a level on each chosen competency and their text."""

    def __init__(self, *args: Any, rows: list[dict[str, Any]], levels: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.levels = levels
        self.rubric: list[tuple[Any, str, str]] = []
        for row in rows:
            item = row["item"]
            name = f"level_{item.pk}"
            self.fields[name] = forms.ChoiceField(
                choices=[
                    (str(level.pk), f"{level.name}: {text}" if text else level.name)
                    for level, text in zip(levels, row["cells"], strict=True)
                ],
                widget=forms.RadioSelect,
                label=str(item),
            )
            # No evidence box per competency: the recommendation's text is the evidence.
            self.rubric.append((item, name, ""))
        self.fields["text"] = forms.CharField(
            label="Your recommendation",
            widget=forms.Textarea(attrs={"rows": 8}),
            max_length=20000,
        )

    def scores(self) -> list[tuple[Any, Any]]:
        by_pk = {str(level.pk): level for level in self.levels}
        return [(item, by_pk[self.cleaned_data[name]]) for item, name, _ in self.rubric]


class ScreeningForm(StyledFormMixin, forms.Form):
    # Three forms share the application page: ids of their own so that no two elements (nor
    # labels) share one.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "screen_%s")
        super().__init__(*args, **kwargs)

    outcome = forms.ChoiceField(
        choices=[c for c in Application.Screening.choices if c[0]],
        widget=forms.RadioSelect,
        label="Screening",
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Note for the committee"
    )


class InterviewForm(StyledFormMixin, forms.Form):
    # Three forms share the application page: ids of their own so that no two elements (nor
    # labels) share one.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "interview_%s")
        super().__init__(*args, **kwargs)

    held_on = forms.DateField(label="Interview on", widget=DateInput())
    raters = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Panel",
        help_text="One e-mail address a line: the accounts that score this interview (at least "
        "two). Each scores on their own and sees the others' scores only after submitting.",
    )

    def lines(self) -> list[tuple[int, str]]:
        return [
            (number, line.strip())
            for number, line in enumerate(self.cleaned_data["raters"].splitlines(), start=1)
            if line.strip()
        ]


class DecisionForm(StyledFormMixin, forms.Form):
    # Three forms share the application page: ids of their own so that no two elements (nor
    # labels) share one.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "decide_%s")
        super().__init__(*args, **kwargs)

    outcome = forms.ChoiceField(
        choices=Decision.Outcome.choices, widget=forms.RadioSelect, label="Decision"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="The committee's reason"
    )
    # The decision's version this form was opened on (0: none yet): see services.decision_record.
    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class InvitationAcceptForm(StyledFormMixin, forms.Form):
    password1 = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), label="Password"
    )
    password2 = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label="The password again",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class ConsensusForm(StyledFormMixin, forms.Form):
    """The committee's consensus level per competency of one interview, with the consensus
    version the form was opened on (see services.interview_consensus_record)."""

    def __init__(
        self,
        *args: Any,
        interview: Any,
        lines: list[dict[str, Any]],
        levels: list[Any],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", f"consensus{interview.pk}_%s")
        super().__init__(*args, **kwargs)
        self.levels = {str(level.pk): level for level in levels}
        self.items = []
        for line in lines:
            item = line["item"]
            name = f"level_{item.pk}"
            self.fields[name] = forms.ChoiceField(
                choices=[("", "—")] + [(str(level.pk), level.name) for level in levels],
                required=False,
                label=str(item),
            )
            if line.get("consensus") is not None:
                self.initial.setdefault(name, str(line["consensus"].level_id))
            elif line.get("ratings"):
                # The panel's most common level as a starting point.
                counts = [(n, level) for level, n in line["counts"] if n]
                self.initial.setdefault(name, str(max(counts, key=lambda c: c[0])[1].pk))
            self.items.append((item, name))
        self.fields["seen_version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
        self.initial.setdefault("seen_version", interview.consensus_version)

    def entries(self) -> list[tuple[Any, Any, str]]:
        return [
            (item, self.levels[self.cleaned_data[name]], "")
            for item, name in self.items
            if self.cleaned_data.get(name)
        ]
