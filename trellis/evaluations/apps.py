from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "trellis.evaluations"
    label = "evaluations"
    verbose_name = "Evaluation cycles"
