from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "trellis.core"
    label = "core"

    def ready(self) -> None:
        # Each app's panels.py registers its home-page panels, figures and audit formatters
        # (trellis.core.panels), and its providers.py (where it has one) the figures it offers
        # other apps by name (trellis.core.providers); core finds them without importing any
        # app by name.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("panels")
        autodiscover_modules("providers")
