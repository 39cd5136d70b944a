from __future__ import annotations

from django import forms

from trellis.attendance.models import AttendanceSettings
from trellis.core.forms import StyledFormMixin


class AttendanceSettingsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AttendanceSettings
        fields = ["time_zone", "deadline", "chronic_min_days", "chronic_percent", "taken_by"]
        labels = {
            "time_zone": "Time zone (e.g. America/New_York)",
            "deadline": "On-time deadline (HH:MM)",
            "chronic_min_days": "Days enrolled before a student counts for chronic absence",
            "chronic_percent": "Chronic absence: absent on at least (%) of the days enrolled",
            "taken_by": "Teachers take attendance by",
        }
