"""Small-cell suppression: an aggregate over fewer people than the threshold is not shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


def threshold() -> int:
    return int(settings.TRELLIS_SUPPRESSION_THRESHOLD)


@dataclass(frozen=True)
class Count:
    """A count of people, shown only when it is at least the threshold."""

    value: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.value < threshold()

    @property
    def shown(self) -> int | None:
        return None if self.suppressed else self.value

    def __str__(self) -> str:
        return f"fewer than {threshold()}" if self.suppressed else f"{self.value:,}"


def people_count(value: int) -> Count:
    return Count(value)
