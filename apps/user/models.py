"""The custom User model: Django's user plus a telephone number."""
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models

telephone_validator = RegexValidator(r"^1[3-9]\d{9}$", "请输入11位手机号")


class User(AbstractUser):
    """A student (or staff member) of the shop."""

    telephone = models.CharField("手机号", max_length=11, unique=True, null=True, blank=True,
                                 validators=[telephone_validator])

    class Meta:
        db_table = "luffy_user"
        verbose_name = "用户"
        verbose_name_plural = "用户"
