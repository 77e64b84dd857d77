from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts and API tokens"

    def ready(self):
        from . import schema  # noqa: F401  (registers the schema extension)


class OTPAdminConfig(admin_apps.AdminConfig):
    """The admin, with its default site asking staff for a one-time code."""

    default = False
    default_site = "accounts.admin_site.OTPAdminSite"
