"""PayOrderSerializer (buy-now input) and the order output shape."""
import re
from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .constants import SUPPORTED_PAY_TYPES, PayChannel, PayType
from .models import Order, OrderDetail

# Alipay refuses these characters in a subject.
_SUBJECT_FORBIDDEN = re.compile(r"[/=&\x00-\x1f\x7f]")


# Plain ASCII digits, at most two decimals: no exponent, sign, spaces or full-width digits.
_AMOUNT = re.compile(r"[0-9]{1,8}(\.[0-9]{1,2})?")


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer and nothing else: no "1", 1.0 or true."""

    def to_internal_value(self, data):
        if type(data) is not int:
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A JSON string and nothing else (CharField would turn 5 into "5")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": r"^[0-9]{1,8}(\.[0-9]{1,2})?$", "example": "99.00"})
class AmountField(serializers.Field):
    """Money on the wire: a decimal string such as "99.00" (at most two places); never a number."""

    default_error_messages = {"invalid": '金额须为最多两位小数的字符串，例如 "99.00"',
                              "min_value": "金额必须大于 0"}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _AMOUNT.fullmatch(data):
            self.fail("invalid")
        value = Decimal(data)
        if value <= 0:
            self.fail("min_value")
        return value

    def to_representation(self, value):
        return f"{value:.2f}"


class PayOrderSerializer(serializers.Serializer):
    """Buy now: {subject, total_amount, pay_type, courses: [ids], channel?}, strictly typed."""

    subject = StrictCharField(max_length=128, trim_whitespace=True)
    total_amount = AmountField()
    pay_type = StrictIntegerField(error_messages={"invalid": "不支持的支付方式"})
    courses = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=2 ** 63 - 1,
                                 error_messages={"invalid": "课程 ID 须为整数"}),
        allow_empty=False, max_length=50, error_messages={"empty": "请选择要购买的课程"})
    # "page": the desktop cashier (default); "wap": Alipay's mobile-web cashier for phones.
    channel = serializers.ChoiceField(choices=PayChannel.choices, default=PayChannel.PAGE,
                                      error_messages={"invalid_choice": '支付渠道须为 "page" 或 "wap"'})

    def validate_subject(self, value):
        if _SUBJECT_FORBIDDEN.search(value):
            raise serializers.ValidationError("订单标题不能包含 / = & 或控制字符")
        return value

    def validate_courses(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("课程不能重复")
        return value

    def validate_pay_type(self, value):
        if value not in SUPPORTED_PAY_TYPES:
            raise serializers.ValidationError("不支持的支付方式")
        return PayType(value)


class OrderLineSerializer(serializers.ModelSerializer):
    course_name = serializers.CharField(source="course.name", read_only=True)
    refunded = serializers.BooleanField(source="is_refunded", read_only=True)

    class Meta:
        model = OrderDetail
        fields = ["course_id", "course_name", "price", "real_price", "refunded", "refund_time"]


class OrderSerializer(serializers.ModelSerializer):
    order_status_display = serializers.CharField(source="get_order_status_display", read_only=True)
    pay_type_display = serializers.CharField(source="get_pay_type_display", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["out_trade_no", "subject", "total_amount", "order_status",
                  "order_status_display", "pay_type", "pay_type_display", "channel", "trade_no",
                  "pay_time", "refund_amount", "refund_time", "created_time", "expire_time", "lines"]
        read_only_fields = fields


class PayResultSerializer(serializers.Serializer):
    """Buy-now's answer, in the envelope."""

    status = serializers.IntegerField()
    msg = serializers.CharField()
    out_trade_no = serializers.CharField()
    pay_url = serializers.URLField()
