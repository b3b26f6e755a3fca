"""order_transition walks TRANSITIONS: every allowed move works, every other one is refused."""
import itertools

import pytest
from django.db import transaction

from apps.order.constants import TRANSITIONS, EventKind, OrderStatus, Outcome
from apps.order.models import Order, PaymentEvent
from apps.order.services.events import order_lock, order_transition
from utils.exceptions import Conflict

pytestmark = pytest.mark.django_db

PAIRS = list(itertools.product(OrderStatus, OrderStatus))


def test_the_table_names_every_status():
    assert set(TRANSITIONS) == set(OrderStatus)
    assert all(targets <= set(OrderStatus) for targets in TRANSITIONS.values())


@pytest.mark.parametrize("from_status, to_status", PAIRS,
                         ids=[f"{a.name}->{b.name}" for a, b in PAIRS])
def test_each_pair_of_statuses(order, from_status, to_status):
    Order.objects.filter(pk=order.pk).update(order_status=from_status)
    allowed = to_status in TRANSITIONS[from_status]
    with transaction.atomic():
        locked = order_lock(pk=order.pk)
        if allowed:
            order_transition(order=locked, to_status=to_status, reason="table walk")
        else:
            with pytest.raises(Conflict):
                order_transition(order=locked, to_status=to_status, reason="table walk")

    order.refresh_from_db()
    assert order.order_status == (to_status if allowed else from_status)
    events = PaymentEvent.objects.filter(order=order, kind=EventKind.TRANSITION)
    if allowed:
        event = events.get()
        assert (event.from_status, event.to_status) == (from_status, to_status)
        assert event.outcome == Outcome.TRANSITION and event.detail == "table walk"
    else:
        assert not events.exists()


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around it
def test_a_transition_outside_the_locking_transaction_is_refused(order):
    with pytest.raises(RuntimeError):
        order_transition(order=order, to_status=OrderStatus.CANCELLED, reason="no lock")
    order.refresh_from_db()
    assert order.order_status == OrderStatus.UNPAID
