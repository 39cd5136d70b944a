from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from trellis.authz.roles import Role
from trellis.core.models import TimeStampedModel


class Grant(TimeStampedModel):
    """A role held by an account at one node of the organisation tree, for a period.

    The node is the most specific of cohort, program, school, network, partner or system that is
    set. `system` is kept for school and network grants too, so that a system's grants are one
    indexed filter; a cohort grant keeps its program, and a program or cohort grant keeps the
    program's owner (system or partner), in the same way.
    `ends_on` is the last day the grant is in force (inclusive); empty while it continues.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    system = models.ForeignKey(
        "orgs.System", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    network = models.ForeignKey(
        "orgs.Network", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    partner = models.ForeignKey(
        "orgs.Partner", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    program = models.ForeignKey(
        "programs.Program", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    cohort = models.ForeignKey(
        "programs.Cohort", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["user__email", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(system__isnull=False)
                | Q(partner__isnull=False)
                | Q(program__isnull=False)
                | Q(cohort__isnull=False),
                name="grant_has_node",
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=True) | Q(network__isnull=True),
                name="grant_one_node_below_system",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="grant_ends_after_start",
            ),
            # A cohort grant keeps its program (as a school grant keeps its system).
            models.CheckConstraint(
                condition=Q(cohort__isnull=True) | Q(program__isnull=False),
                name="grant_cohort_has_program",
            ),
        ]
        indexes = [models.Index(fields=["user", "ends_on"], name="grant_user_ends")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.node}"

    @property
    def node(self) -> object:
        return (
            self.cohort
            or self.program
            or self.school
            or self.network
            or self.partner
            or self.system
        )
