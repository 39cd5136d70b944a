"""Roles and what each may do. The single place where permissions are defined."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "System administrator"
    DISTRICT_LEADER = "district_leader", "District leader / talent office"
    PROGRAM_MANAGER = "program_manager", "Program manager"
    SUPERVISOR = "supervisor", "Principal supervisor"
    COACH = "coach", "Coach"
    PRINCIPAL = "principal", "Principal / assistant principal"
    TEACHER_LEADER = "teacher_leader", "Teacher leader / aspiring leader / teacher"
    INTERVIEWER = "interviewer", "Interviewer / recommender"
    PARTNER_STAFF = "partner_staff", "Partner staff"
    ANALYST = "analyst", "Analyst"


class Action:
    """Permission codes. Views and API operations declare one of these."""

    # Any signed-in user: home page, own record, own API tokens.
    SIGNED_IN = "signed_in"
    SCHOOLS_VIEW = "schools.view"
    SCHOOLS_MANAGE = "schools.manage"
    PEOPLE_VIEW = "people.view"
    PEOPLE_MANAGE = "people.manage"
    STUDENTS_VIEW = "students.view"
    PARTNERS_VIEW = "partners.view"
    ACCESS_MANAGE = "access.manage"
    ROSTERS_MANAGE = "rosters.manage"
    FRAMEWORKS_VIEW = "frameworks.view"
    FRAMEWORKS_MANAGE = "frameworks.manage"
    # Rating a person's progress on a framework, and reading those ratings.
    RATINGS_PROGRESS = "ratings.progress"
    # Evaluation ratings: the evaluator chain only (never district leaders or analysts).
    RATINGS_EVALUATION = "ratings.evaluation"
    # School conditions ratings (the subject is a school) and system self-assessment.
    RATINGS_CONDITIONS = "ratings.conditions"
    RATINGS_SELF_STUDY = "ratings.self_study"
    # Running a rating round of people (selection, progress, self-assessment); evaluation,
    # conditions and system rounds need the purpose's own action instead.
    RATINGS_ROUNDS = "ratings.rounds"
    AUDIT_VIEW = "audit.view"


ALL_ACTIONS = frozenset(
    value for name, value in vars(Action).items() if name.isupper() and value != Action.SIGNED_IN
)

# Role → actions it allows within the scope of its grant. Coaching notes, evaluations,
# selection deliberations and survey responses get their own actions in later capabilities and
# are deliberately absent from district leaders and analysts.
POLICY: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: ALL_ACTIONS,
    Role.DISTRICT_LEADER: frozenset(
        {
            Action.SCHOOLS_VIEW,
            Action.PEOPLE_VIEW,
            Action.PARTNERS_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.RATINGS_SELF_STUDY,
        }
    ),
    Role.PROGRAM_MANAGER: frozenset(
        {
            Action.SCHOOLS_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.FRAMEWORKS_MANAGE,
            Action.RATINGS_ROUNDS,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Action.SCHOOLS_VIEW,
            Action.PEOPLE_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.RATINGS_PROGRESS,
            Action.RATINGS_EVALUATION,
            Action.RATINGS_CONDITIONS,
            Action.RATINGS_ROUNDS,
        }
    ),
    Role.COACH: frozenset({Action.SCHOOLS_VIEW, Action.FRAMEWORKS_VIEW, Action.RATINGS_PROGRESS}),
    Role.PRINCIPAL: frozenset(
        {
            Action.SCHOOLS_VIEW,
            Action.PEOPLE_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.RATINGS_PROGRESS,
            Action.RATINGS_CONDITIONS,
        }
    ),
    Role.TEACHER_LEADER: frozenset({Action.SCHOOLS_VIEW, Action.FRAMEWORKS_VIEW}),
    Role.INTERVIEWER: frozenset(),
    Role.PARTNER_STAFF: frozenset({Action.PARTNERS_VIEW}),
    Role.ANALYST: frozenset({Action.SCHOOLS_VIEW, Action.FRAMEWORKS_VIEW}),
}

# Roles whose holders must have TOTP multi-factor authentication before doing anything.
MFA_REQUIRED_ROLES = frozenset({Role.SYSTEM_ADMIN})
