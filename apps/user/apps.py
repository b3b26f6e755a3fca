"""App config for users."""
from django.apps import AppConfig


class UserConfig(AppConfig):
    name = "apps.user"
    label = "user"
    verbose_name = "用户"

    def ready(self):
        from . import schema  # noqa: F401  registers the OpenAPI auth extension
