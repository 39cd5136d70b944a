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
    # Granted on a cohort (or its program): reads and decides that cohort's selection.
    SELECTION_COMMITTEE = "selection_committee", "Selection committee member"
    # Keeps the system's library of coaching protocols (issue 10); no one's sessions.
    COACHING_LEAD = "coaching_lead", "Coaching lead"


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
    # Seeing every rating round of a system (title, subjects, raters, state, who submitted),
    # not only those one owns or rates in: never anyone's scores.
    RATINGS_ROUNDS_OVERSEE = "ratings.rounds_oversee"
    AUDIT_VIEW = "audit.view"
    # Who supports whom (coach, supervisor, evaluator, mentor): the assignments pages.
    ASSIGNMENTS_VIEW = "assignments.view"
    ASSIGNMENTS_MANAGE = "assignments.manage"
    # Programs and cohorts (aspiring-leader programs, fellowships): their pages, rosters,
    # participant records and dashboards; and their writes (programs, cohorts, participants,
    # the essential-experience checklist, placements).
    PROGRAMS_VIEW = "programs.view"
    PROGRAMS_MANAGE = "programs.manage"
    # A program's and its cohorts' suppressed figures (counts and rates, never names): analysts
    # as well as everyone who may view programs.
    PROGRAMS_FIGURES = "programs.figures"
    # A participant's coach or mentor: open the participant's record and sign off experiences.
    PROGRAMS_SIGN_OFF = "programs.sign_off"
    # A participant's own record (goals, evidence, portfolio link): see OWN_RECORD_ACTIONS.
    PROGRAMS_OWN_RECORD = "programs.own_record"
    # Surveys and assessments (issue 11): the instruments and administrations pages; loading
    # instruments and response files; the impact report's figures (suppressed, never names).
    SURVEYS_VIEW = "surveys.view"
    SURVEYS_MANAGE = "surveys.manage"
    IMPACT_VIEW = "impact.view"
    # The impact report's drill-down to people: a person's pre and post knowledge scores from
    # identified assessments (never an anonymous administration, never individual answers).
    IMPACT_PEOPLE = "impact.people"
    # Sensitive reads (see SENSITIVE_ACTIONS): held only by the roles and relationships that
    # docs/data-model.md's sensitivity table names, never by reflection.
    COACHING_NOTES = "coaching.notes"
    SURVEYS_RESPONSES = "surveys.responses"
    SELECTION_DELIBERATIONS = "selection.deliberations"
    # An interviewer opens the application of the applicant they interview (the `interview`
    # relationship), nothing else of the selection.
    SELECTION_INTERVIEW = "selection.interview"
    # Daily attendance (basic systems): the "this morning" figures of the schools in reach
    # (aggregates, suppressed for viewers who may not open the students behind them), and
    # importing calendars, enrolment windows, attendance and submissions, and the settings.
    ATTENDANCE_VIEW = "attendance.view"
    ATTENDANCE_MANAGE = "attendance.manage"
    # The absent students of a school by name (chronic absence list, family-contact worklist)
    # and logging family contacts: principals at their school, administrators.
    ATTENDANCE_STUDENTS = "attendance.students"
    # Coaching sessions (issue 10): their record (date, length, mode, focus, protocol, next
    # steps), never their notes; held by the coachee's coach, supervisor and evaluator, by system
    # administrators, and by the coachee on their own sessions (OWN_RECORD_ACTIONS).
    COACHING_VIEW = "coaching.view"
    # Logging a session with someone on one's caseload (coaching or supervision assignment).
    COACHING_LOG = "coaching.log"
    # Reading the notes and comments of the sessions a coachee shared: the coachee's supervisor
    # and evaluator only (sensitive: see SENSITIVE_ACTIONS).
    COACHING_SHARED = "coaching.shared"
    # The system's coaching set-up: its protocol library and settings ("not seen in N weeks").
    COACHING_CONFIGURE = "coaching.configure"
    # Evaluation cycles (issue 10): configuring a cycle (stages, deadlines, framework, school
    # year, population). Reading and taking part follow ratings.evaluation (the evaluator
    # chain) and the evaluatee's own record.
    EVALUATIONS_CONFIGURE = "evaluations.configure"
    # A cycle's progress, to run it: who is evaluated by whom, each stage's due date, whether it
    # is done or overdue; never the content (ratings, evidence, goals, notes, self-assessment,
    # response), which stays with the evaluator chain and the evaluatee (ratings.evaluation).
    EVALUATIONS_PROGRESS = "evaluations.progress"
    # Classroom visits (issue 10): a principal logs visits to the teachers of their school;
    # the visits and the instructional-leadership time are read by the principal, their
    # supervisor (caseload) and system administrators.
    VISITS_LOG = "coaching.visits_log"
    VISITS_VIEW = "coaching.visits_view"
    # Everyone's instructional-leadership time at the places a grant reaches (the principals
    # and assistant principals there): district roles. A principal reads only their own, a
    # supervisor their caseload's (VISITS_VIEW through the relationship).
    LEADERSHIP_OVERSEE = "coaching.leadership_oversee"
    # Differentiated support: planned versus delivered coaching dosage (figures per school,
    # supervisor and network, no names); its set-up (flags, tiers, rules, need profiles).
    DOSAGE_VIEW = "coaching.dosage"
    SUPPORT_CONFIGURE = "coaching.support"
    # Professional learning (issue 11): creating and editing PD sessions, taking their
    # attendance, and running learning communities and leadership teams of the places in reach
    # (system administrators and district leaders / the talent office on their system, principals
    # on their school, program managers only through a grant on their program). Seeing and
    # registering for sessions follows each person's audience, not an action.
    LEARNING_MANAGE = "learning.manage"


ALL_ACTIONS = frozenset(
    value for name, value in vars(Action).items() if name.isupper() and value != Action.SIGNED_IN
)


class Relationship(models.TextChoices):
    """Person-to-person relationships that reach one person, whatever the grants' places.

    The assignments app keeps them (supporter → assignee, over time); later capabilities may
    register more (an interviewer or recommender to one applicant).
    """

    COACHING = "coaching", "Coach"
    SUPERVISION = "supervision", "Supervisor"
    EVALUATION = "evaluation", "Evaluator"
    MENTORING = "mentoring", "Mentor"


# A relationship registered by the selection app (not an assignment, so not a Relationship
# choice): an interview panel member → the applicant they interview, while the interview's round
# is open or in consensus.
INTERVIEW = "interview"

# Relationship → actions the supporter may take on the assignee while the relationship is
# active. A coach sees and rates their coachees' progress and reads their coaching notes; a
# supervisor (the principal's evaluator chain) also their evaluation ratings; an evaluator only
# evaluation; a mentor progress.
RELATIONSHIP_POLICY: dict[str, frozenset[str]] = {
    Relationship.COACHING: frozenset(
        {
            Action.PEOPLE_VIEW,
            Action.RATINGS_PROGRESS,
            Action.COACHING_NOTES,
            Action.PROGRAMS_SIGN_OFF,
            Action.COACHING_VIEW,
            Action.COACHING_LOG,
        }
    ),
    # A supervisor coaches their caseload (logs sessions); they read the notes of sessions they
    # did not lead only when the coachee shared them (coaching.shared). The schools their
    # caseload leads: RELATIONSHIP_SCHOOL_POLICY.
    Relationship.SUPERVISION: frozenset(
        {
            Action.PEOPLE_VIEW,
            Action.RATINGS_PROGRESS,
            Action.RATINGS_EVALUATION,
            Action.COACHING_VIEW,
            Action.COACHING_LOG,
            Action.COACHING_SHARED,
            Action.VISITS_VIEW,
        }
    ),
    Relationship.EVALUATION: frozenset(
        {
            Action.PEOPLE_VIEW,
            Action.RATINGS_EVALUATION,
            Action.COACHING_VIEW,
            Action.COACHING_SHARED,
        }
    ),
    Relationship.MENTORING: frozenset(
        {Action.PEOPLE_VIEW, Action.RATINGS_PROGRESS, Action.PROGRAMS_SIGN_OFF}
    ),
    INTERVIEW: frozenset({Action.SELECTION_INTERVIEW}),
}

# Relationship → actions the supporter may take at the schools the assignee leads (holds a
# principal or assistant principal position at, today) while the relationship is active. One
# rule for "a supervisor's schools" (docs/decisions.md, 2026-11-30): the schools of the people on
# their supervision caseload, plus whatever their own grants reach; the school page, attendance
# and dosage all read them from the scope (`Scope.related_school_ids`), the assignments app says
# which schools those are (`trellis.assignments.selectors.supervisor_schools`). Only these
# actions: the schools' staff and students stay where the grants put them.
RELATIONSHIP_SCHOOL_POLICY: dict[str, frozenset[str]] = {
    Relationship.SUPERVISION: frozenset(
        {Action.SCHOOLS_VIEW, Action.ATTENDANCE_VIEW, Action.DOSAGE_VIEW}
    ),
}

# Reads of the sensitive classes (docs/data-model.md, "Sensitive actions"). Each is granted
# only where that table says; tests/test_authz_sensitive.py compares POLICY and
# RELATIONSHIP_POLICY with the table, and installation operators (superusers) do not get them
# from being operators.
SENSITIVE_ACTIONS = frozenset(
    {
        Action.RATINGS_EVALUATION,
        Action.COACHING_NOTES,
        Action.COACHING_SHARED,
        Action.SURVEYS_RESPONSES,
        Action.SELECTION_DELIBERATIONS,
    }
)

# Role → actions it allows within the scope of its grant, listed one by one: a new action
# reaches no role until it is added here.
POLICY: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset(
        {
            Action.SURVEYS_VIEW,
            Action.SURVEYS_MANAGE,
            Action.IMPACT_VIEW,
            Action.IMPACT_PEOPLE,
            Action.SCHOOLS_VIEW,
            Action.SCHOOLS_MANAGE,
            Action.PEOPLE_VIEW,
            Action.PEOPLE_MANAGE,
            Action.STUDENTS_VIEW,
            Action.PARTNERS_VIEW,
            Action.ACCESS_MANAGE,
            Action.ROSTERS_MANAGE,
            Action.FRAMEWORKS_VIEW,
            Action.FRAMEWORKS_MANAGE,
            Action.RATINGS_PROGRESS,
            # Not ratings.evaluation: only the evaluator chain and the evaluatee read an
            # evaluation; administrators follow a cycle's progress (evaluations.progress).
            Action.RATINGS_CONDITIONS,
            Action.RATINGS_SELF_STUDY,
            Action.AUDIT_VIEW,
            Action.RATINGS_ROUNDS,
            Action.RATINGS_ROUNDS_OVERSEE,
            Action.ASSIGNMENTS_VIEW,
            Action.ASSIGNMENTS_MANAGE,
            Action.PROGRAMS_VIEW,
            Action.PROGRAMS_MANAGE,
            Action.PROGRAMS_FIGURES,
            Action.ATTENDANCE_VIEW,
            Action.ATTENDANCE_MANAGE,
            Action.ATTENDANCE_STUDENTS,
            # Sessions' records (dates, modes, next steps) for oversight; never their notes.
            Action.COACHING_VIEW,
            Action.COACHING_CONFIGURE,
            Action.EVALUATIONS_CONFIGURE,
            Action.EVALUATIONS_PROGRESS,
            Action.VISITS_VIEW,
            Action.LEADERSHIP_OVERSEE,
            Action.DOSAGE_VIEW,
            Action.SUPPORT_CONFIGURE,
            Action.LEARNING_MANAGE,
        }
    ),
    Role.DISTRICT_LEADER: frozenset(
        {
            Action.DOSAGE_VIEW,
            Action.LEARNING_MANAGE,
            Action.ATTENDANCE_VIEW,
            Action.SURVEYS_VIEW,
            Action.IMPACT_VIEW,
            Action.IMPACT_PEOPLE,
            Action.SCHOOLS_VIEW,
            Action.PEOPLE_VIEW,
            Action.PARTNERS_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.PROGRAMS_VIEW,
            Action.PROGRAMS_FIGURES,
            Action.RATINGS_SELF_STUDY,
        }
    ),
    Role.PROGRAM_MANAGER: frozenset(
        {
            Action.SURVEYS_VIEW,
            Action.SURVEYS_MANAGE,
            Action.IMPACT_VIEW,
            Action.SCHOOLS_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.FRAMEWORKS_MANAGE,
            Action.RATINGS_ROUNDS,
            Action.ASSIGNMENTS_VIEW,
            Action.ASSIGNMENTS_MANAGE,
            Action.PROGRAMS_VIEW,
            Action.PROGRAMS_MANAGE,
            Action.PROGRAMS_FIGURES,
        }
    ),
    # A supervisor sees the schools and staff of their network (and its attendance and
    # dosage: with their caseload's schools, "a supervisor's schools"); they rate and evaluate
    # only the principals on their caseload (RELATIONSHIP_POLICY).
    Role.SUPERVISOR: frozenset(
        {
            Action.SCHOOLS_VIEW,
            Action.ATTENDANCE_VIEW,
            Action.PEOPLE_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.RATINGS_CONDITIONS,
            Action.RATINGS_ROUNDS,
            Action.ASSIGNMENTS_VIEW,
            Action.ASSIGNMENTS_MANAGE,
            Action.DOSAGE_VIEW,
        }
    ),
    # A coach reaches people only through their coachees (RELATIONSHIP_POLICY).
    Role.COACH: frozenset({Action.SCHOOLS_VIEW, Action.FRAMEWORKS_VIEW}),
    Role.PRINCIPAL: frozenset(
        {
            Action.SCHOOLS_VIEW,
            Action.PEOPLE_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.RATINGS_PROGRESS,
            Action.RATINGS_CONDITIONS,
            Action.ATTENDANCE_VIEW,
            Action.ATTENDANCE_STUDENTS,
            Action.VISITS_LOG,
            Action.VISITS_VIEW,
            Action.LEARNING_MANAGE,
        }
    ),
    Role.TEACHER_LEADER: frozenset({Action.SCHOOLS_VIEW, Action.FRAMEWORKS_VIEW}),
    Role.INTERVIEWER: frozenset(),
    # Partner staff run the partner's programs (a grant on the partner reaches the programs it
    # owns; a grant on a program or cohort reaches that one).
    Role.PARTNER_STAFF: frozenset(
        {
            Action.SURVEYS_VIEW,
            Action.IMPACT_VIEW,
            Action.PARTNERS_VIEW,
            Action.PROGRAMS_VIEW,
            Action.PROGRAMS_MANAGE,
            Action.PROGRAMS_FIGURES,
        }
    ),
    # Analysts read programs' figures (suppressed, never names) where their grant is, and
    # attendance (suppressed) of the schools their grant reaches.
    Role.ANALYST: frozenset(
        {
            Action.SCHOOLS_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.PROGRAMS_FIGURES,
            Action.ATTENDANCE_VIEW,
            Action.SURVEYS_VIEW,
            Action.IMPACT_VIEW,
        }
    ),
    # The committee of a cohort's selection: screening notes, interview scores, deliberations
    # and decisions of that cohort's applications (docs/data-model.md, sensitivity table).
    Role.SELECTION_COMMITTEE: frozenset({Action.SELECTION_DELIBERATIONS}),
    Role.COACHING_LEAD: frozenset(
        {
            Action.SCHOOLS_VIEW,
            Action.FRAMEWORKS_VIEW,
            Action.COACHING_CONFIGURE,
            Action.DOSAGE_VIEW,
        }
    ),
}

# Actions a role holds only through a grant on a program or a cohort, on what that program
# reaches: its program managers and partner staff open their participants' person pages (the
# people app asks the programs app which people those are); a system-wide program manager does
# not thereby see every person of the system.
PROGRAM_NODE_POLICY: dict[str, frozenset[str]] = {
    Role.PROGRAM_MANAGER: frozenset({Action.PEOPLE_VIEW, Action.LEARNING_MANAGE}),
    Role.PARTNER_STAFF: frozenset({Action.PEOPLE_VIEW}),
}


def row_actions(role: str, *, on_program: bool) -> frozenset[str]:
    """What a grant of `role` allows at its node (a program or cohort node adds
    PROGRAM_NODE_POLICY)."""
    actions = POLICY.get(role, frozenset())
    if on_program:
        actions = actions | PROGRAM_NODE_POLICY.get(role, frozenset())
    return actions


# Roles whose holders must have TOTP multi-factor authentication before doing anything.
MFA_REQUIRED_ROLES = frozenset({Role.SYSTEM_ADMIN})
