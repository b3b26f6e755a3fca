"""Input and output shapes of the user API."""
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .models import User


class RegisterSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, min_length=8, max_length=128,
                                     style={"input_type": "password"})
    telephone = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                      max_length=11)

    class Meta:
        model = User
        fields = ["id", "username", "password", "telephone"]
        read_only_fields = ["id"]

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
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenRefreshInSerializer(serializers.Serializer):
    refresh = serializers.CharField()
