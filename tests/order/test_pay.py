"""Buy now (POST /api/order/pay/): validation, the written order, the signed pay URL, reuse."""
import base64
import json
import re
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.order.constants import OrderStatus
from apps.order.models import Order, OrderDetail, PaymentEvent
from apps.order.services.orders import _new_out_trade_no
from lib.al_pay.times import BEIJING
from tests.alipay_fake import signed_notify
from tests.conftest import client_for, post_notify
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db

PAY = "/api/order/pay/"
OUT_TRADE_NO = re.compile(r"^[0-9A-Za-z_]{1,64}$")
ALIPAY_TIME = "%Y-%m-%d %H:%M:%S"


def payload(chosen, **overrides):
    """A valid buy-now body for these courses; override any field."""
    data = {"subject": "路飞学城课程", "pay_type": 1, "courses": [c.pk for c in chosen],
            "total_amount": f"{sum(c.price for c in chosen):.2f}"}
    data.update(overrides)
    return data


def pay(client, data):
    return client.post(PAY, data, format="json")


def counts():
    return Order.objects.count(), OrderDetail.objects.count()


def pay_url_params(url) -> dict:
    """The pay URL's query as a dict, after checking it points at our gateway."""
    assert url.startswith(settings.ALIPAY_GATEWAY + "?"), url
    query = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(v) == 1 for v in query.values()), query
    return {k: v[0] for k, v in query.items()}


def assert_signed_by_us(params):
    """RSA2 over every param but `sign`, sorted, k=v joined by &, checked with our public key."""
    key = serialization.load_pem_public_key(open(settings.ALIPAY_APP_PUBLIC_KEY_FILE, "rb").read())
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")
    try:
        key.verify(base64.b64decode(params["sign"]), message.encode(), padding.PKCS1v15(),
                   hashes.SHA256())
    except InvalidSignature:  # pragma: no cover - the assertion message is the point
        pytest.fail("pay_url signature does not verify with the merchant public key")


# --- success --------------------------------------------------------------------------------

def test_buy_now_writes_an_unpaid_order_with_its_lines(student, student_api, courses):
    chosen = courses[1:]  # 199.00 + 149.50
    before = timezone.now()

    response = pay(student_api, payload(chosen, subject="DRF + Vue"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == 0 and body["msg"]
    # The same answer for every provider (WeChat native adds code_url).
    assert set(body) == {"status", "msg", "out_trade_no", "pay_url", "pay_type", "channel",
                         "expire_time", "total_amount"}
    assert body["pay_type"] == 1 and body["channel"] == "page"
    assert body["total_amount"] == "348.50" and body["expire_time"].endswith("+08:00")
    order = Order.objects.get(out_trade_no=body["out_trade_no"])
    assert order.user == student
    assert order.subject == "DRF + Vue"
    assert isinstance(order.total_amount, Decimal) and order.total_amount == Decimal("348.50")
    assert order.order_status == OrderStatus.UNPAID
    assert order.pay_type == 1 and order.trade_no is None and order.pay_time is None
    lines = {d.course_id: d for d in order.lines.all()}
    assert set(lines) == {c.pk for c in chosen}
    for course in chosen:
        assert isinstance(lines[course.pk].price, Decimal)
        assert lines[course.pk].price == lines[course.pk].real_price == course.price
    deadline = order.created_time + timedelta(minutes=settings.ORDER_TIMEOUT_MINUTES)
    assert abs(order.expire_time - deadline) < timedelta(seconds=1)
    assert before < order.created_time <= timezone.now()


def test_amount_with_one_decimal_is_accepted_when_equal(student_api, courses):
    response = pay(student_api, payload(courses[2:], total_amount="149.5"))
    assert response.status_code == 201, response.content
    assert Order.objects.get().total_amount == Decimal("149.50")


def test_buying_grants_nothing_before_payment(student_api, courses):
    pay(student_api, payload(courses[:1]))
    assert student_api.get("/api/user/courses/").json()["results"] == []


def test_out_trade_no_shape_and_order():
    numbers = [_new_out_trade_no() for _ in range(1000)]
    assert all(OUT_TRADE_NO.match(n) for n in numbers)
    assert len(set(numbers)) == 1000
    assert numbers == sorted(numbers)


def test_api_out_trade_no_is_safe_for_alipay(student_api, courses):
    body = pay(student_api, payload(courses[:1])).json()
    assert OUT_TRADE_NO.match(body["out_trade_no"])


def test_pay_url_is_a_signed_alipay_page_pay_request(student_api, courses):
    chosen = courses[1:]
    response = pay(student_api, payload(chosen, subject="Django REST 实战 · Vue 3"))
    body = response.json()
    order = Order.objects.get(out_trade_no=body["out_trade_no"])

    params = pay_url_params(body["pay_url"])

    assert params["method"] == "alipay.trade.page.pay"
    assert params["app_id"] == settings.ALIPAY_APP_ID
    assert params["sign_type"] == "RSA2"
    assert params["charset"] == "utf-8"
    assert params["return_url"] == settings.ALIPAY_RETURN_URL
    assert params["notify_url"] == settings.ALIPAY_NOTIFY_URL
    biz = json.loads(params["biz_content"])
    assert biz["out_trade_no"] == order.out_trade_no
    assert biz["total_amount"] == "348.50"
    assert biz["subject"] == "Django REST 实战 · Vue 3"
    assert biz["product_code"] == "FAST_INSTANT_TRADE_PAY"
    assert biz["time_expire"] == order.expire_time.astimezone(BEIJING).strftime(ALIPAY_TIME)
    stamped = datetime.strptime(params["timestamp"], ALIPAY_TIME).replace(tzinfo=BEIJING)
    assert abs(stamped - timezone.now()) < timedelta(minutes=1)
    assert_signed_by_us(params)


def test_pay_url_signature_covers_the_amount(student_api, courses):
    """The check above is real: change one signed value and the signature no longer verifies."""
    params = pay_url_params(pay(student_api, payload(courses[:1])).json()["pay_url"])
    biz = json.loads(params["biz_content"])
    params["biz_content"] = json.dumps({**biz, "total_amount": "0.01"}, separators=(",", ":"))
    with pytest.raises(pytest.fail.Exception):
        assert_signed_by_us(params)


@pytest.mark.parametrize("price, wire", [("0.10", "0.10"), ("99.00", "99.00"),
                                         ("1234.50", "1234.50")])
def test_total_amount_on_the_wire_has_exactly_two_decimals(student_api, price, wire):
    course = CourseFactory(price=Decimal(price))
    params = pay_url_params(pay(student_api, payload([course])).json()["pay_url"])
    assert json.loads(params["biz_content"])["total_amount"] == wire


# --- refused input --------------------------------------------------------------------------

def drop(key):
    return lambda data, courses: {k: v for k, v in data.items() if k != key}


def put(**values):
    return lambda data, courses: {**data, **{k: (v(courses) if callable(v) else v)
                                             for k, v in values.items()}}


# The valid base is courses[0] + courses[2]: 99.00 + 149.50 = 248.50.
BAD_INPUT = [
    ("missing-subject", drop("subject"), "subject"),
    ("missing-total", drop("total_amount"), "total_amount"),
    ("missing-pay-type", drop("pay_type"), "pay_type"),
    ("missing-courses", drop("courses"), "courses"),
    ("empty-courses", put(courses=[]), "courses"),
    ("courses-a-string", put(courses=lambda c: f"{c[0].pk},{c[2].pk}"), "courses"),
    ("courses-an-int", put(courses=lambda c: c[0].pk), "courses"),
    ("courses-a-dict", put(courses=lambda c: {"id": c[0].pk}), "courses"),
    ("courses-null", put(courses=None), "courses"),
    ("id-not-integer", put(courses=lambda c: [c[0].pk, "abc"]), "courses"),
    ("id-fractional", put(courses=lambda c: [c[0].pk, 1.5]), "courses"),
    ("id-null", put(courses=lambda c: [c[0].pk, None]), "courses"),
    ("id-zero", put(courses=[0]), "courses"),
    ("id-negative", put(courses=[-1]), "courses"),
    ("id-beyond-bigint", put(courses=[2 ** 64]), "courses"),
    ("id-duplicate", put(courses=lambda c: [c[0].pk, c[0].pk], total_amount="198.00"), "courses"),
    ("amount-three-decimals", put(total_amount="248.501"), "total_amount"),
    ("amount-99.001", put(courses=lambda c: [c[0].pk], total_amount="99.001"), "total_amount"),
    ("amount-negative", put(total_amount="-248.50"), "total_amount"),
    ("amount-zero", put(total_amount="0"), "total_amount"),
    ("amount-zero-cents", put(total_amount="0.00"), "total_amount"),
    ("amount-non-numeric", put(total_amount="abc"), "total_amount"),
    ("amount-empty", put(total_amount=""), "total_amount"),
    ("amount-nan", put(total_amount="NaN"), "total_amount"),
    ("amount-infinity", put(total_amount="Infinity"), "total_amount"),
    ("pay-type-wechat", put(pay_type=2), "pay_type"),
    ("pay-type-99", put(pay_type=99), "pay_type"),
    ("pay-type-0", put(pay_type=0), "pay_type"),
    ("pay-type-text", put(pay_type="alipay"), "pay_type"),
    ("subject-empty", put(subject=""), "subject"),
    ("subject-blank", put(subject="   "), "subject"),
    ("subject-too-long", put(subject="课" * 129), "subject"),
    ("subject-ampersand", put(subject="Python & Vue"), "subject"),
    ("subject-equals", put(subject="a=b"), "subject"),
    ("subject-newline", put(subject="第一行\n第二行"), "subject"),
]


@pytest.mark.parametrize("mutate, field", [pytest.param(m, f, id=i) for i, m, f in BAD_INPUT])
def test_bad_input_is_400_and_writes_nothing(student_api, courses, mutate, field):
    before = counts()
    data = mutate(payload([courses[0], courses[2]]), courses)

    response = pay(student_api, data)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] != 0 and body["msg"].strip()
    assert field in body["errors"], body
    assert "out_trade_no" not in body and "pay_url" not in body
    assert "Traceback" not in response.content.decode()
    assert counts() == before
    assert not PaymentEvent.objects.exists()


# Well formed (the schema allows it) but refused by the shop's state: 404 or 409, not 400.
STATE_REFUSALS = [
    ("id-unknown", put(courses=lambda c: [c[0].pk, 10 ** 6]), "courses", 404),
    ("amount-one-cent-more", put(total_amount="248.51"), "total_amount", 409),
    ("amount-one-cent-less", put(total_amount="248.49"), "total_amount", 409),
    ("amount-of-one-course", put(total_amount="99.00"), "total_amount", 409),
]


@pytest.mark.parametrize("mutate, field, code",
                         [pytest.param(m, f, c, id=i) for i, m, f, c in STATE_REFUSALS])
def test_well_formed_input_the_shop_cannot_take_writes_nothing(student_api, courses, mutate,
                                                               field, code):
    before = counts()
    response = pay(student_api, mutate(payload([courses[0], courses[2]]), courses))
    assert response.status_code == code, response.content
    body = response.json()
    assert body["status"] != 0 and body["msg"].strip() and field in body["errors"]
    assert counts() == before
    assert not PaymentEvent.objects.exists()


def test_subject_of_128_characters_is_accepted(student_api, courses):
    response = pay(student_api, payload(courses[:1], subject="课" * 128))
    assert response.status_code == 201, response.content


def test_off_sale_course_is_refused(student_api, courses):
    courses[2].is_on_sale = False
    courses[2].save()
    before = counts()
    response = pay(student_api, payload([courses[0], courses[2]]))
    assert response.status_code == 409
    body = response.json()
    assert body["status"] != 0 and courses[2].name in body["msg"]
    assert "courses" in body["errors"]
    assert counts() == before


def test_course_already_owned_is_refused(api, student_api, courses):
    first = pay(student_api, payload(courses[:1])).json()
    order = Order.objects.get(out_trade_no=first["out_trade_no"])
    assert post_notify(api, signed_notify(order)).content == b"success"
    before = counts()

    response = pay(student_api, payload(courses[:2]))

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["status"] != 0 and courses[0].name in body["msg"]
    assert "courses" in body["errors"]
    assert counts() == before
    # Another student may still buy it.
    other = client_for(UserFactory())
    assert pay(other, payload(courses[:1])).status_code == 201


@pytest.mark.parametrize("header", [None, "JWT garbage"], ids=["no-token", "bad-token"])
def test_unauthenticated_buy_now_is_401_and_writes_nothing(api, courses, header):
    if header:
        api.credentials(HTTP_AUTHORIZATION=header)
    response = pay(api, payload(courses[:1]))
    assert response.status_code == 401
    body = response.json()
    assert body["status"] != 0 and body["msg"].strip()
    assert counts() == (0, 0)


def test_price_is_the_current_one(student_api, courses):
    courses[0].price = Decimal("79.00")
    courses[0].save()
    assert pay(student_api, payload([courses[0]], total_amount="99.00")).status_code == 409
    assert pay(student_api, payload([courses[0]], total_amount="79.00")).status_code == 201


# --- one purchase, one order ----------------------------------------------------------------

def test_clicking_twice_returns_the_same_open_order_with_a_valid_pay_url(student_api, courses):
    first = pay(student_api, payload([courses[0], courses[2]]))
    second = pay(student_api, payload([courses[2], courses[0]]))  # same set, other order

    assert first.status_code == 201 and second.status_code == 200, second.content
    assert second.json()["status"] == 0 and second.json()["msg"]
    assert second.json()["out_trade_no"] == first.json()["out_trade_no"]
    assert counts() == (1, 2)
    params = pay_url_params(second.json()["pay_url"])
    assert json.loads(params["biz_content"])["out_trade_no"] == first.json()["out_trade_no"]
    assert_signed_by_us(params)


def test_a_different_course_set_creates_a_new_order(student_api, courses):
    first = pay(student_api, payload([courses[0], courses[2]])).json()
    response = pay(student_api, payload([courses[1]]))
    assert response.status_code == 201
    assert response.json()["out_trade_no"] != first["out_trade_no"]
    assert Order.objects.filter(order_status=OrderStatus.UNPAID).count() == 2


def test_another_students_open_order_is_not_reused(student_api, other_student, courses):
    first = pay(student_api, payload(courses[:1])).json()
    response = pay(client_for(other_student), payload(courses[:1]))
    assert response.status_code == 201
    assert response.json()["out_trade_no"] != first["out_trade_no"]


def test_after_cancel_a_new_click_creates_a_new_order(student_api, courses):
    first = pay(student_api, payload(courses[:2])).json()
    cancel = student_api.post(f"/api/order/{first['out_trade_no']}/cancel/")
    assert cancel.status_code == 200, cancel.content

    response = pay(student_api, payload(courses[:2]))

    assert response.status_code == 201
    assert response.json()["out_trade_no"] != first["out_trade_no"]
    statuses = dict(Order.objects.values_list("out_trade_no", "order_status"))
    assert statuses == {first["out_trade_no"]: OrderStatus.CANCELLED,
                        response.json()["out_trade_no"]: OrderStatus.UNPAID}


def test_an_overdue_open_order_is_timed_out_and_replaced(student_api, courses):
    first = pay(student_api, payload(courses[:2])).json()
    Order.objects.filter(out_trade_no=first["out_trade_no"]).update(
        expire_time=timezone.now() - timedelta(seconds=1))

    response = pay(student_api, payload(courses[:2]))

    assert response.status_code == 201
    new_no = response.json()["out_trade_no"]
    assert new_no != first["out_trade_no"]
    old = Order.objects.get(out_trade_no=first["out_trade_no"])
    assert old.order_status == OrderStatus.TIMED_OUT
    assert PaymentEvent.objects.filter(order=old, kind="transition", from_status=0,
                                       to_status=3).count() == 1
    new = Order.objects.get(out_trade_no=new_no)
    assert new.order_status == OrderStatus.UNPAID and new.expire_time > timezone.now()


def test_a_paid_order_is_not_reused(api, student_api, courses):
    first = pay(student_api, payload(courses[:1])).json()
    post_notify(api, signed_notify(Order.objects.get(out_trade_no=first["out_trade_no"])))
    response = pay(student_api, payload(courses[1:2]))
    assert response.status_code == 201
    assert response.json()["out_trade_no"] != first["out_trade_no"]


# --- cost -----------------------------------------------------------------------------------

def test_query_count_does_not_grow_with_the_number_of_courses(db):
    chosen = [CourseFactory(price=Decimal("10.00")) for _ in range(3)]
    warm_up, one, three = (client_for(UserFactory()) for _ in range(3))
    assert pay(warm_up, payload(chosen[:2])).status_code == 201

    with CaptureQueriesContext(connection) as single:
        assert pay(one, payload(chosen[:1])).status_code == 201
    with CaptureQueriesContext(connection) as triple:
        assert pay(three, payload(chosen)).status_code == 201

    assert len(triple) == len(single), [q["sql"] for q in triple.captured_queries]
    assert OrderDetail.objects.count() == 2 + 1 + 3


@pytest.mark.parametrize("field, value", [
    ("total_amount", 99), ("total_amount", 99.0), ("total_amount", "9.9e1"),
    ("total_amount", " 99.00 "), ("total_amount", "９９.００"), ("total_amount", "99.00\n"),
    ("total_amount", "+99.00"), ("courses", ["1"]), ("courses", [1.0]), ("courses", [True]),
    ("pay_type", "1"), ("pay_type", True), ("subject", 5),
])
def test_buy_now_is_strictly_typed_and_writes_nothing(student_api, courses, field, value):
    body = payload(courses[:1])
    if field == "courses" and value != [True]:
        value = [type(v)(courses[0].pk) for v in value]
    body[field] = value
    before = counts()
    response = pay(student_api, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert counts() == before


@pytest.mark.parametrize("body, content_type", [
    (b"[" * 5000 + b"]" * 5000, "application/json"),
    (b'{"subject": ', "application/json"),
    (b'{"subject": "\xff"}', "application/json"),
])
def test_malformed_json_is_a_plain_400_without_parser_details(student_api, body, content_type):
    response = student_api.generic("POST", PAY, body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["msg"] == "请求体不是合法的 JSON"


def test_a_form_encoded_buy_now_is_refused(student_api, courses):
    response = student_api.post(PAY, {"subject": "x", "total_amount": "99.00", "pay_type": "1",
                                      "courses": str(courses[0].pk)})
    assert response.status_code == 415 and response.json()["status"] != 0
    assert counts() == (0, 0)


def test_a_course_already_in_another_open_order_cannot_be_bought_twice(student_api, student,
                                                                       courses, make_order):
    both = make_order(student, courses[:2])
    response = pay(student_api, payload(courses[:1]))
    assert response.status_code == 409
    assert both.out_trade_no in response.json()["msg"]
    assert Order.objects.count() == 1

    student_api.post(f"/api/order/{both.out_trade_no}/cancel/")  # after cancelling, it may
    assert pay(student_api, payload(courses[:1])).status_code == 201
