from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yiwang.accounts"
    label = "accounts"
    verbose_name = "统一身份认证"

    def ready(self) -> None:
        from yiwang.accounts import staffing
        from yiwang.accounts.tasks import purge_login_counters
        from yiwang.core import schedule

        staffing.connect()
        schedule.every("accounts.purge_login_counters", 3600, purge_login_counters)
