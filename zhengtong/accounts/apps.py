from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "zhengtong.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from zhengtong.accounts.middleware import remember_on_login

        user_logged_in.connect(remember_on_login, dispatch_uid="zhengtong.accounts.remember_on_login")
