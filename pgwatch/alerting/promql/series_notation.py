"""promtool's notation for test input: ``metric{a="b"}`` and expanding values.

Values, separated by spaces: ``1`` one value; ``1x3`` four values of 1 (the start and three
repetitions); ``1+2x3`` the four values 1 3 5 7 (``-2-1x3``: -2 -3 -4 -5), built by repeated
addition as promtool does; ``_`` one missing sample; ``_x3`` three missing; ``stale`` a
staleness marker. Numbers may be signed, scientific (``1e3``), ``Inf`` or ``NaN``; as in
promtool, a leading ``0`` makes an integer octal.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgwatch.alerting.promql.errors import PromQLError
from pgwatch.alerting.promql.parser import parse_series_labels
from pgwatch.alerting.promql.values import STALE_NAN, Labels

_DIGITS = "0123456789"


def parse_series(text: str) -> Labels:
    """The label set of ``metric{a="b"}``, sorted, with ``__name__``."""
    return parse_series_labels(text)


@dataclass(slots=True)
class _Lexer:
    text: str
    pos: int = 0

    def error(self, message: str) -> PromQLError:
        return PromQLError(f"series values {self.text!r}: {message} at character "
                           f"{self.pos + 1}", construct="series values", position=self.pos)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self, chars: str) -> bool:
        if self.peek() and self.peek() in chars:
            self.pos += 1
            return True
        return False

    def run(self, chars: str) -> str:
        start = self.pos
        while self.peek() and self.peek() in chars:
            self.pos += 1
        return self.text[start:self.pos]

    def number(self) -> float:
        start = self.pos
        if self.peek().isalpha():
            word = self.run("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            if word.lower() in ("inf", "nan"):
                return float(word)
            self.pos = start
            raise self.error(f"unexpected {word!r}")
        self.run(_DIGITS)
        if self.take("."):
            self.run(_DIGITS)
        if self.take("eE"):
            self.take("+-")
            self.run(_DIGITS)
        text = self.text[start:self.pos]
        if not text or text == ".":
            raise self.error("expected a number")
        return _go_number(text)

    def uint(self) -> int:
        digits = self.run(_DIGITS)
        if not digits:
            raise self.error("expected a repetition count")
        return int(digits)


def _go_number(text: str) -> float:
    # Prometheus' parser tries strconv.ParseInt(s, 0, 64) first: "010" is octal.
    if len(text) > 1 and text[0] == "0" and all(c in "01234567" for c in text):
        return float(int(text, 8))
    try:
        return float(text)
    except ValueError as exc:
        raise PromQLError(f"bad number {text!r}", construct="series values") from exc


def _value(lex: _Lexer) -> float:
    if lex.text.startswith("stale", lex.pos):
        lex.pos += len("stale")
        if lex.peek().isalnum():
            raise lex.error("expected a number or 'stale'")
        return STALE_NAN
    sign = -1.0 if lex.peek() == "-" else 1.0
    lex.take("+-")
    return sign * lex.number()


def _item(lex: _Lexer) -> list[float | None]:
    if lex.take("_"):
        if lex.take("x"):
            return [None] * lex.uint()
        return [None]
    start = _value(lex)
    if lex.take("x"):
        return [start] * (lex.uint() + 1)
    if lex.peek() in ("+", "-") and lex.peek():
        step = _value(lex)
        if not lex.take("x"):
            raise lex.error("expected 'x' after the increment")
        values: list[float | None] = []
        current = start
        for _ in range(lex.uint() + 1):
            values.append(current)
            current += step
        return values
    return [start]


def expand_values(text: str, interval_ms: int = 0) -> list[float | None]:
    """One value per step (``None`` where ``_`` leaves a step without a sample).

    ``interval_ms`` is the step between samples; the values do not depend on it.
    """
    del interval_ms
    lex = _Lexer(text)
    out: list[float | None] = []
    while lex.pos < len(text):
        if lex.peek().isspace():
            lex.pos += 1
            continue
        out.extend(_item(lex))
        if lex.pos < len(text) and not lex.peek().isspace():
            raise lex.error(f"unexpected {lex.peek()!r}")
    return out
