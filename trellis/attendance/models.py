"""Daily attendance, Ed-Fi shaped (standards.md §3): instructional days (CalendarDate), events
(StudentSchoolAttendanceEvent with its category descriptor), teachers' submissions, each system's
settings, and the daily per-school roll-up that every page reads instead of the raw events.

Membership windows are the students app's `SchoolEnrolment` (Ed-Fi StudentSchoolAssociation).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trellis.core.models import TimeStampedModel


class Category(models.TextChoices):
    """Ed-Fi AttendanceEventCategoryDescriptor values this app records."""

    IN_ATTENDANCE = "in_attendance", "In Attendance"
    EXCUSED_ABSENCE = "excused_absence", "Excused Absence"
    UNEXCUSED_ABSENCE = "unexcused_absence", "Unexcused Absence"
    TARDY = "tardy", "Tardy"
    EARLY_DEPARTURE = "early_departure", "Early departure"


# A student is absent on a day with one of these.
ABSENCES = (Category.EXCUSED_ABSENCE, Category.UNEXCUSED_ABSENCE)


class AttendanceSettings(TimeStampedModel):
    """A system's attendance settings (defaults apply while it has none)."""

    class TakenBy(models.TextChoices):
        HOMEROOM = "homeroom", "Homeroom (one submission per homeroom class a day)"
        PERIOD = "period", "Period (one submission per scheduled class a day)"

    system = models.OneToOneField(
        "orgs.System", on_delete=models.CASCADE, related_name="attendance_settings"
    )
    time_zone = models.CharField(max_length=64, default=settings.TIME_ZONE)
    deadline = models.TimeField(
        default=datetime.time(9, 30),
        help_text="A submission is on time when made by this time of its day (system time zone).",
    )
    chronic_min_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1)],
        help_text="Students count towards chronic absence once enrolled this many days.",
    )
    chronic_percent = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Chronically absent: absent on at least this share of the days enrolled.",
    )
    taken_by = models.CharField(max_length=10, choices=TakenBy.choices, default=TakenBy.HOMEROOM)
    contact_after_absences = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text="A student joins the family-contact worklist each time their absences this "
        "school year reach a multiple of this number, until a contact is logged.",
    )

    class Meta:
        verbose_name_plural = "attendance settings"

    def __str__(self) -> str:
        return f"Attendance settings of system {self.system_id}"


class CategoryMapping(TimeStampedModel):
    """A system's own word for an Ed-Fi category (e.g. "AE" → Excused Absence), matched without
    regard to case."""

    system = models.ForeignKey("orgs.System", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=100, help_text="Stored in lower case.")
    category = models.CharField(max_length=20, choices=Category.choices)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["system", "label"], name="category_mapping_label"),
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.get_category_display()}"


class CalendarDay(models.Model):
    """An instructional day of a school (Ed-Fi CalendarDate with the Instructional day event)."""

    # Indexed with the date (calendar_day_system_date): the day before or after a day of the
    # system is one probe, where the system's own index read every school's days (item 29).
    system = models.ForeignKey(
        "orgs.System", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()

    class Meta:
        ordering = ["school", "date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="calendar_day_school_date"),
        ]
        indexes = [models.Index(fields=["system", "date"], name="calendar_day_system_date")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.date}"


class AttendanceEvent(models.Model):
    """One attendance event of a student at a school on a day (negative attendance: absences
    and tardies; positive: one a student-day). Raw data: pages read DailySchoolAttendance.

    Its keys are not database constraints (migration 0005): the import checks every row's
    system, student, school and class set-wise in its own transaction before writing, and the
    per-row checks PostgreSQL would repeat at COMMIT were 40% of a metro day's import (see
    docs/decisions.md). Deletions go through the ORM, which still cascades to these rows."""

    system = models.ForeignKey(
        "orgs.System",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    school = models.ForeignKey(
        "orgs.School",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    date = models.DateField()
    category = models.CharField(max_length=20, choices=Category.choices)
    school_class = models.ForeignKey(
        "rosters.SchoolClass",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        indexes = [
            models.Index(fields=["school", "date"], name="attendance_school_date"),
            models.Index(fields=["student", "date"], name="attendance_student_date"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} {self.category}"


class AttendanceSubmission(models.Model):
    """A class's attendance taken on a day, and when (from the SIS's audit of submissions)."""

    system = models.ForeignKey(
        "orgs.System", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school_class = models.ForeignKey(
        "rosters.SchoolClass", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()
    submitted_at = models.DateTimeField()
    # By the system's deadline on that day (its time zone), decided when imported and again
    # when the deadline changes.
    on_time = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school_class", "date"], name="submission_class_date"),
        ]
        indexes = [models.Index(fields=["school", "date"], name="submission_school_date")]

    def __str__(self) -> str:
        return f"{self.school_class_id} {self.date}"


class DailySchoolAttendance(models.Model):
    """Roll-up: one school's day, rebuilt set-wise in the transaction of every import that
    changes it (attendance.rollups). Counts only: suppression applies on reading."""

    system = models.ForeignKey(
        "orgs.System", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School",
        on_delete=models.CASCADE,
        # No accessor on School; a query may join a school's roll-up rows (the morning page
        # sorted by a figure: selectors.morning_page).
        related_name="+",
        related_query_name="daily_attendance",
        db_index=False,
    )
    date = models.DateField()
    enrolled = models.PositiveIntegerField(default=0)
    absent = models.PositiveIntegerField(default=0)
    tardy = models.PositiveIntegerField(default=0)
    expected_submissions = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    # Chronic absence to date (from the school year's first instructional day): students who
    # count (enrolled at least the minimum days) and those absent on at least the share.
    chronic_counted = models.PositiveIntegerField(default=0)
    chronic_absent = models.PositiveIntegerField(default=0)
    # The school's usual absence rate on the day: its enrolled and absent student-days over its
    # rolled-up days in the four weeks before (attendance.rollups `usual_refresh`, in the same
    # transaction as the rows it sums), so that a page reads one row a school, not four weeks.
    usual_enrolled = models.PositiveIntegerField(default=0)
    usual_absent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="daily_attendance_school"),
        ]
        indexes = [models.Index(fields=["system", "date"], name="daily_attendance_system")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.date}: {self.absent}/{self.enrolled} absent"


class FamilyContact(TimeStampedModel):
    """A contact with an absent student's family: a call, text, visit or letter, its outcome,
    and when to follow up. A student record: reads are audited (attendance.selectors)."""

    class Method(models.TextChoices):
        CALL = "call", "Call"
        TEXT = "text", "Text"
        VISIT = "visit", "Home visit"
        LETTER = "letter", "Letter"

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached the family"
        LEFT_MESSAGE = "left_message", "Left a message"
        NO_ANSWER = "no_answer", "No answer"
        WRONG_NUMBER = "wrong_number", "Wrong number or address"
        OTHER = "other", "Other"

    system = models.ForeignKey(
        "orgs.System", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    contacted_on = models.DateField()
    method = models.CharField(max_length=10, choices=Method.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-contacted_on", "-id"]
        indexes = [
            models.Index(fields=["school", "contacted_on"], name="family_contact_school"),
            models.Index(fields=["student", "contacted_on"], name="family_contact_student"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} about student {self.student_id} on {self.contacted_on}"

    @property
    def logged_by_name(self) -> str:
        """Who logged it, by name: their staff record's, else the account's display name (the
        e-mail address only for an account with neither)."""
        user = self.logged_by
        if user is None:
            return ""
        person = user.person
        if person is not None:
            return person.full_name
        return user.display_name or user.email


class AttendanceAlert(TimeStampedModel):
    """An alert about one school's day sent to one person (attendance.services
    attendance_alerts_send): at most one per school, day, kind and recipient, so that running
    the alerts twice sends nothing twice. The recipient acknowledges it; it stays as history."""

    class Kind(models.TextChoices):
        NOT_SUBMITTED = "not_submitted", "Attendance not submitted by the deadline"
        ABSENCE_SPIKE = "absence_spike", "Absence rate jumped"

    system = models.ForeignKey(
        "orgs.System", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # What the alert says (the classes not submitted, or the rates), as sent by e-mail.
    summary = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "school__name", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date", "kind", "recipient"], name="attendance_alert_once"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "acknowledged_at"], name="attendance_alert_open"),
            models.Index(fields=["system", "date"], name="attendance_alert_system_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.school_id} {self.date}"


class DailyGradeChronic(models.Model):
    """Roll-up: chronic absence to date of one grade at one school, for each school-day of
    DailySchoolAttendance (attendance.rollups `detail_rollups_rebuild`, in the same transaction
    as it). The grade is the student's on the roster when the roll-up was written; grades'
    rows add up to the school's figures. Counts only: suppression applies on reading."""

    system = models.ForeignKey(
        "orgs.System", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()
    grade = models.CharField(max_length=8, blank=True)
    chronic_counted = models.PositiveIntegerField(default=0)
    chronic_absent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date", "grade"], name="grade_chronic_school_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.date} grade {self.grade}: {self.chronic_absent}"


class DailySchoolContacts(models.Model):
    """Roll-up: family contact at one school to a day of the school year (the worklist rule,
    attendance.selectors CONTACT_RULE), for each school-day of DailySchoolAttendance: students
    due a contact this year (at least N absences) and those contacted since their latest Nth
    absence. Rebuilt with the attendance roll-ups and by the contact-logging services."""

    system = models.ForeignKey(
        "orgs.System", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()
    eligible = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    # Students on the day's worklist (attendance.selectors `worklist`): due a call (eligible,
    # not contacted) or with a follow-up due.
    on_worklist = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="school_contacts_day"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.date}: {self.contacted}/{self.eligible} contacted"


class DailyChronicTransfer(models.Model):
    """Roll-up: a student who counts towards chronic absence at more than one school of the
    system on a rolled-up day (a transfer: each school counts them for its own days), one row
    per such school. A set of schools (a caseload, a network, the system) counts each student
    once: its totals are the schools' figures less these duplicates (attendance.selectors
    `chronic_duplicates`). Rebuilt with DailySchoolAttendance (attendance.rollups
    `transfer_rollups_rebuild`), for every school of the system on the rebuilt days."""

    system = models.ForeignKey(
        "orgs.System", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school = models.ForeignKey(
        "orgs.School", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()
    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # The student's roster grade when written (as DailyGradeChronic's).
    grade = models.CharField(max_length=8, blank=True)
    chronic = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "date", "student"], name="chronic_transfer_school_day"
            ),
        ]
        indexes = [models.Index(fields=["system", "date"], name="chronic_transfer_system_day")]

    def __str__(self) -> str:
        return f"{self.student_id} at {self.school_id} on {self.date}"
