"""The import pipeline's records: one ImportRun per file imported, and each system's guard."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ImportRun(models.Model):
    """One import of a file: its check (the preview), its commit and its report.

    The table is still `rosters_importrun`: the model moved here from rosters without touching
    the database (see docs/decisions.md, 2026-11-29).
    """

    class Kind(models.TextChoices):
        # The kinds known today; the registry (trellis.imports.registry) is the authority.
        ONEROSTER = "oneroster", "OneRoster bundle"
        PEOPLE_CSV = "people_csv", "People CSV"
        CASE = "case", "CASE framework (JSON)"
        FRAMEWORK_CSV = "framework_csv", "Framework spreadsheet (CSV)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        CHECKING = "checking", "Checking the file"
        READY = "ready", "Checked: ready to commit"
        REJECTED = "rejected", "Rejected: nothing was written"
        COMMITTING = "committing", "Writing the changes"
        DONE = "done", "Committed"
        FAILED = "failed", "Failed: nothing was written"
        INTERRUPTED = "interrupted", "Interrupted: nothing was written"
        DISCARDED = "discarded", "Discarded without changes"

    system = models.ForeignKey("orgs.System", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # The name the user gave (the uploaded file's name), used in every page and report; the
    # file on the server has a random name.
    source_name = models.CharField(max_length=255)
    source_path = models.CharField(max_length=1000)
    file_digest = models.CharField(max_length=64, blank=True)
    oneroster_version = models.CharField(max_length=10, blank=True)  # the format's version
    mode = models.CharField(max_length=10, blank=True)  # bulk, delta or mixed
    # What the kind's reader needs besides the file (e.g. a people CSV's bulk/delta choice).
    options = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_label = models.CharField(max_length=200, blank=True)
    # {target: {"added": n, "changed": n, "soft_deleted": n, "reactivated": n, "unchanged": n}}
    summary = models.JSONField(default=dict, blank=True)
    # {target: source file} for the preview's "from" column
    sources = models.JSONField(default=dict, blank=True)
    # [{"file": …, "row": n, "column": …, "reason": …, "severity": "error"}], the first ones
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    warning_count = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)
    # The records that change, the first ones of each kind and change, with the fields that
    # change: [{"records": "items", "change": "changed", "label": …, "fields": [...]}]
    changes = models.JSONField(default=list, blank=True)
    # Where the committed result lives (e.g. the imported framework), for the report's link;
    # before the commit, what the file is compared with.
    outcome_url = models.CharField(max_length=500, blank=True)
    outcome_label = models.CharField(max_length=255, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    # The mass-removal guard: [{"target": "people", "removed": n, "active": n, "percent": p}]
    # when the import would soft-delete more than the system's threshold; the commit then
    # needs mass_removal_confirmed.
    mass_removal = models.JSONField(default=list, blank=True)
    mass_removal_confirmed = models.BooleanField(default=False)
    # Who is working on the run: a run whose worker died is shown as interrupted.
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "rosters_importrun"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["system", "-created_at"], name="importrun_system")]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.source_name} ({self.get_status_display()})"

    @property
    def kind_label(self) -> str:
        from trellis.imports.registry import kind_label

        return kind_label(self.kind)

    @property
    def total_changes(self) -> int:
        return sum(
            counts.get(key, 0)
            for counts in self.summary.values()
            for key in ("added", "changed", "removed", "soft_deleted", "reactivated")
        )

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.CHECKING, self.Status.COMMITTING}


class ImportSettings(models.Model):
    """A system's import settings, edited by its system administrators."""

    system = models.OneToOneField(
        "orgs.System", on_delete=models.CASCADE, related_name="import_settings"
    )
    mass_removal_percent = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="A bulk import that would remove more than this share of the active people "
        "or students needs an explicit confirmation.",
    )

    class Meta:
        verbose_name_plural = "import settings"

    def __str__(self) -> str:
        return f"Import settings of system {self.system_id}"
