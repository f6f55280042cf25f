"""The functions alert templates call: Go text/template's built-ins and Prometheus' own.

Each one behaves, and fails, as its Go original does in Prometheus 2.42; an error's text is
what Prometheus puts into the annotation.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pgwatch.alerting.goformat import format_float, go_type, go_value, sprintf


class CallError(Exception):
    """A function returned an error; the executor wraps it as ``error calling NAME: ...``."""


@dataclass(frozen=True, slots=True)
class Function:
    """A template function: its parameter types ("string" or "any") and the callable."""

    params: tuple[str, ...]
    call: Callable[..., object]
    variadic: bool = False


# Functions Prometheus defines that pgwatch's evaluator cannot run (they query the TSDB).
UNSUPPORTED = frozenset({"query", "first", "label", "value", "strvalue", "sortByLabel",
                         "args", "safeHtml", "graphLink", "tableLink", "toTime", "tmpl"})

_FLOAT = re.compile(r"[+-]?(?:(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan"
                    r"|0[xX][0-9a-fA-F_.]+[pP][+-]?\d+)", re.IGNORECASE)


def to_float(value: object) -> float:
    """Prometheus' convertToFloat."""
    if isinstance(value, bool) or value is None or not isinstance(value, int | float | str):
        raise CallError(f"can't convert {go_type(value)} to float")
    if isinstance(value, str):
        return parse_go_float(value)
    return float(value)


def parse_go_float(text: str) -> float:
    """strconv.ParseFloat(text, 64), with its error text."""
    if not _FLOAT.fullmatch(text) or ("_" in text and "x" not in text.lower()):
        raise CallError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    try:
        if "x" in text.lower():
            return float.fromhex(text.replace("_", ""))
        return float(text)
    except (ValueError, OverflowError):
        raise CallError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from None


def humanize(value: object) -> str:
    v = to_float(value)
    if v == 0 or math.isnan(v) or math.isinf(v):
        return format_float(v, "g", 4)
    prefix = ""
    if abs(v) >= 1:
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix, v = p, v / 1000
        return format_float(v, "g", 4) + prefix
    return _small(v, "")


def _small(v: float, unit: str) -> str:
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix, v = p, v * 1000
    return format_float(v, "g", 4) + prefix + unit


def humanize1024(value: object) -> str:
    v = to_float(value)
    if abs(v) <= 1 or math.isnan(v) or math.isinf(v):
        return format_float(v, "g", 4)
    prefix = ""
    for p in ("ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"):
        if abs(v) < 1024:
            break
        prefix, v = p, v / 1024
    return format_float(v, "g", 4) + prefix


def humanize_duration(value: object) -> str:
    v = to_float(value)
    if math.isnan(v) or math.isinf(v):
        return format_float(v, "g", 4)
    if v == 0:
        return format_float(v, "g", 4) + "s"
    if abs(v) < 1:
        return _small(v, "s")
    return _days_to_seconds(v)


def _days_to_seconds(v: float) -> str:
    sign = "-" if v < 0 else ""
    whole = int(abs(v)) if abs(v) < 2**63 else -(2**63)  # Go's int64(v) on amd64
    seconds, minutes = _go_rem(whole, 60), _go_rem(_go_div(whole, 60), 60)
    hours, days = _go_rem(_go_div(whole, 3600), 24), _go_div(whole, 86400)
    if days:
        return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
    if hours:
        return f"{sign}{hours}h {minutes}m {seconds}s"
    if minutes:
        return f"{sign}{minutes}m {seconds}s"
    return f"{sign}{format_float(abs(v), 'g', 4)}s"


def _go_div(a: int, b: int) -> int:
    """Go's integer division truncates toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _go_rem(a: int, b: int) -> int:
    return a - b * _go_div(a, b)


def humanize_percentage(value: object) -> str:
    return format_float(to_float(value) * 100, "g", 4) + "%"


def humanize_timestamp(value: object) -> str:
    """Prometheus' floatToTime: nanoseconds as int64, then model.Time (milliseconds)."""
    v = to_float(value)
    if math.isnan(v) or math.isinf(v):
        return format_float(v, "g", 4)
    nanos = v * 1e9
    if not -(2**63) <= nanos <= 2**63:
        raise CallError(f"{format_float(v)} cannot be represented as a nanoseconds timestamp "
                        "since it overflows int64")
    ms = _go_div(int(nanos), 1_000_000)
    seconds, millis = divmod(ms, 1000)
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")
    if millis:
        text += "." + f"{millis:03d}".rstrip("0")
    return text + " +0000 UTC"


def title(text: str) -> str:
    """strings.Title: the first letter of every word in upper case."""
    out = []
    previous = " "
    for ch in text:
        out.append(ch.upper() if _separator(previous) else ch)
        previous = ch
    return "".join(out)


def _separator(ch: str) -> bool:
    if ch.isascii():
        return not (ch.isalnum() or ch == "_")
    if ch.isalnum():
        return False
    return ch.isspace()


_RE_ERRORS = {"missing ), unterminated subpattern": "missing closing )",
              "unbalanced parenthesis": "unexpected )",
              "nothing to repeat": "missing argument to repetition operator"}


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:  # Go's wording for the common mistakes, Python's for the rest
        reason = _RE_ERRORS.get(exc.msg, exc.msg)
        raise CallError(f"regexp: Compile({_backquote(pattern)}): error parsing regexp: "
                        f"{reason}: {_backquote(pattern)}") from None


def _backquote(text: str) -> str:
    return f"`{text}`" if "`" not in text else go_value(text)


def re_replace_all(pattern: str, repl: str, text: str) -> str:
    """regexp.ReplaceAllString with Go's ``$1``/``${name}`` expansion."""
    regex = _compile(pattern)

    def expand(match: re.Match[str]) -> str:
        def group(ref: re.Match[str]) -> str:
            if ref.group(0) == "$$":
                return "$"
            name = ref.group(1) or ref.group(2)
            try:
                key: int | str = int(name) if name.isdigit() else name
                return match.group(key) or ""
            except IndexError:
                return ""
        return re.sub(r"\$\$|\$\{(\w+)\}|\$(\w+)", group, repl)

    return regex.sub(expand, text)


def match(pattern: str, text: str) -> bool:
    return _compile(pattern).search(text) is not None


def strip_port(host_port: str) -> str:
    host, ok = _split_host_port(host_port)
    return host if ok else host_port


def strip_domain(host_port: str) -> str:
    host, ok = _split_host_port(host_port)
    port = host_port.rsplit(":", 1)[1] if ok else ""
    if not ok:
        host = host_port
    if re.fullmatch(r"[\d.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*", host):
        return host_port
    host = host.split(".")[0]
    return f"{host}:{port}" if port else host


def _split_host_port(text: str) -> tuple[str, bool]:
    found = re.fullmatch(r"\[([^\]]*)\]:(\d*)|([^:\[\]]*):(\d*)", text)
    if found is None:
        return text, False
    return found.group(1) if found.group(1) is not None else found.group(3), True


def parse_duration(text: str) -> float:
    from pgwatch.alerting.durations import DurationError, parse_duration_s

    try:
        return parse_duration_s(text)
    except DurationError as exc:
        raise CallError(str(exc)) from None


def truth(value: object) -> bool:
    """text/template's isTrue: the zero value of every type is false."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str | Mapping | list | tuple):
        return len(value) > 0
    return True


def _kind(value: object, *, comparable: bool = True) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "nil"
    if not comparable:
        return "other"
    raise CallError("invalid type for comparison")


def eq(first: object, *others: object) -> bool:
    if not others:
        raise CallError("missing argument for comparison")
    k1 = _kind(first, comparable=False)
    for other in others:
        k2 = _kind(other, comparable=False)
        if k1 == k2 == "other":
            raise CallError("invalid type for comparison")
        if k1 != k2:
            if first is not None and other is not None:
                raise CallError("incompatible types for comparison")
            continue
        if first == other:
            return True
    return False


def lt(first: object, second: object) -> bool:
    k1, k2 = _kind(first), _kind(second)
    if k1 in ("bool", "nil") or k2 in ("bool", "nil"):
        raise CallError("invalid type for comparison")
    if k1 != k2:
        raise CallError("incompatible types for comparison")
    return bool(first < second)  # type: ignore[operator]


def length(value: object) -> int:
    if isinstance(value, str | Mapping | list | tuple):
        return len(value.encode() if isinstance(value, str) else value)
    raise CallError(f"len of type {go_type(value)}")


def index(item: object, *keys: object) -> object:
    for key in keys:
        if isinstance(item, Mapping):
            if not isinstance(key, str):
                raise CallError(f"value has type {go_type(key)}; should be string")
            item = item.get(key, "")
        else:
            raise CallError(f"can't index item of type {go_type(item)}")
    return item


def go_sprint(args: Sequence[object]) -> str:
    """fmt.Sprint: spaces between operands when neither side is a string."""
    out = ""
    for i, arg in enumerate(args):
        if i and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out += " "
        out += go_value(arg)
    return out


def html_escape(*args: object) -> str:
    text = go_sprint(args)
    for old, new in (("&", "&amp;"), ("'", "&#39;"), ("<", "&lt;"), (">", "&gt;"),
                     ('"', "&#34;"), ("\0", "\ufffd")):
        text = text.replace(old, new)
    return text


def _unsupported(name: str) -> Callable[..., object]:
    def call(*_args: object) -> object:
        raise CallError(f"function {name} is not supported by pgwatch's evaluator")
    return call


def functions() -> dict[str, Function]:
    """Every function an alert template may name, by name."""
    table: dict[str, Function] = {
        "humanize": Function(("any",), humanize),
        "humanize1024": Function(("any",), humanize1024),
        "humanizeDuration": Function(("any",), humanize_duration),
        "humanizePercentage": Function(("any",), humanize_percentage),
        "humanizeTimestamp": Function(("any",), humanize_timestamp),
        "toUpper": Function(("string",), str.upper),
        "toLower": Function(("string",), str.lower),
        "title": Function(("string",), title),
        "reReplaceAll": Function(("string", "string", "string"), re_replace_all),
        "match": Function(("string", "string"), match),
        "stripPort": Function(("string",), strip_port),
        "stripDomain": Function(("string",), strip_domain),
        "parseDuration": Function(("string",), parse_duration),
        "pathPrefix": Function((), lambda: ""),  # the executor answers from the alert's data
        "externalURL": Function((), lambda: ""),
        "printf": Function(("string", "any"), lambda f, *a: sprintf(f, a), variadic=True),
        "print": Function(("any",), lambda *a: go_sprint(a), variadic=True),
        "println": Function(("any",), lambda *a: " ".join(go_value(x) for x in a) + "\n",
                            variadic=True),
        "len": Function(("any",), length),
        "index": Function(("any", "any"), index, variadic=True),
        "not": Function(("any",), lambda v: not truth(v)),
        "eq": Function(("any", "any"), eq, variadic=True),
        "ne": Function(("any", "any"), lambda a, b: not eq(a, b)),
        "lt": Function(("any", "any"), lt),
        "le": Function(("any", "any"), lambda a, b: lt(a, b) or eq(a, b)),
        "gt": Function(("any", "any"), lambda a, b: not (lt(a, b) or eq(a, b))),
        "ge": Function(("any", "any"), lambda a, b: not lt(a, b)),
        "html": Function(("any",), html_escape, variadic=True),
        "urlquery": Function(("any",), lambda *a: urllib.parse.quote_plus(go_sprint(a)),
                             variadic=True),
    }
    for name in UNSUPPORTED:
        table[name] = Function(("any",), _unsupported(name), variadic=True)
    return table


# "and" and "or" see their arguments unevaluated (Go evaluates them lazily).
LAZY = frozenset({"and", "or"})
