"""Backfill: each school's tier today becomes its first tier period, from the later of the
tier's and the school's need profile's creation dates (before either existed that tier could not
have applied through that profile); figures already on need profiles were entered by hand
(as of the profile's last change). The rules are evaluated as selectors.tier_of does, on the
historical models (first matching rule by position, else the default tier)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import migrations


def _matches(rule: Any, values: dict[str, Any]) -> bool:
    if rule.field == "flag":
        return rule.flag_id is not None and rule.flag_id in values["flags"]
    actual = len(values["flags"]) if rule.field == "flag_count" else values.get(rule.field)
    if rule.operator == "has":
        return actual is not None
    if actual is None or rule.value is None:
        return False
    actual = Decimal(actual)
    return {
        "lt": actual < rule.value,
        "lte": actual <= rule.value,
        "eq": actual == rule.value,
        "gte": actual >= rule.value,
        "gt": actual > rule.value,
    }.get(rule.operator, False)


def backfill(apps: Any, schema_editor: Any) -> None:
    School = apps.get_model("orgs", "School")
    Profile = apps.get_model("coaching", "SchoolNeedProfile")
    Tier = apps.get_model("coaching", "SupportTier")
    Rule = apps.get_model("coaching", "TierRule")
    Period = apps.get_model("coaching", "SchoolTierPeriod")
    for profile in Profile.objects.all():
        fields = []
        if profile.attendance_rate is not None:
            profile.attendance_source = "entered"
            profile.attendance_as_of = profile.updated_at.date()
            fields += ["attendance_source", "attendance_as_of"]
        if profile.conditions_score is not None:
            profile.conditions_source = "entered"
            profile.conditions_as_of = profile.updated_at.date()
            fields += ["conditions_source", "conditions_as_of"]
        if fields:
            profile.save(update_fields=fields)
    system_ids = set(Tier.objects.values_list("system_id", flat=True))
    for system_id in system_ids:
        rules = list(Rule.objects.filter(system_id=system_id).order_by("position", "pk"))
        default = Tier.objects.filter(system_id=system_id, is_default=True).first()
        profiles = {p.school_id: p for p in Profile.objects.filter(system_id=system_id)}
        made = []
        for school in School.objects.filter(system_id=system_id):
            profile = profiles.get(school.pk)
            values = {
                "performance_band": profile.performance_band if profile else None,
                "attendance_rate": profile.attendance_rate if profile else None,
                "conditions_score": profile.conditions_score if profile else None,
                "flags": set(profile.flags.values_list("pk", flat=True)) if profile else set(),
            }
            tier = next((r.tier for r in rules if _matches(r, values)), default)
            if tier is None:
                continue
            start = tier.created_at.date()
            if profile is not None:
                start = max(start, profile.created_at.date())
            made.append(
                Period(
                    system_id=system_id,
                    school_id=school.pk,
                    tier_id=tier.pk,
                    tier_name=tier.name,
                    hours_per_month=tier.hours_per_month,
                    starts_on=start,
                )
            )
        Period.objects.bulk_create(made)


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0005_video_captions_tier_history_need_sources"),
        ("orgs", "0002_partner_name_unique_per_system"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
