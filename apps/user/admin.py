"""Admin for users."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class LuffyUserAdmin(UserAdmin):
    list_display = ["username", "telephone", "email", "is_staff", "date_joined"]
    search_fields = ["username", "telephone", "email"]
    fieldsets = UserAdmin.fieldsets + (("联系方式", {"fields": ["telephone"]}),)
