from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:
        # Django rebuilds a hashable copy of every choice on each `get_…_display()` call; a
        # metro list page calls it for each row (item 29), so the labels are kept per field.
        labels = _CHOICE_LABELS.get(field)
        if labels is None:
            if not isinstance(field.choices, list | tuple):
                return super()._get_FIELD_display(field)  # type: ignore[misc]
            labels = _CHOICE_LABELS[field] = {value: label for value, label in field.flatchoices}
        value = getattr(self, field.attname)
        try:
            return force_str(labels.get(value, value), strings_only=True)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)  # type: ignore[misc]


# Choice labels per field, filled on first use (see TimeStampedModel._get_FIELD_display).
_CHOICE_LABELS: dict[models.Field, dict[Any, Any]] = {}


class AuditEvent(models.Model):
    """One write (or a read of a sensitive record): who, what, when, before and after."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the trail still names the actor after an account is removed, and so that
    # command-line jobs ("import_oneroster", "demo generator") are named too.
    actor_label = models.CharField(max_length=254)
    system = models.ForeignKey(
        "orgs.System", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["system", "-at"], name="audit_system_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["-at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class SuppressionDecision(models.Model):
    """A complementary-suppression decision made ahead of the pages (`core.suppression.storing`:
    the attendance task after an import), found by the digest of everything it was made from
    (the figures, the relations, the open, hidden and insiders' cells, the threshold), so a
    page can never read one made for other figures. Derived data: no audit event."""

    digest = models.CharField(max_length=64, unique=True)
    # Each withheld key's repr (keys are tuples; `protect` maps them back by its own keys).
    hidden = models.JSONField()
    # What it was decided for ("attendance chronic, system 3, 2026-09-30"), for an operator.
    made_for = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.made_for or self.digest[:12]} ({self.decided_at:%Y-%m-%d %H:%M})"
