"""Prometheus 2.42's stricter number and duration syntax, checked over the expression text.

promql-parser follows newer Prometheus releases, which accept a range or offset without a
unit (``x[5]``, ``offset 5``: seconds) and a duration as a number (``5m + x``); 2.42 rejects
all three, so a rule pgwatch accepts must load in the Prometheus its files are written for.
This is a small hand-written scanner (strings and comments skipped), not a second parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgwatch.alerting.promql.errors import PromQLError

_QUOTES = "\"'`"


@dataclass(slots=True)
class _Scanner:
    text: str
    pos: int = 0

    def error(self, message: str, at: int) -> PromQLError:
        return PromQLError(f"cannot parse {self.text!r}: {message}", construct="syntax",
                           position=at)

    def peek(self, ahead: int = 0) -> str:
        at = self.pos + ahead
        return self.text[at] if at < len(self.text) else ""

    def skip_string(self) -> None:
        quote = self.peek()
        self.pos += 1
        while self.pos < len(self.text) and self.peek() != quote:
            self.pos += 2 if self.peek() == "\\" and quote != "`" else 1
        self.pos += 1

    def skip_comment(self) -> None:
        while self.pos < len(self.text) and self.peek() != "\n":
            self.pos += 1

    def word(self) -> str:
        start = self.pos
        while self.peek() and (self.peek().isalnum() or self.peek() in "_:."):
            self.pos += 1
        return self.text[start:self.pos]

    def blanks(self) -> None:
        while self.peek().isspace():
            self.pos += 1


def check_syntax_2_42(text: str) -> None:
    """Raise PromQLError where Prometheus 2.42 rejects a number or duration form."""
    scan = _Scanner(text)
    while scan.pos < len(text):
        ch = scan.peek()
        if ch in _QUOTES:
            scan.skip_string()
        elif ch == "#":
            scan.skip_comment()
        elif ch == "[":
            _range(scan)
        elif ch.isalpha() or ch == "_":
            _identifier(scan)
        elif ch.isdigit() or (ch == "." and scan.peek(1).isdigit()):
            _number(scan)
        else:
            scan.pos += 1


def _range(scan: _Scanner) -> None:
    start = scan.pos
    end = scan.text.find("]", start)
    if end < 0:
        scan.pos = len(scan.text)
        return
    for part in scan.text[start + 1:end].split(":"):
        if part.strip().isdigit():
            raise scan.error("missing unit character in duration", start + 1)
    scan.pos = end + 1


def _identifier(scan: _Scanner) -> None:
    if scan.word().lower() != "offset":
        return
    scan.blanks()
    if scan.peek() == "-":
        scan.pos += 1
    at = scan.pos
    token = scan.word()
    if token.isdigit():
        raise scan.error(f'unexpected number "{token}" in offset', at)


def _number(scan: _Scanner) -> None:
    at = scan.pos
    token = scan.word()
    if token[:2].lower() == "0x":
        return
    body = token.lower()
    if "e" in body:  # scientific notation: 1e3, 1.5E-3 (the sign is not part of the word)
        mantissa, _, exponent = body.partition("e")
        if mantissa.replace(".", "", 1).isdigit() and (exponent == "" or exponent.isdigit()):
            if exponent == "" and scan.peek() in "+-":
                scan.pos += 1
                scan.word()
            return
    if any(c.isalpha() for c in token):
        raise scan.error(f'unexpected duration "{token}"', at)
