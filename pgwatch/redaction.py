"""Passwords out of query text read from the monitored server.

pg_stat_statements keeps utility statements as written (``ALTER ROLE app PASSWORD 'x'``),
and pg_stat_activity shows them while they run: the literal after ``PASSWORD`` is replaced
before the text reaches a metric, the store, a report or the advisor.
"""

from __future__ import annotations

import re

MASK = "'********'"
_PASSWORD = re.compile(
    r"(\bPASSWORD\s+)(?:E'(?:[^'\\]|\\.|'')*'?|(?:U&)?'(?:[^']|'')*'?"
    r"|(\$[A-Za-z_0-9]*\$).*?(?:\2|$))",
    re.IGNORECASE | re.DOTALL)


def redact(text: str) -> str:
    """``text`` with every literal after PASSWORD masked (an unterminated one to the end)."""
    if "password" not in text.lower():
        return text
    return _PASSWORD.sub(lambda m: m.group(1) + MASK, text)
