"""from_alipay_time: the same answer as strptime with Alipay's format, on generated text."""
from datetime import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from lib.al_pay.times import ALIPAY_TIME_FORMAT, BEIJING, from_alipay_time


def by_strptime(text):
    try:
        return datetime.strptime(text.strip(), ALIPAY_TIME_FORMAT).replace(tzinfo=BEIJING)
    except ValueError:
        return ValueError


def ours(text):
    try:
        return from_alipay_time(text)
    except ValueError:
        return ValueError


_digits = st.integers(min_value=0, max_value=99).map(lambda n: f"{n:02d}")
_near_canonical = st.builds(
    lambda y, mo, d, h, mi, s, sep, pad: f"{pad}{y}-{mo}-{d}{sep}{h}:{mi}:{s}{pad}",
    st.integers(min_value=0, max_value=9999).map(lambda n: f"{n:04d}") | st.text("0123456789",
                                                                                min_size=1,
                                                                                max_size=5),
    _digits | st.sampled_from(["1", "13", "00", "٠١"]), _digits | st.sampled_from(["5", " 5"]),
    _digits | st.sampled_from(["24", "7"]), _digits, _digits | st.sampled_from(["60", "61"]),
    st.sampled_from([" ", "  ", "\t", "T", "\u3000"]), st.sampled_from(["", " ", "\n"]))


@settings(max_examples=600, deadline=None, database=None)
@given(text=_near_canonical | st.text(max_size=24) | st.datetimes().map(
    lambda moment: moment.strftime(ALIPAY_TIME_FORMAT)))
@example(text="2026-02-29 10:00:00")
@example(text="2024-02-29 23:59:59")
@example(text="0000-01-01 00:00:00")
def test_the_same_answer_as_strptime(text):
    assert ours(text) == by_strptime(text)
