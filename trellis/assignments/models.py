"""Who supports whom, over time: coaches, supervisors, evaluators and mentors.

An active assignment reaches the assignee for the supporter (trellis/authz: RELATIONSHIP_POLICY);
coaching sessions, caseloads and evaluation cycles hang on these.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from trellis.authz.roles import Relationship
from trellis.core.models import TimeStampedModel


class Assignment(TimeStampedModel):
    """`supporter` supports `assignee` as `kind` from `starts_on` to `ends_on` (inclusive; empty
    while it continues). Both people are in `system`."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Relationship.choices)
    supporter = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="supporting"
    )
    assignee = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="supported_by"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "supporter__family_name", "assignee__family_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(supporter=F("assignee")), name="assignment_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [
            # The per-request relationship load: my assignments in force.
            models.Index(fields=["supporter", "ends_on"], name="assignment_supporter_ends"),
            models.Index(fields=["assignee", "kind"], name="assignment_assignee_kind"),
            models.Index(fields=["system", "kind"], name="assignment_system_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.supporter} → {self.assignee}"


class CaseloadTarget(TimeStampedModel):
    """How many active assignees one supporter should have, per kind, in a system."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Relationship.choices)
    target = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "kind"], name="caseload_target_unique"),
            models.CheckConstraint(condition=Q(target__gte=1), name="caseload_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target}"


# Without a target of its own, a system expects 5 principals per supervisor (the Partnership
# for Los Angeles Schools' ratio); other kinds have no target until one is set.
DEFAULT_TARGETS: dict[str, int] = {Relationship.SUPERVISION: 5}
