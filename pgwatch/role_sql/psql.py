"""psql meta-commands for the role script: a database name is untrusted text from the server.

A name goes into ``\\connect`` as one single-quoted psql argument, so a quote, a backslash, a
space or a second meta-command in it (``x \\! rm ...``) stays part of the name.
"""

from __future__ import annotations

import re

# A name psql and libpq take as it is: no quoting, no "=" (which makes it a connection string).
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_$-]*")


def psql_argument(text: str) -> str:
    """``text`` as a single-quoted psql argument, control characters as octal escapes."""
    out = []
    for char in text:
        if char in "\\'":
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):03o}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def conninfo_value(text: str) -> str:
    """``text`` as a libpq connection-string value (single quotes, backslash escapes)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def connect_command(database: str) -> str:
    """A ``\\connect`` to ``database`` that keeps the script's host, port and user."""
    if _PLAIN.fullmatch(database):
        return f"\\connect {database}"
    # A name psql would read as a connection string (it holds "=") or that needs quoting:
    # always a connection string, so only its dbname changes.
    return f"\\connect -reuse-previous=on {psql_argument('dbname=' + conninfo_value(database))}"
