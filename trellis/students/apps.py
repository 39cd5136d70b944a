from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "trellis.students"
    label = "students"
