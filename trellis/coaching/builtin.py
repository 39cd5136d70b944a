"""The built-in coaching protocols every system reads (read-only; a system adds its own).

Migration 0002 installs them in a new installation; `services.builtin_protocols_install` puts
back any that are missing (the demo and the tests, whose transactional cases empty the tables).
"""

BUILTIN = [
    (
        "Plan, do, study, act",
        "A short improvement cycle on one problem of practice, reviewed at the next session.",
        "Name the problem of practice and the evidence for it\n"
        "Plan one change and how its effect will be seen\n"
        "Agree what the leader will do before the next session\n"
        "Study the evidence together\n"
        "Decide: adopt, adapt or abandon",
    ),
    (
        "Looking at student work",
        "Leader and coach look at a set of student work against the standard it was set for.",
        "Read the task and the standard\n"
        "Sort the work: meets, approaching, not yet\n"
        "Name what students who met it did\n"
        "Name the next instructional move\n"
        "Agree the follow-up with the teacher team",
    ),
    (
        "Observation and feedback debrief",
        "After a walkthrough or observation: praise, probe, one action step, practise it.",
        "Precise praise: what worked and why\n"
        "Probe: a question that surfaces the gap\n"
        "Name one high-leverage action step\n"
        "Plan and practise the step\n"
        "Set a date to see it again",
    ),
    (
        "Consultancy",
        "A dilemma the leader brings, explored through clarifying and probing questions.",
        "The leader frames the dilemma and a focus question\n"
        "Clarifying questions\n"
        "Probing questions\n"
        "Coach reflects back what was heard\n"
        "The leader names what they will try",
    ),
]
