"""Built-in framework templates, written for Trellis (no licensed standards text is copied).

- A school leadership framework in the shape APS describes: five domains, 22 competencies,
  four named levels with a descriptor for each competency at each level.
- The school-conditions scale: four dimensions on a 4-point scale (target 3.0).
- The success-factors rubric: criteria by three levels, from less effective practice to success
  factor.
- A teacher-leader competency model: four domains, 12 competencies, four levels.

Descriptors follow one plan per level so that a level means the same thing on every row:
Beginning (not yet, or only when prompted), Developing (beginning to, with support), Proficient
(consistently, with evidence of effect), Exemplary (leading others to, across the school).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

NAMESPACE = uuid.UUID("1c0f3c52-55e4-4d39-9a57-3f1f0b8b4a61")


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    kind: str
    subject_kind: str
    levels: tuple[tuple[str, float], ...]
    # (code, statement, children: (code, statement, descriptors by level))
    domains: tuple[tuple[str, str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...]
    description: str = ""

    def identifier(self, *parts: str) -> str:
        return str(uuid.uuid5(NAMESPACE, "|".join((self.key, *parts))))


FOUR = (("Beginning", 1.0), ("Developing", 2.0), ("Proficient", 3.0), ("Exemplary", 4.0))


def _four(practice: str, effect: str) -> tuple[str, ...]:
    return (
        f"Does not yet {practice}, or does so only when prompted; {effect} is not yet visible.",
        f"Is beginning to {practice}, with support; {effect} shows in some places but not others.",
        f"Can {practice} consistently and without prompting; {effect} is evident and is "
        "checked against data.",
        f"Leads others to {practice} across the school and beyond; {effect} is sustained and "
        "shared.",
    )


def _competencies(
    domain: str, rows: tuple[tuple[str, str, str], ...]
) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple(
        (f"{domain}.{index}", statement, _four(practice, effect))
        for index, (statement, practice, effect) in enumerate(rows, start=1)
    )


LEADERSHIP = Template(
    key="leadership",
    title="School Leadership Framework (Trellis template)",
    kind="leadership",
    subject_kind="person",
    levels=FOUR,
    description="Competencies of school leaders, from aspiring assistant principal to principal.",
    domains=(
        (
            "1",
            "Vision, mission and culture",
            _competencies(
                "1",
                (
                    (
                        "Builds a shared vision of high expectations for every student",
                        "engage staff, students and families in a shared vision of high expectations",
                        "a vision that staff can state and act on",
                    ),
                    (
                        "Cultivates a safe, inclusive and supportive school culture",
                        "shape routines and relationships that make every student feel safe and known",
                        "a culture students and staff describe as safe and inclusive",
                    ),
                    (
                        "Leads for equity",
                        "use data by student group to find and remove barriers to learning",
                        "narrowing gaps between groups of students",
                    ),
                    (
                        "Communicates with purpose",
                        "communicate priorities clearly and listen to staff, students and families",
                        "shared understanding of the school's priorities",
                    ),
                ),
            ),
        ),
        (
            "2",
            "Instructional leadership",
            _competencies(
                "2",
                (
                    (
                        "Ensures standards-aligned curriculum and assessment",
                        "make sure every classroom teaches to standards with aligned assessments",
                        "instruction and assessment matched to the standards",
                    ),
                    (
                        "Observes instruction and gives actionable feedback",
                        "spend time in classrooms each week and give specific, timely feedback",
                        "changes in practice that follow the feedback",
                    ),
                    (
                        "Uses data to monitor and improve learning",
                        "lead regular cycles of looking at student work and assessment data",
                        "instructional decisions grounded in evidence of learning",
                    ),
                    (
                        "Leads professional learning tied to student needs",
                        "plan professional learning from what students need and check that it is used",
                        "new practice visible in classrooms",
                    ),
                    (
                        "Builds collaborative instructional teams",
                        "give teams protected time, clear protocols and a focus on student learning",
                        "teams that improve their own instruction",
                    ),
                ),
            ),
        ),
        (
            "3",
            "Talent and distributed leadership",
            _competencies(
                "3",
                (
                    (
                        "Recruits and selects strong staff",
                        "recruit and select staff against clear criteria tied to student needs",
                        "strong hires who stay",
                    ),
                    (
                        "Develops teacher leaders",
                        "identify, develop and give real responsibility to teacher leaders",
                        "teacher leaders who lead improvement in their teams",
                    ),
                    (
                        "Coaches and evaluates fairly",
                        "use the evaluation cycle to coach growth and to address persistent problems",
                        "staff growth that the evaluation record shows",
                    ),
                    (
                        "Distributes leadership through an instructional leadership team",
                        "run an instructional leadership team that makes and follows through on decisions",
                        "decisions carried out by the team, not only by the principal",
                    ),
                ),
            ),
        ),
        (
            "4",
            "Operations and resources",
            _competencies(
                "4",
                (
                    (
                        "Runs reliable basic systems",
                        "keep attendance, scheduling and safety systems running every day",
                        "systems that work without daily rescue",
                    ),
                    (
                        "Aligns budget and time to priorities",
                        "put money, staff time and schedules behind the school's priorities",
                        "resources visibly matched to priorities",
                    ),
                    (
                        "Monitors attendance and engages families about absence",
                        "watch daily attendance and see that families are called when students miss school",
                        "falling chronic absence",
                    ),
                    (
                        "Manages change and continuous improvement",
                        "lead improvement cycles with a clear problem, measure, target and milestones",
                        "improvement projects that reach their targets",
                    ),
                ),
            ),
        ),
        (
            "5",
            "Family, community and personal leadership",
            _competencies(
                "5",
                (
                    (
                        "Partners with families and the community",
                        "treat families and community partners as partners in students' learning",
                        "families involved in decisions about their children",
                    ),
                    (
                        "Practises reflective, ethical leadership",
                        "seek feedback, reflect on results and act with integrity",
                        "trust in the leader across the school community",
                    ),
                    (
                        "Learns continuously",
                        "set personal learning goals and pursue them through coaching and study",
                        "growth in the leader's own practice",
                    ),
                    (
                        "Manages self and sustains effort",
                        "manage time and energy so the work stays on the priorities",
                        "a pace the leader and staff can sustain",
                    ),
                    (
                        "Advocates for students and the school",
                        "advocate for students' needs with the district and partners",
                        "resources and support secured for students",
                    ),
                ),
            ),
        ),
    ),
)

CONDITIONS = Template(
    key="conditions",
    title="School Conditions Scale (Trellis template)",
    kind="conditions",
    subject_kind="school",
    levels=(("Not in place", 1.0), ("Emerging", 2.0), ("In place", 3.0), ("Strong", 4.0)),
    description="Four conditions for teacher and leader learning, rated 1 to 4; target 3.0.",
    domains=(
        (
            "C",
            "Conditions for professional learning",
            (
                (
                    "C.1",
                    "Adequate time for collaboration",
                    (
                        "Teachers have no regular, protected time to plan and learn together.",
                        "Collaborative time exists but is often cancelled or used for other business.",
                        "Teams meet weekly in protected time focused on instruction.",
                        "Collaborative time is protected, well used and adjusted to team needs.",
                    ),
                ),
                (
                    "C.2",
                    "Diverse and distributed instructional leadership",
                    (
                        "Instructional decisions rest with one or two people.",
                        "A few teacher leaders hold roles, with little authority or time.",
                        "Teacher leaders across content areas lead teams with real authority.",
                        "Leadership is shared across roles and content areas and reflects the staff.",
                    ),
                ),
                (
                    "C.3",
                    "Standards-aligned curriculum and assessments",
                    (
                        "Curriculum and assessments are not aligned to the standards.",
                        "Alignment exists in some grades or subjects.",
                        "Curriculum and common assessments are aligned in all core subjects.",
                        "Aligned materials are used well and refined from student results.",
                    ),
                ),
                (
                    "C.4",
                    "Limited, clear priorities",
                    (
                        "The school pursues many initiatives with no clear priorities.",
                        "Priorities are named but compete with other initiatives.",
                        "A few priorities guide decisions about time and resources.",
                        "Staff can state the priorities and see them reflected in every decision.",
                    ),
                ),
            ),
        ),
    ),
)

SUCCESS_FACTORS = Template(
    key="success-factors",
    title="System Success Factors Rubric (Trellis template)",
    kind="success_factors",
    subject_kind="system",
    levels=(("Less effective practice", 1.0), ("Transitional", 2.0), ("Success factor", 3.0)),
    description="How a school system supports leaders and teachers, from less effective "
    "practice to success factor.",
    domains=(
        (
            "S",
            "System practices",
            (
                (
                    "S.1",
                    "School leaders as instructional leaders",
                    (
                        "Principals are managers of buildings; instruction is left to teachers.",
                        "Principals are expected to lead instruction but get little time or support.",
                        "Principals spend regular time on instruction and are supported and held "
                        "accountable for it.",
                    ),
                ),
                (
                    "S.2",
                    "Cultivating leadership",
                    (
                        "Leaders are chosen when vacancies arise, from whoever applies.",
                        "Some aspiring-leader programs exist without a clear link to vacancies.",
                        "The system grows leaders through selective programs tied to expected "
                        "vacancies and its leadership standards.",
                    ),
                ),
                (
                    "S.3",
                    "Professional development",
                    (
                        "Professional development is one-off workshops chosen centrally.",
                        "Some professional learning is ongoing, with uneven follow-up.",
                        "Professional learning is job-embedded, sustained and measured by its effect "
                        "on practice and students.",
                    ),
                ),
                (
                    "S.4",
                    "Use of data",
                    (
                        "Data is collected for compliance and rarely used.",
                        "Data is reviewed at the system level but seldom reaches schools in time.",
                        "Leaders and teachers use timely data to adjust instruction and support.",
                    ),
                ),
                (
                    "S.5",
                    "Supervision of principals",
                    (
                        "Principal supervisors monitor compliance across large caseloads.",
                        "Supervisors visit schools but coaching is irregular.",
                        "Supervisors with manageable caseloads coach principals on instruction.",
                    ),
                ),
            ),
        ),
    ),
)

TEACHER_LEADERSHIP = Template(
    key="teacher-leadership",
    title="Teacher Leader Competency Model (Trellis template)",
    kind="teacher_leadership",
    subject_kind="person",
    levels=FOUR,
    description="Competencies of teacher leaders: model teachers, content leads, mentors, "
    "instructional coaches.",
    domains=(
        (
            "T1",
            "Instructional expertise",
            _competencies(
                "T1",
                (
                    (
                        "Models strong instruction",
                        "teach lessons that colleagues can observe as examples of strong practice",
                        "colleagues adopting the practice",
                    ),
                    (
                        "Analyses student work with colleagues",
                        "lead colleagues in looking closely at student work against the standards",
                        "shared expectations for student work",
                    ),
                    (
                        "Adapts instruction for all learners",
                        "plan with colleagues for the students who need the most support",
                        "progress of those students",
                    ),
                ),
            ),
        ),
        (
            "T2",
            "Leading adult learning",
            _competencies(
                "T2",
                (
                    (
                        "Facilitates collaborative team meetings",
                        "facilitate team meetings with protocols, agendas and next steps",
                        "meetings that end in decisions and follow-through",
                    ),
                    (
                        "Coaches and mentors colleagues",
                        "coach and mentor colleagues through cycles of observation and feedback",
                        "growth in the coached teachers' practice",
                    ),
                    (
                        "Designs professional learning",
                        "design learning sessions for colleagues from student needs",
                        "use of the new practice in classrooms",
                    ),
                ),
            ),
        ),
        (
            "T3",
            "Using data for improvement",
            _competencies(
                "T3",
                (
                    (
                        "Uses assessment data to plan",
                        "use common assessment results to plan reteaching with the team",
                        "gains on the next assessment",
                    ),
                    (
                        "Leads an improvement cycle",
                        "lead a cycle with a clear problem, measure, baseline and target",
                        "the cycle reaching its target",
                    ),
                    (
                        "Monitors progress toward goals",
                        "track the team's progress toward its goals and adjust",
                        "goals met or revised on evidence",
                    ),
                ),
            ),
        ),
        (
            "T4",
            "Collaboration and influence",
            _competencies(
                "T4",
                (
                    (
                        "Builds trusting relationships",
                        "build trust with colleagues across roles and experience",
                        "colleagues seeking the teacher leader out",
                    ),
                    (
                        "Communicates with school leaders",
                        "carry the team's needs and results to school leaders",
                        "decisions informed by the team",
                    ),
                    (
                        "Advances a culture of high expectations",
                        "hold and voice high expectations for every student",
                        "high expectations shared across the team",
                    ),
                ),
            ),
        ),
    ),
)

TEMPLATES = (LEADERSHIP, CONDITIONS, SUCCESS_FACTORS, TEACHER_LEADERSHIP)
