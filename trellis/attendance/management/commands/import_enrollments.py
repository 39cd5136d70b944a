from trellis.attendance.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "Import school enrolment windows (CSV student,school,entry_date,exit_date) "
        "through the import pipeline (the run is in the system's import "
        "history). The same file again changes nothing. Exits with status 1 when the file is "
        "refused (then nothing is written)."
    )
    kind = "enrollments"
