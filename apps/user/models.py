"""The custom User model: Django's user plus a telephone number and a folded username key."""
import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

telephone_validator = RegexValidator(r"^1[3-9]\d{9}$", "请输入11位手机号")
USERNAME_TAKEN = "该用户名已被注册"


def username_key(username) -> str:
    """What makes two usernames the same: NFKC, then case folded (ＳＴＵＤＥＮＴ = Student = student)."""
    folded = unicodedata.normalize("NFKC", str(username or "")).casefold()
    return unicodedata.normalize("NFKC", folded)


class LuffyUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Log in as "Student" or "ｓｔｕｄｅｎｔ": one account per folded name.
        return self.get(username_key=username_key(username))


class User(AbstractUser):
    """A student (or staff member) of the shop."""

    telephone = models.CharField("手机号", max_length=11, unique=True, null=True, blank=True,
                                 validators=[telephone_validator])
    # Unique in the database, so no race and no case or width variant gets a second account.
    username_key = models.CharField("用户名（归一化）", max_length=255, unique=True,
                                    editable=False)

    objects = LuffyUserManager()

    class Meta:
        db_table = "luffy_user"
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def clean(self):
        super().clean()
        taken = User.objects.filter(username_key=username_key(self.username)).exclude(pk=self.pk)
        if taken.exists():
            raise ValidationError({"username": USERNAME_TAKEN})

    def save(self, *args, **kwargs):
        self.username_key = username_key(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
        super().save(*args, **kwargs)
