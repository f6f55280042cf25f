"""Property: a password written in a role statement never survives ``redact``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pgwatch.redaction import MASK, redact
from tests.unit.fuzzing import budget

SECRETS = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=6,
                  max_size=40).filter(lambda s: s.strip() == s and s.lower() != "password")
SHAPES = ("CREATE ROLE app LOGIN PASSWORD {q}", "alter user app with encrypted password {q} "
          "valid until 'infinity'", "ALTER ROLE \"Odd Name\" PASSWORD {q} LOGIN",
          "CREATE USER app PASSWORD {q}; SELECT 1")


def _quoted(secret: str, style: int) -> str:
    if style == 0:
        return "'" + secret.replace("'", "''") + "'"
    if style == 1:
        return "E'" + secret.replace("\\", "\\\\").replace("'", "\\'") + "'"
    tag = "$pw$" if "$pw$" not in secret else "$x$"
    return f"{tag}{secret}{tag}"


@budget(300)
@given(SECRETS, st.sampled_from(SHAPES), st.integers(0, 2), st.integers(0, 40))
def test_a_password_literal_is_masked(secret: str, shape: str, style: int, cut: int) -> None:
    statement = shape.format(q=_quoted(secret, style))
    masked = redact(statement)
    assert secret not in masked.replace(MASK, "")
    assert MASK in masked
    # pg_stat_activity's text cut short (blocking keeps 200 characters): masked to the end.
    opened = statement.upper().index("PASSWORD ") + len("PASSWORD ") + 2
    if cut >= 6 and opened + cut < len(statement):
        cut_short = statement[:opened + cut]
        assert cut_short[opened:] not in redact(cut_short).replace(MASK, "")[opened - 2:]


def test_text_without_a_password_is_unchanged() -> None:
    for text in ("SELECT password_hash FROM users WHERE id = $1", "SELECT 'PASSWORD'", ""):
        assert redact(text) == text
