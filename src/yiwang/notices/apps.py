from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "yiwang.notices"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from yiwang.notices import subscribers

        subscribers.register()
