"""The organisation tree that every grant is scoped to: system → network → school; partners."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from trellis.core.models import TimeStampedModel


class System(TimeStampedModel):
    class Kind(models.TextChoices):
        DISTRICT = "district", "School district"
        CHARTER_NETWORK = "charter_network", "Charter network"

    code = models.SlugField(
        max_length=40, unique=True, help_text="Short code used on the command line."
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DISTRICT)
    sourced_id = models.CharField(max_length=255, blank=True, help_text="OneRoster sourcedId.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Network(TimeStampedModel):
    """A network or cluster of schools (e.g. "South Atlanta Cluster")."""

    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="networks")
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="network_code_unique"),
            models.UniqueConstraint(fields=["system", "name"], name="network_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class School(TimeStampedModel):
    class Level(models.TextChoices):
        ELEMENTARY = "elementary", "Elementary"
        MIDDLE = "middle", "Middle"
        HIGH = "high", "High"
        K8 = "k8", "K-8"
        OTHER = "other", "Other"

    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="schools")
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.OTHER)
    identifier = models.CharField(
        max_length=64, blank=True, help_text="State or NCES school identifier."
    )
    sourced_id = models.CharField(max_length=255, blank=True, help_text="OneRoster sourcedId.")
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # Soft delete: a school that leaves the roster keeps its history and can come back.
    is_active = models.BooleanField(default=True)
    roster_modified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "sourced_id"],
                condition=~Q(sourced_id=""),
                name="school_sourced_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["system", "name"], name="school_system_name"),
            models.Index(fields=["system", "sourced_id"], name="school_system_sid"),
        ]

    def __str__(self) -> str:
        return self.name


class Partner(TimeStampedModel):
    """An organisation that serves schools and programs, inside or outside a system."""

    class Kind(models.TextChoices):
        PD_PROVIDER = "pd_provider", "Professional learning provider"
        RESOURCE_ADVISER = "resource_adviser", "Resource-allocation adviser"
        TALENT_FIRM = "talent_firm", "Talent-management firm"
        UNIVERSITY = "university", "University or preparation program"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    # An internal partner is a department of one system; external partners serve many.
    home_system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.SET_NULL, related_name="internal_partners"
    )
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        # Unique within a system (two districts may both record the same real partner; one
        # district's partners are not revealed to another), and among installation-wide ones.
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "home_system",
                condition=Q(home_system__isnull=False),
                name="partner_name_unique_in_system",
                violation_error_message="This system already has a partner with this name.",
            ),
            models.UniqueConstraint(
                Lower("name"),
                condition=Q(home_system__isnull=True),
                name="partner_name_unique_installation",
                violation_error_message="An installation-wide partner already has this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
