"""PayOrderSerializer (buy-now input), the order output shape and the pay methods on offer."""
import re
from decimal import Decimal

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lib.al_pay.times import format_amount

from . import providers
from .constants import OrderStatus, PayChannel, PayType
from .models import Order, OrderDetail

# Alipay refuses these characters in a subject.
_SUBJECT_FORBIDDEN = re.compile(r"[/=&\x00-\x1f\x7f]")


# Plain ASCII digits, at most two decimals: no exponent, sign, spaces or full-width digits.
_AMOUNT = re.compile(r"[0-9]{1,8}(\.[0-9]{1,2})?")
# What the schema says of the input is what the validators enforce, so schema-valid input is
# accepted (schemathesis checks it): a subject with something besides white space and none of
# Alipay's forbidden characters; an amount above zero; at most MAX_COURSES distinct courses.
SUBJECT_MAX_LENGTH = 128
MAX_COURSES = 50
_SUBJECT_SCHEMA = {"type": "string", "minLength": 1, "maxLength": SUBJECT_MAX_LENGTH,
                   "pattern": r"^[^/=&\x00-\x1f\x7f]*[^/=&\s\x00-\x1f\x7f][^/=&\x00-\x1f\x7f]*$",
                   "example": "Python 全栈开发"}
_AMOUNT_SCHEMA = {"type": "string", "pattern": r"^(?=[0-9.]*[1-9])[0-9]{1,8}(\.[0-9]{1,2})?$",
                  "example": "99.00"}


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


@extend_schema_field(_AMOUNT_SCHEMA)
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


@extend_schema_field(_SUBJECT_SCHEMA)
class SubjectField(StrictCharField):
    """An order's subject: trimmed, not blank, none of the characters Alipay refuses."""


def _configured_pay_types() -> list[int]:
    """The enabled pay types as the schema publishes them: the registry validate_pay_type asks."""
    return [int(pay_type) for pay_type in providers.enabled()]


class PayTypeField(StrictIntegerField):
    """A JSON integer naming an enabled payment method (its schema: PayTypeFieldSchema)."""


class PayTypeFieldSchema(OpenApiSerializerFieldExtension):
    """pay_type's enum: the pay types enabled when the schema is generated.

    Read on each generation, not once at import (the settings of the process that first
    imported this module): the same in a running site, whose settings do not change, and true
    in a test that turns a provider on, as buy-now's oneOf below already was.
    """

    target_class = PayTypeField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "integer", "enum": _configured_pay_types()}


@extend_schema_field({"type": "string", "enum": [c.value for c in PayChannel]})
class ChannelField(StrictCharField):
    """The provider's cashier: Alipay "page"/"wap", WeChat "native"/"h5"; default its first."""


@extend_schema_field({"type": "array", "minItems": 1, "maxItems": MAX_COURSES, "uniqueItems": True,
                     "items": {"type": "integer", "minimum": 1, "maximum": 2 ** 63 - 1}})
class CourseIdsField(serializers.ListField):
    """One or more distinct course ids (JSON integers)."""


class PayOrderSerializer(serializers.Serializer):
    """Buy now: {subject, total_amount, pay_type, courses: [ids], channel?}, strictly typed."""

    subject = SubjectField(max_length=SUBJECT_MAX_LENGTH, trim_whitespace=True)
    total_amount = AmountField()
    pay_type = PayTypeField(error_messages={"invalid": "不支持的支付方式"})
    courses = CourseIdsField(
        child=StrictIntegerField(min_value=1, max_value=2 ** 63 - 1,
                                 error_messages={"invalid": "课程 ID 须为整数"}),
        allow_empty=False, max_length=MAX_COURSES, error_messages={"empty": "请选择要购买的课程"})
    # Alipay: "page" (desktop, default) or "wap" (phones); WeChat: "native" (a QR code on a
    # desktop, default) or "h5" (phone browsers). Which ones a pay type takes: validate().
    channel = ChannelField(required=False, default=None, allow_null=False)

    @property
    def fields(self):
        """The declared fields, built once per process and shared by every instance.

        DRF deep-copies the declarations for each serializer (ListField re-creating its child):
        ~10 % of a buy-now's CPU. These fields keep no per-request state (no instance, no
        context, nothing written during validation), so sharing them is safe, threads included.
        """
        shared = type(self).__dict__.get("_shared_fields")
        if shared is None:
            shared = super().fields
            type(self)._shared_fields = shared
        return shared

    def validate_subject(self, value):
        if _SUBJECT_FORBIDDEN.search(value):
            raise serializers.ValidationError("订单标题不能包含 / = & 或控制字符")
        return value

    def validate_courses(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("课程不能重复")
        return value

    def validate_pay_type(self, value):
        if value not in providers.enabled():
            raise serializers.ValidationError("不支持的支付方式")
        return PayType(value)

    def validate(self, attrs):
        provider = providers.for_pay_type(attrs["pay_type"])
        channel = attrs.get("channel") or provider.default_channel
        if channel not in provider.channels:
            names = " 或 ".join(f'"{c}"' for c in provider.channels)
            raise serializers.ValidationError({"channel": [f"{provider.label}的支付渠道须为 {names}"]})
        attrs["channel"] = PayChannel(channel)
        return attrs


class OrderLineSerializer(serializers.ModelSerializer):
    course_name = serializers.CharField(source="course.name", read_only=True)
    refunded = serializers.BooleanField(source="is_refunded", read_only=True)

    class Meta:
        model = OrderDetail
        fields = ["course_id", "course_name", "price", "real_price", "refunded", "refund_status",
                  "refund_time"]

    def to_representation(self, line):
        return _line_out(line, timezone.get_current_timezone())


def _line_out(line, zone):
    # `course_name` when the lines were read with it (selectors: no Course object per line).
    name = line.course_name if hasattr(line, "course_name") else line.course.name
    return {"course_id": line.course_id, "course_name": name,
            "price": format_amount(line.price), "real_price": format_amount(line.real_price),
            "refunded": line.is_refunded, "refund_status": line.refund_status,
            "refund_time": _local_iso(line.refund_time, zone)}


class OrderSerializer(serializers.ModelSerializer):
    """An order with its lines (prefetched, or a list in `line_list`), each with its course.

    The fields below are the documented shape (the schema is generated from them); the output
    is written out in to_representation: DRF would rebuild every field from the model for each
    serializer and walk them one by one, which cost more than the poll's whole query.
    tests/order/test_serializers.py keeps the two identical.
    """

    order_status_display = serializers.CharField(source="get_order_status_display", read_only=True)
    pay_type_display = serializers.CharField(source="get_pay_type_display", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["out_trade_no", "subject", "total_amount", "order_status",
                  "order_status_display", "pay_type", "pay_type_display", "channel", "trade_no",
                  "pay_time", "refund_amount", "refund_time", "created_time", "expire_time", "lines"]
        read_only_fields = fields

    def to_representation(self, order):
        zone = self.__dict__.get("_zone")  # once per serializer: one child serves a whole list
        if zone is None:
            zone = self.__dict__["_zone"] = timezone.get_current_timezone()
        lines = getattr(order, "line_list", None)
        return {
            "out_trade_no": order.out_trade_no, "subject": order.subject,
            "total_amount": format_amount(order.total_amount),
            "order_status": order.order_status,
            "order_status_display": _STATUS_LABELS.get(order.order_status, order.order_status),
            "pay_type": order.pay_type,
            "pay_type_display": _PAY_TYPE_LABELS.get(order.pay_type, order.pay_type),
            "channel": order.channel, "trade_no": order.trade_no, "pay_time": _local_iso(order.pay_time, zone),
            "refund_amount": format_amount(order.refund_amount),
            "refund_time": _local_iso(order.refund_time, zone),
            "created_time": _local_iso(order.created_time, zone),
            "expire_time": _local_iso(order.expire_time, zone),
            "lines": [_line_out(line, zone) for line in
                      (order.lines.all() if lines is None else lines)],
        }


# get_FOO_display() rebuilds a dict from the field's choices on every call.
_STATUS_LABELS = {value: str(label) for value, label in OrderStatus.choices}
_PAY_TYPE_LABELS = {value: str(label) for value, label in PayType.choices}


def _local_iso(moment, zone):
    """DRF's ISO 8601 for an aware datetime: in the current time zone (Beijing), or None."""
    if moment is None:
        return None
    text = moment.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class PayResultSerializer(serializers.Serializer):
    """Buy-now's answer, in the envelope, the same for every provider (+ code_url for WeChat
    native, a QR code's content; pay_url is then the same)."""

    status = serializers.IntegerField()
    msg = serializers.CharField()
    out_trade_no = serializers.CharField()
    pay_url = serializers.CharField()
    pay_type = serializers.IntegerField(help_text="1 支付宝, 2 微信支付")
    channel = serializers.CharField(help_text="page / wap (支付宝), native / h5 (微信支付)")
    expire_time = serializers.DateTimeField()
    total_amount = AmountField()
    code_url = serializers.CharField(required=False)


class PayMethodSerializer(serializers.Serializer):
    """One pay method on offer: buy-now's pay_type for it, its provider, its name, its channels."""

    pay_type = serializers.IntegerField(help_text="buy-now's pay_type: 1 支付宝, 2 微信支付")
    provider = serializers.CharField(help_text='"alipay" / "wechat" (PAYMENT_PROVIDERS)')
    name = serializers.CharField(help_text="what the student reads: 支付宝, 微信支付")
    channels = serializers.ListField(
        child=serializers.CharField(),
        help_text="buy-now's channel values it takes, the default first: page / wap (支付宝), "
                  "native / h5 (微信支付)")


class PayOrderSchema(OpenApiSerializerExtension):
    """Buy-now's published input: each pay type with its own channels (oneOf), so that what
    the schema accepts is what validate() accepts (schemathesis holds buy-now to it)."""

    target_class = PayOrderSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        # The registry validate() asks, so the schema and the validation cannot disagree.
        schema["oneOf"] = [{"properties": {
            "pay_type": {"type": "integer", "minimum": int(pay_type), "maximum": int(pay_type)},
            # A pattern, not an enum: drf-spectacular would fold an enum into the shared one.
            "channel": {"type": "string", "pattern": "^(" + "|".join(
                PayChannel(c).value for c in provider.channels) + ")$"}}}
            for pay_type, provider in providers.enabled().items()]
        return schema
