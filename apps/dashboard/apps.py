from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "apps.dashboard"
    label = "dashboard"
    verbose_name = "运营看板"

    def ready(self):
        from django.contrib import admin

        # The admin's home page links the sales dashboard (for staff who may view orders).
        admin.site.index_template = "admin/dashboard/index.html"
