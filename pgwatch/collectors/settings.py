"""pg_settings: every setting's value, so that the store can record each change.

``pending_restart`` is 1 for a setting changed in the configuration but not yet applied,
and absent (NULL) for every other: /metrics then shows a series only for what is pending,
not a zero for each of the server's ~400 settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from pgwatch.collectors.base import gauge, label, text
from pgwatch.collectors.query import SqlCollector


@dataclass(frozen=True, slots=True)
class SettingRow:
    """One server setting."""

    name: str = label("setting")
    setting: str = text("value as the server shows it")
    unit: str = text("the server's unit for the value")
    vartype: str = text("bool, integer, real, string, enum")
    source: str = text("where the value comes from")
    context: str = text("when a change takes effect")
    value: float | None = gauge("numeric value in base units (see base_unit); 1/0 for bool")
    base_unit: str = text("bytes, seconds or empty")
    pending_restart: bool | None = gauge(
        "1 while a changed value waits for a restart; only pending settings have a series")


class SettingsCollector(SqlCollector):
    name: ClassVar[str] = "settings"
    default_interval_s: ClassVar[float] = 300.0
    row_type: ClassVar[type[Any]] = SettingRow
    roles: ClassVar[tuple[str, ...]] = ("pg_read_all_settings",)
