"""Numbers and strings printed the way Prometheus (Go) prints them.

``format_value`` is Go's ``%v`` of a float64, which is how ``{{ $value }}`` renders in alert
templates (text/template prints with fmt); ``format_float_e`` is
``strconv.FormatFloat(v, 'E', -1, 64)``, which promtool uses in its failure messages.
"""

from __future__ import annotations

import math


def _digits(value: float) -> tuple[str, int]:
    """The shortest round-trip decimal digits of abs(value) and the decimal point position.

    ``0.0123`` -> ("123", -1): value = 0.<digits> * 10**dp.
    """
    text = repr(abs(value))
    mantissa, _, exponent = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    frac = frac.rstrip("0")
    digits = (whole + frac).lstrip("0")
    if not digits:
        return "0", 1
    dp = len(whole) + (int(exponent) if exponent else 0)
    dp -= len(whole + frac) - len((whole + frac).lstrip("0"))
    return digits.rstrip("0") or "0", dp


def _special(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return None


def _exp_form(sign: str, digits: str, dp: int, letter: str) -> str:
    exp = dp - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}{letter}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fixed_form(sign: str, digits: str, dp: int) -> str:
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def format_value(value: float) -> str:
    """Go's ``%v`` of a float64: ``1``, ``0.25``, ``1.234567e+06``, ``NaN``, ``+Inf``."""
    special = _special(value)
    if special is not None:
        return special
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    digits, dp = _digits(value)
    exp = dp - 1
    if exp < -4 or exp >= 6:  # Go: shortest %g switches to %e at these exponents
        return _exp_form(sign, digits, dp, "e")
    return _fixed_form(sign, digits, dp)


def format_float_e(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'E', -1, 64)``: ``1E+00``, ``2.5E-01``, ``NaN``."""
    special = _special(value)
    if special is not None:
        return special
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0E+00"
    digits, dp = _digits(value)
    return _exp_form(sign, digits, dp, "E")


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote``: double quotes, backslash escapes, non-printables as escapes."""
    out = ['"']
    for ch in text:
        out.append(_quote_char(ch))
    out.append('"')
    return "".join(out)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n",
            "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _quote_char(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code < 0x80:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
