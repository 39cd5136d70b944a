from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "trellis.ratings"
    label = "ratings"
