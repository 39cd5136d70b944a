"""People and their positions over time. A person is not an account: most never sign in."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from trellis.core.models import TimeStampedModel


class Person(TimeStampedModel):
    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    identifier = models.CharField(max_length=64, blank=True, help_text="Employee number.")
    sourced_id = models.CharField(max_length=255, blank=True, help_text="OneRoster sourcedId.")
    # Soft delete: people who leave the roster keep their history (positions, coaching, ratings).
    is_active = models.BooleanField(default=True)
    roster_modified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["system", "sourced_id"],
                condition=~Q(sourced_id=""),
                name="person_sourced_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["system", "family_name", "given_name"], name="person_name"),
            # The lists' order: a page of a metro district's people is read in index order
            # instead of sorting every person in scope (item 29).
            models.Index(fields=["family_name", "given_name", "id"], name="person_name_order"),
            models.Index(fields=["email"], name="person_email"),
            # Plain (not partial) so that set-based roster joins on the key can use it.
            models.Index(fields=["system", "sourced_id"], name="person_system_sid"),
            # "People you can see" for a system-wide viewer counts this index, not the table
            # (item 29): an index-only scan once the table is vacuumed.
            models.Index(fields=["system"], condition=Q(is_active=True), name="person_active"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.preferred_name or self.given_name} {self.family_name}"


class PositionKind(models.TextChoices):
    TEACHER = "teacher", "Teacher"
    TEACHER_LEADER = "teacher_leader", "Teacher leader"
    ASSISTANT_PRINCIPAL = "assistant_principal", "Assistant principal"
    PRINCIPAL = "principal", "Principal"
    COACH = "coach", "Coach"
    SUPERVISOR = "supervisor", "Principal supervisor"
    DISTRICT_STAFF = "district_staff", "District staff"
    OTHER_STAFF = "other_staff", "Other staff"


class EndReason(models.TextChoices):
    """Why a position (a spell) ended. The roster import infers the first three from the data;
    system administrators correct or refine them (e.g. retired)."""

    CHANGED_ROLE = "changed_role", "Changed role"
    MOVED_SCHOOL = "moved_school", "Moved school"
    LEFT_SYSTEM = "left_system", "Left the system"
    RETIRED = "retired", "Retired"
    UNKNOWN = "unknown", "Unknown"


class Position(TimeStampedModel):
    """A role held at a place for a period (a spell). Retention and bench strength are computed
    from these.

    `ends_on` is the last day in the position (inclusive); empty while it continues. Spells are
    append-only: a change of kind or school ends one position and starts another, and a return
    starts a new one; nothing is reopened. An ended position has an `end_reason`.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered in Trellis"
        ROSTER = "roster", "Roster import"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=PositionKind.choices)
    title = models.CharField(max_length=200, blank=True)
    school = models.ForeignKey(
        "orgs.School", null=True, blank=True, on_delete=models.PROTECT, related_name="positions"
    )
    network = models.ForeignKey(
        "orgs.Network", null=True, blank=True, on_delete=models.PROTECT, related_name="positions"
    )
    # Employment outside the system (a previous district, a charter school) is recorded here.
    external_organisation = models.CharField(max_length=200, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    sourced_id = models.CharField(max_length=255, blank=True)
    roster_modified_at = models.DateTimeField(null=True, blank=True)
    # Empty while the position has not ended.
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    # A roster spell whose OneRoster role has moved on to a later spell (a change of kind or
    # school, or a return): kept as history, never touched by the roster again.
    superseded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="position_ends_after_start",
            ),
            # Positions from the roster are keyed by their OneRoster role; manual ones are not.
            # One current spell per role; earlier spells of the same role are superseded.
            models.UniqueConstraint(
                fields=["system", "sourced_id"],
                condition=Q(source="roster", superseded=False),
                name="position_roster_current_key",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "ends_on"], name="position_school_ends"),
            models.Index(fields=["person", "-starts_on"], name="position_person_start"),
            models.Index(fields=["system", "kind", "ends_on"], name="position_system_kind"),
            models.Index(fields=["system", "-starts_on"], name="position_system_start"),
            models.Index(fields=["system", "sourced_id"], name="position_system_sid"),
        ]

    def __str__(self) -> str:
        place = self.school or self.network or self.external_organisation or "district office"
        return f"{self.get_kind_display()}, {place}"


class Education(TimeStampedModel):
    class Degree(models.TextChoices):
        BACHELOR = "bachelor", "Bachelor's"
        MASTER = "master", "Master's"
        SPECIALIST = "specialist", "Education specialist"
        DOCTORATE = "doctorate", "Doctorate"
        CERTIFICATE = "certificate", "Certificate program"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="education")
    institution = models.CharField(max_length=200)
    degree = models.CharField(max_length=20, choices=Degree.choices)
    field_of_study = models.CharField(max_length=200, blank=True)
    completed_year = models.PositiveSmallIntegerField(null=True, blank=True)
    leadership_preparation = models.BooleanField(
        default=False, help_text="A principal or leader preparation program."
    )

    class Meta:
        ordering = ["-completed_year", "id"]

    def __str__(self) -> str:
        return f"{self.get_degree_display()}, {self.institution}"


class Certification(TimeStampedModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certifications")
    name = models.CharField(max_length=200)
    issuer = models.CharField(max_length=200, blank=True)
    number = models.CharField(max_length=64, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SchoolStaffCount(models.Model):
    """Roll-up: the distinct people holding a current position at a school, per kind, and in all
    kinds together (`kind` empty), as of `StaffCountsAsOf.counted_on`. Pages read these instead of
    counting a metro district's positions on every view (repairs issue, item 29); the roster
    import, the position services and the demo rebuild them set-wise (people.services). Counts,
    not people: suppression applies on reading (people.selectors.staff_table)."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("orgs.School", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, blank=True)
    people = models.PositiveIntegerField()
    # Whether the count is withheld (small, or complementary) from the system's closed readers:
    # those who see every school of the system and may open the people of none (analysts,
    # program managers, coaches). Stored with the count (`StaffCountsAsOf.protection`).
    hidden = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "kind"], name="staff_count_school_kind"),
        ]
        indexes = [models.Index(fields=["system", "school"], name="staff_count_system")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.kind or 'all'}: {self.people}"


class StaffCountsAsOf(models.Model):
    """The day a system's `SchoolStaffCount` rows were counted for, and the first day they no
    longer hold (the next day on which a position starts or ends; empty: none to come). A
    reader on another day, or after `good_until`, rebuilds them first."""

    system = models.OneToOneField(
        "orgs.System", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    counted_on = models.DateField()
    good_until = models.DateField(null=True, blank=True)
    # The complementary suppression of these counts for the system's closed readers, decided
    # after they were counted (people.services.staff_protection_decide): {"threshold": t,
    # "inactive": [school ids not in the roster], "kinds": {kind: [people, hidden]}} with each
    # row's `SchoolStaffCount.hidden`, and "recount" (the recounts' number, never reset). Valid
    # while the threshold and the inactive schools are the same; "pending": a recount's
    # decision is still to be made (every count withheld from closed readers until then).
    protection = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"staff counts of {self.system_id} on {self.counted_on}"
