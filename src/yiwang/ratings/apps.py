from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "yiwang.ratings"
    verbose_name = _("好差评")

    def ready(self) -> None:
        from yiwang.ratings import subscribers

        subscribers.register()
