from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "trellis.attendance"
    label = "attendance"
    verbose_name = "Attendance (basic systems)"

    def ready(self) -> None:
        from trellis.attendance.import_kinds import register_kinds

        register_kinds()
