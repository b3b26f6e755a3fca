"""fen <-> yuan: exact, proven equal to Decimal arithmetic, refusing what is not exact money."""
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.wx_pay.money import fen_to_yuan, parse_yuan, yuan_to_fen
from lib.wx_pay.times import BEIJING, from_rfc3339, to_rfc3339

fens = st.integers(min_value=1, max_value=10**15)


@given(fens)
def test_fen_to_yuan_is_division_by_100(fen):
    yuan = fen_to_yuan(fen)
    assert yuan == Decimal(fen) / Decimal(100)
    assert yuan.as_tuple().exponent == -2


@given(fens)
def test_round_trip(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen


@given(st.integers(min_value=0, max_value=10**13), st.integers(min_value=0, max_value=99))
def test_yuan_to_fen_equals_decimal_multiplication(whole, cents):
    text = f"{whole}.{cents:02d}"
    if whole == cents == 0:
        return
    assert yuan_to_fen(Decimal(text)) == Decimal(text) * 100 == whole * 100 + cents


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=Decimal("0.01"),
                   max_value=Decimal("99999999.99")))
def test_any_two_place_positive_decimal(amount):
    assert Decimal(yuan_to_fen(amount)) == amount * 100


@pytest.mark.parametrize("bad", [Decimal("0.00"), Decimal("-1.00"), Decimal("99.9"),
                                 Decimal("99.001"), Decimal("99"), Decimal("NaN"),
                                 Decimal("Infinity"), Decimal("1E+2"), 99.0, 99, "99.00"])
def test_yuan_to_fen_refuses_inexact_or_non_positive(bad):
    with pytest.raises(ValueError):
        yuan_to_fen(bad)


@pytest.mark.parametrize("bad", [True, 1.0, "1", None])
def test_fen_to_yuan_refuses_non_ints(bad):
    with pytest.raises(ValueError):
        fen_to_yuan(bad)


def test_parse_yuan():
    assert parse_yuan("45.0") == Decimal("45.00")
    assert parse_yuan("0") == Decimal("0.00")
    for bad in ("0.001", "abc", "NaN", ""):
        with pytest.raises(ValueError):
            parse_yuan(bad)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.sampled_from([UTC, BEIJING,
                                               timezone(timedelta(hours=-5))])))
def test_rfc3339_round_trip_in_beijing_offset(moment):
    text = to_rfc3339(moment)
    assert text.endswith("+08:00")
    assert from_rfc3339(text) == moment.replace(microsecond=0)


def test_rfc3339_refuses_naive_times():
    with pytest.raises(ValueError):
        to_rfc3339(datetime(2024, 1, 1))
    with pytest.raises(ValueError):
        from_rfc3339("2024-01-01T10:00:00")
