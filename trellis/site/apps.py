from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The pages that belong to no one app: the home page (composed from the apps' panels),
    the audit log and the health check. It sits above the domain apps and may use any of them
    through their selectors; no app imports it."""

    name = "trellis.site"
    label = "trellis_site"
