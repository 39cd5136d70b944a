from __future__ import annotations

from typing import Any

from django import forms

from trellis.attendance.models import AttendanceSettings, FamilyContact
from trellis.core.forms import DateInput, StyledFormMixin


class AttendanceSettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AttendanceSettings
        fields = [
            "time_zone",
            "deadline",
            "chronic_min_days",
            "chronic_percent",
            "taken_by",
            "contact_after_absences",
        ]
        labels = {
            "time_zone": "Time zone (e.g. America/New_York)",
            "deadline": "On-time deadline (HH:MM)",
            "chronic_min_days": "Days enrolled before a student counts for chronic absence",
            "chronic_percent": "Chronic absence: absent on at least (%) of the days enrolled",
            "taken_by": "Teachers take attendance by",
            "contact_after_absences": "Family contact due after this many absences (and each "
            "multiple of it)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty, the setting stays as it is (default 3).
        self.fields["contact_after_absences"].required = False


class FamilyContactForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = FamilyContact
        fields = ["contacted_on", "method", "outcome", "note", "follow_up_on"]
        labels = {
            "contacted_on": "Date of the contact",
            "method": "How the family was contacted",
            "outcome": "Outcome",
            "note": "Note (optional)",
            "follow_up_on": "Follow up on (optional)",
        }
        widgets = {
            "contacted_on": DateInput(),
            "follow_up_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }


class CalendarChangeForm(StyledFormMixin, forms.Form):
    """Add or remove a school's instructional days: one day, or a range such as a closure."""

    change = forms.ChoiceField(
        label="Change",
        choices=[("add", "Add instructional days"), ("remove", "Remove instructional days")],
    )
    start = forms.DateField(label="Day (or first day of the range)", widget=DateInput())
    end = forms.DateField(
        label="Last day of the range",
        required=False,
        widget=DateInput(),
        help_text="Leave empty for a single day.",
    )
    weekdays_only = forms.BooleanField(
        label="Add weekdays only (a range)", required=False, initial=True
    )
    confirm_weekend = forms.BooleanField(
        label="Yes, add the weekend days",
        required=False,
        help_text="Asked when the days to add hold a Saturday or Sunday.",
    )
