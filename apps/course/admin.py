"""Admin for courses."""
from django.contrib import admin

from .models import Course, UserCourse


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "level", "lessons", "teacher", "is_on_sale", "display_order"]
    list_filter = ["is_on_sale", "level"]
    list_editable = ["is_on_sale", "display_order"]
    search_fields = ["name", "teacher"]


@admin.register(UserCourse)
class UserCourseAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "order", "created_time"]
    list_select_related = ["user", "course", "order"]
    search_fields = ["user__username", "course__name", "order__out_trade_no"]
    raw_id_fields = ["user", "course", "order"]
