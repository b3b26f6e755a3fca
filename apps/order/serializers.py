"""PayOrderSerializer (buy-now input) and the order output shape."""
import re
from decimal import Decimal

from rest_framework import serializers

from .constants import SUPPORTED_PAY_TYPES, PayType
from .models import Order, OrderDetail

# Alipay refuses these characters in a subject.
_SUBJECT_FORBIDDEN = re.compile(r"[/=&\x00-\x1f\x7f]")


class PayOrderSerializer(serializers.Serializer):
    """Buy now: {subject, total_amount, pay_type, courses: [ids]}."""

    subject = serializers.CharField(max_length=128, trim_whitespace=True)
    total_amount = serializers.DecimalField(max_digits=10, decimal_places=2,
                                            min_value=Decimal("0.01"))
    pay_type = serializers.ChoiceField(
        choices=[(p.value, p.label) for p in SUPPORTED_PAY_TYPES],
        error_messages={"invalid_choice": "不支持的支付方式"})
    courses = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2 ** 63 - 1),
                                    allow_empty=False, max_length=50,
                                    error_messages={"empty": "请选择要购买的课程"})

    def validate_subject(self, value):
        if _SUBJECT_FORBIDDEN.search(value):
            raise serializers.ValidationError("订单标题不能包含 / = & 或控制字符")
        return value

    def validate_courses(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("课程不能重复")
        return value

    def validate_pay_type(self, value):
        return PayType(int(value))


class OrderLineSerializer(serializers.ModelSerializer):
    course_name = serializers.CharField(source="course.name", read_only=True)

    class Meta:
        model = OrderDetail
        fields = ["course_id", "course_name", "price", "real_price"]


class OrderSerializer(serializers.ModelSerializer):
    order_status_display = serializers.CharField(source="get_order_status_display", read_only=True)
    pay_type_display = serializers.CharField(source="get_pay_type_display", read_only=True)
    lines = OrderLineSerializer(source="order_courses", many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["out_trade_no", "subject", "total_amount", "order_status",
                  "order_status_display", "pay_type", "pay_type_display", "trade_no", "pay_time",
                  "created_time", "expire_time", "lines"]
        read_only_fields = fields


class PayResultSerializer(serializers.Serializer):
    out_trade_no = serializers.CharField()
    pay_url = serializers.URLField()
