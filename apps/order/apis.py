"""Order API: the pay methods, buy now, the success page's poll, the providers' notifies, my
orders, cancel."""
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseNotFound, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, UnsupportedMediaType
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from utils.exceptions import LuffyError
from utils.logging import get_logger, log_context
from utils.response import APIResponse
from utils.schema import EnvelopeAutoSchema, envelope, errors
from utils.throttling import ClientScopedRateThrottle, client_ip

from . import providers, selectors
from .constants import PayType
from .providers.base import NotifyRequest, ProviderError
from .serializers import (
    OrderSerializer,
    PayMethodSerializer,
    PayOrderSerializer,
    PayResultSerializer,
)
from .services import notifies, orders, payments

logger = get_logger("pay")
ORDER_ANSWER = envelope("OrderAnswer", order=OrderSerializer())


def _owned_order(request, out_trade_no):
    """The caller's order: 404 if there is no such order, 403 if it is someone else's.

    The order comes with its owner's row: a caller authenticated without reading their own
    row (`defer_user_row`, apps.user.authentication) has it checked here, with no query.
    """
    order = selectors.order_get(out_trade_no=out_trade_no)
    deferred = hasattr(request.user, "adopt")
    if order is not None and order.user_id == request.user.pk:
        if deferred:
            request.user.adopt(order.user)
        return order
    if deferred:
        request.user.username  # noqa: B018 -- a refused token answers 401 before 404 or 403
    if order is None:
        raise LuffyError("订单不存在", status_code=status.HTTP_404_NOT_FOUND, code="not_found")
    raise LuffyError("无权访问该订单", status_code=status.HTTP_403_FORBIDDEN,
                     code="permission_denied")


class PayMethodListApi(APIView):
    """The pay methods this shop takes (PAYMENT_PROVIDERS), in the order it offers them."""

    # Public, and nothing in it depends on who asks: a stale token is not refused (no 401).
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=envelope("PayMethodsAnswer", methods=PayMethodSerializer(many=True)))
    def get(self, request):
        methods = PayMethodSerializer(selectors.pay_method_list(), many=True).data
        return APIResponse(methods=methods)


class PayApiSchema(EnvelopeAutoSchema):
    """Buy-now's request examples: one per pay method enabled when the schema is generated."""

    def get_examples(self):
        return [OpenApiExample(provider.name, request_only=True, summary=provider.label, value={
            "subject": "Python 全栈开发", "total_amount": "99.00", "pay_type": int(pay_type),
            "channel": provider.default_channel.value, "courses": [1]})
            for pay_type, provider in providers.enabled().items()]


class PayApi(APIView):
    """Buy now: write the order and return where to pay it (Alipay page/wap, WeChat native/h5)."""

    schema = PayApiSchema()
    permission_classes = [IsAuthenticated]
    defer_user_row = True  # order_create locks the buyer's row; the token is checked on it
    throttle_classes = [ClientScopedRateThrottle]
    throttle_scope = "buy"

    @extend_schema(request=PayOrderSerializer, responses={
        201: PayResultSerializer, **errors(404, 409, 503),
        200: OpenApiResponse(PayResultSerializer, description="The open order for the same "
                             "courses, handed out again with a fresh pay URL.")})
    def post(self, request):
        serializer = PayOrderSerializer(data=request.data)
        if not serializer.is_valid():
            request.user.username  # noqa: B018 -- a refused token answers 401 before any 400
            serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        placed = orders.order_place(
            user=request.user, course_ids=data["courses"], subject=data["subject"],
            total_amount=data["total_amount"], pay_type=data["pay_type"], channel=data["channel"],
            client_ip=client_ip(request))
        order, checkout = placed.order, placed.checkout
        extra = {"code_url": checkout.code_url} if checkout.code_url else {}
        return APIResponse(
            msg="订单创建成功" if placed.created else "您有一笔相同课程的未支付订单，请继续支付",
            out_trade_no=order.out_trade_no, pay_url=checkout.pay_url, pay_type=order.pay_type,
            channel=order.channel, expire_time=_beijing_iso(order.expire_time),
            total_amount=f"{order.total_amount:.2f}", **extra,
            http_status=status.HTTP_201_CREATED if placed.created else status.HTTP_200_OK)


def _beijing_iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


class PaySuccessApi(APIView):
    """GET: the success page's poll (owner only). POST: Alipay's async notify (signature only)."""

    parser_classes = [FormParser]
    defer_user_row = True  # the poll reads the order with its owner's row (_owned_order)

    def dispatch(self, request, *args, **kwargs):
        # Alipay's notify is a form answered with 7 bytes of text: it is served by plain Django.
        # DRF's request wrapping, negotiation and rendering gave it nothing but CPU (make bench).
        if request.method == "POST":
            self.args, self.kwargs, self.request = args, kwargs, request
            return self.post(request)
        return super().dispatch(request, *args, **kwargs)

    def _is_notify(self):
        # self.request is None while drf-spectacular inspects the view for the schema.
        return getattr(self.request, "method", None) == "POST"

    def get_authenticators(self):
        # The notify carries no token; it is authenticated by Alipay's signature alone.
        return [] if self._is_notify() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._is_notify() else [IsAuthenticated()]

    @extend_schema(parameters=[OpenApiParameter(
        "out_trade_no", {"type": "string", "pattern": r"\S"}, required=True)],
                   responses={200: ORDER_ANSWER, **errors(400, 403, 404)})
    def get(self, request):
        out_trade_no = request.query_params.get("out_trade_no", "").strip()
        if not out_trade_no:
            raise LuffyError("缺少订单号 out_trade_no", code="missing_out_trade_no",
                             errors={"out_trade_no": ["该字段是必填项。"]})
        order = payments.order_poll(order=_owned_order(request, out_trade_no),
                                    return_params=request.query_params.dict())
        if order.is_paid:
            return APIResponse(msg="支付成功", order=OrderSerializer(order).data)
        return APIResponse(status=1, msg="暂未收到付款", order=OrderSerializer(order).data)

    @extend_schema(request=None, responses={(200, "text/plain"): str})
    def post(self, request):
        try:
            alipay = providers.for_pay_type(PayType.ALIPAY)
        except ProviderError:  # Alipay is not among PAYMENT_PROVIDERS
            return HttpResponseNotFound(b"failure", content_type="text/plain")
        try:
            # Alipay sends a form. Anything else (JSON, multipart, oversized) is kept as an
            # unverified event and refused: it cannot carry a valid notify.
            params = _notify_form(request)
        except (APIException, SuspiciousOperation) as exc:
            notifies.payment_notify_unparsable(
                provider=alipay, content_type=request.META.get("CONTENT_TYPE", ""),
                reason=exc.__class__.__name__)
            return alipay.notify_answer(handled=False)
        with log_context(out_trade_no=params.get("out_trade_no")):
            result = _notify_handle(alipay, NotifyRequest(body=b"", headers={}, form=params))
        return alipay.notify_answer(handled=result.handled, reason=result.reason)


def _notify_handle(provider, notify_request) -> notifies.NotifyResult:
    try:
        return notifies.payment_notify_handle(provider=provider, request=notify_request)
    except Exception:  # a bug or a database outage: let the provider retry, never lose it
        logger.exception("%s notify failed", provider.name)
        return notifies.NotifyResult(False, "error")


def _notify_form(request) -> dict:
    """The notify's form fields, read by Django with its size and field-count limits."""
    if request.content_type != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType(request.content_type)
    return request.POST.dict()


@method_decorator(csrf_exempt, name="dispatch")
class WechatNotifyView(View):
    """POST /api/order/notify/wechat/: WeChat Pay's notify (payment and refund), plain Django.

    Authenticated by the Wechatpay-* signature over the raw body alone; 204 when handled,
    4xx/5xx `{"code": "FAIL", "message": ...}` otherwise (WeChat then re-sends it).
    """

    http_method_names = ["post"]

    def post(self, request):
        try:
            wechat = providers.for_pay_type(PayType.WECHAT)
        except ProviderError:
            return JsonResponse({"code": "FAIL", "message": "wechat pay is not enabled"},
                                status=404)
        try:
            body = request.body
        except (SuspiciousOperation, OSError) as exc:
            notifies.payment_notify_unparsable(
                provider=wechat, content_type=request.META.get("CONTENT_TYPE", ""),
                reason=exc.__class__.__name__)
            return wechat.notify_answer(handled=False, reason="unparsable")
        result = _notify_handle(wechat, NotifyRequest(body=body, headers=dict(request.headers)))
        return wechat.notify_answer(handled=result.handled, reason=result.reason)


class OrderListApi(ListAPIView):
    """My orders, newest first, with their lines."""

    defer_user_row = True  # the count reads the caller's row (selectors.order_count_for_user)
    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer

    def list(self, request, *args, **kwargs):
        user = request.user
        window = self.paginator.paginate_count(
            selectors.order_count_for_user(user=user), request, view=self)
        orders = selectors.order_page_for_user(user=user, offset=window.start, limit=len(window))
        return self.get_paginated_response(self.get_serializer(orders, many=True).data)


class OrderDetailApi(APIView):
    """One of my orders."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ORDER_ANSWER, **errors(403)})
    def get(self, request, out_trade_no):
        return APIResponse(order=OrderSerializer(_owned_order(request, out_trade_no)).data)


class OrderCancelApi(APIView):
    """Cancel one of my unpaid orders."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: ORDER_ANSWER, **errors(403, 409)})
    def post(self, request, out_trade_no):
        order = orders.order_cancel(order=_owned_order(request, out_trade_no))
        return APIResponse(msg="订单已取消", order=OrderSerializer(order).data)
