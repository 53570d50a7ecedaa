from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "yiwang.licences"
    verbose_name = _("电子证照")

    def ready(self) -> None:
        from yiwang.licences import checks, subscribers  # noqa: F401 (checks register themselves)

        subscribers.register()
