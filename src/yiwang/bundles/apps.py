from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    name = "yiwang.bundles"
    verbose_name = _("一件事一次办")

    def ready(self) -> None:
        from yiwang.bundles import subscribers

        subscribers.register()
