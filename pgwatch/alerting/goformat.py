"""Go's fmt as Prometheus' templates print with it: ``%v`` of a float, ``%.4g``, ``printf``.

Alert annotations must read the same in pgwatch and in Prometheus, and Go's fmt differs
from Python's in the details (``1e+06`` for a million, ``+Inf``, ``%!d(float64=1.5)``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])")


def format_float(v: float, verb: str = "g", prec: int = -1) -> str:
    """strconv.FormatFloat(v, verb, prec, 64) for the verbs e, E, f, g, G."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if verb in "gG" and prec < 0:
        return _shortest_g(v, verb)
    if verb in "eE" and prec < 0:
        return _shortest_e(v, verb)
    if verb == "f" and prec < 0:
        return _plain(v)
    text = f"%.{prec}{verb}" % v
    return text


def go_value(v: object) -> str:
    """What text/template (fmt.Sprint) prints for a value."""
    if isinstance(v, str):  # the common case first
        return v
    if v is None or isinstance(v, bool):
        return "<nil>" if v is None else ("true" if v else "false")
    if isinstance(v, float):
        return format_float(v)
    if isinstance(v, Mapping):
        return "map[" + " ".join(f"{k}:{go_value(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list | tuple):
        return "[" + " ".join(go_value(x) for x in v) + "]"
    return str(v)


_GO_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "bool"), (int, "int"), (float, "float64"), (str, "string"),
    (Mapping, "map[string]string"),
)


def go_type(v: object) -> str:
    """The Go type name pgwatch's template values stand for."""
    if v is None:
        return "<nil>"
    return next((name for kind, name in _GO_TYPES if isinstance(v, kind)), type(v).__name__)


def sprintf(fmt: str, args: Sequence[object]) -> str:
    """fmt.Sprintf for the flags, widths, precisions and verbs templates use."""
    out: list[str] = []
    used = 0
    pos = 0
    for match in _VERB.finditer(fmt):
        out.append(fmt[pos:match.start()])
        pos = match.end()
        flags, width, prec, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue
        if used >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[used]
        used += 1
        text = _format_one(arg, verb, flags, None if prec is None else int(prec or 0))
        out.append(_pad(text, flags, int(width) if width else 0, verb, arg))
    out.append(fmt[pos:])
    if used < len(args):
        extra = ", ".join(f"{go_type(a)}={go_value(a)}" for a in args[used:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _format_one(arg: object, verb: str, flags: str, prec: int | None) -> str:
    if verb == "v":
        return _sign(go_value(arg), flags, arg)
    if verb == "T":
        return go_type(arg)
    if isinstance(arg, bool):
        return ("true" if arg else "false") if verb == "t" else _bad(verb, arg)
    formatter = (_format_int if isinstance(arg, int) else _format_float_verb
                 if isinstance(arg, float) else None)
    if formatter is not None:
        return formatter(arg, verb, flags, prec)  # type: ignore[arg-type]
    return _format_str(arg, verb, prec) if isinstance(arg, str) else _bad(verb, arg)


def _format_int(arg: int, verb: str, flags: str, prec: int | None) -> str:
    formats = {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b"}
    if verb in formats:
        text = format(abs(arg), formats[verb])
        if prec is not None:
            text = text.zfill(prec)
        if "#" in flags and verb in "xX":
            text = "0" + verb + text
        return _sign(("-" if arg < 0 else "") + text, flags, arg)
    if verb == "c":
        return chr(arg)
    if verb == "q":
        return "'" + chr(arg) + "'"
    return _bad(verb, arg)


def _format_float_verb(arg: float, verb: str, flags: str, prec: int | None) -> str:
    if verb not in "eEfFgG":
        return _bad(verb, arg)
    if verb == "F":
        verb = "f"
    if prec is None:
        prec = 6 if verb in "eEf" else -1
    return _sign(format_float(arg, verb, prec), flags, arg)


def _format_str(arg: str, verb: str, prec: int | None) -> str:
    if prec is not None:
        arg = arg[:prec]
    if verb == "s":
        return arg
    if verb == "q":
        return go_quote(arg)
    if verb in "xX":
        hexed = arg.encode().hex()
        return hexed.upper() if verb == "X" else hexed
    return _bad(verb, arg)


def go_quote(text: str) -> str:
    """strconv.Quote: a double-quoted Go string literal."""
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r",
               "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}
    out = []
    for ch in text:
        if ch in escapes:
            out.append(escapes[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x10000:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x80 else f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def _bad(verb: str, arg: object) -> str:
    return f"%!{verb}({go_type(arg)}={go_value(arg)})"


def _sign(text: str, flags: str, arg: object) -> str:
    if not isinstance(arg, int | float) or isinstance(arg, bool) or text.startswith(("-", "+")):
        return text
    if "+" in flags:
        return "+" + text
    if " " in flags:
        return " " + text
    return text


def _pad(text: str, flags: str, width: int, verb: str, arg: object) -> str:
    if len(text) >= width:
        return text
    if "-" in flags:
        return text.ljust(width)
    numeric = isinstance(arg, int | float) and not isinstance(arg, bool) and verb != "v"
    if "0" in flags and numeric and text[:1] in "+- ":
        return text[0] + text[1:].rjust(width - 1, "0")
    if "0" in flags and numeric:
        return text.rjust(width, "0")
    return text.rjust(width)


def _digits(v: float) -> tuple[str, int, bool]:
    """The shortest round-trip digits of |v|, the decimal point position (Go's digs.dp), sign."""
    neg = math.copysign(1.0, v) < 0
    _, digit_tuple, exponent = Decimal(repr(abs(v))).as_tuple()
    assert isinstance(exponent, int)
    raw = "".join(map(str, digit_tuple))
    digits = raw.lstrip("0")
    if not digits:
        return "0", 1, neg
    dp = len(raw) + exponent - (len(raw) - len(digits))
    return digits.rstrip("0"), dp, neg


def _shortest_g(v: float, verb: str) -> str:
    digits, dp, neg = _digits(v)
    if v == 0:
        return "-0" if neg else "0"
    exp = dp - 1
    if exp < -4 or exp >= 6:  # Go: "if precision was the shortest possible, use precision 6"
        return _e_from_digits(digits, exp, neg, "e" if verb == "g" else "E")
    return ("-" if neg else "") + _fixed_from_digits(digits, dp)


def _shortest_e(v: float, verb: str) -> str:
    digits, dp, neg = _digits(v)
    return _e_from_digits(digits, dp - 1 if v != 0 else 0, neg, verb)


def _plain(v: float) -> str:
    digits, dp, neg = _digits(v)
    return ("-" if neg else "") + _fixed_from_digits(digits, dp)


def _e_from_digits(digits: str, exp: int, neg: bool, letter: str) -> str:
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sign = "-" if exp < 0 else "+"
    return f"{'-' if neg else ''}{mantissa}{letter}{sign}{abs(exp):02d}"


def _fixed_from_digits(digits: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * -dp + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]
