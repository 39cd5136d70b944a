"""Competency frameworks as versioned trees with performance levels, shaped to round-trip CASE.

A framework (CFDocument) has versions; a published version is read-only and ratings keep the
version they were made against. Items (CFItems) form a tree by `parent` and `position` (the
isChildOf associations and their sequenceNumber); levels and descriptors form the rubric
(CFRubric → criteria per item → criterion levels). CASE fields Trellis does not model are kept
in JSON so that import → export → import loses nothing.
"""

from __future__ import annotations

from django.db import models

from trellis.core.models import TimeStampedModel


class Framework(TimeStampedModel):
    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", "Leadership framework"
        TEACHER_LEADERSHIP = "teacher_leadership", "Teacher-leader competencies"
        CONDITIONS = "conditions", "School conditions scale"
        SUCCESS_FACTORS = "success_factors", "System success factors"
        SELF_STUDY = "self_study", "System self-study"
        STANDARDS = "standards", "External standards"
        OTHER = "other", "Other"

    class Subject(models.TextChoices):
        PERSON = "person", "A person"
        SCHOOL = "school", "A school"
        SYSTEM = "system", "A system"

    # Empty for installation-wide templates, which every system can start from.
    system = models.ForeignKey(
        "orgs.System", null=True, blank=True, on_delete=models.PROTECT, related_name="frameworks"
    )
    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    subject_kind = models.CharField(max_length=10, choices=Subject.choices, default=Subject.PERSON)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def latest(self) -> FrameworkVersion | None:
        """The newest version, from a prefetched `version_list` when there is one."""
        versions = getattr(self, "version_list", None)
        if versions is not None:
            return versions[0] if versions else None
        return self.versions.order_by("-number").first()


class FrameworkVersion(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    case_identifier = models.CharField(max_length=500)
    case_uri = models.CharField(max_length=2000, blank=True)
    # Other CFDocument fields (creator, publisher, description, subject, language, notes…).
    document = models.JSONField(default=dict, blank=True)
    definitions = models.JSONField(default=dict, blank=True)  # CFDefinitions, kept as given
    rubric_identifier = models.CharField(max_length=500, blank=True)
    rubric_uri = models.CharField(max_length=2000, blank=True)
    rubric_title = models.CharField(max_length=500, blank=True)
    rubric_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="framework_version_key"),
        ]
        indexes = [models.Index(fields=["case_identifier"], name="version_case_id")]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number} ({self.get_status_display().lower()})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class FrameworkItem(models.Model):
    """A domain, competency, indicator… (a CFItem), placed in the tree."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.IntegerField(default=0)
    case_identifier = models.CharField(max_length=500)
    case_uri = models.CharField(max_length=2000, blank=True)
    human_coding_scheme = models.CharField(max_length=200, blank=True)
    full_statement = models.TextField()
    abbreviated_statement = models.TextField(blank=True)
    item_type = models.CharField(max_length=200, blank=True)
    fields = models.JSONField(default=dict, blank=True)  # other CFItem fields
    # The isChildOf association placing the item, and the rubric criterion for it.
    placement_identifier = models.CharField(max_length=500, blank=True)
    placement_fields = models.JSONField(default=dict, blank=True)
    criterion_identifier = models.CharField(max_length=500, blank=True)
    criterion_fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "case_identifier"], name="item_key"),
            # Codes name competencies on pages and in ratings: one code, one item per version.
            models.UniqueConstraint(
                fields=["version", "human_coding_scheme"],
                condition=~models.Q(human_coding_scheme=""),
                name="item_code_key",
            ),
        ]
        indexes = [models.Index(fields=["version", "parent", "position"], name="item_tree")]

    def __str__(self) -> str:
        code = f"{self.human_coding_scheme} " if self.human_coding_scheme else ""
        return f"{code}{self.abbreviated_statement or self.full_statement[:80]}"


class PerformanceLevel(models.Model):
    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="levels")
    position = models.IntegerField()
    name = models.CharField(max_length=200)  # CASE "quality", e.g. "Proficient"
    score = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="level_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Descriptor(models.Model):
    """What performance at one level looks like for one item (a CFRubricCriterionLevel)."""

    item = models.ForeignKey(FrameworkItem, on_delete=models.CASCADE, related_name="descriptors")
    level = models.ForeignKey(PerformanceLevel, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    case_identifier = models.CharField(max_length=500, blank=True)
    fields = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "level"], name="descriptor_key"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Association(models.Model):
    """A CASE association other than the tree: exact match, related, precedes… Either end may
    be an item of this version or an outside node (kept as its LinkGenURI)."""

    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="associations"
    )
    case_identifier = models.CharField(max_length=500)
    association_type = models.CharField(max_length=100)
    origin_item = models.ForeignKey(
        FrameworkItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    destination_item = models.ForeignKey(
        FrameworkItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    origin = models.JSONField(default=dict, blank=True)
    destination = models.JSONField(default=dict, blank=True)
    sequence_number = models.IntegerField(null=True, blank=True)
    fields = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.association_type} {self.case_identifier}"
