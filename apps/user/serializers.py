"""Input and output shapes of the user API."""
from confusable_homoglyphs import confusables
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .models import USERNAME_TAKEN, User, username_key

# Han characters may sit beside any one other script (张san); two alphabets may not (ѕtudent).
SCRIPTS_ALLOWED_BESIDE_OTHERS = ["COMMON", "HAN"]


class RegisterSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, min_length=8, max_length=128,
                                     style={"input_type": "password"})
    telephone = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                      max_length=11)

    class Meta:
        model = User
        fields = ["id", "username", "password", "telephone"]
        read_only_fields = ["id"]
        # Uniqueness is checked on the folded name (validate_username), one message everywhere.
        extra_kwargs = {"username": {"validators": [UnicodeUsernameValidator()]}}

    def validate_username(self, value):
        """NFKC as Django stores it; one script; unique after case folding."""
        value = User.normalize_username(value)
        if confusables.is_mixed_script(value, allowed_aliases=SCRIPTS_ALLOWED_BESIDE_OTHERS):
            raise serializers.ValidationError("用户名不能混用不同的字母（如拉丁字母与西里尔字母）")
        key = username_key(value)
        if len(key) > User._meta.get_field("username_key").max_length:
            raise serializers.ValidationError("用户名过长")
        if User.objects.filter(username_key=key).exists():
            raise serializers.ValidationError(USERNAME_TAKEN)
        return value

    def validate_telephone(self, value):
        if not value:
            return None
        User._meta.get_field("telephone").run_validators(value)
        if User.objects.filter(telephone=value).exists():
            raise serializers.ValidationError("该手机号已注册")
        return value

    def validate(self, attrs):
        candidate = User(username=attrs.get("username"))
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as exc:  # re-raise on the field, in DRF's shape
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class UserOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "telephone"]


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(min_length=1, max_length=150)
    password = serializers.CharField(min_length=1, max_length=128,
                                     style={"input_type": "password"})


class TokenRefreshInSerializer(serializers.Serializer):
    # Not trimmed: any non-empty string is a token to check (a wrong one is a 401).
    refresh = serializers.CharField(min_length=1, max_length=2000, trim_whitespace=False)
