"""The built-in instruments, written by us and shared read-only by every system (system = NULL).

They are installed by migration 0002 and by `instruments_install()` (safe to repeat). Each item
is (code, text, scale, subscale, reverse).
"""

from __future__ import annotations

from dataclasses import dataclass

# The four conditions dimensions (as the built-in School Conditions Scale framework names them).
TIME = "Adequate time for collaboration"
LEADERSHIP = "Diverse and distributed instructional leadership"
CURRICULUM = "Standards-aligned curriculum and assessments"
PRIORITIES = "Limited, clear priorities"
# In the order the consensus form asks them (a leadership team rates each from 1 to 4).
CONDITIONS_DIMENSIONS = (TIME, LEADERSHIP, CURRICULUM, PRIORITIES)


@dataclass(frozen=True)
class BuiltinInstrument:
    code: str
    title: str
    measures: str
    items: tuple[tuple[str, str, str, str, bool], ...]


CONDITIONS = BuiltinInstrument(
    code="school-conditions",
    title="School Conditions Survey",
    measures="conditions",
    items=(
        (
            "T1",
            "Teachers have regular, protected time to plan and learn together.",
            "agree4",
            TIME,
            False,
        ),
        (
            "T2",
            "Our collaborative time is often cancelled or used for other business.",
            "agree4",
            TIME,
            True,
        ),
        ("T3", "Team meetings focus on students' work and instruction.", "agree4", TIME, False),
        (
            "L1",
            "Teacher leaders in several content areas lead teams with real authority.",
            "agree4",
            LEADERSHIP,
            False,
        ),
        ("L2", "Instructional decisions rest with one or two people.", "agree4", LEADERSHIP, True),
        ("L3", "Leadership roles reflect the staff of the school.", "agree4", LEADERSHIP, False),
        ("C1", "Our curriculum is aligned to the standards.", "agree4", CURRICULUM, False),
        (
            "C2",
            "Our assessments tell us whether students met the standards.",
            "agree4",
            CURRICULUM,
            False,
        ),
        (
            "C3",
            "Teachers adapt the curriculum without lowering its demands.",
            "agree4",
            CURRICULUM,
            False,
        ),
        (
            "P1",
            "The school has a few priorities that everyone can name.",
            "agree4",
            PRIORITIES,
            False,
        ),
        ("P2", "New initiatives are added every few months.", "agree4", PRIORITIES, True),
        ("P3", "Our priorities guide how time and money are spent.", "agree4", PRIORITIES, False),
    ),
)

SATISFACTION = BuiltinInstrument(
    code="pd-satisfaction",
    title="Professional Learning Satisfaction",
    measures="satisfaction",
    items=(
        ("S1", "The session was relevant to my work.", "likert5", "", False),
        ("S2", "I will use what I learned in my classroom or school.", "likert5", "", False),
        ("S3", "The facilitator modelled the practices taught.", "likert5", "", False),
        ("S4", "The time was well used.", "likert5", "", False),
        ("S5", "What would make this session more useful?", "text", "", False),
    ),
)

BELIEFS = BuiltinInstrument(
    code="problematic-beliefs",
    title="Beliefs About Students and Learning",
    measures="beliefs",
    items=(
        ("B1", "Some students are not capable of grade-level work.", "agree4", "", False),
        (
            "B2",
            "Struggling students need easier work before they can try grade-level tasks.",
            "agree4",
            "",
            False,
        ),
        (
            "B3",
            "A student's background largely decides how much they can learn.",
            "agree4",
            "",
            False,
        ),
        (
            "B4",
            "Every student can reach grade-level standards with the right support.",
            "agree4",
            "",
            True,
        ),
    ),
)

KNOWLEDGE = BuiltinInstrument(
    code="knowledge-template",
    title="Content Knowledge Assessment (template)",
    measures="knowledge",
    items=(
        ("ELA1", "Identifies the text-dependent question among four.", "correct01", "ELA", False),
        ("ELA2", "Chooses the complex text appropriate for the grade.", "correct01", "ELA", False),
        ("ELA3", "Names the standard a writing task assesses.", "correct01", "ELA", False),
        ("ELA4", "Sequences scaffolds that keep the text's demands.", "correct01", "ELA", False),
        (
            "M1",
            "Identifies the conceptual understanding a task builds.",
            "correct01",
            "Math",
            False,
        ),
        (
            "M2",
            "Chooses the representation that connects to the procedure.",
            "correct01",
            "Math",
            False,
        ),
        ("M3", "Spots the student misconception in a worked example.", "correct01", "Math", False),
        ("M4", "Names the coherence link to the previous grade.", "correct01", "Math", False),
    ),
)

INSTRUMENTS = (CONDITIONS, SATISFACTION, BELIEFS, KNOWLEDGE)
