"""The advisor in each database of a target that watches several (``databases:``), for the report.

The runs and their merging are the advisor's (pgwatch.explain.advisor.databases); the report
advises the ``ADVISED_DATABASES`` largest and turns a refusal into its section's note.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pgwatch.errors import PgwatchError
from pgwatch.report.source import ADVICE_TOP, AdviceResult

if TYPE_CHECKING:
    from pgwatch.explain.advisor.databases import UsageFor

log = logging.getLogger(__name__)
ADVISED_DATABASES = 10


def advise_databases(dsn: str, where: str, databases: Sequence[str],
                     usage_for: UsageFor) -> AdviceResult:
    """The advice of the largest databases of ``databases`` (largest first), merged."""
    from pgwatch.explain.advisor import databases as advisor
    from pgwatch.explain.advisor.run import AdviseOptions

    try:
        return AdviceResult(advisor.advise_databases(
            dsn, where, databases, AdviseOptions(top=ADVICE_TOP), usage_for,
            limit=ADVISED_DATABASES), None)
    except PgwatchError as exc:
        return AdviceResult(None, str(exc))
    except Exception as exc:  # the report goes on without advice; the section says why
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        log.warning("advisor failed for %s: %s", where, reason)
        return AdviceResult(None, f"the advisor failed: {reason}")
