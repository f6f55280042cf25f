"""``pgwatch doctor --print-role-sql``: the least-privilege role and the grants it needs."""

from pgwatch.role_sql.script import (
    DEFAULT_ROLE,
    RoleNameError,
    ServerPlan,
    check_role_name,
    role_script,
)

__all__ = ["DEFAULT_ROLE", "RoleNameError", "ServerPlan", "check_role_name", "role_script"]
