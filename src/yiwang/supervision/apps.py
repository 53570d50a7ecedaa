from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "yiwang.supervision"
    verbose_name = _("电子监察")

    def ready(self) -> None:
        from yiwang.supervision import subscribers

        subscribers.register()
