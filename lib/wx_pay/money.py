"""Exact conversion between yuan (Decimal, two places) and WeChat's integer fen; never floats."""
from decimal import Decimal, InvalidOperation

_CENT = Decimal("0.01")


def yuan_to_fen(amount: Decimal) -> int:
    """A positive Decimal with exactly two decimal places (e.g. Decimal("99.00")) as fen.

    Anything else is refused with ValueError rather than rounded: a float, an int, "99.9"
    (one place, ambiguous intent), "99.001", zero, negatives, NaN and infinities.
    """
    if not isinstance(amount, Decimal):
        raise ValueError(f"amount must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite() or amount.as_tuple().exponent != -2:
        raise ValueError(f"amount must have exactly two decimal places: {amount!r}")
    if amount <= 0:
        raise ValueError(f"amount must be positive: {amount!r}")
    return int(amount.scaleb(2))


def fen_to_yuan(fen: int) -> Decimal:
    """Integer fen as a two-place Decimal (1 -> Decimal("0.01")); bools and floats refused."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise ValueError(f"fen must be an int, not {type(fen).__name__}")
    return Decimal(fen).scaleb(-2).quantize(_CENT)


def parse_yuan(text: str) -> Decimal:
    """A bill's yuan figure ("45.00", "0.47", "0") as a two-place Decimal; ValueError if not one."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if not value.is_finite() or value != value.quantize(_CENT):
        raise ValueError(f"not an amount: {text!r}")
    return value.quantize(_CENT)
