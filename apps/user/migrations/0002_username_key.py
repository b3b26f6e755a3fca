"""Usernames unique after NFKC and case folding: a folded key column with a unique index."""
import unicodedata

import apps.user.models
from django.db import migrations, models


def fill_keys(apps, schema_editor):
    User = apps.get_model("user", "User")
    for user in User.objects.only("pk", "username"):
        folded = unicodedata.normalize("NFKC", user.username).casefold()
        User.objects.filter(pk=user.pk).update(username_key=unicodedata.normalize("NFKC", folded))


class Migration(migrations.Migration):

    dependencies = [("user", "0001_initial")]

    operations = [
        migrations.AlterModelManagers(
            name="user", managers=[("objects", apps.user.models.LuffyUserManager())]),
        migrations.AddField(
            model_name="user", name="username_key",
            field=models.CharField(editable=False, max_length=255, null=True,
                                   verbose_name="用户名（归一化）")),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user", name="username_key",
            field=models.CharField(editable=False, max_length=255, unique=True,
                                   verbose_name="用户名（归一化）")),
    ]
