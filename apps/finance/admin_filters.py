"""The order list's "has an open statement mismatch" filter (used by apps.order's admin)."""
from django.contrib import admin

from .constants import MismatchStatus


class OpenStatementMismatchFilter(admin.SimpleListFilter):
    title = "对账差异"
    parameter_name = "statement_mismatch"

    def lookups(self, request, model_admin):
        return [("open", "有未处理的对账差异")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(
                statement_mismatches__status=MismatchStatus.OPEN).distinct()
        return queryset
