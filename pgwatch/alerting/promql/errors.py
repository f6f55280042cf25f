"""The one error the PromQL engine raises, at parse time or while evaluating."""

from __future__ import annotations

from pgwatch.errors import PgwatchError


class PromQLError(PgwatchError):
    """An expression pgwatch cannot parse, does not support, or cannot evaluate.

    ``construct`` names what is at fault ("function histogram_quantile", "subquery",
    "@ modifier", "syntax", "evaluation"); ``position`` is the character offset in the
    expression where known.
    """

    def __init__(self, message: str, *, construct: str, position: int | None = None) -> None:
        super().__init__(message)
        self.construct = construct
        self.position = position
