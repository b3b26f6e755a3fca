"""URLs under /api/order/."""
from django.urls import path

from . import apis

urlpatterns = [
    path("pay-methods/", apis.PayMethodListApi.as_view(), name="order-pay-methods"),
    path("pay/", apis.PayApi.as_view(), name="order-pay"),
    path("success/", apis.PaySuccessApi.as_view(), name="order-success"),
    path("notify/wechat/", apis.WechatNotifyView.as_view(), name="order-notify-wechat"),
    path("", apis.OrderListApi.as_view(), name="order-list"),
    path("<str:out_trade_no>/", apis.OrderDetailApi.as_view(), name="order-detail"),
    path("<str:out_trade_no>/cancel/", apis.OrderCancelApi.as_view(), name="order-cancel"),
]
